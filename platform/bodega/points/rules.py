"""Earning rules: what an order earns (per amount spent, per unit of a product or of a
category's products) and the multipliers that apply in time windows (double points on
weekends, during a fair). How an order's points are worked out from them is in
:mod:`bodega.points.earning`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.pagination import Page
from bodega.audit import create_recorded, delete_recorded, update_recorded
from bodega.catalog import categories_by_ids, products_by_ids
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields, get_row, list_page, to_struct
from bodega.points.schemas import PointsRuleIn, PointsRuleOut, PointsRuleUpdate
from bodega.points.tables import PointsRule

__all__ = [
    "active_rules",
    "create_points_rule",
    "delete_points_rule",
    "get_points_rule",
    "list_points_rules",
    "update_points_rule",
]

RESOURCE = "points_rule"
DEFAULT_PER_AMOUNT = 100
MAX_MULTIPLIER = Decimal(100)
_CENT = Decimal("0.01")
_NEEDS = {
    "spend": ("points",),
    "product": ("points", "product_id"),
    "category": ("points", "category_id"),
    "multiplier": ("multiplier",),
}
_ALLOWED = {
    "spend": {"points", "per_amount"},
    "product": {"points", "product_id"},
    "category": {"points", "category_id"},
    "multiplier": {"multiplier"},
}
_BY_KIND = ("points", "per_amount", "product_id", "category_id", "multiplier")


def _rule_errors(data: PointsRuleIn) -> list[FieldError]:
    """Each field the rule's kind needs and lacks or has and does not use, the multiplier's
    range, and the window's order."""
    errors = []
    for name in _BY_KIND:
        value = getattr(data, name)
        if name in _NEEDS[data.kind] and value is None:
            errors.append(FieldError(name, f"required for {data.kind} rules"))
        elif name not in _ALLOWED[data.kind] and value is not None:
            errors.append(FieldError(name, f"not used by {data.kind} rules; leave it out"))
    factor = data.multiplier
    if factor is not None and not (
        factor.is_finite() and 0 < factor <= MAX_MULTIPLIER and factor == factor.quantize(_CENT)
    ):
        errors.append(FieldError("multiplier", "more than 0 and at most 100, with 2 decimals"))
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        errors.append(FieldError("ends_at", "must be after starts_at"))
    return errors


async def _checked(actor: Actor, data: PointsRuleIn) -> dict[str, Any]:
    """The rule's columns as stored, or a 422 naming every problem (another chain's product
    or category reads as unknown, like one that never existed)."""
    errors = _rule_errors(data)
    if data.product_id and not await products_by_ids(actor, [data.product_id]):
        errors.append(FieldError("product_id", "unknown product"))
    if data.category_id and not await categories_by_ids(actor, [data.category_id]):
        errors.append(FieldError("category_id", "unknown category"))
    raise_if_errors(errors)
    per_amount = data.per_amount
    if data.kind == "spend" and per_amount is None:
        per_amount = DEFAULT_PER_AMOUNT
    return {
        **msgspec.structs.asdict(data),
        "per_amount": per_amount,
        "multiplier": data.multiplier.quantize(_CENT) if data.multiplier is not None else None,
        "weekdays": sorted(set(data.weekdays)),
        "updated_at": datetime.now(UTC),
    }


async def create_points_rule(actor: Actor, data: PointsRuleIn) -> PointsRuleOut:
    row = {
        **await _checked(actor, data),
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "created_at": datetime.now(UTC),
        "version": 1,
    }
    return await create_recorded(actor, PointsRule, row, RESOURCE, PointsRuleOut)


async def update_points_rule(
    actor: Actor, rule_id: uuid.UUID, data: PointsRuleUpdate
) -> PointsRuleOut:
    """Change a rule; the whole rule as it would be is checked again."""
    current = await get_row(PointsRule, actor.tenant_id, rule_id, "points rule")
    fields = PointsRuleIn.__struct_fields__
    merged = PointsRuleIn(**{**{f: current[f] for f in fields}, **changed_fields(data)})
    values = await _checked(actor, merged)
    return await update_recorded(
        actor, PointsRule, rule_id, data.version, values, RESOURCE, PointsRuleOut
    )


async def delete_points_rule(actor: Actor, rule_id: uuid.UUID) -> None:
    """Delete a rule: orders paid from now on no longer earn by it (points already earned
    stay)."""
    await delete_recorded(actor, PointsRule, rule_id, RESOURCE, PointsRuleOut)


async def get_points_rule(actor: Actor, rule_id: uuid.UUID) -> PointsRuleOut:
    return to_struct(
        await get_row(PointsRule, actor.tenant_id, rule_id, "points rule"), PointsRuleOut
    )


async def list_points_rules(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    kind: str | None = None,
    status: str | None = None,
) -> Page[PointsRuleOut]:
    """Oldest first, of one kind or status."""
    where: list[Any] = []
    if kind is not None:
        where.append(PointsRule.kind == kind)
    if status is not None:
        where.append(PointsRule.status == status)
    return await list_page(
        PointsRule, actor.tenant_id, PointsRuleOut, limit=limit, cursor=cursor, where=where
    )


async def active_rules(actor: Actor) -> list[PointsRuleOut]:
    """The chain's active rules (whether their windows are open is for the caller's moment)."""
    rows = await PointsRule.select().where(
        (PointsRule.tenant_id == actor.tenant_id) & (PointsRule.status == "active")
    )
    return [to_struct(r, PointsRuleOut) for r in rows]
