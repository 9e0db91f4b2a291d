"""Inventory: the append-only movement ledger of a chain's stock, and what is derived from it.

Every change of stock, whatever caused it, goes through :func:`post_movements`. It appends
the movements and adds them to the levels in one statement per table, inside the caller's
transaction. The levels are updated with ``INSERT ... ON CONFLICT DO UPDATE SET on_hand =
on_hand + delta``, which row-locks each (store, product) level in sorted order: concurrent
sales of one SKU queue on its row instead of overwriting each other, no two transactions
wait on each other in a cycle, and a level always equals the sum of its ledger.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.api.quantities import quantity_errors
from bodega.audit import change_recorded
from bodega.catalog import get_store, products_by_ids, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.events import emit
from bodega.inventory.schemas import (
    History,
    LotOut,
    ManualMovementIn,
    MovementBatch,
    MovementIn,
    MovementOut,
    ReorderPointsIn,
    ReorderPointsSet,
    StockLevelOut,
)

__all__ = [
    "daily_history",
    "list_levels",
    "list_lots",
    "list_movements",
    "on_hand",
    "post_movements",
    "record_movements",
    "set_reorder_points",
]

_DECREASES = frozenset({"sale", "loss", "transfer_out"})
_INCREASES = frozenset({"receipt", "return", "transfer_in"})
_LOW = "reorder_point IS NOT NULL AND on_hand < reorder_point"
_PLACES = Decimal("0.001")


def _value(quantity: Decimal, unit_cost: int) -> int:
    return int((quantity * unit_cost).to_integral_value(ROUND_HALF_UP))


def _check(movements: Sequence[MovementIn], units: dict[uuid.UUID, str]) -> None:
    """Programming errors of a caller, reported like bad input so nothing is written."""
    errors: list[FieldError] = []
    for i, m in enumerate(movements):
        if m.product_id not in units:
            errors.append(FieldError(f"movements[{i}].product_id", "unknown product"))
            continue
        errors += quantity_errors(
            m.quantity, f"movements[{i}].quantity", unit=units[m.product_id], allow_negative=True
        )
        if (m.kind in _DECREASES and m.quantity > 0) or (m.kind in _INCREASES and m.quantity < 0):
            errors.append(FieldError(f"movements[{i}].quantity", f"wrong sign for a {m.kind}"))
        if m.lot_code is not None and (m.quantity < 0 or m.expires_on is None):
            errors.append(
                FieldError(f"movements[{i}].lot_code", "a lot needs an increase and expires_on")
            )
    raise_if_errors(errors)


async def post_movements(
    actor: Actor,
    movements: Sequence[MovementIn],
    *,
    source_type: str,
    source_id: uuid.UUID | None,
) -> list[MovementOut]:
    """Append ``movements`` to the ledger and add them to the levels; see the module's text.

    Decreases of lot-tracked stock are split across lots, first expiry first. A level that
    falls below its reorder point emits ``inventory.low``. No audit entry: the document that
    caused the movements (an order, a receipt, a count) records itself.
    """
    if not movements:
        return []
    products = await products_by_ids(actor, list({m.product_id for m in movements}))
    _check(movements, {p.id: p.unit for p in products.values()})
    deltas: dict[tuple[uuid.UUID, uuid.UUID], Decimal] = defaultdict(Decimal)
    for m in movements:
        deltas[(m.store_id, m.product_id)] += m.quantity
    levels = await _add_to_levels(actor, deltas)
    lots = await _lots(actor, movements)
    now = datetime.now(UTC)
    rows: list[MovementOut] = []
    for m in movements:
        unit_cost = products[m.product_id].cost_price if m.unit_cost is None else m.unit_cost
        for lot_id, quantity in await _split_by_lot(actor, m, lots):
            rows.append(
                MovementOut(
                    id=new_id(),
                    store_id=m.store_id,
                    product_id=m.product_id,
                    kind=m.kind,
                    quantity=quantity.quantize(_PLACES),
                    reason=m.reason,
                    unit_cost=unit_cost,
                    value=_value(quantity, unit_cost),
                    lot_id=lot_id,
                    source_type=source_type,
                    source_id=source_id,
                    note=m.note,
                    actor_id=actor.id,
                    occurred_at=m.occurred_at or now,
                )
            )
    await _insert(actor, rows)
    for level, delta in levels:
        before = level.on_hand - delta
        point = level.reorder_point
        if point is not None and level.on_hand < point <= before:
            await emit(actor, "inventory.low", level)
    return rows


async def _add_to_levels(
    actor: Actor, deltas: dict[tuple[uuid.UUID, uuid.UUID], Decimal]
) -> list[tuple[StockLevelOut, Decimal]]:
    keys = sorted(deltas)
    rows = await db.fetch(
        """
        INSERT INTO stock_levels AS l (id, tenant_id, store_id, product_id, on_hand, updated_at)
        SELECT d.id, $1, d.store_id, d.product_id, d.delta, now()
        FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::numeric[])
            AS d(id, store_id, product_id, delta)
        ORDER BY d.store_id, d.product_id
        ON CONFLICT (tenant_id, store_id, product_id)
        DO UPDATE SET on_hand = l.on_hand + excluded.on_hand, updated_at = excluded.updated_at
        RETURNING l.*
        """,
        actor.tenant_id,
        [new_id() for _ in keys],
        [k[0] for k in keys],
        [k[1] for k in keys],
        [deltas[k] for k in keys],
    )
    return [(_level(r), deltas[(r["store_id"], r["product_id"])]) for r in rows]


def _level(row: Any) -> StockLevelOut:
    point = row["reorder_point"]
    return StockLevelOut(
        id=row["id"],
        store_id=row["store_id"],
        product_id=row["product_id"],
        on_hand=row["on_hand"],
        reorder_point=point,
        low=point is not None and row["on_hand"] < point,
        updated_at=row["updated_at"],
    )


async def _lots(actor: Actor, movements: Sequence[MovementIn]) -> dict[tuple[Any, Any], list[Any]]:
    """The lots with stock of the (store, product)s that decrease, earliest expiry first,
    locked. Their levels are locked already, so no one else is taking from them now."""
    keys = sorted({(m.store_id, m.product_id) for m in movements if m.quantity < 0})
    if not keys:
        return {}
    rows = await db.fetch(
        """
        SELECT l.id, l.store_id, l.product_id, l.on_hand
        FROM stock_lots l
        JOIN unnest($2::uuid[], $3::uuid[]) AS k(store_id, product_id)
            ON l.store_id = k.store_id AND l.product_id = k.product_id
        WHERE l.tenant_id = $1 AND l.on_hand > 0
        ORDER BY l.store_id, l.product_id, l.expires_on, l.received_at, l.id
        FOR UPDATE OF l
        """,
        actor.tenant_id,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    found: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for r in rows:
        found[(r["store_id"], r["product_id"])].append(dict(r))
    return found


async def _split_by_lot(
    actor: Actor, m: MovementIn, lots: dict[tuple[Any, Any], list[Any]]
) -> list[tuple[uuid.UUID | None, Decimal]]:
    """The (lot, quantity) parts of movement ``m``; a lot's stock changes with them."""
    if m.lot_code is not None:
        lot_id = await db.fetchval(
            """
            INSERT INTO stock_lots (id, tenant_id, store_id, product_id, code, expires_on, on_hand)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id, store_id, product_id, code)
            DO UPDATE SET on_hand = stock_lots.on_hand + excluded.on_hand
            RETURNING id
            """,
            new_id(),
            actor.tenant_id,
            m.store_id,
            m.product_id,
            m.lot_code,
            m.expires_on,
            m.quantity,
        )
        return [(lot_id, m.quantity)]
    available = lots.get((m.store_id, m.product_id), [])
    if m.quantity > 0 or not available:
        return [(None, m.quantity)]
    if m.lot_id is not None:
        available = [lot for lot in available if lot["id"] == m.lot_id]
    parts: list[tuple[uuid.UUID | None, Decimal]] = []
    wanted = -m.quantity
    for lot in available:
        take = min(wanted, lot["on_hand"])
        if take <= 0:
            continue
        lot["on_hand"] -= take
        wanted -= take
        parts.append((lot["id"], -take))
        await db.execute(
            "UPDATE stock_lots SET on_hand = on_hand - $3 WHERE tenant_id = $1 AND id = $2",
            actor.tenant_id,
            lot["id"],
            take,
        )
        if wanted == 0:
            break
    if wanted > 0:
        parts.append((None, -wanted))
    return parts


async def _insert(actor: Actor, rows: list[MovementOut]) -> None:
    columns = {
        "id": "uuid",
        "store_id": "uuid",
        "product_id": "uuid",
        "kind": "text",
        "quantity": "numeric",
        "reason": "text",
        "unit_cost": "bigint",
        "value": "bigint",
        "lot_id": "uuid",
        "source_type": "text",
        "source_id": "uuid",
        "note": "text",
        "actor_id": "uuid",
        "occurred_at": "timestamptz",
    }
    arrays = [[getattr(r, c) for r in rows] for c in columns]
    unnest = ", ".join(f"${i + 2}::{t}[]" for i, t in enumerate(columns.values()))
    await db.execute(
        f"INSERT INTO stock_movements (tenant_id, {', '.join(columns)}) "  # noqa: S608
        f"SELECT $1, * FROM unnest({unnest})",
        actor.tenant_id,
        *arrays,
    )


# Reading -----------------------------------------------------------------------------------


async def on_hand(
    actor: Actor, store_id: uuid.UUID, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Decimal]:
    """On hand of each of ``product_ids`` in the store (0 for one that never moved)."""
    rows = await db.fetch(
        "SELECT product_id, on_hand FROM stock_levels "
        "WHERE tenant_id = $1 AND store_id = $2 AND product_id = ANY($3::uuid[])",
        actor.tenant_id,
        store_id,
        list(product_ids),
    )
    found = {r["product_id"]: r["on_hand"] for r in rows}
    return {p: found.get(p, Decimal(0)) for p in product_ids}


async def _page(
    actor: Actor,
    table: str,
    conditions: list[tuple[str, Any]],
    *,
    limit: int,
    cursor: str | None,
) -> list[Any]:
    """A page of ``table``'s rows of the caller's chain, oldest id first, under ``conditions``
    (SQL with ``{}`` where the argument goes)."""
    after = decode_cursor(cursor)
    args: list[Any] = [actor.tenant_id]
    where = ["tenant_id = $1"]
    for sql, arg in [*conditions, *([("id > {}", after)] if after else [])]:
        args.append(arg)
        where.append(sql.format(f"${len(args)}"))
    args.append(limit + 1)
    return await db.fetch(
        f"SELECT * FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY id LIMIT ${len(args)}",
        *args,
    )


def _when(value: Any, sql: str) -> list[tuple[str, Any]]:
    return [] if value is None else [(sql, value)]


async def list_levels(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    low: bool | None = None,
) -> Page[StockLevelOut]:
    conditions = _when(store_id, "store_id = {}") + _when(product_id, "product_id = {}")
    if low is not None:
        conditions.append((f"({_LOW}) = {{}}", low))
    rows = await _page(actor, "stock_levels", conditions, limit=limit, cursor=cursor)
    return page_of([_level(r) for r in rows], limit)


async def list_movements(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    kind: str | None = None,
    source_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[MovementOut]:
    conditions = (
        _when(store_id, "store_id = {}")
        + _when(product_id, "product_id = {}")
        + _when(kind, "kind = {}")
        + _when(source_id, "source_id = {}")
        + _when(since, "occurred_at >= {}")
        + _when(until, "occurred_at < {}")
    )
    rows = await _page(actor, "stock_movements", conditions, limit=limit, cursor=cursor)
    return page_of([_movement(r) for r in rows], limit)


def _movement(row: Any) -> MovementOut:
    return MovementOut(**{f: row[f] for f in MovementOut.__struct_fields__})


async def list_lots(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    expires_before: date | None = None,
    with_stock: bool = True,
) -> Page[LotOut]:
    conditions = (
        _when(store_id, "store_id = {}")
        + _when(product_id, "product_id = {}")
        + _when(expires_before, "expires_on < {}")
        + ([("on_hand > {}", 0)] if with_stock else [])
    )
    rows = await _page(actor, "stock_lots", conditions, limit=limit, cursor=cursor)
    return page_of([LotOut(**{f: r[f] for f in LotOut.__struct_fields__}) for r in rows], limit)


async def daily_history(
    actor: Actor,
    store_id: uuid.UUID,
    *,
    start: date,
    end: date,
    product_ids: Sequence[uuid.UUID] | None = None,
) -> dict[uuid.UUID, History]:
    """Each product's sales (net of returns) and closing stock per day of the store's
    calendar from ``start`` to ``end`` (inclusive), for every product that has a level in
    the store (or those of ``product_ids``).

    Closing stock is read backwards from today's level: the level minus what moved after
    that day, so no snapshot table is needed and the ledger stays the one truth.
    """
    store = await get_store(actor, store_id)
    zone = ZoneInfo(store.timezone)
    since = datetime.combine(start, datetime.min.time(), zone)
    levels = await db.fetch(
        "SELECT product_id, on_hand FROM stock_levels WHERE tenant_id = $1 AND store_id = $2 "
        "AND ($3::uuid[] IS NULL OR product_id = ANY($3::uuid[]))",
        actor.tenant_id,
        store_id,
        None if product_ids is None else list(product_ids),
    )
    days = (end - start).days + 1
    moves = await db.fetch(
        """
        SELECT product_id, (occurred_at AT TIME ZONE $4)::date AS day,
               sum(quantity) FILTER (WHERE kind IN ('sale', 'return')) AS sold,
               sum(quantity) AS net
        FROM stock_movements
        WHERE tenant_id = $1 AND store_id = $2 AND occurred_at >= $3
        GROUP BY 1, 2
        """,
        actor.tenant_id,
        store_id,
        since,
        store.timezone,
    )
    by_product: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for r in moves:
        by_product[r["product_id"]].append(r)
    history: dict[uuid.UUID, History] = {}
    for level in levels:
        sold = [0.0] * days
        net_after = [0.0] * (days + 1)  # what moved after day i (index days: after `end`)
        later = 0.0
        for r in by_product.get(level["product_id"], ()):
            i = (r["day"] - start).days
            if i >= days:
                later += float(r["net"])
                continue
            sold[i] = -float(r["sold"] or 0)
            net_after[i] = float(r["net"])
        closing = [0.0] * days
        running = float(level["on_hand"]) - later
        for i in range(days - 1, -1, -1):
            closing[i] = running
            running -= net_after[i]
        history[level["product_id"]] = History(start=start, sold=sold, closing=closing)
    return history


# Writing through the API -------------------------------------------------------------------


async def record_movements(actor: Actor, data: ManualMovementIn) -> MovementBatch:
    """A delivery without a purchase order, or a correction: validated as a whole first."""
    await require_store(actor, data.store_id, field="store_id")
    products = await products_by_ids(actor, [line.product_id for line in data.lines])
    errors: list[FieldError] = []
    for i, line in enumerate(data.lines):
        product = products.get(line.product_id)
        if product is None:
            errors.append(FieldError(f"lines[{i}].product_id", "unknown product"))
            continue
        errors += quantity_errors(
            line.quantity,
            f"lines[{i}].quantity",
            unit=product.unit,
            allow_negative=data.kind == "adjustment",
        )
        if line.lot_code is not None:
            if data.kind != "receipt":
                errors.append(FieldError(f"lines[{i}].lot_code", "only receipts create lots"))
            elif line.expires_on is None and product.shelf_life_days is None:
                errors.append(FieldError(f"lines[{i}].expires_on", "required with a lot code"))
    if data.kind == "adjustment" and not data.note.strip():
        errors.append(FieldError("note", "say why stock is corrected"))
    raise_if_errors(errors)
    today = datetime.now(ZoneInfo((await get_store(actor, data.store_id)).timezone)).date()
    movements = [
        MovementIn(
            store_id=data.store_id,
            product_id=line.product_id,
            kind=data.kind,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            lot_code=line.lot_code,
            expires_on=line.expires_on
            or (
                today + timedelta(days=products[line.product_id].shelf_life_days or 0)
                if line.lot_code
                else None
            ),
            note=data.note,
        )
        for line in data.lines
    ]
    batch = new_id()
    posted = await post_movements(actor, movements, source_type="manual", source_id=batch)
    what = "received" if data.kind == "receipt" else "adjusted"
    recorded = MovementBatch(id=batch, store_id=data.store_id, note=data.note, movements=posted)
    await change_recorded(actor, "stock", what, batch, recorded, after=recorded)
    return recorded


async def set_reorder_points(
    actor: Actor, store_id: uuid.UUID, data: ReorderPointsIn
) -> list[StockLevelOut]:
    """Set (or, with null, remove) reorder points; a product with no level yet gets one at 0.
    The store is the path's: another chain's answers 404 like a missing one."""
    await get_store(actor, store_id)
    await require_store(actor, store_id, field="store_id")
    products = await products_by_ids(actor, [p.product_id for p in data.points])
    errors: list[FieldError] = []
    for i, point in enumerate(data.points):
        product = products.get(point.product_id)
        if product is None:
            errors.append(FieldError(f"points[{i}].product_id", "unknown product"))
        elif point.reorder_point is not None:
            errors += quantity_errors(
                point.reorder_point,
                f"points[{i}].reorder_point",
                unit=product.unit,
                allow_zero=True,
            )
    if len({p.product_id for p in data.points}) != len(data.points):
        errors.append(FieldError("points", "a product appears twice"))
    raise_if_errors(errors)
    points = sorted(data.points, key=lambda p: p.product_id)
    rows = await db.fetch(
        """
        INSERT INTO stock_levels AS l (id, tenant_id, store_id, product_id, on_hand,
                                       reorder_point, updated_at)
        SELECT d.id, $1, $2, d.product_id, 0, d.point, now()
        FROM unnest($3::uuid[], $4::uuid[], $5::numeric[]) AS d(id, product_id, point)
        ORDER BY d.product_id
        ON CONFLICT (tenant_id, store_id, product_id)
        DO UPDATE SET reorder_point = excluded.reorder_point, updated_at = excluded.updated_at
        RETURNING l.*
        """,
        actor.tenant_id,
        store_id,
        [new_id() for _ in points],
        [p.product_id for p in points],
        [p.reorder_point for p in points],
    )
    levels = [_level(r) for r in rows]
    changed = ReorderPointsSet(store_id=store_id, levels=levels)
    await change_recorded(actor, "stock", "reorder_points_set", store_id, changed, after=changed)
    return levels
