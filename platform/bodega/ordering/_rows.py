"""Reading orders: the order rows and their lines, payments and refunds, as the API returns
them. Raw SQL in the request's transaction (orders are the hot path of a till); every query
filters by tenant as well as RLS does."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, NotFound, VersionConflict
from bodega.db import engine as db
from bodega.ordering.schemas import (
    OrderLineOut,
    OrderOut,
    PaymentOut,
    RefundAllocationOut,
    RefundLineOut,
    RefundOut,
    TaxLineOut,
)
from bodega.pricing.quote_schemas import AdjustmentOut, LineAdjustmentOut

__all__ = [
    "ORDER_COLUMNS",
    "WrongState",
    "check_version",
    "lines_of",
    "lock_order",
    "order_out",
    "orders_out",
    "payments_of",
]

ORDER_COLUMNS = (
    "id, store_id, number, channel, status, member_id, note, external_ref, promised_at, "
    "currency, subtotal, discount_total, total, tax_total, taxes::text AS taxes, paid_total, "
    "change, refunded_total, created_by, created_at, paid_at, fulfilled_at, cancelled_at, "
    "version, adjustments::text AS adjustments, promotion_ids"
)
_LINE_COLUMNS = (
    "id, order_id, product_id, sku, name, unit, quantity, list_price, unit_price, "
    "price_overridden, discount_percent, gross, discount, total, tax_rate, refunded_quantity, "
    "refunded_amount, adjustments::text AS adjustments"
)
_PAYMENT_COLUMNS = "id, order_id, method, amount, tendered, reference, refunded, created_at"
_ONE = Decimal(1)
_GRAM = Decimal("0.001")
_TAXES = msgspec.json.Decoder(list[TaxLineOut])
_ALLOCATIONS = msgspec.json.Decoder(list[RefundAllocationOut])
_ADJUSTMENTS = msgspec.json.Decoder(list[AdjustmentOut])
_LINE_ADJUSTMENTS = msgspec.json.Decoder(list[LineAdjustmentOut])


def _decoded(value: Any, decoder: msgspec.json.Decoder[Any]) -> list[Any]:
    """A jsonb column read as text, or the list already built (a row just inserted)."""
    return decoder.decode(value) if isinstance(value, str) else list(value)


class WrongState(Conflict):
    slug = "order-state"
    title = "The order's state does not allow this"

    def __init__(self, detail: str, status: str) -> None:
        super().__init__(detail, order_status=status)


def check_version(row: Mapping[str, Any], version: int | None) -> None:
    if version is not None and row["version"] != version:
        raise VersionConflict("order", row["version"])


async def lock_order(actor: Actor, order_id: uuid.UUID) -> Any:
    """The order's row, locked until the transaction ends (pay, refund, cancel and fulfil of
    one order queue up instead of racing); 404 if it is not the caller's chain's."""
    row = await db.fetchrow(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE",  # noqa: S608
        actor.tenant_id,
        order_id,
    )
    if row is None:
        raise NotFound("order", order_id)
    return row


def _quantity(value: Decimal, unit: str) -> Decimal:
    """Pieces without decimals ("2"), weights with three ("0.455")."""
    return value.quantize(_ONE if unit == "each" else _GRAM)


def line_out(row: Mapping[str, Any]) -> OrderLineOut:
    unit = row["unit"]
    return OrderLineOut(
        id=row["id"],
        product_id=row["product_id"],
        sku=row["sku"],
        name=row["name"],
        unit=unit,
        quantity=_quantity(row["quantity"], unit),
        list_price=row["list_price"],
        unit_price=row["unit_price"],
        price_overridden=row["price_overridden"],
        discount_percent=row["discount_percent"],
        gross=row["gross"],
        discount=row["discount"],
        total=row["total"],
        tax_rate=row["tax_rate"],
        refunded_quantity=_quantity(row["refunded_quantity"], unit),
        refunded_amount=row["refunded_amount"],
        adjustments=_decoded(row["adjustments"], _LINE_ADJUSTMENTS),
    )


def payment_out(row: Mapping[str, Any]) -> PaymentOut:
    return PaymentOut(
        id=row["id"],
        method=row["method"],
        amount=row["amount"],
        tendered=row["tendered"],
        reference=row["reference"],
        refunded=row["refunded"],
        created_at=row["created_at"],
    )


async def lines_of(actor: Actor, order_ids: Sequence[uuid.UUID]) -> list[Any]:
    return await db.fetch(
        f"SELECT {_LINE_COLUMNS} FROM order_lines"  # noqa: S608
        " WHERE tenant_id = $1 AND order_id = ANY($2::uuid[]) ORDER BY order_id, position",
        actor.tenant_id,
        list(order_ids),
    )


async def payments_of(actor: Actor, order_ids: Sequence[uuid.UUID]) -> list[Any]:
    return await db.fetch(
        f"SELECT {_PAYMENT_COLUMNS} FROM order_payments"  # noqa: S608
        " WHERE tenant_id = $1 AND order_id = ANY($2::uuid[]) ORDER BY order_id, position",
        actor.tenant_id,
        list(order_ids),
    )


async def _refunds_of(actor: Actor, order_ids: Sequence[uuid.UUID]) -> list[tuple[Any, RefundOut]]:
    refunds = await db.fetch(
        "SELECT id, order_id, amount, reason, payments::text AS payments, created_by, created_at"
        " FROM order_refunds WHERE tenant_id = $1 AND order_id = ANY($2::uuid[])"
        " ORDER BY order_id, id",
        actor.tenant_id,
        list(order_ids),
    )
    if not refunds:
        return []
    lines = await db.fetch(
        "SELECT r.id, r.refund_id, r.line_id, r.quantity, r.amount, r.restock, l.unit"
        " FROM order_refund_lines r JOIN order_lines l"
        "   ON l.tenant_id = r.tenant_id AND l.id = r.line_id"
        " WHERE r.tenant_id = $1 AND r.refund_id = ANY($2::uuid[]) ORDER BY r.refund_id, r.id",
        actor.tenant_id,
        [r["id"] for r in refunds],
    )
    by_refund: dict[uuid.UUID, list[RefundLineOut]] = {}
    for line in lines:
        by_refund.setdefault(line["refund_id"], []).append(
            RefundLineOut(
                id=line["id"],
                line_id=line["line_id"],
                quantity=_quantity(line["quantity"], line["unit"]),
                amount=line["amount"],
                restock=line["restock"],
            )
        )
    return [
        (
            r["order_id"],
            RefundOut(
                id=r["id"],
                amount=r["amount"],
                reason=r["reason"],
                lines=by_refund.get(r["id"], []),
                payments=_ALLOCATIONS.decode(r["payments"]),
                created_by=r["created_by"],
                created_at=r["created_at"],
            ),
        )
        for r in refunds
    ]


def order_out(
    row: Mapping[str, Any],
    lines: Sequence[OrderLineOut],
    payments: Sequence[PaymentOut] = (),
    refunds: Sequence[RefundOut] = (),
    **changed: Any,
) -> OrderOut:
    """The order as the API returns it, from its row (with ``changed`` columns applied)."""
    values = {**row, **changed}
    return OrderOut(
        id=values["id"],
        number=values["number"],
        store_id=values["store_id"],
        channel=values["channel"],
        status=values["status"],
        member_id=values["member_id"],
        note=values["note"],
        external_ref=values["external_ref"],
        promised_at=values["promised_at"],
        currency=values["currency"],
        subtotal=values["subtotal"],
        discount_total=values["discount_total"],
        total=values["total"],
        tax_total=values["tax_total"],
        taxes=_decoded(values["taxes"], _TAXES),
        adjustments=_decoded(values["adjustments"], _ADJUSTMENTS),
        paid_total=values["paid_total"],
        change=values["change"],
        refunded_total=values["refunded_total"],
        lines=list(lines),
        payments=list(payments),
        refunds=list(refunds),
        created_by=values["created_by"],
        created_at=values["created_at"],
        paid_at=values["paid_at"],
        fulfilled_at=values["fulfilled_at"],
        cancelled_at=values["cancelled_at"],
        version=values["version"],
    )


async def orders_out(actor: Actor, rows: Sequence[Mapping[str, Any]]) -> list[OrderOut]:
    """``rows`` with their lines, payments and refunds: four queries for any number."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    lines: dict[uuid.UUID, list[OrderLineOut]] = {}
    for line in await lines_of(actor, ids):
        lines.setdefault(line["order_id"], []).append(line_out(line))
    payments: dict[uuid.UUID, list[PaymentOut]] = {}
    for payment in await payments_of(actor, ids):
        payments.setdefault(payment["order_id"], []).append(payment_out(payment))
    refunds: dict[uuid.UUID, list[RefundOut]] = {}
    for order_id, refund in await _refunds_of(actor, ids):
        refunds.setdefault(order_id, []).append(refund)
    return [
        order_out(r, lines.get(r["id"], []), payments.get(r["id"], []), refunds.get(r["id"], []))
        for r in rows
    ]
