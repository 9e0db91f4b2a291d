"""REST for purchasing: purchase orders, their actions, and goods receipts."""

from __future__ import annotations

import uuid

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, get, patch, post
from bodega.purchasing import receiving, service
from bodega.purchasing.schemas import (
    CancelIn,
    CloseIn,
    GoodsReceiptIn,
    GoodsReceiptOut,
    GoodsReceiptPage,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPage,
    PurchaseOrderStatus,
    PurchaseOrderUpdate,
    SendIn,
)

__all__ = ["GoodsReceiptController", "PurchaseOrderController"]

READ = [requires("purchasing:read")]
WRITE = [requires("purchasing:write")]
OrderId = FromPath[uuid.UUID]


class PurchaseOrderController(Controller):
    path = "/v1/purchase-orders"
    tags = ["purchasing"]

    @post("/", guards=WRITE, summary="Draft a purchase order")
    async def create_purchase_order(
        self, actor: CurrentActor, data: JSONBody[PurchaseOrderIn]
    ) -> PurchaseOrderOut:
        return await service.create_purchase_order(actor, data)

    @get("/", guards=READ, summary="List purchase orders, by store, supplier or status")
    async def list_purchase_orders(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        supplier_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[PurchaseOrderStatus | None] = None,
    ) -> PurchaseOrderPage:
        return await service.list_purchase_orders(
            actor,
            limit=limit,
            cursor=cursor,
            store_id=store_id,
            supplier_id=supplier_id,
            status=status,
        )

    @get("/{purchase_order_id:uuid}", guards=READ, summary="One purchase order")
    async def get_purchase_order(
        self, actor: CurrentActor, purchase_order_id: OrderId
    ) -> PurchaseOrderOut:
        return await service.get_purchase_order(actor, purchase_order_id)

    @patch(
        "/{purchase_order_id:uuid}",
        guards=WRITE,
        summary="Change a draft: supplier, store, date, note, or replace its lines",
    )
    async def update_purchase_order(
        self,
        actor: CurrentActor,
        purchase_order_id: OrderId,
        data: JSONBody[PurchaseOrderUpdate],
    ) -> PurchaseOrderOut:
        return await service.update_purchase_order(actor, purchase_order_id, data)

    @post(
        "/{purchase_order_id:uuid}/send",
        guards=WRITE,
        status_code=200,
        summary="Send a draft to the supplier (checks the minimum order; may carry warnings)",
    )
    async def send_purchase_order(
        self, actor: CurrentActor, purchase_order_id: OrderId, data: JSONBody[SendIn]
    ) -> PurchaseOrderOut:
        return await service.send_purchase_order(actor, purchase_order_id, data)

    @post(
        "/{purchase_order_id:uuid}/cancel",
        guards=WRITE,
        status_code=200,
        summary="Cancel a draft, or a sent order nothing was received against",
    )
    async def cancel_purchase_order(
        self, actor: CurrentActor, purchase_order_id: OrderId, data: JSONBody[CancelIn]
    ) -> PurchaseOrderOut:
        return await service.cancel_purchase_order(actor, purchase_order_id, data)

    @post(
        "/{purchase_order_id:uuid}/close",
        guards=WRITE,
        status_code=200,
        summary="Close a partially received order: the rest is not coming",
    )
    async def close_purchase_order(
        self, actor: CurrentActor, purchase_order_id: OrderId, data: JSONBody[CloseIn]
    ) -> PurchaseOrderOut:
        return await service.close_purchase_order(actor, purchase_order_id, data)

    @post(
        "/{purchase_order_id:uuid}/receipts",
        guards=WRITE,
        summary="Receive goods: accepted quantities go on hand at the lines' unit costs",
    )
    async def receive_goods(
        self, actor: CurrentActor, purchase_order_id: OrderId, data: JSONBody[GoodsReceiptIn]
    ) -> GoodsReceiptOut:
        return await receiving.receive_goods(actor, purchase_order_id, data)

    @get(
        "/{purchase_order_id:uuid}/receipts",
        guards=READ,
        summary="The goods receipts of a purchase order, oldest first",
    )
    async def list_goods_receipts(
        self,
        actor: CurrentActor,
        purchase_order_id: OrderId,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> GoodsReceiptPage:
        return await receiving.list_goods_receipts(
            actor, purchase_order_id, limit=limit, cursor=cursor
        )


class GoodsReceiptController(Controller):
    path = "/v1/goods-receipts"
    tags = ["purchasing"]

    @get("/{goods_receipt_id:uuid}", guards=READ, summary="One goods receipt")
    async def get_goods_receipt(
        self, actor: CurrentActor, goods_receipt_id: FromPath[uuid.UUID]
    ) -> GoodsReceiptOut:
        return await receiving.get_goods_receipt(actor, goods_receipt_id)
