"""Price lists: prices for some stores, channels or members, in force for a window.

A list is ``active`` until archived (``DELETE``); an archived list applies nowhere and can no
longer be changed. Items (product -> price) are set in batches of up to 1,000 and removed one
by one; an items change moves the list's ``updated_at`` (not its ``version``, so it never
makes a concurrent edit of the list's fields stale) and is recorded as ``price_list.updated``
with the counts.

Every change locks the list's row first (``FOR UPDATE``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, NotFound, VersionConflict, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.catalog import missing_store_ids
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.pricing._checks import (
    as_utc,
    distinct,
    moment_errors,
    product_errors,
    store_errors,
    window_errors,
)
from bodega.pricing.schemas import (
    ItemCounts,
    PriceListIn,
    PriceListItemOut,
    PriceListItemsIn,
    PriceListOut,
    PriceListUpdate,
)

__all__ = [
    "archive_price_list",
    "create_price_list",
    "get_price_list",
    "list_price_list_items",
    "list_price_lists",
    "remove_price_list_item",
    "set_price_list_items",
    "update_price_list",
]

RESOURCE = "price_list"
_SELECT = """
SELECT l.*, (SELECT count(*) FROM price_list_items i
              WHERE i.tenant_id = l.tenant_id AND i.price_list_id = l.id) AS item_count
  FROM price_lists l
"""


def _out(row: Any, items_changed: ItemCounts | None = None) -> PriceListOut:
    fields = {f: row[f] for f in PriceListOut.__struct_fields__ if f != "items_changed"}
    return PriceListOut(**fields, items_changed=items_changed)


async def _checked(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with store ids and channels without repeats; 422 naming each bad field."""
    errors = window_errors(values.get("valid_from"), values.get("valid_until"))
    if "name" in values and not values["name"].strip():
        errors.append(FieldError("name", "blank"))
    if "store_ids" in values:
        errors += await store_errors(actor, values["store_ids"], "store_ids")
        values["store_ids"] = distinct(values["store_ids"])
    if "channels" in values:
        values["channels"] = distinct(list(values["channels"]))
    raise_if_errors(errors)
    if "name" in values:
        values["name"] = values["name"].strip()
    return values


async def _locked(actor: Actor, price_list_id: uuid.UUID) -> dict[str, Any]:
    """The list's row, locked until the transaction ends; 404 if it is not the caller's."""
    row = await db.fetchrow(
        _SELECT + " WHERE l.tenant_id = $1 AND l.id = $2 FOR UPDATE OF l",
        actor.tenant_id,
        price_list_id,
    )
    if row is None:
        raise NotFound("price list", price_list_id)
    return dict(row)


def _require_active(row: dict[str, Any]) -> None:
    if row["status"] != "active":
        raise Conflict(
            f"Price list {row['name']!r} is archived: it can no longer be changed; "
            "make a new one instead.",
            current_status=row["status"],
        )


# Lists ---------------------------------------------------------------------------------------


async def create_price_list(actor: Actor, data: PriceListIn) -> PriceListOut:
    values = await _checked(
        actor,
        {
            "name": data.name,
            "store_ids": data.store_ids,
            "channels": data.channels,
            "audience": data.audience,
            "valid_from": data.valid_from,
            "valid_until": data.valid_until,
            "priority": data.priority,
        },
    )
    now = datetime.now(UTC)
    row = await db.fetchrow(
        "INSERT INTO price_lists (id, tenant_id, name, store_ids, channels, audience, valid_from,"
        " valid_until, priority, status, created_at, updated_at, version)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10, 1)"
        " RETURNING *, 0 AS item_count",
        new_id(),
        actor.tenant_id,
        values["name"],
        values["store_ids"],
        values["channels"],
        values["audience"],
        values["valid_from"],
        values["valid_until"],
        values["priority"],
        now,
    )
    out = _out(row)
    await change_recorded(actor, RESOURCE, "created", out.id, out, after=out)
    return out


async def update_price_list(
    actor: Actor, price_list_id: uuid.UUID, data: PriceListUpdate
) -> PriceListOut:
    """Change an active list's fields (send its current ``version``)."""
    row = await _locked(actor, price_list_id)
    _require_active(row)
    if row["version"] != data.version:
        raise VersionConflict("price list", row["version"])
    window = {k: row[k] for k in ("valid_from", "valid_until")}
    values = await _checked(actor, {**window, **changed_fields(data)})
    names = sorted(values)
    sets = "".join(f", {name} = ${i}" for i, name in enumerate(names, start=3))
    after = await db.fetchrow(
        f"UPDATE price_lists SET version = version + 1, updated_at = now(){sets}"  # noqa: S608
        " WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        price_list_id,
        *(values[name] for name in names),
    )
    out = _out({**dict(after), "item_count": row["item_count"]})
    await change_recorded(
        actor, RESOURCE, "updated", price_list_id, out, before=_out(row), after=out
    )
    return out


async def archive_price_list(actor: Actor, price_list_id: uuid.UUID) -> PriceListOut:
    """Archive the list: it applies nowhere from now on. Archiving an archived list changes
    nothing."""
    row = await _locked(actor, price_list_id)
    if row["status"] == "archived":
        return _out(row)
    after = await db.fetchrow(
        "UPDATE price_lists SET status = 'archived', version = version + 1, updated_at = now()"
        " WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        price_list_id,
    )
    out = _out({**dict(after), "item_count": row["item_count"]})
    await change_recorded(
        actor, RESOURCE, "archived", price_list_id, out, before=_out(row), after=out
    )
    return out


async def get_price_list(actor: Actor, price_list_id: uuid.UUID) -> PriceListOut:
    row = await db.fetchrow(
        _SELECT + " WHERE l.tenant_id = $1 AND l.id = $2", actor.tenant_id, price_list_id
    )
    if row is None:
        raise NotFound("price list", price_list_id)
    return _out(row)


async def list_price_lists(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    store_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    active_at: datetime | None = None,
) -> Page[PriceListOut]:
    """Oldest first. ``store_id``: the lists that apply there (scoped to it, or to every
    store; nothing for a store that is not the chain's); ``product_id``: the lists pricing it;
    ``active_at``: the active lists in force at that moment."""
    raise_if_errors(moment_errors("active_at", active_at))
    if store_id is not None and await missing_store_ids(actor, [store_id]):
        return Page(data=[])
    rows = await db.fetch(
        _SELECT
        + """
         WHERE l.tenant_id = $1
           AND ($2::uuid IS NULL OR l.id > $2)
           AND ($3::text IS NULL OR l.status = $3)
           AND ($4::uuid IS NULL OR cardinality(l.store_ids) = 0 OR $4 = ANY(l.store_ids))
           AND ($5::uuid IS NULL OR EXISTS (
                SELECT FROM price_list_items i
                 WHERE i.tenant_id = l.tenant_id AND i.price_list_id = l.id
                   AND i.product_id = $5))
           AND ($6::timestamptz IS NULL OR (l.status = 'active'
                AND (l.valid_from IS NULL OR l.valid_from <= $6)
                AND (l.valid_until IS NULL OR l.valid_until > $6)))
         ORDER BY l.id LIMIT $7
        """,
        actor.tenant_id,
        decode_cursor(cursor),
        status,
        store_id,
        product_id,
        as_utc(active_at) if active_at else None,
        limit + 1,
    )
    return page_of([_out(r) for r in rows], limit)


# Items ---------------------------------------------------------------------------------------


async def set_price_list_items(
    actor: Actor, price_list_id: uuid.UUID, data: PriceListItemsIn
) -> PriceListOut:
    """Add or replace the prices of up to 1,000 products; items not named stay. Prices that
    are already so change nothing (and when none changes, nothing is recorded)."""
    row = await _locked(actor, price_list_id)
    _require_active(row)
    product_ids = [item.product_id for item in data.items]
    fields = [f"items[{i}].product_id" for i in range(len(product_ids))]
    _, errors = await product_errors(actor, product_ids, fields)
    raise_if_errors(errors)
    old = {
        r["product_id"]: r["price"]
        for r in await db.fetch(
            "SELECT product_id, price FROM price_list_items"
            " WHERE tenant_id = $1 AND price_list_id = $2 AND product_id = ANY($3::uuid[])",
            actor.tenant_id,
            price_list_id,
            product_ids,
        )
    }
    changed = [item for item in data.items if old.get(item.product_id) != item.price]
    if not changed:
        return _out(row)
    now = datetime.now(UTC)
    await db.execute(
        "INSERT INTO price_list_items (id, tenant_id, price_list_id, product_id, price, updated_at)"
        " SELECT i.id, $1, $2, i.product_id, i.price, $6"
        "   FROM unnest($3::uuid[], $4::uuid[], $5::bigint[]) AS i(id, product_id, price)"
        " ON CONFLICT (tenant_id, price_list_id, product_id)"
        " DO UPDATE SET price = EXCLUDED.price, updated_at = EXCLUDED.updated_at",
        actor.tenant_id,
        price_list_id,
        [new_id() for _ in changed],
        [item.product_id for item in changed],
        [item.price for item in changed],
        now,
    )
    created = sum(1 for item in changed if item.product_id not in old)
    counts = ItemCounts(created=created, updated=len(changed) - created, removed=0)
    before = {str(item.product_id): old.get(item.product_id) for item in changed}
    after = {str(item.product_id): item.price for item in changed}
    return await _items_changed(actor, row, counts, now, before, after)


async def remove_price_list_item(
    actor: Actor, price_list_id: uuid.UUID, product_id: uuid.UUID
) -> PriceListOut:
    """Take a product off the list; 404 when the list does not price it."""
    row = await _locked(actor, price_list_id)
    _require_active(row)
    price = await db.fetchval(
        "DELETE FROM price_list_items"
        " WHERE tenant_id = $1 AND price_list_id = $2 AND product_id = $3 RETURNING price",
        actor.tenant_id,
        price_list_id,
        product_id,
    )
    if price is None:
        raise NotFound("item for product", product_id)
    counts = ItemCounts(created=0, updated=0, removed=1)
    before = {str(product_id): price}
    return await _items_changed(actor, row, counts, datetime.now(UTC), before, {})


async def _items_changed(
    actor: Actor,
    row: dict[str, Any],
    counts: ItemCounts,
    now: datetime,
    before: dict[str, int | None],
    after: dict[str, int],
) -> PriceListOut:
    """Move the list's ``updated_at``; record ``price_list.updated`` with the counts (the
    audit entry has each changed product's price before and after)."""
    updated = await db.fetchrow(
        "UPDATE price_lists l SET updated_at = $3 WHERE tenant_id = $1 AND id = $2"
        " RETURNING l.*, (SELECT count(*) FROM price_list_items i"
        "                  WHERE i.tenant_id = l.tenant_id AND i.price_list_id = l.id)"
        " AS item_count",
        actor.tenant_id,
        row["id"],
        now,
    )
    out = _out(updated, counts)
    await change_recorded(
        actor, RESOURCE, "updated", row["id"], out, before={"items": before}, after={"items": after}
    )
    return out


async def list_price_list_items(
    actor: Actor, price_list_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[PriceListItemOut]:
    """A list's items, oldest first; 404 for a list that is not the caller's."""
    exists = await db.fetchval(
        "SELECT true FROM price_lists WHERE tenant_id = $1 AND id = $2",
        actor.tenant_id,
        price_list_id,
    )
    if not exists:
        raise NotFound("price list", price_list_id)
    rows = await db.fetch(
        "SELECT id, price_list_id, product_id, price, updated_at FROM price_list_items"
        " WHERE tenant_id = $1 AND price_list_id = $2 AND ($3::uuid IS NULL OR id > $3)"
        " ORDER BY id LIMIT $4",
        actor.tenant_id,
        price_list_id,
        decode_cursor(cursor),
        limit + 1,
    )
    return page_of([PriceListItemOut(**dict(r)) for r in rows], limit)
