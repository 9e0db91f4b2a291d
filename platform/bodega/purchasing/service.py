"""Purchase orders: drafted, edited while draft, sent to the supplier, cancelled or closed.

States: ``draft → sent → partially_received → received``; a draft or a sent order with
nothing received may be ``cancelled``; a partially received one may be closed (``received``
with ``closed_short``: the rest is not coming). Receiving goods is in ``receiving.py``.

Every change locks the order's row first (``FOR UPDATE``), so two clerks acting on one order
at once take turns, and each change writes its audit entry and event in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput, NotFound, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.catalog import SupplierOut, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.purchasing._rows import (
    OPEN_STATUSES,
    check_version,
    locked_order,
    next_number,
    order_lines,
    order_out,
    order_total,
    replace_lines,
    require_status,
    save_order,
)
from bodega.purchasing._rules import (
    check_expected_on,
    checked_lines,
    earliest_delivery,
    stored,
    supplier_of,
    today_in,
)
from bodega.purchasing.schemas import (
    CancelIn,
    CloseIn,
    PurchaseOrderIn,
    PurchaseOrderLineIn,
    PurchaseOrderOut,
    PurchaseOrderUpdate,
    PurchaseWarning,
    SendIn,
)
from bodega.purchasing.tables import PurchaseOrder

__all__ = [
    "cancel_purchase_order",
    "close_purchase_order",
    "create_purchase_order",
    "get_purchase_order",
    "list_purchase_orders",
    "on_order",
    "purchase_orders_by_ids",
    "send_purchase_order",
    "update_purchase_order",
]

RESOURCE = "purchase_order"


def _now() -> datetime:
    return datetime.now(UTC)


# Drafting and editing ---------------------------------------------------------------------


async def create_purchase_order(actor: Actor, data: PurchaseOrderIn) -> PurchaseOrderOut:
    """Draft a purchase order (the suggested store orders draft theirs through this too)."""
    store = await require_store(actor, data.store_id, field="store_id")
    supplier = await supplier_of(actor, data.supplier_id)
    lines = await checked_lines(actor, data.lines, supplier)
    today = today_in(store.timezone)
    if data.expected_on is not None:
        check_expected_on(data.expected_on, today)
    now = _now()
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "number": await next_number(actor),
        "supplier_id": supplier.id,
        "store_id": store.id,
        "status": "draft",
        "expected_on": data.expected_on or earliest_delivery(today, supplier),
        "note": data.note,
        "source": data.source,
        "suggestion_run_id": data.suggestion_run_id,
        "total": order_total(lines),
        "received_value": 0,
        "closed_short": False,
        "reason": "",
        "sent_at": None,
        "received_at": None,
        "cancelled_at": None,
        "created_by": actor.id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    await PurchaseOrder.insert(PurchaseOrder(**row))
    out = order_out(row, await replace_lines(actor, row["id"], lines))
    await change_recorded(actor, RESOURCE, "created", row["id"], out, after=out)
    return out


def _as_line_ins(lines: Iterable[dict[str, Any]]) -> list[PurchaseOrderLineIn]:
    return [
        PurchaseOrderLineIn(
            product_id=line["product_id"], quantity=line["quantity"], unit_cost=line["unit_cost"]
        )
        for line in lines
    ]


async def update_purchase_order(
    actor: Actor, order_id: uuid.UUID, data: PurchaseOrderUpdate
) -> PurchaseOrderOut:
    """Change a draft: supplier, store, date, note, or all its lines at once."""
    row = await locked_order(actor, order_id)
    store = await require_store(actor, row["store_id"], field="store_id")
    require_status(row, {"draft"}, "edit")
    check_version(row, data.version)
    values = changed_fields(data)
    new_lines = values.pop("lines", None)
    if values.get("store_id", store.id) != store.id:
        store = await require_store(actor, values["store_id"], field="store_id")
    supplier = await supplier_of(actor, values.get("supplier_id", row["supplier_id"]))
    current = (await order_lines(actor, [order_id]))[order_id]
    lines = current
    if new_lines is not None or "supplier_id" in values:
        given = new_lines if new_lines is not None else _as_line_ins(current)
        checked = await checked_lines(actor, given, supplier)
        if new_lines is not None:
            lines = await replace_lines(actor, order_id, checked)
    if "expected_on" in values:
        check_expected_on(values["expected_on"], today_in(store.timezone))
    after = await save_order(actor, row, {**values, "total": order_total(lines)})
    out = order_out(after, lines)
    before = order_out(row, current)
    await change_recorded(actor, RESOURCE, "updated", order_id, out, before=before, after=out)
    return out


# Sending, cancelling, closing -------------------------------------------------------------


def _send_warnings(
    row: dict[str, Any], supplier: SupplierOut, today: date
) -> tuple[date, list[PurchaseWarning]]:
    """The delivery date to keep and what to tell the sender about the day and the date."""
    warnings = []
    if supplier.order_days and today.isoweekday() not in supplier.order_days:
        days = ", ".join(date(2024, 1, d).strftime("%A") for d in supplier.order_days)
        warnings.append(
            PurchaseWarning(
                code="not_an_order_day",
                message=f"{supplier.name} takes orders on {days}; today is not one of them, "
                "so it may not be handled before the next order day.",
            )
        )
    expected = row["expected_on"]
    soonest = today + timedelta(days=supplier.lead_time_days)
    if expected < today:
        warnings.append(
            PurchaseWarning(
                code="expected_on_moved",
                message=f"The delivery date {expected} had passed; it is now {soonest} "
                f"(today plus the {supplier.lead_time_days}-day lead time).",
            )
        )
        expected = soonest
    elif expected < soonest:
        warnings.append(
            PurchaseWarning(
                code="shorter_than_lead_time",
                message=f"Delivery on {expected} is sooner than {supplier.name}'s lead time "
                f"of {supplier.lead_time_days} day(s) allows ({soonest}); check with them.",
            )
        )
    return expected, warnings


async def send_purchase_order(actor: Actor, order_id: uuid.UUID, data: SendIn) -> PurchaseOrderOut:
    """Send a draft: its lines are checked again and it must reach the supplier's minimum."""
    row = await locked_order(actor, order_id)
    store = await require_store(actor, row["store_id"], field="store_id")
    require_status(row, {"draft"}, "send")
    check_version(row, data.version)
    lines = (await order_lines(actor, [order_id]))[order_id]
    if not lines:
        raise_if_errors([FieldError("lines", "no lines")], "Add lines before sending the order.")
    supplier = await supplier_of(actor, row["supplier_id"])
    await checked_lines(actor, _as_line_ins(lines), supplier)
    if row["total"] < supplier.min_order:
        missing = supplier.min_order - row["total"]
        raise InvalidInput(
            f"The order totals {row['total']}, {missing} short of {supplier.name}'s minimum "
            f"order of {supplier.min_order} (minor units); add {missing} or more.",
            errors=[FieldError("total", f"below the minimum order by {missing}")],
            min_order=supplier.min_order,
            missing=missing,
        )
    expected, warnings = _send_warnings(row, supplier, today_in(store.timezone))
    after = await save_order(
        actor, row, {"status": "sent", "sent_at": _now(), "expected_on": expected}
    )
    out = order_out(after, lines, warnings)
    before = order_out(row, lines)
    await change_recorded(actor, RESOURCE, "sent", order_id, out, before=before, after=out)
    return out


async def cancel_purchase_order(
    actor: Actor, order_id: uuid.UUID, data: CancelIn
) -> PurchaseOrderOut:
    row = await locked_order(actor, order_id)
    await require_store(actor, row["store_id"], field="store_id")
    require_status(row, {"draft", "sent"}, "cancel")
    check_version(row, data.version)
    lines = (await order_lines(actor, [order_id]))[order_id]
    after = await save_order(
        actor, row, {"status": "cancelled", "cancelled_at": _now(), "reason": data.reason}
    )
    out = order_out(after, lines)
    before = order_out(row, lines)
    await change_recorded(actor, RESOURCE, "cancelled", order_id, out, before=before, after=out)
    return out


async def close_purchase_order(
    actor: Actor, order_id: uuid.UUID, data: CloseIn
) -> PurchaseOrderOut:
    """A partially received order whose rest is not coming: it becomes ``received`` with
    ``closed_short``; its open quantities stop counting as on order."""
    row = await locked_order(actor, order_id)
    await require_store(actor, row["store_id"], field="store_id")
    require_status(row, {"partially_received"}, "close")
    check_version(row, data.version)
    lines = (await order_lines(actor, [order_id]))[order_id]
    values = {
        "status": "received",
        "closed_short": True,
        "received_at": _now(),
        "reason": data.reason,
    }
    after = await save_order(actor, row, values)
    out = order_out(after, lines)
    before = order_out(row, lines)
    await change_recorded(actor, RESOURCE, "received", order_id, out, before=before, after=out)
    return out


# Reading ---------------------------------------------------------------------------------


async def get_purchase_order(actor: Actor, order_id: uuid.UUID) -> PurchaseOrderOut:
    row = await db.fetchrow(
        "SELECT * FROM purchase_orders WHERE tenant_id = $1 AND id = $2",
        actor.tenant_id,
        order_id,
    )
    if row is None:
        raise NotFound("purchase order", order_id)
    return order_out(dict(row), (await order_lines(actor, [order_id]))[order_id])


async def purchase_orders_by_ids(
    actor: Actor, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, PurchaseOrderOut]:
    rows = await db.fetch(
        "SELECT * FROM purchase_orders WHERE tenant_id = $1 AND id = ANY($2)",
        actor.tenant_id,
        list(ids),
    )
    lines = await order_lines(actor, [r["id"] for r in rows])
    return {r["id"]: order_out(dict(r), lines[r["id"]]) for r in rows}


async def list_purchase_orders(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    supplier_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[PurchaseOrderOut]:
    """Oldest first, optionally of one store, one supplier, in one status."""
    query = PurchaseOrder.select().where(PurchaseOrder.tenant_id == actor.tenant_id)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(PurchaseOrder.id > after)
    if store_id is not None:
        query = query.where(PurchaseOrder.store_id == store_id)
    if supplier_id is not None:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    if status is not None:
        query = query.where(PurchaseOrder.status == status)
    rows = await query.order_by(PurchaseOrder.id).limit(limit + 1)
    lines = await order_lines(actor, [r["id"] for r in rows])
    return page_of([order_out(r, lines[r["id"]]) for r in rows], limit)


async def on_order(
    actor: Actor, store_id: uuid.UUID, product_ids: Sequence[uuid.UUID] | None = None
) -> dict[uuid.UUID, Decimal]:
    """What is still coming to ``store_id``, by product: the open quantity (ordered -
    received - rejected, never below 0) of its sent and partially received orders. Drafts,
    cancelled and received (or closed) orders count for nothing; products with nothing
    coming are left out."""
    products = None if product_ids is None else list(product_ids)
    rows = await db.fetch(
        """
        SELECT l.product_id, sum(greatest(l.quantity - l.received - l.rejected, 0)) AS open
        FROM purchase_order_lines l
        JOIN purchase_orders o ON o.id = l.purchase_order_id AND o.tenant_id = l.tenant_id
        WHERE l.tenant_id = $1 AND o.store_id = $2 AND o.status = ANY($3)
          AND ($4::uuid[] IS NULL OR l.product_id = ANY($4::uuid[]))
        GROUP BY l.product_id
        HAVING sum(greatest(l.quantity - l.received - l.rejected, 0)) > 0
        """,
        actor.tenant_id,
        store_id,
        list(OPEN_STATUSES),
        products,
    )
    return {r["product_id"]: stored(r["open"]) for r in rows}
