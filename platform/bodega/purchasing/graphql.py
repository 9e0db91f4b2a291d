"""GraphQL for purchasing: purchase orders, their actions and goods receipts (the REST
services). An order's receipts load through a dataloader."""

from __future__ import annotations

import uuid
from typing import Any, get_args

import strawberry
from strawberry.types import Info

from bodega.api.errors import FieldError, InvalidInput
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.purchasing import receiving, schemas, service

__all__ = ["PurchasingMutation", "PurchasingQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "purchasing:read", "purchasing:write"
STATUSES = get_args(schemas.PurchaseOrderStatus)

PurchaseWarning = object_type(schemas.PurchaseWarning, name="PurchaseWarning")
PurchaseOrderLine = object_type(schemas.PurchaseOrderLineOut, name="PurchaseOrderLine")
GoodsReceiptLine = object_type(schemas.GoodsReceiptLineOut, name="GoodsReceiptLine")
GoodsReceipt = object_type(
    schemas.GoodsReceiptOut,
    name="GoodsReceipt",
    namespace={"GoodsReceiptLineOut": GoodsReceiptLine},
)


async def _receipts(root: schemas.PurchaseOrderOut, info: InfoT) -> list[GoodsReceipt]:  # type: ignore[valid-type]
    loader = info.context.loader("purchase_order_receipts", receiving.receipts_of_orders)
    return await loader.load(root.id) or []


PurchaseOrder = object_type(
    schemas.PurchaseOrderOut,
    name="PurchaseOrder",
    namespace={"PurchaseOrderLineOut": PurchaseOrderLine, "PurchaseWarning": PurchaseWarning},
    extra={
        "receipts": strawberry.field(
            resolver=_receipts, description="The goods received against it, oldest first."
        )
    },
)
PurchaseOrderPage = page_type(PurchaseOrder, "PurchaseOrderPage")

_LINES = {
    "PurchaseOrderLineIn": input_type(schemas.PurchaseOrderLineIn, name="PurchaseOrderLineInput")
}
PurchaseOrderInput = input_type(
    schemas.PurchaseOrderIn, name="PurchaseOrderInput", namespace=_LINES
)
PurchaseOrderUpdateInput = input_type(
    schemas.PurchaseOrderUpdate, name="PurchaseOrderUpdateInput", namespace=_LINES
)
SendPurchaseOrderInput = input_type(schemas.SendIn, name="SendPurchaseOrderInput")
CancelPurchaseOrderInput = input_type(schemas.CancelIn, name="CancelPurchaseOrderInput")
ClosePurchaseOrderInput = input_type(schemas.CloseIn, name="ClosePurchaseOrderInput")
GoodsReceiptInput = input_type(
    schemas.GoodsReceiptIn,
    name="GoodsReceiptInput",
    namespace={
        "GoodsReceiptLineIn": input_type(schemas.GoodsReceiptLineIn, name="GoodsReceiptLineInput")
    },
)


def _status(status: str | None) -> str | None:
    if status is not None and status not in STATUSES:
        raise InvalidInput(
            f"status is one of {', '.join(STATUSES)}.",
            errors=[FieldError("status", "unknown status")],
        )
    return status


@strawberry.type
class PurchasingQuery:
    @strawberry.field(description="Purchase orders, oldest first, by store, supplier or status.")
    async def purchase_orders(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        supplier_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> PurchaseOrderPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_purchase_orders,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            supplier_id=supplier_id,
            status=_status(status),
        )

    @strawberry.field(description="One purchase order.")
    async def purchase_order(self, info: InfoT, id: uuid.UUID) -> PurchaseOrder:  # type: ignore[valid-type]
        return await call(info, READ, service.get_purchase_order, id)

    @strawberry.field(description="One goods receipt.")
    async def goods_receipt(self, info: InfoT, id: uuid.UUID) -> GoodsReceipt:  # type: ignore[valid-type]
        return await call(info, READ, receiving.get_goods_receipt, id)


@strawberry.type
class PurchasingMutation:
    @strawberry.mutation(description="Draft a purchase order.")
    async def create_purchase_order(
        self, info: InfoT, input: PurchaseOrderInput
    ) -> PurchaseOrder | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PurchaseOrderIn)
        return await mutate(info, WRITE, service.create_purchase_order, data)

    @strawberry.mutation(
        description="Change a draft (send its current version); lines, if given, replace all."
    )
    async def update_purchase_order(
        self, info: InfoT, id: uuid.UUID, input: PurchaseOrderUpdateInput
    ) -> PurchaseOrder | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PurchaseOrderUpdate)
        return await mutate(info, WRITE, service.update_purchase_order, id, data)

    @strawberry.mutation(description="Send a draft to the supplier; the answer may carry warnings.")
    async def send_purchase_order(
        self, info: InfoT, id: uuid.UUID, input: SendPurchaseOrderInput
    ) -> PurchaseOrder | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.SendIn)
        return await mutate(info, WRITE, service.send_purchase_order, id, data)

    @strawberry.mutation(
        description="Cancel a draft, or a sent order nothing was received against."
    )
    async def cancel_purchase_order(
        self, info: InfoT, id: uuid.UUID, input: CancelPurchaseOrderInput
    ) -> PurchaseOrder | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.CancelIn)
        return await mutate(info, WRITE, service.cancel_purchase_order, id, data)

    @strawberry.mutation(description="Close a partially received order: the rest is not coming.")
    async def close_purchase_order(
        self, info: InfoT, id: uuid.UUID, input: ClosePurchaseOrderInput
    ) -> PurchaseOrder | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.CloseIn)
        return await mutate(info, WRITE, service.close_purchase_order, id, data)

    @strawberry.mutation(description="Receive goods against a sent purchase order.")
    async def receive_purchase_order(
        self, info: InfoT, id: uuid.UUID, input: GoodsReceiptInput
    ) -> GoodsReceipt | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.GoodsReceiptIn)
        return await mutate(info, WRITE, receiving.receive_goods, id, data)
