"""Goods receipts: what actually arrived against a purchase order.

A receipt names order lines with what was accepted (``received``) and what was turned away
(``rejected``). Accepted goods go on hand as ``receipt`` movements valued at the line's unit
cost, in the same transaction as the receipt, so stock and paperwork never disagree. Both
quantities close the line: rejected goods are not expected again (order them anew). A line
takes no more than is still open on it unless the receipt says ``over_receipt``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, NotFound, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.api.quantities import quantity_errors
from bodega.audit import change_recorded
from bodega.catalog import ProductOut, products_by_ids, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.inventory import MovementIn, post_movements
from bodega.purchasing._rows import (
    OPEN_STATUSES,
    locked_order,
    order_lines,
    order_out,
    require_status,
    save_order,
)
from bodega.purchasing._rules import line_total, plain, stored, today_in
from bodega.purchasing.schemas import (
    GoodsReceiptIn,
    GoodsReceiptLineIn,
    GoodsReceiptLineOut,
    GoodsReceiptOut,
)
from bodega.purchasing.tables import GoodsReceipt, GoodsReceiptLine

__all__ = ["get_goods_receipt", "list_goods_receipts", "receipts_of_orders", "receive_goods"]

Lot = tuple[str | None, date | None]
Checked = list[tuple[dict[str, Any], GoodsReceiptLineIn, Lot]]
"""Receipt lines with their order line and the lot their goods go into."""


def _lot(
    item: GoodsReceiptLineIn, product: ProductOut, today: date, field: str
) -> tuple[Lot, list[FieldError]]:
    """The lot the accepted goods go into: a code with no date expires after the product's
    shelf life; a date with no code names the lot after the date."""
    code, expires = item.lot_code, item.expires_on
    if code is None and expires is None:
        return (None, None), []
    if expires is None:
        if product.shelf_life_days is None:
            problem = f"needed for lot {code}: {product.sku} has no shelf life to count from"
            return (code, None), [FieldError(f"{field}.expires_on", problem)]
        expires = today + timedelta(days=product.shelf_life_days)
    if expires < today:
        return (code, expires), [FieldError(f"{field}.expires_on", "already expired")]
    return (code or expires.isoformat(), expires), []


def _open(line: dict[str, Any]) -> Decimal:
    return max(line["quantity"] - line["received"] - line["rejected"], Decimal(0))


def _item_problems(
    item: GoodsReceiptLineIn, line: dict[str, Any], product: ProductOut, field: str, over: bool
) -> list[FieldError]:
    errors = quantity_errors(
        item.received, f"{field}.received", unit=product.unit, allow_zero=True
    ) + quantity_errors(item.rejected, f"{field}.rejected", unit=product.unit, allow_zero=True)
    if errors:
        return errors
    if item.received == 0 and item.rejected == 0:
        return [FieldError(f"{field}.received", "nothing received or rejected")]
    still = _open(line)
    if item.received + item.rejected > still and not over:
        return [
            FieldError(
                f"{field}.received",
                f"{product.sku}: {plain(still)} still expected (ordered "
                f"{plain(line['quantity'])}, received {plain(line['received'])}, rejected "
                f"{plain(line['rejected'])}); send over_receipt: true to accept more",
            )
        ]
    return []


async def _checked(
    actor: Actor, data: GoodsReceiptIn, lines: list[dict[str, Any]], today: date
) -> Checked:
    """Each receipt line with its order line and lot, or a 422 naming every bad line."""
    by_id = {line["id"]: line for line in lines}
    products = await products_by_ids(actor, [line["product_id"] for line in lines])
    errors: list[FieldError] = []
    seen: dict[uuid.UUID, int] = {}
    checked = []
    for i, item in enumerate(data.lines):
        field = f"lines[{i}]"
        line = by_id.get(item.line_id)
        if line is None:
            errors.append(FieldError(f"{field}.line_id", "not a line of this purchase order"))
            continue
        if item.line_id in seen:
            errors.append(FieldError(f"{field}.line_id", f"on lines[{seen[item.line_id]}] already"))
            continue
        seen[item.line_id] = i
        product = products[line["product_id"]]
        problems = _item_problems(item, line, product, field, data.over_receipt)
        lot, lot_problems = _lot(item, product, today, field)
        errors += problems + lot_problems
        checked.append((line, item, lot))
    raise_if_errors(errors)
    return checked


async def _stock(
    actor: Actor, order: dict[str, Any], checked: Checked, receipt_id: uuid.UUID
) -> dict[uuid.UUID, uuid.UUID]:
    """Put what was accepted on hand at the lines' unit costs; the movement of each product."""
    movements = [
        MovementIn(
            store_id=order["store_id"],
            product_id=line["product_id"],
            kind="receipt",
            quantity=item.received,
            unit_cost=line["unit_cost"],
            lot_code=lot[0],
            expires_on=lot[1],
            note=f"Purchase order {order['number']}",
        )
        for line, item, lot in checked
        if item.received > 0
    ]
    posted = await post_movements(
        actor, movements, source_type="goods_receipt", source_id=receipt_id
    )
    return {m.product_id: m.id for m in posted}


def _receipt_lines(
    actor: Actor, receipt_id: uuid.UUID, checked: Checked, movements: dict[uuid.UUID, uuid.UUID]
) -> list[dict[str, Any]]:
    rows = []
    for position, (line, item, lot) in enumerate(checked):
        stocked = item.received > 0
        rows.append(
            {
                "id": new_id(),
                "tenant_id": actor.tenant_id,
                "goods_receipt_id": receipt_id,
                "purchase_order_line_id": line["id"],
                "position": position,
                "product_id": line["product_id"],
                "received": item.received,
                "rejected": item.rejected,
                "reject_reason": item.reject_reason if item.rejected > 0 else None,
                "lot_code": lot[0] if stocked else None,
                "expires_on": lot[1] if stocked else None,
                "unit_cost": line["unit_cost"],
                "value": line_total(item.received, line["unit_cost"]),
                "movement_id": movements.get(line["product_id"]) if stocked else None,
            }
        )
    return rows


async def _add_to_lines(
    actor: Actor, lines: list[dict[str, Any]], received: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Add the receipt to its order lines; the lines as they are now."""
    await db.execute(
        """
        UPDATE purchase_order_lines l
        SET received = l.received + d.received, rejected = l.rejected + d.rejected
        FROM unnest($2::uuid[], $3::numeric[], $4::numeric[]) AS d(id, received, rejected)
        WHERE l.tenant_id = $1 AND l.id = d.id
        """,
        actor.tenant_id,
        [r["purchase_order_line_id"] for r in received],
        [r["received"] for r in received],
        [r["rejected"] for r in received],
    )
    after = {line["id"]: dict(line) for line in lines}
    for r in received:
        after[r["purchase_order_line_id"]]["received"] += r["received"]
        after[r["purchase_order_line_id"]]["rejected"] += r["rejected"]
    return list(after.values())


async def receive_goods(actor: Actor, order_id: uuid.UUID, data: GoodsReceiptIn) -> GoodsReceiptOut:
    """Record a delivery against a sent or partially received order and stock what was
    accepted; the order becomes ``received`` once nothing is open on any line."""
    row = await locked_order(actor, order_id)
    store = await require_store(actor, row["store_id"], field="store_id")
    require_status(row, set(OPEN_STATUSES), "receive")
    lines = (await order_lines(actor, [order_id]))[order_id]
    checked = await _checked(actor, data, lines, today_in(store.timezone))

    receipt_id, now = new_id(), datetime.now(UTC)
    movements = await _stock(actor, row, checked, receipt_id)
    receipt_lines = _receipt_lines(actor, receipt_id, checked, movements)
    after_lines = await _add_to_lines(actor, lines, receipt_lines)
    complete = all(_open(line) == 0 for line in after_lines)
    receipt = {
        "id": receipt_id,
        "tenant_id": actor.tenant_id,
        "purchase_order_id": order_id,
        "store_id": row["store_id"],
        "supplier_id": row["supplier_id"],
        "note": data.note,
        "over_receipt": data.over_receipt,
        "total": sum(r["value"] for r in receipt_lines),
        "order_status": "received" if complete else "partially_received",
        "received_at": now,
        "created_by": actor.id,
    }
    await GoodsReceipt.insert(GoodsReceipt(**receipt))
    await GoodsReceiptLine.insert(*(GoodsReceiptLine(**r) for r in receipt_lines))
    values: dict[str, Any] = {
        "status": receipt["order_status"],
        "received_value": row["received_value"] + receipt["total"],
    }
    if complete:
        values["received_at"] = now
    after = await save_order(actor, row, values)

    out = _receipt_out(receipt, receipt_lines)
    await change_recorded(actor, "goods_receipt", "created", receipt_id, out, after=out)
    before_order, after_order = order_out(row, lines), order_out(after, after_lines)
    await change_recorded(
        actor,
        "purchase_order",
        "received" if complete else "updated",
        order_id,
        after_order,
        before=before_order,
        after=after_order,
    )
    return out


def _receipt_out(row: dict[str, Any], lines: Sequence[dict[str, Any]]) -> GoodsReceiptOut:
    fields = {f: row[f] for f in GoodsReceiptOut.__struct_fields__ if f in row}
    return GoodsReceiptOut(
        **fields,
        lines=[
            GoodsReceiptLineOut(
                id=r["id"],
                line_id=r["purchase_order_line_id"],
                product_id=r["product_id"],
                received=stored(r["received"]),
                rejected=stored(r["rejected"]),
                reject_reason=r["reject_reason"],
                lot_code=r["lot_code"],
                expires_on=r["expires_on"],
                unit_cost=r["unit_cost"],
                value=r["value"],
                movement_id=r["movement_id"],
            )
            for r in lines
        ],
    )


async def _with_lines(actor: Actor, rows: Sequence[Any]) -> list[GoodsReceiptOut]:
    ids = [r["id"] for r in rows]
    lines: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for r in await db.fetch(
            "SELECT * FROM goods_receipt_lines WHERE tenant_id = $1 AND goods_receipt_id = ANY($2)"
            " ORDER BY goods_receipt_id, position",
            actor.tenant_id,
            ids,
        ):
            lines[r["goods_receipt_id"]].append(dict(r))
    return [_receipt_out(dict(r), lines[r["id"]]) for r in rows]


async def get_goods_receipt(actor: Actor, receipt_id: uuid.UUID) -> GoodsReceiptOut:
    row = await db.fetchrow(
        "SELECT * FROM goods_receipts WHERE tenant_id = $1 AND id = $2", actor.tenant_id, receipt_id
    )
    if row is None:
        raise NotFound("goods receipt", receipt_id)
    return (await _with_lines(actor, [row]))[0]


async def list_goods_receipts(
    actor: Actor, order_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[GoodsReceiptOut]:
    """The receipts of one purchase order, oldest first (404 if the order is not the
    caller's)."""
    if not await db.fetchval(
        "SELECT EXISTS (SELECT FROM purchase_orders WHERE tenant_id = $1 AND id = $2)",
        actor.tenant_id,
        order_id,
    ):
        raise NotFound("purchase order", order_id)
    after = decode_cursor(cursor)
    rows = await db.fetch(
        "SELECT * FROM goods_receipts WHERE tenant_id = $1 AND purchase_order_id = $2"
        " AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4",
        actor.tenant_id,
        order_id,
        after,
        limit + 1,
    )
    return page_of(await _with_lines(actor, rows), limit)


async def receipts_of_orders(
    actor: Actor, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[GoodsReceiptOut]]:
    """Every receipt of each order, oldest first (a dataloader's batch)."""
    rows = await db.fetch(
        "SELECT * FROM goods_receipts WHERE tenant_id = $1 AND purchase_order_id = ANY($2)"
        " ORDER BY id",
        actor.tenant_id,
        list(order_ids),
    )
    found: dict[uuid.UUID, list[GoodsReceiptOut]] = {i: [] for i in order_ids}
    for receipt in await _with_lines(actor, rows):
        found[receipt.purchase_order_id].append(receipt)
    return found
