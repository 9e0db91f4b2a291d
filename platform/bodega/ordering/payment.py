"""Paying an order: the payments, the chain's validating plugins, the sale movements.

Everything happens in the request's transaction, on the order's locked row: a second pay of
the same order waits for the first and then finds it paid (409); a pay that fails anywhere
(too little money, too few points, a plugin's refusal, a database error) leaves no payment,
no movement, no points spent and no event behind.

A ``points`` payment spends the order's member's points (``bodega.points``): its ``amount``
is money, and its reference is the id of the points ledger entry that paid it.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput
from bodega.audit import change_recorded
from bodega.catalog import require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.inventory import MovementIn, post_movements
from bodega.ordering._rows import (
    WrongState,
    check_version,
    line_out,
    lines_of,
    lock_order,
    order_out,
)
from bodega.ordering.schemas import OrderOut, PayIn, PaymentOut
from bodega.ordering.totals import split_change
from bodega.plugins.mount import PluginFailed, PluginUnavailable
from bodega.points import redeem_points

if TYPE_CHECKING:
    from piccolo.engine.postgres import PostgresEngine

    from bodega.plugins import PluginHost

__all__ = ["HOOK", "OrderRefused", "PaymentMethodUnavailable", "pay_order"]

HOOK = "bodega_validate_order"
_NEEDS_REFERENCE = {"card": "the card terminal's transaction id", "stripe": "the PaymentIntent id"}
POINTS = "points"


class PaymentMethodUnavailable(InvalidInput):
    slug = "payment-method-unavailable"
    title = "This payment method is not available"


class OrderRefused(InvalidInput):
    slug = "order-refused"
    title = "A plugin of the chain refused the order"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        names = sorted({name for name, _ in problems})
        super().__init__(
            f"Refused by the plugin{'s' if len(names) > 1 else ''} {', '.join(names)}: "
            + "; ".join(problem for _, problem in problems),
            errors=[FieldError("order", problem, plugin=name) for name, problem in problems],
            plugins=names,
        )


def _unavailable(method: str, has_member: bool) -> str | None:
    """Why ``method`` cannot pay this order, if it cannot."""
    if method == "wallet":
        return (
            "wallet payments need members' wallets (membership), which are not available yet; "
            "take cash, card, stripe or points"
        )
    if method == POINTS and not has_member:
        return (
            "a points payment needs the order's member (points are a membership benefit), and "
            "this order has none; take cash, card or stripe"
        )
    return None


def _payment_errors(data: PayIn, has_member: bool) -> None:
    unavailable = [
        FieldError(f"payments[{i}].method", problem)
        for i, p in enumerate(data.payments)
        if (problem := _unavailable(p.method, has_member))
    ]
    if unavailable:
        raise PaymentMethodUnavailable(
            "This payment method cannot pay the order: "
            + "; ".join(e["message"] for e in unavailable)
            + ".",
            errors=unavailable,
        )
    missing = [
        FieldError(
            f"payments[{i}].reference", f"required for {p.method}: {_NEEDS_REFERENCE[p.method]}"
        )
        for i, p in enumerate(data.payments)
        if p.method in _NEEDS_REFERENCE and not p.reference
    ]
    missing += [
        FieldError(f"payments[{i}].reference", "not for points: it is the points entry's id")
        for i, p in enumerate(data.payments)
        if p.method == POINTS and p.reference
    ]
    if missing:
        raise InvalidInput("; ".join(e["message"] for e in missing), errors=missing)


async def _redeemed(
    actor: Actor, row: Any, payments: list[PaymentOut], now: datetime
) -> list[PaymentOut]:
    """``payments`` with each points payment's points spent and its reference set."""
    spending = [(i, p) for i, p in enumerate(payments) if p.method == POINTS]
    if not spending:
        return payments
    entries = await redeem_points(
        actor,
        row["member_id"],
        (row["id"], row["number"]),
        [(f"payments[{i}].amount", p.amount) for i, p in spending],
        now,
    )
    references = {i: str(entry) for (i, _), entry in zip(spending, entries, strict=True)}
    return [
        msgspec.structs.replace(p, reference=references[i]) if i in references else p
        for i, p in enumerate(payments)
    ]


async def validate_with_plugins(
    host: PluginHost | None, engine: PostgresEngine | None, actor: Actor, order: OrderOut
) -> None:
    """Ask the chain's enabled plugins implementing ``bodega_validate_order``.

    Fails closed: the core needs their answer, so a plugin that raises or overruns its budget
    stops the payment (502, and the failure counts toward tripping it), and a tripped one
    stops payments until it recovers or the chain disables it (503). Any problem a plugin
    returns is a 422 naming the plugin."""
    if host is None or engine is None:
        return
    implementing = {i.plugin_name for i in host.manager.hook.bodega_validate_order.get_hookimpls()}
    if not implementing:
        return  # no installed plugin validates orders: no look-up per payment
    tenant = await host.for_tenant(actor.tenant_id)
    for name in sorted(implementing & set(tenant.tripped)):
        wait = (tenant.tripped[name] - host.clock()).total_seconds()
        raise PluginUnavailable(name, max(1, math.ceil(wait)))
    expected = [impl.plugin_name for impl in host.implementers(HOOK, tenant)]
    if not expected:
        return
    answers = dict(await host.call(HOOK, tenant, engine, order=order))
    problems: list[tuple[str, str]] = []
    for name in expected:
        if name not in answers:
            raise PluginFailed(name)
        answer = answers[name]
        if answer is None:
            continue
        if not isinstance(answer, list) or not all(isinstance(p, str) for p in answer):
            wrong = TypeError(f"returned {type(answer).__name__}, not a list of strings")
            await host.outcome(engine, tenant, name, HOOK, wrong)
            raise PluginFailed(name)
        problems += [(name, problem) for problem in answer]
    if problems:
        raise OrderRefused(problems)


_PAID = """
WITH payments AS (
    INSERT INTO order_payments (id, tenant_id, order_id, position, method, amount, tendered,
                                reference, created_at)
    SELECT p.id, $1, $2, p.position, p.method, p.amount, p.tendered, p.reference, $5
      FROM unnest($7::uuid[], $8::int[], $9::text[], $10::bigint[], $11::bigint[], $12::text[])
        AS p(id, position, method, amount, tendered, reference)
)
UPDATE orders SET status = $3, paid_total = total, change = $4, paid_at = $5, fulfilled_at = $6,
                  version = version + 1
 WHERE tenant_id = $1 AND id = $2
RETURNING status, paid_total, change, paid_at, fulfilled_at, version
"""
"""One statement: the payments, and the order marked paid."""


async def pay_order(
    actor: Actor,
    order_id: uuid.UUID,
    data: PayIn,
    *,
    plugins: PluginHost | None = None,
    engine: PostgresEngine | None = None,
) -> OrderOut:
    """Take the payments for an open order, write its sale movements and mark it ``paid``
    (``fulfilled`` too with ``fulfil``); emits ``order.paid`` (and ``order.fulfilled``).

    The payments must cover the total; only cash may exceed it, and the excess is the change.
    ``plugins``/``engine`` let the chain's plugins validate the order first: they see it open,
    with the payments about to be taken."""
    row = await lock_order(actor, order_id)
    await require_store(actor, row["store_id"], field="store_id")
    if row["status"] != "open":
        already = row["status"] != "cancelled"
        raise WrongState(
            "This order is paid already; a retry must reuse the first request's "
            "Idempotency-Key to get its answer."
            if already
            else "This order is cancelled; it can no longer be paid.",
            row["status"],
        )
    check_version(row, data.version)
    _payment_errors(data, row["member_id"] is not None)
    try:
        applied, change = split_change([(p.method, p.amount) for p in data.payments], row["total"])
    except ValueError as exc:
        raise InvalidInput(
            f"The payments do not settle the order: {exc}.",
            errors=[FieldError("payments", str(exc))],
        ) from None
    lines = [line_out(line) for line in await lines_of(actor, [order_id])]
    now = datetime.now(UTC)
    payments = [
        PaymentOut(
            id=new_id(),
            method=p.method,
            amount=amount,
            tendered=p.amount,
            reference=p.reference,
            refunded=0,
            created_at=now,
        )
        for p, amount in zip(data.payments, applied, strict=True)
    ]
    payments = await _redeemed(actor, row, payments, now)
    await validate_with_plugins(plugins, engine, actor, order_out(row, lines, payments))

    await post_movements(
        actor,
        [
            MovementIn(
                store_id=row["store_id"],
                product_id=line.product_id,
                kind="sale",
                quantity=-line.quantity,
            )
            for line in lines
        ],
        source_type="order",
        source_id=order_id,
    )
    status = "fulfilled" if data.fulfil else "paid"
    paid = await db.fetchrow(
        _PAID,
        actor.tenant_id,
        order_id,
        status,
        change,
        now,
        now if data.fulfil else None,
        [p.id for p in payments],
        list(range(1, len(payments) + 1)),
        [p.method for p in payments],
        [p.amount for p in payments],
        [p.tendered for p in payments],
        [p.reference for p in payments],
    )
    order = order_out(row, lines, payments, **dict(paid))
    before: dict[str, Any] = {"status": row["status"], "version": row["version"]}
    after = {
        "status": "paid",
        "paid_total": order.paid_total,
        "change": change,
        "payments": order.payments,
        "version": order.version,
    }
    await change_recorded(actor, "order", "paid", order_id, order, before=before, after=after)
    if data.fulfil:
        await change_recorded(
            actor,
            "order",
            "fulfilled",
            order_id,
            order,
            before={"status": "paid"},
            after={"status": status, "fulfilled_at": now},
        )
    return order
