"""REST for sales orders: create, read, list, and the actions pay, fulfil, cancel, refund."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, get, post
from bodega.ordering import payment, refunds, service
from bodega.ordering.schemas import (
    ActionIn,
    Channel,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderStatus,
    PayIn,
    RefundIn,
)

__all__ = ["OrderController"]

READ = [requires("orders:read")]
WRITE = [requires("orders:write")]
OrderId = FromPath[uuid.UUID]


class OrderController(Controller):
    path = "/v1/orders"
    tags = ["orders"]

    @post(
        "/", guards=WRITE, summary="Create an order (open, priced as a quote, with its tax by rate)"
    )
    async def create_order(
        self, actor: CurrentActor, data: JSONBody[OrderIn], request: Request[Any, Any, Any]
    ) -> OrderOut:
        return await service.create_order(
            actor, data, plugins=request.app.state.plugins, engine=request.app.state.engine
        )

    @get("/", guards=READ, summary="List orders by store, channel, status, member and time")
    async def list_orders(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        channel: FromQuery[Channel | None] = None,
        status: FromQuery[OrderStatus | None] = None,
        member_id: FromQuery[uuid.UUID | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> OrderPage:
        return await service.list_orders(
            actor,
            limit=limit,
            cursor=cursor,
            store_id=store_id,
            channel=channel,
            status=status,
            member_id=member_id,
            since=since,
            until=until,
        )

    @get("/{order_id:uuid}", guards=READ, summary="One order with its lines, payments, refunds")
    async def get_order(self, actor: CurrentActor, order_id: OrderId) -> OrderOut:
        return await service.get_order(actor, order_id)

    @post(
        "/{order_id:uuid}/pay",
        guards=WRITE,
        status_code=200,
        summary="Pay an open order: cash (with change), card, stripe; writes the sale movements",
    )
    async def pay_order(
        self,
        actor: CurrentActor,
        order_id: OrderId,
        data: JSONBody[PayIn],
        request: Request[Any, Any, Any],
    ) -> OrderOut:
        return await payment.pay_order(
            actor,
            order_id,
            data,
            plugins=request.app.state.plugins,
            engine=request.app.state.engine,
        )

    @post(
        "/{order_id:uuid}/fulfil",
        guards=WRITE,
        status_code=200,
        summary="Hand a paid order over (collected, delivered)",
    )
    async def fulfil_order(
        self, actor: CurrentActor, order_id: OrderId, data: JSONBody[ActionIn | None] = None
    ) -> OrderOut:
        return await service.fulfil_order(actor, order_id, data)

    @post("/{order_id:uuid}/cancel", guards=WRITE, status_code=200, summary="Cancel an open order")
    async def cancel_order(
        self, actor: CurrentActor, order_id: OrderId, data: JSONBody[ActionIn | None] = None
    ) -> OrderOut:
        return await service.cancel_order(actor, order_id, data)

    @post(
        "/{order_id:uuid}/refunds",
        guards=WRITE,
        status_code=200,
        summary="Refund (part of) a paid order; returned goods go back to stock or to losses",
    )
    async def refund_order(
        self, actor: CurrentActor, order_id: OrderId, data: JSONBody[RefundIn]
    ) -> OrderOut:
        return await refunds.refund_order(actor, order_id, data)
