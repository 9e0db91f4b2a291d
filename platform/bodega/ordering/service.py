"""Sales orders: creating them, reading them, and the state changes that move no money or
stock (fulfil, cancel). Paying is in :mod:`bodega.ordering.payment`, refunds in
:mod:`bodega.ordering.refunds`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, NotFound, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.api.quantities import quantity_errors
from bodega.audit import change_recorded
from bodega.catalog import ProductOut, products_by_ids, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.ordering._rows import (
    ORDER_COLUMNS,
    WrongState,
    check_version,
    line_out,
    lock_order,
    order_out,
    orders_out,
)
from bodega.ordering.schemas import (
    CHANNELS,
    STATUSES,
    ActionIn,
    OrderIn,
    OrderLineIn,
    OrderOut,
    TaxLineOut,
)
from bodega.ordering.totals import discounted, tax_by_rate
from bodega.pricing.quote_schemas import QuoteLineOut
from bodega.pricing.quotes import BasketItem, price_basket
from bodega.promotions import claim_promotion_uses, release_promotion_uses

if TYPE_CHECKING:
    from piccolo.engine.postgres import PostgresEngine

    from bodega.plugins import PluginHost

__all__ = [
    "cancel_order",
    "create_order",
    "fulfil_order",
    "get_order",
    "list_orders",
    "orders_by_ids",
]

MAX_AMOUNT = 10**12
"""The largest line or order amount in minor units (as for prices)."""
PROMISE_GRACE = timedelta(minutes=5)
"""A promised time may lie this far in the past (clocks of devices differ)."""
PROMISE_HORIZON = timedelta(days=366)
_NEEDS_PROMISE = ("pickup", "delivery")
_NOT_REFUNDED = {"refunded_quantity": Decimal(0), "refunded_amount": 0}
_JSON = msgspec.json.Encoder()


def _now() -> datetime:
    return datetime.now(UTC)


def _promise_errors(data: OrderIn, now: datetime) -> list[FieldError]:
    promised = data.promised_at
    if promised is None:
        if data.channel in _NEEDS_PROMISE:
            return [FieldError("promised_at", f"required for {data.channel} orders")]
        return []
    if data.channel == "pos":
        return [FieldError("promised_at", "a till sale has no promised time; leave it out")]
    if promised.tzinfo is None:
        return [FieldError("promised_at", "give the time with its UTC offset (Z or +08:00)")]
    if promised < now - PROMISE_GRACE:
        return [FieldError("promised_at", "in the past")]
    if promised > now + PROMISE_HORIZON:
        return [FieldError("promised_at", "more than a year ahead")]
    return []


def _line_item(
    i: int, line: OrderLineIn, product: ProductOut | None, errors: list[FieldError]
) -> BasketItem | None:
    """The line as a basket item to price, or None after adding what is wrong to ``errors``."""
    field = f"lines[{i}]"
    if product is None:
        errors.append(FieldError(f"{field}.product_id", "unknown product"))
        errors += quantity_errors(line.quantity, f"{field}.quantity", unit="kg")
        return None
    if product.status != "active":
        errors.append(FieldError(f"{field}.product_id", "archived: no longer sold"))
    problems = quantity_errors(line.quantity, f"{field}.quantity", unit=product.unit)
    if line.discount_amount is not None and line.discount_percent is not None:
        problems.append(
            FieldError(f"{field}.discount_percent", "give discount_amount or this, not both")
        )
    errors += problems
    if problems:
        return None
    return BasketItem(product, line.quantity, line.lot_code, line.unit_price)


def _order_line(
    i: int, line: OrderLineIn, priced: QuoteLineOut, errors: list[FieldError]
) -> dict[str, Any] | None:
    """The line's columns from its quote and the cashier's own discount on what is left."""
    field = f"lines[{i}]"
    percent = Decimal(line.discount_percent) if line.discount_percent is not None else None
    try:
        manual = discounted(
            priced.total, discount_amount=line.discount_amount, discount_percent=percent
        )
    except ValueError as exc:
        errors.append(FieldError(f"{field}.discount_amount", str(exc)))
        return None
    if priced.gross > MAX_AMOUNT:
        errors.append(FieldError(f"{field}.quantity", "the line's amount is too large"))
        return None
    return {
        "product_id": priced.product_id,
        "sku": priced.sku,
        "name": priced.name,
        "unit": priced.unit,
        "quantity": line.quantity,
        "list_price": priced.list_price,
        "unit_price": priced.unit_price,
        "price_overridden": line.unit_price is not None,
        "discount_percent": percent.quantize(Decimal("0.01")) if percent is not None else None,
        "gross": priced.gross,
        "discount": priced.discount + manual.discount,
        "total": manual.total,
        "tax_rate": priced.tax_rate,
        "adjustments": priced.adjustments,
    }


_INSERT_ORDER = f"""
WITH counter AS (
    INSERT INTO order_counters (id, tenant_id, store_id, last_number) VALUES ($17, $2, $3, 1)
    ON CONFLICT (tenant_id, store_id) DO UPDATE SET last_number = order_counters.last_number + 1
    RETURNING last_number
), created AS (
    INSERT INTO orders (id, tenant_id, store_id, number, channel, status, member_id, note,
                        external_ref, promised_at, currency, subtotal, discount_total, total,
                        tax_total, taxes, created_by, created_at, adjustments, promotion_ids)
    SELECT $1, $2, $3, counter.last_number, $4, 'open', $5, $6, $7, $8, $9, $10, $11, $12, $13,
           $14::jsonb, $15, $16, $33::jsonb, $34::uuid[]
      FROM counter
    RETURNING {ORDER_COLUMNS}
), lines AS (
    INSERT INTO order_lines (id, tenant_id, order_id, position, product_id, sku, name, unit,
                             quantity, list_price, unit_price, price_overridden,
                             discount_percent, gross, discount, total, tax_rate, adjustments)
    SELECT l.id, $2, $1, l.position, l.product_id, l.sku, l.name, l.unit, l.quantity,
           l.list_price, l.unit_price, l.price_overridden, l.discount_percent, l.gross,
           l.discount, l.total, l.tax_rate, l.adjustments::jsonb
      FROM unnest($18::uuid[], $19::int[], $20::uuid[], $21::text[], $22::text[], $23::text[],
                  $24::numeric[], $25::bigint[], $26::bigint[], $27::bool[], $28::numeric[],
                  $29::bigint[], $30::bigint[], $31::bigint[], $32::numeric[], $35::text[])
        AS l(id, position, product_id, sku, name, unit, quantity, list_price, unit_price,
             price_overridden, discount_percent, gross, discount, total, tax_rate, adjustments)
)
SELECT * FROM created
"""  # noqa: S608
"""One statement: the store's next order number, the order, its lines."""
_COLUMNS = (
    "id",
    "position",
    "product_id",
    "sku",
    "name",
    "unit",
    "quantity",
    "list_price",
    "unit_price",
    "price_overridden",
    "discount_percent",
    "gross",
    "discount",
    "total",
    "tax_rate",
)


async def create_order(
    actor: Actor,
    data: OrderIn,
    *,
    plugins: PluginHost | None = None,
    engine: PostgresEngine | None = None,
) -> OrderOut:
    """Price the lines as a quote does (price lists, markdowns, promotions, plugins; a price
    override instead where given), take the cashier's discounts off what is left, total them
    with the tax they contain, count the promotions' uses, and record the order as ``open``;
    emits ``order.created``."""
    store = await require_store(actor, data.store_id, field="store_id")
    now = _now()
    errors = _promise_errors(data, now)
    products = await products_by_ids(actor, list({line.product_id for line in data.lines}))
    items = [
        _line_item(i, line, products.get(line.product_id), errors)
        for i, line in enumerate(data.lines)
    ]
    raise_if_errors(errors)
    priced = await price_basket(
        actor,
        store=store,
        channel=data.channel,
        member_id=data.member_id,
        at=now,
        items=[item for item in items if item is not None],
        plugins=plugins,
        engine=engine,
    )
    lines = []
    for i, (line, quoted) in enumerate(zip(data.lines, priced.quote.lines, strict=True)):
        columns = _order_line(i, line, quoted, errors)
        if columns is not None:
            lines.append({**columns, "id": new_id(), "position": i + 1})
    subtotal = sum(line["gross"] for line in lines)
    discount_total = sum(line["discount"] for line in lines)
    if not errors and subtotal > MAX_AMOUNT:
        errors.append(FieldError("lines", "the order's amount is too large"))
    raise_if_errors(errors)
    member_id = priced.quote.member_id  # a merged duplicate's orders go to the member kept
    await claim_promotion_uses(actor, priced.promotion_ids, member_id)
    taxes = [
        TaxLineOut(rate=t.rate, gross=t.gross, tax=t.tax, net=t.net)
        for t in tax_by_rate([(line["tax_rate"], line["total"]) for line in lines])
    ]
    order_id = new_id()
    row = await db.fetchrow(
        _INSERT_ORDER,
        order_id,
        actor.tenant_id,
        data.store_id,
        data.channel,
        member_id,
        data.note,
        data.external_ref,
        data.promised_at,
        priced.quote.currency,
        subtotal,
        discount_total,
        subtotal - discount_total,
        sum(t.tax for t in taxes),
        _JSON.encode(taxes).decode(),
        actor.id,
        now,
        new_id(),
        *([line[c] for line in lines] for c in _COLUMNS),
        _JSON.encode(priced.quote.adjustments).decode(),
        priced.promotion_ids,
        [_JSON.encode(line["adjustments"]).decode() for line in lines],
    )
    created = order_out(row, [line_out({**line, **_NOT_REFUNDED}) for line in lines])
    await change_recorded(actor, "order", "created", order_id, created, after=created)
    return created


async def get_order(actor: Actor, order_id: uuid.UUID) -> OrderOut:
    row = await db.fetchrow(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2",  # noqa: S608
        actor.tenant_id,
        order_id,
    )
    if row is None:
        raise NotFound("order", order_id)
    (order,) = await orders_out(actor, [row])
    return order


async def orders_by_ids(actor: Actor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, OrderOut]:
    """The caller's orders among ``ids``, by id (a dataloader's batch)."""
    rows = await db.fetch(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = ANY($2::uuid[])",  # noqa: S608
        actor.tenant_id,
        list(ids),
    )
    return {order.id: order for order in await orders_out(actor, rows)}


def _filter_errors(channel: str | None, status: str | None) -> list[FieldError]:
    errors = []
    if channel is not None and channel not in CHANNELS:
        errors.append(FieldError("channel", f"one of {', '.join(CHANNELS)}"))
    if status is not None and status not in STATUSES:
        errors.append(FieldError("status", f"one of {', '.join(STATUSES)}"))
    return errors


async def list_orders(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    channel: str | None = None,
    status: str | None = None,
    member_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[OrderOut]:
    """Orders oldest first, each with its lines, payments and refunds; ``since`` and
    ``until`` bound ``created_at`` (from ``since``, before ``until``)."""
    raise_if_errors(_filter_errors(channel, status))
    conditions = ["tenant_id = $1"]
    args: list[Any] = [actor.tenant_id]
    for column, value, op in (
        ("id", decode_cursor(cursor), ">"),
        ("store_id", store_id, "="),
        ("channel", channel, "="),
        ("status", status, "="),
        ("member_id", member_id, "="),
        ("created_at", since, ">="),
        ("created_at", until, "<"),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} {op} ${len(args)}")
    args.append(limit + 1)
    rows = await db.fetch(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE {' AND '.join(conditions)}"  # noqa: S608
        f" ORDER BY id LIMIT ${len(args)}",
        *args,
    )
    return page_of(await orders_out(actor, rows), limit)


async def _locked(actor: Actor, order_id: uuid.UUID) -> Any:
    row = await lock_order(actor, order_id)
    await require_store(actor, row["store_id"], field="store_id")
    return row


async def _changed(actor: Actor, row: Any, what: str, **values: Any) -> OrderOut:
    """Set ``values`` on the locked order (and a new version); record and emit
    ``order.<what>``."""
    names = list(values)
    assignments = ", ".join(f"{name} = ${i + 3}" for i, name in enumerate(names))
    updated = await db.fetchrow(
        f"UPDATE orders SET {assignments}, version = version + 1"  # noqa: S608
        f" WHERE tenant_id = $1 AND id = $2 RETURNING {ORDER_COLUMNS}",
        actor.tenant_id,
        row["id"],
        *values.values(),
    )
    (order,) = await orders_out(actor, [updated])
    before = {name: row[name] for name in [*names, "version"]}
    after = {name: updated[name] for name in [*names, "version"]}
    await change_recorded(actor, "order", what, row["id"], order, before=before, after=after)
    return order


async def fulfil_order(actor: Actor, order_id: uuid.UUID, data: ActionIn | None = None) -> OrderOut:
    """The goods are handed over (collected, delivered): a paid order becomes ``fulfilled``;
    one partly refunded before it was handed over keeps its status and gets ``fulfilled_at``.
    Emits ``order.fulfilled``."""
    row = await _locked(actor, order_id)
    if row["fulfilled_at"] is not None:
        raise WrongState("This order has been fulfilled already.", row["status"])
    if row["status"] not in ("paid", "partially_refunded"):
        raise WrongState(
            f"Only a paid order can be fulfilled; this one is {row['status']}.", row["status"]
        )
    check_version(row, data.version if data else None)
    status = "fulfilled" if row["status"] == "paid" else row["status"]
    return await _changed(actor, row, "fulfilled", status=status, fulfilled_at=_now())


async def cancel_order(actor: Actor, order_id: uuid.UUID, data: ActionIn | None = None) -> OrderOut:
    """An open order is dropped (nothing was paid, no stock moved). Emits ``order.cancelled``.
    A paid order is refunded instead."""
    row = await _locked(actor, order_id)
    if row["status"] != "open":
        hint = "; refund it instead" if row["status"] in ("paid", "fulfilled") else ""
        raise WrongState(
            f"Only an open order can be cancelled; this one is {row['status']}{hint}.",
            row["status"],
        )
    check_version(row, data.version if data else None)
    await release_promotion_uses(actor, row["promotion_ids"], row["member_id"])
    return await _changed(actor, row, "cancelled", status="cancelled", cancelled_at=_now())
