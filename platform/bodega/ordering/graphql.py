"""GraphQL for sales orders: the same services as REST, the same problem types in errors."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any, TypeVar

import msgspec
import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import Long, input_type, object_type, page_type
from bodega.ordering import payment, refunds, schemas, service
from bodega.pricing.graphql import Adjustment, LineAdjustment

__all__ = ["OrderingMutation", "OrderingQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "orders:read", "orders:write"
UNSET: Any = strawberry.UNSET
S = TypeVar("S", bound=msgspec.Struct)

OrderLine = object_type(
    schemas.OrderLineOut, name="OrderLine", namespace={"LineAdjustmentOut": LineAdjustment}
)
OrderPayment = object_type(schemas.PaymentOut, name="OrderPayment")
OrderTaxLine = object_type(schemas.TaxLineOut, name="OrderTaxLine")
OrderRefundLine = object_type(schemas.RefundLineOut, name="OrderRefundLine")
OrderRefundAllocation = object_type(schemas.RefundAllocationOut, name="OrderRefundAllocation")
OrderRefund = object_type(
    schemas.RefundOut,
    name="OrderRefund",
    namespace={"RefundLineOut": OrderRefundLine, "RefundAllocationOut": OrderRefundAllocation},
)
Order = object_type(
    schemas.OrderOut,
    name="Order",
    namespace={
        "TaxLineOut": OrderTaxLine,
        "OrderLineOut": OrderLine,
        "PaymentOut": OrderPayment,
        "RefundOut": OrderRefund,
        "AdjustmentOut": Adjustment,
    },
)
OrderPage = page_type(Order, "OrderPage")

OrderLineInput = input_type(schemas.OrderLineIn, name="OrderLineInput")
PaymentInput = input_type(schemas.PaymentIn, name="PaymentInput")
RefundLineInput = input_type(schemas.RefundLineIn, name="RefundLineInput")


@strawberry.input(description="A new order; see OrderIn in the REST reference.")
class OrderInput:
    channel: str
    store_id: uuid.UUID
    lines: list[OrderLineInput]  # type: ignore[valid-type]
    member_id: uuid.UUID | None = UNSET
    note: str | None = UNSET
    promised_at: datetime | None = UNSET
    external_ref: str | None = UNSET


@strawberry.input(description="Payments for an open order (cash may exceed the total).")
class PayOrderInput:
    payments: list[PaymentInput]  # type: ignore[valid-type]
    version: int | None = UNSET
    fulfil: bool | None = UNSET


@strawberry.input(description="What comes back; lines omitted: everything left, restocked.")
class RefundOrderInput:
    lines: list[RefundLineInput] | None = UNSET  # type: ignore[valid-type]
    amount: Long | None = UNSET
    reason: str | None = UNSET
    version: int | None = UNSET


def _plain(value: Any) -> Any:
    """A strawberry input (nested ones too) as plain data, without its UNSET fields."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "__strawberry_definition__"):
        return {k: _plain(v) for k, v in vars(value).items() if v is not strawberry.UNSET}
    return value


def _struct(value: Any, struct: type[S]) -> S:
    """Validate an input through its Struct (the same constraints as REST)."""
    return msgspec.convert(msgspec.to_builtins(_plain(value)), struct, strict=False)


@strawberry.type
class OrderingQuery:
    @strawberry.field(description="Orders oldest first, by store, channel, status, member, time.")
    async def orders(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        channel: str | None = None,
        status: str | None = None,
        member_id: uuid.UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> OrderPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_orders,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            channel=channel,
            status=status,
            member_id=member_id,
            since=since,
            until=until,
        )

    @strawberry.field(description="One order with its lines, payments and refunds.")
    async def order(self, info: InfoT, id: uuid.UUID) -> Order:  # type: ignore[valid-type]
        return await call(info, READ, service.get_order, id)


@strawberry.type
class OrderingMutation:
    @strawberry.mutation(
        description="Create an open order, priced as a quote, with its tax by rate."
    )
    async def create_order(self, info: InfoT, input: OrderInput) -> Order | None:  # type: ignore[valid-type]
        create = functools.partial(
            service.create_order,
            plugins=info.context.plugins,
            engine=info.context.request.app.state.engine,
        )
        return await mutate(info, WRITE, create, _struct(input, schemas.OrderIn))

    @strawberry.mutation(description="Pay an open order; writes its sale movements.")
    async def pay_order(self, info: InfoT, id: uuid.UUID, input: PayOrderInput) -> Order | None:  # type: ignore[valid-type]
        pay = functools.partial(
            payment.pay_order,
            plugins=info.context.plugins,
            engine=info.context.request.app.state.engine,
        )
        return await mutate(info, WRITE, pay, id, _struct(input, schemas.PayIn))

    @strawberry.mutation(description="Hand a paid order over (collected, delivered).")
    async def fulfil_order(
        self, info: InfoT, id: uuid.UUID, version: int | None = None
    ) -> Order | None:  # type: ignore[valid-type]
        data = schemas.ActionIn(version=version)
        return await mutate(info, WRITE, service.fulfil_order, id, data)

    @strawberry.mutation(description="Cancel an open order.")
    async def cancel_order(
        self, info: InfoT, id: uuid.UUID, version: int | None = None
    ) -> Order | None:  # type: ignore[valid-type]
        data = schemas.ActionIn(version=version)
        return await mutate(info, WRITE, service.cancel_order, id, data)

    @strawberry.mutation(description="Refund (part of) a paid order.")
    async def refund_order(
        self, info: InfoT, id: uuid.UUID, input: RefundOrderInput
    ) -> Order | None:  # type: ignore[valid-type]
        data = _struct(input, schemas.RefundIn)
        return await mutate(info, WRITE, refunds.refund_order, id, data)
