"""Pricing a basket: regular prices, markdowns, promotions and plugins' adjustments, each one
explained, without saving anything. Orders are priced the same way (:func:`price_basket`).

1. The regular price of each line: the most specific price list, else the store price, else
   the list price (:func:`bodega.pricing.regular_prices`).
2. Markdowns of fresh goods by hours to the lot's expiry or to the store's closing: the
   lowest marked-down price of the rules that match, never below a rule's floor.
3. Promotions: the chain's active ones, compiled once per change of any of them and cached;
   the conditions the engine does not know (dates, hours, stores, channels, members, usage)
   are decided here, the discounts by :mod:`bodega.pricing.engine`.
4. Plugins' adjustments (``bodega_quote_adjustments``), each capped at what is left of its
   line. A plugin that fails is left out and named: a quote never fails because of one.
5. "Was" prices for reduced lines: the lowest price of the prior 30 days in the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.money import TaxLineOut, round_half_up, tax_by_rate
from bodega.api.quantities import quantity_errors
from bodega.catalog import ProductOut, StoreOut, products_by_ids, require_store
from bodega.pricing._explain import Explainer
from bodega.pricing._markdowns import LineMarkdown, markdowns_for
from bodega.pricing._members import buyer
from bodega.pricing._promotions import promotion_outcome
from bodega.pricing.history import prior_lowest_prices
from bodega.pricing.quote_schemas import (
    AdjustmentOut,
    LineAdjustmentOut,
    NotAppliedOut,
    PriceSourceOut,
    QuoteIn,
    QuoteLineOut,
    QuoteOut,
)
from bodega.pricing.resolve import RegularPrice, regular_prices
from bodega.tenancy import get_tenant

if TYPE_CHECKING:
    from piccolo.engine.postgres import PostgresEngine

    from bodega.plugins import PluginHost

__all__ = ["BasketItem", "PricedBasket", "price_basket", "quote_basket"]

MAX_AMOUNT = 10**12


@dataclass(frozen=True)
class BasketItem:
    product: ProductOut
    quantity: Decimal
    lot_code: str | None = None
    unit_price: int | None = None
    """A cashier's price override: no markdown; exclusive promotions pass the line by."""


@dataclass(frozen=True)
class PricedBasket:
    quote: QuoteOut
    promotion_ids: list[uuid.UUID]
    """The promotions that gave something (their uses are counted when an order is made)."""


def _now() -> datetime:
    return datetime.now(UTC)


async def quote_basket(
    actor: Actor,
    data: QuoteIn,
    *,
    plugins: PluginHost | None = None,
    engine: PostgresEngine | None = None,
) -> QuoteOut:
    """Price ``data``'s basket as it would be bought at ``data.at`` (default now)."""
    store = await require_store(actor, data.store_id, field="store_id")
    errors: list[FieldError] = []
    if data.at is not None and data.at.tzinfo is None:
        errors.append(FieldError("at", "give the time with its UTC offset (Z or +08:00)"))
    products = await products_by_ids(actor, list({line.product_id for line in data.lines}))
    items = []
    for i, line in enumerate(data.lines):
        product = products.get(line.product_id)
        field = f"lines[{i}]"
        if product is None:
            errors.append(FieldError(f"{field}.product_id", "unknown product"))
            continue
        if product.status != "active":
            errors.append(FieldError(f"{field}.product_id", "archived: no longer sold"))
        problems = quantity_errors(line.quantity, f"{field}.quantity", unit=product.unit)
        errors += problems
        if not problems:
            items.append(BasketItem(product, line.quantity, line.lot_code))
    raise_if_errors(errors)
    priced = await price_basket(
        actor,
        store=store,
        channel=data.channel,
        member_id=data.member_id,
        at=data.at or _now(),
        items=items,
        plugins=plugins,
        engine=engine,
    )
    return priced.quote


async def price_basket(
    actor: Actor,
    *,
    store: StoreOut,
    channel: str,
    member_id: uuid.UUID | None,
    at: datetime,
    items: Sequence[BasketItem],
    plugins: PluginHost | None = None,
    engine: PostgresEngine | None = None,
) -> PricedBasket:
    """Price validated ``items`` (see the module's docstring for the steps)."""
    member = await buyer(actor, member_id) if member_id is not None else None
    member_id = member.member_id if member else None
    currency = (await get_tenant(actor)).currency
    explain = Explainer(currency)
    product_ids = list({item.product.id for item in items})
    regular = await regular_prices(
        actor,
        store_id=store.id,
        channel=channel,
        member=member is not None,
        at=at,
        product_ids=product_ids,
        tier_lists=member.tier_lists if member else (),
    )
    markdowns = await markdowns_for(actor, store, items, regular, at, explain)
    lines = [
        _line(position, item, regular[item.product.id], markdowns.get(position))
        for position, item in enumerate(items, start=1)
    ]
    outcome = await promotion_outcome(
        actor,
        store=store,
        channel=channel,
        member_id=member_id,
        segments=member.segments if member else frozenset(),
        at=at,
        lines=lines,
    )
    adjustments = [md.adjustment for md in markdowns.values() if md.adjustment is not None]
    not_applied: list[NotAppliedOut] = []
    applied_ids = []
    for result in outcome.applied:
        adjustments.append(explain.promotion(result, lines))
        applied_ids.append(result.promotion.id)
        for position, amount in result.allocations:
            line = lines[position - 1]
            line.discount += amount
            line.adjustments.append(
                LineAdjustmentOut(
                    kind="promotion",
                    source_id=result.promotion.id,
                    name=result.promotion.name,
                    amount=amount,
                )
            )
    not_applied += [explain.not_applied(result) for result in outcome.not_applied]
    quote = _quote(store, channel, member_id, at, currency, lines, adjustments, not_applied)
    if plugins is not None and engine is not None:
        from bodega.pricing._plugins import add_plugin_adjustments

        quote = await add_plugin_adjustments(plugins, engine, actor, quote)
    await _add_was_prices(actor, store, at, quote)
    return PricedBasket(quote=quote, promotion_ids=applied_ids)


@dataclass
class _Line:
    """A line while it is priced (mutable: discounts are added as they are worked out)."""

    position: int
    item: BasketItem
    regular_price: int
    price_source: PriceSourceOut
    unit_price: int
    gross: int
    regular_gross: int
    reduced: bool
    lot_code: str | None
    warnings: list[str]
    adjustments: list[LineAdjustmentOut]
    discount: int = 0


def _line(
    position: int, item: BasketItem, regular: RegularPrice, markdown: LineMarkdown | None
) -> _Line:
    source = PriceSourceOut(type=regular.source, id=regular.source_id, name=regular.source_name)
    regular_gross = round_half_up(item.quantity * regular.price)
    adjustments = []
    if item.unit_price is not None:
        unit_price, reduced = item.unit_price, True
    elif markdown is not None and markdown.adjustment is not None:
        unit_price, reduced = markdown.unit_price or 0, True
        adjustments.append(
            LineAdjustmentOut(
                kind="markdown",
                source_id=markdown.rule_id,
                name=markdown.name,
                amount=markdown.adjustment.amount,
            )
        )
    else:
        unit_price, reduced = regular.price, False
    return _Line(
        position=position,
        item=item,
        regular_price=regular.price,
        price_source=source,
        unit_price=unit_price,
        gross=round_half_up(item.quantity * unit_price),
        regular_gross=regular_gross,
        reduced=reduced,
        lot_code=markdown.lot_code if markdown else item.lot_code,
        warnings=list(markdown.warnings) if markdown else [],
        adjustments=adjustments,
    )


def _quote(
    store: StoreOut,
    channel: str,
    member_id: uuid.UUID | None,
    at: datetime,
    currency: str,
    lines: list[_Line],
    adjustments: list[AdjustmentOut],
    not_applied: list[NotAppliedOut],
) -> QuoteOut:
    out = [
        QuoteLineOut(
            position=line.position,
            product_id=line.item.product.id,
            sku=line.item.product.sku,
            name=line.item.product.name,
            unit=line.item.product.unit,
            quantity=line.item.quantity,
            list_price=line.item.product.list_price,
            regular_price=line.regular_price,
            price_source=line.price_source,
            unit_price=line.unit_price,
            gross=line.gross,
            discount=line.discount,
            total=line.gross - line.discount,
            was_price=None,
            tax_rate=line.item.product.tax_rate,
            lot_code=line.lot_code,
            adjustments=line.adjustments,
            warnings=line.warnings,
        )
        for line in lines
    ]
    return totalled(
        QuoteOut(
            store_id=store.id,
            channel=channel,  # type: ignore[arg-type]
            member_id=member_id,
            at=at,
            currency=currency,
            lines=out,
            adjustments=adjustments,
            not_applied=not_applied,
            regular_total=sum(line.regular_gross for line in lines),
            subtotal=0,
            discount_total=0,
            total=0,
            savings=0,
            taxes=[],
        )
    )


def totalled(quote: QuoteOut) -> QuoteOut:
    """``quote`` with its totals and taxes worked out from its lines."""
    subtotal = sum(line.gross for line in quote.lines)
    discount = sum(line.discount for line in quote.lines)
    quote.subtotal = subtotal
    quote.discount_total = discount
    quote.total = subtotal - discount
    quote.savings = quote.regular_total - quote.total
    quote.taxes = [
        TaxLineOut(rate=t.rate, gross=t.gross, tax=t.tax, net=t.net)
        for t in tax_by_rate([(line.tax_rate, line.total) for line in quote.lines])
    ]
    return quote


async def _add_was_prices(actor: Actor, store: StoreOut, at: datetime, quote: QuoteOut) -> None:
    """Lines reduced by a markdown, a promotion or a plugin get the lowest regular price of the
    prior 30 days in the store as their "was" price."""
    reduced = [
        line
        for line in quote.lines
        if line.total < round_half_up(line.quantity * line.regular_price)
    ]
    if not reduced:
        return
    lowest = await prior_lowest_prices(
        actor, store_id=store.id, product_ids=list({line.product_id for line in reduced}), at=at
    )
    for line in reduced:
        line.was_price = lowest.get(line.product_id, line.regular_price)
