"""Stocktakes (盘点): count a store, then post the differences to the ledger.

A store keeps selling while it is counted. So each product's expected quantity is what the
books held at the moment it was **first** counted, and posting writes exactly
``counted - expected``; whatever moved after that count (a sale at the till after the shelf
was counted) stays in the level. Counted 10 at 09:00, 2 sold at 09:30, posted at 10:00: the
variance is 10 - expected, and the level ends at 8, which is what is on the shelf. Writing
the level to the count instead would bring the two sold units back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, NotFound, VersionConflict, raise_if_errors
from bodega.api.pagination import Page, page_of
from bodega.audit import change_recorded
from bodega.catalog import ProductOut, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.inventory._checks import WrongState, categories_of, line_errors, products_of
from bodega.inventory.schemas import (
    CountedLine,
    MovementIn,
    StocktakeCounts,
    StocktakeCountsIn,
    StocktakeIn,
    StocktakeOut,
    StocktakePostIn,
    StocktakeTotals,
    StocktakeVariance,
    UncountedLine,
    VarianceLine,
)
from bodega.inventory.service import _page, _value, _when, on_hand, post_movements

__all__ = [
    "cancel_stocktake",
    "get_stocktake",
    "list_stocktakes",
    "open_stocktake",
    "post_stocktake",
    "record_counts",
    "stocktake_variance",
]

_TOTALS = msgspec.json.Decoder(StocktakeTotals)


async def open_stocktake(actor: Actor, data: StocktakeIn) -> StocktakeOut:
    """Open a count of the store; 409 while another is open there."""
    await require_store(actor, data.store_id, field="store_id")
    category_ids = list(dict.fromkeys(data.category_ids))
    found = await categories_of(actor, category_ids)
    raise_if_errors(
        [
            FieldError(f"category_ids[{i}]", "unknown category")
            for i, c in enumerate(data.category_ids)
            if c not in found
        ]
    )
    row = await db.fetchrow(
        """
        INSERT INTO stocktakes (id, tenant_id, store_id, status, category_ids, note, opened_by)
        VALUES ($1, $2, $3, 'open', $4, $5, $6)
        ON CONFLICT (tenant_id, store_id) WHERE status = 'open' DO NOTHING
        RETURNING *
        """,
        new_id(),
        actor.tenant_id,
        data.store_id,
        category_ids,
        data.note,
        actor.id,
    )
    if row is None:
        raise Conflict(
            "A stocktake is open in this store already: post or cancel it first.",
            errors=[FieldError("store_id", "a stocktake is open here")],
        )
    opened = _out(row, 0)
    await change_recorded(actor, "stocktake", "opened", opened.id, opened, after=opened)
    return opened


def _out(row: Any, counted: int) -> StocktakeOut:
    keys = set(row.keys())
    values = {f: row[f] for f in StocktakeOut.__struct_fields__ if f in keys}
    totals = row["totals"]
    values["totals"] = None if totals is None else _TOTALS.decode(totals)
    return StocktakeOut(**values, products_counted=counted)


async def _outs(actor: Actor, rows: Sequence[Any]) -> list[StocktakeOut]:
    counts = await db.fetch(
        "SELECT stocktake_id, count(*) AS n FROM stocktake_lines "
        "WHERE tenant_id = $1 AND stocktake_id = ANY($2::uuid[]) "
        "AND first_counted_at IS NOT NULL GROUP BY 1",
        actor.tenant_id,
        [r["id"] for r in rows],
    )
    counted = {r["stocktake_id"]: r["n"] for r in counts}
    return [_out(r, counted.get(r["id"], 0)) for r in rows]


_READ = "SELECT * FROM stocktakes WHERE tenant_id = $1 AND id = $2"
_LOCK = _READ + " FOR UPDATE"


async def _row(actor: Actor, stocktake_id: uuid.UUID, *, lock: bool = False) -> Any:
    row = await db.fetchrow(
        _LOCK if lock else _READ,
        actor.tenant_id,
        stocktake_id,
    )
    if row is None:
        raise NotFound("stocktake", stocktake_id)
    return row


async def _open_for_change(actor: Actor, stocktake_id: uuid.UUID, change: str) -> Any:
    """The stocktake, locked against other batches and posting; it must be open and in a
    store the caller works in."""
    row = await _row(actor, stocktake_id, lock=True)
    await require_store(actor, row["store_id"], field="store_id")
    if row["status"] != "open":
        raise WrongState("stocktake", row["status"], change)
    return row


async def get_stocktake(actor: Actor, stocktake_id: uuid.UUID) -> StocktakeOut:
    return (await _outs(actor, [await _row(actor, stocktake_id)]))[0]


async def list_stocktakes(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[StocktakeOut]:
    conditions = _when(store_id, "store_id = {}") + _when(status, "status = {}")
    rows = await _page(actor, "stocktakes", conditions, limit=limit, cursor=cursor)
    return page_of(await _outs(actor, rows), limit)


async def _in_scope(
    actor: Actor, category_ids: Sequence[uuid.UUID], products: Iterable[ProductOut]
) -> set[uuid.UUID]:
    """Which of ``products`` are in categories ``category_ids`` or below them (all of them
    when there are none). Walks up from the products' categories, one query per level."""
    products = list(products)
    if not category_ids:
        return {p.id for p in products}
    parent: dict[uuid.UUID, uuid.UUID | None] = {}
    frontier = {p.category_id for p in products if p.category_id is not None}
    while frontier:
        found = await categories_of(actor, list(frontier))
        for ident in frontier:
            parent[ident] = found[ident].parent_id if ident in found else None
        frontier = {c for c in parent.values() if c is not None and c not in parent}
    wanted = set(category_ids)

    def inside(category: uuid.UUID | None) -> bool:
        seen: set[uuid.UUID] = set()
        while category is not None and category not in seen:
            if category in wanted:
                return True
            seen.add(category)
            category = parent.get(category)
        return False

    return {p.id for p in products if inside(p.category_id)}


async def record_counts(
    actor: Actor, stocktake_id: uuid.UUID, data: StocktakeCountsIn
) -> StocktakeCounts:
    """Add (or set) counted quantities; a product's first count fixes its expected quantity
    at what the books hold now."""
    row = await _open_for_change(actor, stocktake_id, "counted")
    products = await products_of(actor, [c.product_id for c in data.counts])
    errors = line_errors(
        data.counts, products, field="counts", allow_zero=True, unique=data.mode == "set"
    )
    scope = await _in_scope(actor, row["category_ids"], products.values())
    errors += [
        FieldError(f"counts[{i}].product_id", "not in this stocktake's categories")
        for i, c in enumerate(data.counts)
        if c.product_id in products and c.product_id not in scope
    ]
    raise_if_errors(errors)
    counted: dict[uuid.UUID, Decimal] = {}
    for c in data.counts:
        counted[c.product_id] = counted.get(c.product_id, Decimal(0)) + c.quantity
    ids = sorted(counted)
    books = await on_hand(actor, row["store_id"], ids)
    now = datetime.now(UTC)
    lines = await db.fetch(
        """
        INSERT INTO stocktake_lines AS l (id, tenant_id, stocktake_id, product_id, expected,
                                          counted, first_counted_at, last_counted_at)
        SELECT d.id, $1, $2, d.product_id, d.expected, d.counted, $6, $6
        FROM unnest($3::uuid[], $4::uuid[], $5::numeric[], $7::numeric[])
            AS d(id, product_id, expected, counted)
        ORDER BY d.product_id
        ON CONFLICT (tenant_id, stocktake_id, product_id) DO UPDATE SET
            counted = CASE WHEN $8 THEN l.counted + excluded.counted ELSE excluded.counted END,
            last_counted_at = excluded.last_counted_at
        RETURNING product_id, counted, first_counted_at, last_counted_at
        """,
        actor.tenant_id,
        stocktake_id,
        [new_id() for _ in ids],
        ids,
        [books[p] for p in ids],
        now,
        [counted[p] for p in ids],
        data.mode == "add",
    )
    version = await db.fetchval(
        "UPDATE stocktakes SET version = version + 1 WHERE tenant_id = $1 AND id = $2 "
        "RETURNING version",
        actor.tenant_id,
        stocktake_id,
    )
    batch = StocktakeCounts(
        stocktake_id=stocktake_id,
        version=version,
        mode=data.mode,
        lines=[CountedLine(**dict(r)) for r in sorted(lines, key=lambda r: r["product_id"])],
    )
    await change_recorded(actor, "stocktake", "counted", stocktake_id, batch, after=batch)
    return batch


async def _lines(actor: Actor, stocktake_id: uuid.UUID) -> list[Any]:
    return await db.fetch(
        "SELECT * FROM stocktake_lines WHERE tenant_id = $1 AND stocktake_id = $2",
        actor.tenant_id,
        stocktake_id,
    )


async def _uncounted(
    actor: Actor, row: Any, counted: set[uuid.UUID]
) -> list[tuple[ProductOut, Decimal]]:
    """Products in scope the store carries (has a level of) that nobody counted, by SKU;
    archived products with nothing on hand are left out."""
    levels = await db.fetch(
        "SELECT product_id, on_hand FROM stock_levels WHERE tenant_id = $1 AND store_id = $2",
        actor.tenant_id,
        row["store_id"],
    )
    books = {r["product_id"]: r["on_hand"] for r in levels if r["product_id"] not in counted}
    products = await products_of(actor, list(books))
    scope = await _in_scope(actor, row["category_ids"], products.values())
    found = [
        (p, books[p.id])
        for p in products.values()
        if p.id in scope and (books[p.id] != 0 or p.status == "active")
    ]
    return sorted(found, key=lambda item: item[0].sku)


def _totals(lines: Sequence[VarianceLine], zeroed: int, uncounted: int) -> StocktakeTotals:
    shortage = -sum(v.value for v in lines if v.value < 0)
    surplus = sum(v.value for v in lines if v.value > 0)
    return StocktakeTotals(
        products_counted=sum(1 for v in lines if v.first_counted_at is not None),
        products_zeroed=zeroed,
        products_uncounted=uncounted,
        shortage_value=shortage,
        surplus_value=surplus,
        net_value=surplus - shortage,
    )


def _variance_line(
    product: ProductOut,
    expected: Decimal,
    counted: Decimal,
    unit_cost: int,
    first_counted_at: datetime | None,
) -> VarianceLine:
    variance = counted - expected
    return VarianceLine(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        expected=expected,
        counted=counted,
        variance=variance,
        unit_cost=unit_cost,
        value=_value(variance, unit_cost),
        first_counted_at=first_counted_at,
    )


def _uncounted_line(product: ProductOut, books: Decimal) -> UncountedLine:
    return UncountedLine(
        product_id=product.id, sku=product.sku, name=product.name, unit=product.unit, on_hand=books
    )


async def stocktake_variance(actor: Actor, stocktake_id: uuid.UUID) -> StocktakeVariance:
    """Expected, counted and variance per product, valued at cost, and what is uncounted.
    Live while open (today's cost prices and levels); as written, once posted."""
    row = await _row(actor, stocktake_id)
    rows = await _lines(actor, stocktake_id)
    products = await products_of(actor, [r["product_id"] for r in rows])
    lines: list[VarianceLine] = []
    uncounted: list[UncountedLine] = []
    posted = row["status"] == "posted"
    for r in rows:
        product = products[r["product_id"]]
        if r["counted"] is None:
            uncounted.append(_uncounted_line(product, r["expected"]))
            continue
        cost = r["unit_cost"] if posted else product.cost_price
        lines.append(
            _variance_line(product, r["expected"], r["counted"], cost, r["first_counted_at"])
        )
    if not posted:
        counted = {r["product_id"] for r in rows}
        uncounted = [_uncounted_line(p, b) for p, b in await _uncounted(actor, row, counted)]
    lines.sort(key=lambda v: v.sku)
    uncounted.sort(key=lambda u: u.sku)
    zeroed = sum(1 for v in lines if v.first_counted_at is None)
    return StocktakeVariance(
        stocktake_id=stocktake_id,
        status=row["status"],
        lines=lines,
        uncounted=uncounted,
        totals=_totals(lines, zeroed, len(uncounted)),
    )


async def post_stocktake(
    actor: Actor, stocktake_id: uuid.UUID, data: StocktakePostIn | None = None
) -> StocktakeOut:
    """Write each counted product's variance as a ``stocktake`` movement (and, with
    ``zero_uncounted``, the uncounted products to zero); posted once only."""
    data = data or StocktakePostIn()
    row = await _open_for_change(actor, stocktake_id, "posted")
    if data.version is not None and data.version != row["version"]:
        raise VersionConflict("stocktake", row["version"])
    rows = await _lines(actor, stocktake_id)
    counted = {r["product_id"] for r in rows}
    uncounted = await _uncounted(actor, row, counted)
    store_id = row["store_id"]
    zeroing = [p.id for p, _ in uncounted] if data.zero_uncounted else []
    books = await _lock_levels(actor, store_id, [*counted, *zeroing])
    if data.zero_uncounted:
        uncounted = [(p, books.get(p.id, Decimal(0))) for p, _ in uncounted]
    products = await products_of(actor, list(counted))
    now = datetime.now(UTC)
    lines = [
        _variance_line(
            products[r["product_id"]],
            r["expected"],
            r["counted"],
            products[r["product_id"]].cost_price,
            r["first_counted_at"],
        )
        for r in rows
    ]
    if data.zero_uncounted:
        lines += [_variance_line(p, held, Decimal(0), p.cost_price, None) for p, held in uncounted]
    movements = [
        MovementIn(
            store_id=store_id,
            product_id=v.product_id,
            kind="stocktake",
            quantity=v.variance,
            unit_cost=v.unit_cost,
            note=row["note"],
            occurred_at=now,
        )
        for v in sorted(lines, key=lambda v: v.product_id)
        if v.variance != 0
    ]
    await post_movements(actor, movements, source_type="stocktake", source_id=stocktake_id)
    await _save_lines(actor, stocktake_id, lines, [] if data.zero_uncounted else uncounted)
    left = 0 if data.zero_uncounted else len(uncounted)
    totals = _totals(lines, len(lines) - len(rows), left)
    after = await db.fetchrow(
        """
        UPDATE stocktakes SET status = 'posted', posted_at = $3, closed_by = $4,
            zero_uncounted = $5, totals = $6::jsonb, version = version + 1
        WHERE tenant_id = $1 AND id = $2
        RETURNING *
        """,
        actor.tenant_id,
        stocktake_id,
        now,
        actor.id,
        data.zero_uncounted,
        msgspec.json.encode(totals).decode(),
    )
    posted = _out(after, totals.products_counted)
    before = _out(row, totals.products_counted)
    await change_recorded(
        actor, "stocktake", "posted", stocktake_id, posted, before=before, after=posted
    )
    return posted


async def _lock_levels(
    actor: Actor, store_id: uuid.UUID, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Decimal]:
    """On hand of the products, their levels locked at once in the order every writer locks
    them (no deadlock with the tills), so that zeroing sets exactly zero while they sell."""
    rows = await db.fetch(
        "SELECT product_id, on_hand FROM stock_levels "
        "WHERE tenant_id = $1 AND store_id = $2 AND product_id = ANY($3::uuid[]) "
        "ORDER BY store_id, product_id FOR UPDATE",
        actor.tenant_id,
        store_id,
        list(product_ids),
    )
    return {r["product_id"]: r["on_hand"] for r in rows}


async def _save_lines(
    actor: Actor,
    stocktake_id: uuid.UUID,
    lines: Sequence[VarianceLine],
    uncounted: Sequence[tuple[ProductOut, Decimal]],
) -> None:
    """Fix each line's variance and cost as posted; keep the uncounted products (counted
    ``null``) with what the books held, so the posted report never changes."""
    rows = [
        (v.product_id, v.expected, v.counted, v.variance, v.unit_cost, v.first_counted_at)
        for v in lines
    ] + [(p.id, held, None, None, None, None) for p, held in uncounted]
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 6
    await db.execute(
        """
        INSERT INTO stocktake_lines AS l (id, tenant_id, stocktake_id, product_id, expected,
                                          counted, variance, unit_cost, first_counted_at,
                                          last_counted_at)
        SELECT d.id, $1, $2, d.product_id, d.expected, d.counted, d.variance, d.unit_cost,
               d.first_counted_at, d.first_counted_at
        FROM unnest($3::uuid[], $4::uuid[], $5::numeric[], $6::numeric[], $7::numeric[],
                    $8::bigint[], $9::timestamptz[])
            AS d(id, product_id, expected, counted, variance, unit_cost, first_counted_at)
        ON CONFLICT (tenant_id, stocktake_id, product_id) DO UPDATE SET
            variance = excluded.variance, unit_cost = excluded.unit_cost
        """,
        actor.tenant_id,
        stocktake_id,
        [new_id() for _ in rows],
        *[list(c) for c in columns],
    )


async def cancel_stocktake(actor: Actor, stocktake_id: uuid.UUID) -> StocktakeOut:
    """Drop the count: nothing is written to the ledger."""
    row = await _open_for_change(actor, stocktake_id, "cancelled")
    after = await db.fetchrow(
        "UPDATE stocktakes SET status = 'cancelled', cancelled_at = now(), closed_by = $3, "
        "version = version + 1 WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        stocktake_id,
        actor.id,
    )
    cancelled, before = (await _outs(actor, [after]))[0], (await _outs(actor, [row]))[0]
    await change_recorded(
        actor, "stocktake", "cancelled", stocktake_id, cancelled, before=before, after=cancelled
    )
    return cancelled
