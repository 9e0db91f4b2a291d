"""The chain's promotions as the engine sees them: compiled once per change of any of them
(cached per chain and generation), and the conditions the engine does not know decided for
the basket at hand."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bodega.api.auth import Actor
from bodega.catalog import StoreOut
from bodega.pricing.engine import (
    BasketLine,
    CompiledPromotions,
    PromotionResult,
    PromotionSpec,
    apply_promotions,
    compile_promotions,
)
from bodega.promotions import (
    PromotionOut,
    active_promotions,
    blocked_reason,
    member_promotion_uses,
    promotions_by_ids,
    promotions_generation,
)

if TYPE_CHECKING:
    from bodega.pricing.quotes import _Line

__all__ = ["Applied", "NotApplied", "Outcome", "promotion_outcome"]

CACHED_CHAINS = 256
"""Compiled promotion sets kept per process (one per chain, the latest generation)."""

_compiled: OrderedDict[uuid.UUID, tuple[str, list[PromotionOut], CompiledPromotions]] = (
    OrderedDict()
)


@dataclass(frozen=True)
class Applied:
    promotion: PromotionOut
    result: PromotionResult

    @property
    def allocations(self) -> list[tuple[int, int]]:
        """``(line position, amount)``."""
        return [(index + 1, amount) for index, amount in self.result.allocations]


@dataclass(frozen=True)
class NotApplied:
    promotion: PromotionOut
    result: PromotionResult
    excluded_by: PromotionOut | None


@dataclass(frozen=True)
class Outcome:
    applied: list[Applied]
    not_applied: list[NotApplied]


def _bp(percent: Any) -> int:
    """A percent (Decimal or string, 2 places) in basis points."""
    return int(Decimal(percent) * 100)


def promotion_spec(promotion: PromotionOut) -> PromotionSpec:
    """What the engine needs of ``promotion``."""
    rule = promotion.rule
    kind = rule.type
    common: dict[str, Any] = {
        "key": promotion.id,
        "kind": kind,
        "priority": promotion.priority,
        "exclusive": promotion.exclusive,
        "product_ids": frozenset(promotion.product_ids),
        "category_ids": frozenset(promotion.category_ids),
    }
    if kind == "percent_off":
        return PromotionSpec(**common, percent_bp=_bp(rule.percent))
    if kind == "amount_off":
        return PromotionSpec(**common, amount=rule.amount)
    if kind == "fixed_price":
        return PromotionSpec(**common, amount=rule.price)
    if kind == "multi_buy":
        return PromotionSpec(**common, buy=rule.quantity, amount=rule.price)
    if kind == "bundle":
        bundle = tuple((item.product_id, item.quantity) for item in rule.items)
        return PromotionSpec(**common, bundle=bundle, amount=rule.price)
    if kind == "buy_x_get_y":
        return PromotionSpec(
            **common,
            buy=rule.buy,
            get=rule.get,
            percent_bp=_bp(rule.percent if rule.percent is not None else 100),
            get_product_ids=frozenset(rule.get_product_ids or ()),
            get_category_ids=frozenset(rule.get_category_ids or ()),
        )
    steps = tuple((step.spend, step.off) for step in rule.steps)
    return PromotionSpec(**common, steps=steps, repeat=bool(rule.repeat))


async def _compiled_set(
    actor: Actor, at: datetime
) -> tuple[list[PromotionOut], CompiledPromotions]:
    generation = await promotions_generation(actor)
    cached = _compiled.get(actor.tenant_id)
    if cached is not None and cached[0] == generation:
        _compiled.move_to_end(actor.tenant_id)
        return cached[1], cached[2]
    promotions = await active_promotions(actor, at=None)
    compiled = compile_promotions([promotion_spec(p) for p in promotions])
    _compiled[actor.tenant_id] = (generation, promotions, compiled)
    _compiled.move_to_end(actor.tenant_id)
    while len(_compiled) > CACHED_CHAINS:
        _compiled.popitem(last=False)
    return promotions, compiled


async def promotion_outcome(
    actor: Actor,
    *,
    store: StoreOut,
    channel: str,
    member_id: uuid.UUID | None,
    segments: frozenset[str],
    at: datetime,
    lines: Sequence[_Line],
) -> Outcome:
    """Which of the chain's promotions give what to ``lines``, and why the others do not."""
    promotions, compiled = await _compiled_set(actor, at)
    if not promotions:
        return Outcome([], [])
    counted = [p.id for p in promotions if p.usage_limit is not None]
    if counted:  # uses change with every order, not the generation: read them fresh
        fresh = await promotions_by_ids(actor, counted)
        promotions = [fresh.get(p.id, p) for p in promotions]
    limited = [p.id for p in promotions if p.per_member_limit is not None]
    uses = (
        await member_promotion_uses(actor, limited, member_id)
        if member_id is not None and limited
        else {}
    )
    blocked = {}
    for promotion in promotions:
        reason = blocked_reason(
            promotion,
            store_id=store.id,
            channel=channel,
            at=at,
            timezone=store.timezone,
            member_id=member_id,
            member_segments=segments,
            member_uses=uses.get(promotion.id, 0),
        )
        if reason is not None:
            blocked[promotion.id] = reason
    basket = [
        BasketLine(
            product_id=line.item.product.id,
            category_id=line.item.product.category_id,
            quantity=line.item.quantity,
            unit_price=line.unit_price,
            amount=line.gross,
            countable=line.item.product.unit == "each",
            reduced=line.reduced,
        )
        for line in lines
    ]
    outcome = apply_promotions(compiled, basket, blocked)
    by_id = {p.id: p for p in promotions}
    applied, not_applied = [], []
    for result in outcome.results:
        promotion = by_id[result.key]
        if result.status == "applied":
            applied.append(Applied(promotion, result))
        else:
            other = by_id.get(result.excluded_by) if result.excluded_by is not None else None
            not_applied.append(NotApplied(promotion, result, other))
    return Outcome(applied, not_applied)
