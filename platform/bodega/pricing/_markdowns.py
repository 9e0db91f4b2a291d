"""Markdowns of fresh goods in a quote: for each line, the lowest price any matching rule
gives at this moment, by hours to the lot's expiry or to the store's closing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bodega.api.auth import Actor
from bodega.api.money import round_half_up
from bodega.catalog import ProductOut, StoreOut
from bodega.inventory import LotOut, lot_by_code, lots_for_sale
from bodega.pricing.quote_schemas import AdjustmentLineOut, AdjustmentOut
from bodega.promotions import (
    MarkdownRuleOut,
    hours_to_closing,
    hours_to_expiry,
    markdown_price,
    markdown_rules_for,
    markdown_step,
)

if TYPE_CHECKING:
    from bodega.pricing._explain import Explainer
    from bodega.pricing.quotes import BasketItem

__all__ = ["LineMarkdown", "markdowns_for"]


@dataclass
class LineMarkdown:
    """A line's markdown (``unit_price`` None: none applies, but there may be warnings)."""

    rule_id: uuid.UUID | None = None
    name: str = ""
    unit_price: int | None = None
    lot_code: str | None = None
    adjustment: AdjustmentOut | None = None
    warnings: list[str] = field(default_factory=list)


def _applies(rule: MarkdownRuleOut, product: ProductOut) -> bool:
    if not rule.product_ids and not rule.category_ids:
        return True
    return product.id in rule.product_ids or (
        product.category_id is not None and product.category_id in rule.category_ids
    )


def _closing(store: StoreOut) -> time | None:
    closes_at: Any = getattr(store, "closes_at", None)
    if closes_at is None or isinstance(closes_at, time):
        return closes_at
    return time.fromisoformat(closes_at)


async def _lots(
    actor: Actor, store: StoreOut, items: Mapping[int, BasketItem]
) -> dict[int, LotOut | None]:
    """The lot each line is sold from: the one on its label, else the next to sell."""
    found: dict[int, LotOut | None] = {}
    unlabelled = {}
    for position, item in items.items():
        if item.lot_code is None:
            unlabelled[position] = item.product.id
            continue
        found[position] = await lot_by_code(
            actor, store_id=store.id, product_id=item.product.id, lot_code=item.lot_code
        )
    if unlabelled:
        next_lots = await lots_for_sale(
            actor, store_id=store.id, product_ids=list(set(unlabelled.values()))
        )
        for position, product_id in unlabelled.items():
            found[position] = next_lots.get(product_id)
    return found


async def markdowns_for(
    actor: Actor,
    store: StoreOut,
    items: Sequence[BasketItem],
    regular: Mapping[uuid.UUID, Any],
    at: datetime,
    explain: Explainer,
) -> dict[int, LineMarkdown]:
    """Each line's markdown by position (1-based); lines without one are absent."""
    rules = await markdown_rules_for(actor, store_id=store.id)
    if not rules:
        return {}
    matching = {
        position: [rule for rule in rules if _applies(rule, item.product)]
        for position, item in enumerate(items, start=1)
        if item.unit_price is None  # a cashier's override is not marked down
    }
    by_expiry = {
        position: items[position - 1]
        for position, found in matching.items()
        if any(rule.basis == "expiry" for rule in found)
    }
    lots = await _lots(actor, store, by_expiry) if by_expiry else {}
    closing = _closing(store)
    markdowns = {}
    for position, found in matching.items():
        item = items[position - 1]
        regular_price = regular[item.product.id].price
        markdown = LineMarkdown(lot_code=item.lot_code)
        best: tuple[int, MarkdownRuleOut, str] | None = None
        for rule in found:
            if rule.basis == "closing":
                if closing is None:
                    continue
                hours = hours_to_closing(at, store.timezone, closing)
                until = f"closing at {closing:%H:%M}"
            else:
                lot = lots.get(position)
                if lot is None:
                    if item.lot_code is not None:
                        markdown.warnings.append(
                            f"No lot {item.lot_code} of this product in this store."
                        )
                    continue
                markdown.lot_code = lot.code
                hours = hours_to_expiry(at, store.timezone, lot.expires_on)
                if hours <= 0:
                    markdown.warnings.append(
                        f"Lot {lot.code} expired on {lot.expires_on}: it should not be sold."
                    )
                    continue
                until = f"the expiry of lot {lot.code} ({lot.expires_on})"
            step = markdown_step(rule, hours)
            if step is None:
                continue
            price = markdown_price(regular_price, step.percent, rule.floor_percent)
            floored = price > round_half_up(
                Decimal(regular_price) * (100 - Decimal(step.percent)) / 100
            )
            reason = explain.markdown_reason(
                percent=step.percent, until=until, hours=hours, floored=floored
            )
            if best is None or price < best[0]:
                best = (price, rule, reason)
        if best is not None and best[0] < regular_price:
            price, rule, reason = best
            amount = round_half_up(item.quantity * regular_price) - round_half_up(
                item.quantity * price
            )
            markdown.rule_id, markdown.name, markdown.unit_price = rule.id, rule.name, price
            markdown.adjustment = AdjustmentOut(
                kind="markdown",
                source_id=rule.id,
                name=rule.name,
                amount=amount,
                reason=f"{reason} ({explain.money(regular_price)} → {explain.money(price)})",
                lines=[AdjustmentLineOut(position=position, amount=amount)],
            )
        if markdown.unit_price is not None or markdown.warnings:
            markdowns[position] = markdown
    return markdowns
