"""Scheduled price changes: a product's new regular price at every store or at some, from a
moment on.

States: ``scheduled → applied`` (when due: by the sweep's job, or in the request that creates
an already due change) or ``scheduled → cancelled``. Applying, in ``effective_at`` order:

- every store (``store_ids`` empty): the catalog's list price is set, and the product's store
  prices are dropped, so every store now charges the list price;
- some stores: their store prices are set.

For each store whose regular price (in store and list price terms: price lists aside) moved,
a ``price_history`` row and a ``price.changed`` event (shelf labels follow it) are written in
the same transaction. Applying is idempotent: a change is applied once, whoever gets to it
first (its row is locked and its status checked again).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, NotFound, VersionConflict, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.catalog import missing_store_ids, products_by_ids, set_list_price
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.events import emit
from bodega.pricing._checks import distinct, product_errors, store_errors
from bodega.pricing.schemas import (
    CancelPriceChangeIn,
    PriceChangedOut,
    PriceChangeIn,
    PriceChangeOut,
)

__all__ = [
    "BACKDATE_LIMIT",
    "SCHEDULE_LIMIT",
    "apply_due_price_changes",
    "cancel_price_change",
    "get_price_change",
    "list_price_changes",
    "schedule_price_change",
]

RESOURCE = "price_change"
BACKDATE_LIMIT = timedelta(minutes=5)
"""How far in the past ``effective_at`` may be (a clock a little behind, a slow request)."""
SCHEDULE_LIMIT = timedelta(days=366)
"""How far ahead a change may be scheduled."""
APPLY_BATCH = 200


def _out(row: Any) -> PriceChangeOut:
    return PriceChangeOut(**{f: row[f] for f in PriceChangeOut.__struct_fields__})


async def schedule_price_change(actor: Actor, data: PriceChangeIn) -> PriceChangeOut:
    """Schedule a change; one already due (``effective_at`` now or just past) is applied at
    once, after any earlier due change of the product."""
    now = datetime.now(UTC)
    effective_at = data.effective_at or now
    errors: list[FieldError] = []
    if effective_at < now - BACKDATE_LIMIT:
        errors.append(
            FieldError("effective_at", "more than 5 minutes in the past: prices change from now on")
        )
    elif effective_at > now + SCHEDULE_LIMIT:
        errors.append(FieldError("effective_at", "more than a year ahead"))
    _, product_problems = await product_errors(actor, [data.product_id], ["product_id"])
    errors += product_problems + await store_errors(actor, data.store_ids, "store_ids")
    raise_if_errors(errors)
    row = await db.fetchrow(
        "INSERT INTO price_changes (id, tenant_id, product_id, price, store_ids, effective_at,"
        " status, note, created_by, created_at, version)"
        " VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8, $9, 1) RETURNING *",
        new_id(),
        actor.tenant_id,
        data.product_id,
        data.price,
        distinct(data.store_ids),
        effective_at,
        data.note,
        actor.id,
        now,
    )
    out = _out(row)
    await change_recorded(actor, RESOURCE, "created", out.id, out, after=out)
    if effective_at <= now:
        await apply_due_price_changes(actor, now=now, product_id=data.product_id)
        return await get_price_change(actor, out.id)
    return out


async def cancel_price_change(
    actor: Actor, price_change_id: uuid.UUID, data: CancelPriceChangeIn
) -> PriceChangeOut:
    """Cancel a change that is still scheduled (send its current ``version``)."""
    row = await db.fetchrow(
        "SELECT * FROM price_changes WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        actor.tenant_id,
        price_change_id,
    )
    if row is None:
        raise NotFound("price change", price_change_id)
    if row["status"] != "scheduled":
        raise Conflict(
            f"This price change is {row['status']}: only a scheduled one can be cancelled"
            + ("; schedule another change to undo it." if row["status"] == "applied" else "."),
            current_status=row["status"],
        )
    if row["version"] != data.version:
        raise VersionConflict("price change", row["version"])
    after = await db.fetchrow(
        "UPDATE price_changes SET status = 'cancelled', cancelled_at = now(),"
        " version = version + 1 WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        price_change_id,
    )
    out = _out(after)
    await change_recorded(
        actor, RESOURCE, "cancelled", price_change_id, out, before=_out(row), after=out
    )
    return out


async def get_price_change(actor: Actor, price_change_id: uuid.UUID) -> PriceChangeOut:
    row = await db.fetchrow(
        "SELECT * FROM price_changes WHERE tenant_id = $1 AND id = $2",
        actor.tenant_id,
        price_change_id,
    )
    if row is None:
        raise NotFound("price change", price_change_id)
    return _out(row)


async def list_price_changes(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    product_id: uuid.UUID | None = None,
    store_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[PriceChangeOut]:
    """Oldest first. ``store_id``: the changes reaching that store (naming it, or every store;
    nothing for a store that is not the chain's)."""
    if store_id is not None and await missing_store_ids(actor, [store_id]):
        return Page(data=[])
    rows = await db.fetch(
        """
        SELECT * FROM price_changes
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id > $2)
           AND ($3::uuid IS NULL OR product_id = $3)
           AND ($4::uuid IS NULL OR cardinality(store_ids) = 0 OR $4 = ANY(store_ids))
           AND ($5::text IS NULL OR status = $5)
         ORDER BY id LIMIT $6
        """,
        actor.tenant_id,
        decode_cursor(cursor),
        product_id,
        store_id,
        status,
        limit + 1,
    )
    return page_of([_out(r) for r in rows], limit)


# Applying ------------------------------------------------------------------------------------


async def apply_due_price_changes(
    actor: Actor, *, now: datetime, product_id: uuid.UUID | None = None
) -> int:
    """Apply the chain's changes due at ``now`` (of one product, or all), in ``effective_at``
    order, up to a batch; return how many were applied (a full batch: call again)."""
    rows = await db.fetch(
        "SELECT * FROM price_changes"
        " WHERE tenant_id = $1 AND status = 'scheduled' AND effective_at <= $2"
        "   AND ($3::uuid IS NULL OR product_id = $3)"
        " ORDER BY effective_at, id LIMIT $4 FOR UPDATE",
        actor.tenant_id,
        now,
        product_id,
        APPLY_BATCH,
    )
    for row in rows:
        await _apply(actor, dict(row), now)
    return len(rows)


async def _apply(actor: Actor, change: dict[str, Any], now: datetime) -> None:
    product_id, price = change["product_id"], change["price"]
    product = (await products_by_ids(actor, [product_id]))[product_id]
    stores = await db.fetch(
        "SELECT s.id, p.price FROM stores s"
        " LEFT JOIN store_prices p"
        "   ON p.tenant_id = s.tenant_id AND p.store_id = s.id AND p.product_id = $2"
        " WHERE s.tenant_id = $1 AND (cardinality($3::uuid[]) = 0 OR s.id = ANY($3::uuid[]))",
        actor.tenant_id,
        product_id,
        change["store_ids"],
    )
    before = {r["id"]: product.list_price if r["price"] is None else r["price"] for r in stores}
    if not change["store_ids"]:
        await set_list_price(actor, product_id, price, effective_from=change["effective_at"])
        await db.execute(
            "DELETE FROM store_prices WHERE tenant_id = $1 AND product_id = $2",
            actor.tenant_id,
            product_id,
        )
    elif before:
        await db.execute(
            "INSERT INTO store_prices (id, tenant_id, store_id, product_id, price, since,"
            " price_change_id)"
            " SELECT s.id, $1, s.store_id, $4, $5, $6, $7"
            "   FROM unnest($2::uuid[], $3::uuid[]) AS s(id, store_id)"
            " ON CONFLICT (tenant_id, store_id, product_id) DO UPDATE"
            " SET price = EXCLUDED.price, since = EXCLUDED.since,"
            "     price_change_id = EXCLUDED.price_change_id",
            actor.tenant_id,
            [new_id() for _ in before],
            list(before),
            product_id,
            price,
            change["effective_at"],
            change["id"],
        )
    moved = [store_id for store_id, previous in before.items() if previous != price]
    await _record_history(actor, change, moved)
    for store_id in moved:
        event = PriceChangedOut(
            store_id=store_id,
            product_id=product_id,
            sku=product.sku,
            price=price,
            previous_price=before[store_id],
            effective_at=change["effective_at"],
            price_change_id=change["id"],
        )
        await emit(actor, "price.changed", event)
    after = await db.fetchrow(
        "UPDATE price_changes SET status = 'applied', applied_at = $3, version = version + 1"
        " WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        change["id"],
        now,
    )
    out = _out(after)
    await change_recorded(actor, RESOURCE, "applied", out.id, out, before=_out(change), after=out)


async def _record_history(actor: Actor, change: dict[str, Any], store_ids: list[uuid.UUID]) -> None:
    if not store_ids:
        return
    await db.execute(
        "INSERT INTO price_history (id, tenant_id, store_id, product_id, price, effective_from,"
        " source, source_id)"
        " SELECT h.id, $1, h.store_id, $4, $5, $6, 'price_change', $7"
        "   FROM unnest($2::uuid[], $3::uuid[]) AS h(id, store_id)",
        actor.tenant_id,
        [new_id() for _ in store_ids],
        store_ids,
        change["product_id"],
        change["price"],
        change["effective_at"],
        change["id"],
    )
