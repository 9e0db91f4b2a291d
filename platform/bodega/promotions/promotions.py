"""Promotions: created, changed, paused and resumed, archived; listed; and read by quotes.

States: ``active ⇄ paused → archived`` (``active → archived`` too). An archived promotion is
kept as it was, for the orders that used it. Every change locks the promotion's row, checks
the version the caller read, and writes its audit entry and event in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, NotFound, VersionConflict
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.catalog import products_by_ids
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.promotions._rows import insert_row, locked_row, save_row
from bodega.promotions.conflicts import check_exclusive_conflicts
from bodega.promotions.schemas import (
    HappyHourOut,
    PromotionIn,
    PromotionOut,
    PromotionUpdate,
    RuleOut,
    VersionIn,
)
from bodega.promotions.validation import EVERY_PRODUCT_KINDS, checked_promotion

__all__ = [
    "active_promotions",
    "archive_promotion",
    "create_promotion",
    "get_promotion",
    "list_promotions",
    "pause_promotion",
    "promotions_by_ids",
    "promotions_generation",
    "resume_promotion",
    "update_promotion",
]

RESOURCE = "promotion"
COLUMNS = (
    "id, name, description, kind, rule::text AS rule, product_ids, category_ids, priority, "
    "exclusive, starts_at, ends_at, store_ids, channels, members_only, segments, "
    "happy_hours::text AS happy_hours, usage_limit, per_member_limit, uses, status, "
    "created_by, created_at, updated_at, version"
)
_RULE = msgspec.json.Decoder(RuleOut)
_HAPPY_HOURS = msgspec.json.Decoder(list[HappyHourOut])
_STORED = msgspec.json.Decoder(Any)
_PLAIN = frozenset(PromotionOut.__struct_fields__) - {"rule", "happy_hours"}
_HINTS = {
    ("pause", "paused"): "it is paused already",
    ("resume", "active"): "it is running already",
}


def _now() -> datetime:
    return datetime.now(UTC)


def promotion_out(row: Any) -> PromotionOut:
    return PromotionOut(
        **{f: row[f] for f in _PLAIN},
        rule=_RULE.decode(row["rule"]),
        happy_hours=_HAPPY_HOURS.decode(row["happy_hours"]),
    )


def _as_input(row: Any) -> PromotionIn:
    """The stored promotion as a body, to check a change against the whole of it."""
    fields = {f: row[f] for f in PromotionIn.__struct_fields__ if f in _PLAIN}
    stored = {
        "rule": _STORED.decode(row["rule"]),
        "happy_hours": _STORED.decode(row["happy_hours"]),
    }
    return msgspec.convert({**fields, **stored}, PromotionIn, strict=False)


async def _locked(actor: Actor, promotion_id: uuid.UUID) -> Any:
    return await locked_row(actor, "promotions", COLUMNS, promotion_id, "promotion")


def _check(row: Any, version: int, allowed: set[str], action: str) -> None:
    """409 unless the promotion is in one of ``allowed``; then 409 on a stale ``version``."""
    status = row["status"]
    if status not in allowed:
        hint = _HINTS.get(
            (action, status), "an archived promotion stays as it was: create a new one"
        )
        raise Conflict(f"The promotion '{row['name']}' is {status}: {hint}.", current_status=status)
    if row["version"] != version:
        raise VersionConflict("promotion", row["version"])


async def _save(actor: Actor, promotion_id: uuid.UUID, values: dict[str, Any]) -> Any:
    return await save_row(actor, "promotions", COLUMNS, promotion_id, values)


async def create_promotion(actor: Actor, data: PromotionIn) -> PromotionOut:
    values = await checked_promotion(actor, data, now=_now(), new_end=data.ends_at is not None)
    await check_exclusive_conflicts(actor, values, status="active")
    row = {
        **values,
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "status": "active",
        "created_by": actor.id,
    }
    created = await insert_row("promotions", COLUMNS, row)
    out = promotion_out(created)
    await change_recorded(actor, RESOURCE, "created", out.id, out, after=out)
    return out


async def update_promotion(
    actor: Actor, promotion_id: uuid.UUID, data: PromotionUpdate
) -> PromotionOut:
    """Change a promotion that is not archived; the result is checked as a whole."""
    row = await _locked(actor, promotion_id)
    _check(row, data.version, {"active", "paused"}, "change")
    changes = changed_fields(data)
    merged = msgspec.structs.replace(_as_input(row), **changes)
    new_end = changes.get("ends_at") is not None
    values = await checked_promotion(actor, merged, now=_now(), new_end=new_end, uses=row["uses"])
    await check_exclusive_conflicts(actor, values, status=row["status"], exclude=promotion_id)
    before, out = promotion_out(row), promotion_out(await _save(actor, promotion_id, values))
    await change_recorded(actor, RESOURCE, "updated", promotion_id, out, before=before, after=out)
    return out


async def _set_status(actor: Actor, row: Any, status: str, what: str) -> PromotionOut:
    before = promotion_out(row)
    out = promotion_out(await _save(actor, row["id"], {"status": status}))
    await change_recorded(actor, RESOURCE, what, row["id"], out, before=before, after=out)
    return out


async def pause_promotion(actor: Actor, promotion_id: uuid.UUID, data: VersionIn) -> PromotionOut:
    """Stop an active promotion for now; quotes pass it by until it is resumed."""
    row = await _locked(actor, promotion_id)
    _check(row, data.version, {"active"}, "pause")
    return await _set_status(actor, row, "paused", "paused")


async def resume_promotion(actor: Actor, promotion_id: uuid.UUID, data: VersionIn) -> PromotionOut:
    """Run a paused promotion again (unless an exclusive one took its place meanwhile)."""
    row = await _locked(actor, promotion_id)
    _check(row, data.version, {"paused"}, "resume")
    await check_exclusive_conflicts(actor, row, status="active", exclude=promotion_id)
    return await _set_status(actor, row, "active", "resumed")


async def archive_promotion(actor: Actor, promotion_id: uuid.UUID) -> None:
    """End a promotion for good; archiving an archived one changes nothing."""
    row = await _locked(actor, promotion_id)
    if row["status"] != "archived":
        await _set_status(actor, row, "archived", "archived")


async def get_promotion(actor: Actor, promotion_id: uuid.UUID) -> PromotionOut:
    found = (await promotions_by_ids(actor, [promotion_id])).get(promotion_id)
    if found is None:
        raise NotFound("promotion", promotion_id)
    return found


async def promotions_by_ids(
    actor: Actor, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, PromotionOut]:
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM promotions WHERE tenant_id = $1 AND id = ANY($2)",  # noqa: S608
        actor.tenant_id,
        list(ids),
    )
    return {r["id"]: promotion_out(r) for r in rows}


class _Where:
    """SQL conditions with their arguments; the first is always the caller's chain."""

    def __init__(self, tenant_id: uuid.UUID) -> None:
        self.conditions = ["tenant_id = $1"]
        self.args: list[Any] = [tenant_id]

    def add(self, template: str, *values: Any) -> None:
        start = len(self.args) + 1
        self.conditions.append(template.format(*(f"${start + i}" for i in range(len(values)))))
        self.args += values

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions)


_FOR_PRODUCT = (
    "({0} = ANY(product_ids) OR {1} = ANY(category_ids) OR rule->'get_product_ids' ? {2}"
    " OR rule->'get_category_ids' ? {3} OR rule->'items' @> {4}::jsonb"
    " OR (cardinality(product_ids) = 0 AND cardinality(category_ids) = 0 AND kind = ANY({5})))"
)
"""Promotions naming a product: as a qualifying, given or bundled product, through its
category, or as one for every product."""


async def list_promotions(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    kind: str | None = None,
    active_at: datetime | None = None,
    product_id: uuid.UUID | None = None,
) -> Page[PromotionOut]:
    """Oldest first; ``active_at``: running then (active, within its dates); ``product_id``:
    the promotions that name the product, its category, or every product."""
    where = _Where(actor.tenant_id)
    after = decode_cursor(cursor)
    if after is not None:
        where.add("id > {}", after)
    if status is not None:
        where.add("status = {}", status)
    if kind is not None:
        where.add("kind = {}", kind)
    if active_at is not None:
        where.add(
            "status = 'active' AND starts_at <= {0} AND (ends_at IS NULL OR ends_at > {0})",
            active_at,
        )
    if product_id is not None:
        product = (await products_by_ids(actor, [product_id])).get(product_id)
        if product is None:
            return Page(data=[])
        category = str(product.category_id) if product.category_id else None
        where.add(
            _FOR_PRODUCT,
            product.id,
            product.category_id,
            str(product.id),
            category,
            json.dumps([{"product_id": str(product.id)}]),
            sorted(EVERY_PRODUCT_KINDS),
        )
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM promotions WHERE {where.sql} "  # noqa: S608
        f"ORDER BY id LIMIT {limit + 1}",
        *where.args,
    )
    return page_of([promotion_out(r) for r in rows], limit)


async def active_promotions(actor: Actor, *, at: datetime | None) -> list[PromotionOut]:
    """The promotions running at ``at`` (active, ``starts_at <= at < ends_at``), highest
    priority first, then oldest first; one query. ``at`` None: every active promotion,
    whatever its dates (a set to compile once and keep while time passes, leaving the dates
    to :func:`~bodega.promotions.blocked_reason`)."""
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM promotions WHERE tenant_id = $1 AND status = 'active' "  # noqa: S608
        "AND ($2::timestamptz IS NULL OR (starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2))) "
        "ORDER BY priority DESC, id",
        actor.tenant_id,
        at,
    )
    return [promotion_out(r) for r in rows]


async def promotions_generation(actor: Actor) -> str:
    """A stamp of the chain's promotions that changes whenever one is created or changed:
    the count and the sum of the versions (every change bumps a version, so the sum only
    grows, whatever order concurrent changes commit in). Counting uses is not a change."""
    row = await db.fetchrow(
        "SELECT count(*) AS n, coalesce(sum(version), 0) AS versions FROM promotions "
        "WHERE tenant_id = $1",
        actor.tenant_id,
    )
    assert row is not None
    return f"{row['n']}.{row['versions']}"
