"""Refunds and returns of paid orders.

A refund names what comes back (lines and quantities, each restocked or not) and gives
money back through the order's payments, largest refundable payment first. Goods back on
the shelf are a ``return`` movement; damaged goods are a ``return`` and a ``loss`` of reason
``damaged`` (the ledger shows both, and they net out), so loss reports see them. What goes
back through a points payment goes back as points (``bodega.points``), in the same
transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.quantities import quantity_errors
from bodega.audit import change_recorded
from bodega.catalog import require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.inventory import MovementIn, post_movements
from bodega.ordering._rows import (
    ORDER_COLUMNS,
    WrongState,
    check_version,
    line_out,
    lines_of,
    lock_order,
    orders_out,
    payments_of,
)
from bodega.ordering.schemas import OrderLineOut, OrderOut, RefundAllocationOut, RefundIn
from bodega.ordering.totals import allocate_refund, refund_share
from bodega.points import give_back_points

__all__ = ["refund_order"]

_REFUNDABLE = ("paid", "fulfilled", "partially_refunded")


@dataclass
class _Return:
    line: OrderLineOut
    quantity: Decimal
    restock: bool
    amount: int = 0


def _left(line: OrderLineOut) -> Decimal:
    return line.quantity - line.refunded_quantity


def _returns(lines: list[OrderLineOut], data: RefundIn) -> list[_Return]:
    """What comes back, checked: each quantity at most what is left of its line."""
    if data.lines is None:
        return [_Return(line, _left(line), restock=True) for line in lines if _left(line) > 0]
    by_id = {line.id: line for line in lines}
    errors: list[FieldError] = []
    returns: list[_Return] = []
    asked: dict[uuid.UUID, Decimal] = {}
    for i, wanted in enumerate(data.lines):
        field = f"lines[{i}]"
        line = by_id.get(wanted.line_id)
        if line is None:
            errors.append(FieldError(f"{field}.line_id", "not a line of this order"))
            continue
        problems = quantity_errors(wanted.quantity, f"{field}.quantity", unit=line.unit)
        asked[line.id] = asked.get(line.id, Decimal(0)) + wanted.quantity
        if not problems and asked[line.id] > _left(line):
            problems.append(
                FieldError(
                    f"{field}.quantity",
                    f"at most {_left(line)} of this line can still be refunded "
                    f"(sold {line.quantity}, refunded {line.refunded_quantity})",
                )
            )
        errors += problems
        returns.append(_Return(line, wanted.quantity, wanted.restock))
    raise_if_errors(errors)
    return returns


def _priced(returns: list[_Return]) -> None:
    """Each return's money: its share of the line (the rest of it for the last units)."""
    done: dict[uuid.UUID, tuple[Decimal, int]] = {}
    for r in returns:
        quantity, amount = done.get(r.line.id, (r.line.refunded_quantity, r.line.refunded_amount))
        r.amount = refund_share(r.line.total, r.line.quantity, quantity, amount, r.quantity)
        done[r.line.id] = (quantity + r.quantity, amount + r.amount)


def _movements(store_id: uuid.UUID, returns: list[_Return]) -> list[MovementIn]:
    movements = []
    for r in returns:
        movements.append(
            MovementIn(store_id=store_id, product_id=r.line.product_id, kind="return",
                       quantity=r.quantity)
        )  # fmt: skip
        if not r.restock:
            movements.append(
                MovementIn(
                    store_id=store_id,
                    product_id=r.line.product_id,
                    kind="loss",
                    quantity=-r.quantity,
                    reason="damaged",
                    note="returned damaged",
                )
            )
    return movements


async def _points_back(
    actor: Actor,
    order: Any,
    payments: list[Any],
    shares: list[int],
    refund_id: uuid.UUID,
    now: datetime,
) -> None:
    """Give back the points of the share of the order's points payments this refund takes."""
    points = [
        (p, share) for p, share in zip(payments, shares, strict=True) if p["method"] == "points"
    ]
    if not any(share for _, share in points):
        return
    await give_back_points(
        actor,
        (order["id"], order["number"]),
        refund_id,
        redeemed=sum(p["amount"] for p, _ in points),
        refunded=sum(p["refunded"] + share for p, share in points),
        now=now,
    )


_INSERT_REFUND = """
INSERT INTO order_refunds (id, tenant_id, order_id, amount, reason, payments, created_by,
                           created_at)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
"""
_INSERT_REFUND_LINES = """
INSERT INTO order_refund_lines (id, tenant_id, refund_id, line_id, quantity, amount, restock)
SELECT r.id, $1, $2, r.line_id, r.quantity, r.amount, r.restock
  FROM unnest($3::uuid[], $4::uuid[], $5::numeric[], $6::bigint[], $7::bool[])
    AS r(id, line_id, quantity, amount, restock)
"""
_LINES_REFUNDED = """
UPDATE order_lines l SET refunded_quantity = l.refunded_quantity + r.quantity,
                         refunded_amount = l.refunded_amount + r.amount
  FROM (SELECT line_id, sum(quantity) AS quantity, sum(amount) AS amount
          FROM unnest($2::uuid[], $3::numeric[], $4::bigint[]) AS x(line_id, quantity, amount)
         GROUP BY line_id) r
 WHERE l.tenant_id = $1 AND l.id = r.line_id
"""
_PAYMENTS_REFUNDED = """
UPDATE order_payments p SET refunded = p.refunded + r.amount
  FROM unnest($2::uuid[], $3::bigint[]) AS r(id, amount)
 WHERE p.tenant_id = $1 AND p.id = r.id
"""
_ORDER_REFUNDED = f"""
UPDATE orders SET status = $3, refunded_total = refunded_total + $4, version = version + 1
 WHERE tenant_id = $1 AND id = $2
RETURNING {ORDER_COLUMNS}
"""  # noqa: S608


async def refund_order(actor: Actor, order_id: uuid.UUID, data: RefundIn) -> OrderOut:
    """Refund (part of) a paid order; emits ``order.refunded``. Lines omitted: everything not
    refunded yet comes back, restocked. ``amount`` replaces the value of what comes back, and
    with ``lines: []`` refunds money alone; it is never more than paid minus refunded."""
    order = await lock_order(actor, order_id)
    await require_store(actor, order["store_id"], field="store_id")
    if order["status"] not in _REFUNDABLE:
        raise WrongState(
            f"Only a paid order can be refunded; this one is {order['status']}.", order["status"]
        )
    check_version(order, data.version)
    lines = [line_out(line) for line in await lines_of(actor, [order_id])]
    returns = _returns(lines, data)
    _priced(returns)
    refundable = order["paid_total"] - order["refunded_total"]
    amount = data.amount if data.amount is not None else sum(r.amount for r in returns)
    if data.amount is None and not returns:
        field = "amount" if data.lines is not None else "lines"
        raise_if_errors([FieldError(field, "nothing comes back: give the amount to refund")])
    if amount > refundable:
        raise_if_errors([FieldError("amount", f"at most {refundable} can still be refunded")])

    payments = await payments_of(actor, [order_id])
    shares = allocate_refund([(p["id"], p["amount"] - p["refunded"]) for p in payments], amount)
    allocations = [
        RefundAllocationOut(payment_id=p["id"], method=p["method"], amount=share)
        for p, share in zip(payments, shares, strict=True)
        if share
    ]
    refund_id, now = new_id(), datetime.now(UTC)
    await db.execute(
        _INSERT_REFUND,
        refund_id,
        actor.tenant_id,
        order_id,
        amount,
        data.reason,
        msgspec.json.encode(allocations).decode(),
        actor.id,
        now,
    )
    await _points_back(actor, order, payments, shares, refund_id, now)
    if returns:
        await db.execute(
            _INSERT_REFUND_LINES,
            actor.tenant_id,
            refund_id,
            [new_id() for _ in returns],
            [r.line.id for r in returns],
            [r.quantity for r in returns],
            [r.amount for r in returns],
            [r.restock for r in returns],
        )
        await db.execute(
            _LINES_REFUNDED,
            actor.tenant_id,
            [r.line.id for r in returns],
            [r.quantity for r in returns],
            [r.amount for r in returns],
        )
        await post_movements(
            actor,
            _movements(order["store_id"], returns),
            source_type="order_refund",
            source_id=refund_id,
        )
    if allocations:
        await db.execute(
            _PAYMENTS_REFUNDED,
            actor.tenant_id,
            [a.payment_id for a in allocations],
            [a.amount for a in allocations],
        )
    status = "refunded" if amount == refundable else "partially_refunded"
    updated = await db.fetchrow(_ORDER_REFUNDED, actor.tenant_id, order_id, status, amount)
    (refunded,) = await orders_out(actor, [updated])
    await change_recorded(
        actor,
        "order",
        "refunded",
        order_id,
        refunded,
        before={"status": order["status"], "refunded_total": order["refunded_total"]},
        after={"status": status, "refund": refunded.refunds[-1]},
    )
    return refunded
