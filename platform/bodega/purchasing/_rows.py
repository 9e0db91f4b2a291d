"""Reading and writing purchase order rows: the lines, the row lock, the state check."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, NotFound, VersionConflict
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.purchasing._rules import line_total, stored
from bodega.purchasing.schemas import PurchaseOrderLineOut, PurchaseOrderOut, PurchaseWarning
from bodega.purchasing.tables import PurchaseOrderLine

__all__ = [
    "OPEN_STATUSES",
    "check_version",
    "locked_order",
    "next_number",
    "order_lines",
    "order_out",
    "order_total",
    "replace_lines",
    "require_status",
    "save_order",
]

OPEN_STATUSES = ("sent", "partially_received")
"""Orders whose open quantities are on their way."""

_HINTS = {
    ("edit", "sent"): "only a draft can be edited; cancel it and make a new one",
    ("edit", "partially_received"): "only a draft can be edited",
    ("send", "sent"): "it was sent already",
    ("send", "partially_received"): "it was sent already",
    ("cancel", "partially_received"): "goods were received against it; close it instead",
    ("close", "draft"): "nothing was received against it; cancel it instead",
    ("close", "sent"): "nothing was received against it; cancel it instead",
    ("receive", "draft"): "send it before receiving goods against it",
    ("receive", "received"): "it is complete; goods beyond it need a new purchase order",
    ("receive", "cancelled"): "nothing can be received against a cancelled order",
}


def _line_out(row: dict[str, Any]) -> PurchaseOrderLineOut:
    quantity, received, rejected = row["quantity"], row["received"], row["rejected"]
    return PurchaseOrderLineOut(
        id=row["id"],
        position=row["position"],
        product_id=row["product_id"],
        quantity=stored(quantity),
        unit_cost=row["unit_cost"],
        total=line_total(quantity, row["unit_cost"]),
        received=stored(received),
        rejected=stored(rejected),
        open=stored(max(quantity - received - rejected, Decimal(0))),
    )


def order_out(
    row: dict[str, Any],
    lines: Iterable[dict[str, Any]],
    warnings: Sequence[PurchaseWarning] = (),
) -> PurchaseOrderOut:
    fields = {f: row[f] for f in PurchaseOrderOut.__struct_fields__ if f in row}
    return PurchaseOrderOut(
        **fields, lines=[_line_out(line) for line in lines], warnings=list(warnings)
    )


async def order_lines(
    actor: Actor, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The lines of each order, in order."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in order_ids}
    if not order_ids:
        return found
    rows = await db.fetch(
        "SELECT * FROM purchase_order_lines WHERE tenant_id = $1 AND purchase_order_id = ANY($2)"
        " ORDER BY purchase_order_id, position",
        actor.tenant_id,
        list(order_ids),
    )
    for r in rows:
        found[r["purchase_order_id"]].append(dict(r))
    return found


async def locked_order(actor: Actor, order_id: uuid.UUID) -> dict[str, Any]:
    """The order's row, locked until the transaction ends; 404 if it is not the caller's."""
    row = await db.fetchrow(
        "SELECT * FROM purchase_orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        actor.tenant_id,
        order_id,
    )
    if row is None:
        raise NotFound("purchase order", order_id)
    return dict(row)


def require_status(row: dict[str, Any], allowed: set[str], action: str) -> None:
    """409 unless the order is in one of ``allowed``; the answer says what to do instead."""
    status = row["status"]
    if status in allowed:
        return
    hint = _HINTS.get((action, status), f"a {status} purchase order cannot be changed")
    raise Conflict(
        f"Purchase order {row['number']} is {status.replace('_', ' ')}: {hint}.",
        current_status=status,
    )


def check_version(row: dict[str, Any], version: int) -> None:
    if row["version"] != version:
        raise VersionConflict("purchase order", row["version"])


_COLUMNS = frozenset(
    {
        "supplier_id",
        "store_id",
        "status",
        "expected_on",
        "note",
        "total",
        "received_value",
        "closed_short",
        "reason",
        "sent_at",
        "received_at",
        "cancelled_at",
    }
)


async def save_order(actor: Actor, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Write ``values`` to a locked order, bumping its version; return the new row."""
    assert values.keys() <= _COLUMNS, values.keys() - _COLUMNS
    names = sorted(values)
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    updated = await db.fetchrow(
        f"UPDATE purchase_orders SET {sets}, version = version + 1, updated_at = now() "  # noqa: S608
        "WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        row["id"],
        *(values[name] for name in names),
    )
    assert updated is not None  # the row is locked
    return dict(updated)


async def replace_lines(
    actor: Actor, order_id: uuid.UUID, lines: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    await PurchaseOrderLine.delete().where(
        (PurchaseOrderLine.tenant_id == actor.tenant_id)
        & (PurchaseOrderLine.purchase_order_id == order_id)
    )
    rows = [
        {
            "id": new_id(),
            "tenant_id": actor.tenant_id,
            "purchase_order_id": order_id,
            "position": position,
            "received": Decimal(0),
            "rejected": Decimal(0),
            **line,
        }
        for position, line in enumerate(lines)
    ]
    if rows:
        await PurchaseOrderLine.insert(*(PurchaseOrderLine(**r) for r in rows))
    return rows


def order_total(lines: Iterable[dict[str, Any]]) -> int:
    return sum(line_total(line["quantity"], line["unit_cost"]) for line in lines)


async def next_number(actor: Actor) -> int:
    """The chain's next order number; numbering is serialised per chain for the transaction."""
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('purchase_orders:' || $1::uuid::text, 0))",
        actor.tenant_id,
    )
    return await db.fetchval(
        "SELECT coalesce(max(number), 0) + 1 FROM purchase_orders WHERE tenant_id = $1",
        actor.tenant_id,
    )
