"""GraphQL for inventory: levels, the ledger, lots and reorder points (the REST services)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.inventory import schemas, service

__all__ = ["InventoryMutation", "InventoryQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "inventory:read", "inventory:write"

StockLevel = object_type(schemas.StockLevelOut)
StockLevelPage = page_type(StockLevel, "StockLevelPage")
StockMovement = object_type(schemas.MovementOut, name="StockMovement")
StockMovementPage = page_type(StockMovement, "StockMovementPage")
StockLot = object_type(schemas.LotOut, name="StockLot")
StockLotPage = page_type(StockLot, "StockLotPage")
MovementBatch = object_type(
    schemas.MovementBatch, namespace={"MovementOut": StockMovement}, name="MovementBatch"
)

ManualMovementLineInput = input_type(schemas.ManualMovementLine, name="ManualMovementLineInput")
ManualMovementInput = input_type(
    schemas.ManualMovementIn,
    name="ManualMovementInput",
    namespace={"ManualMovementLine": ManualMovementLineInput},
)
ReorderPointInput = input_type(schemas.ReorderPointIn, name="ReorderPointInput")
ReorderPointsInput = input_type(
    schemas.ReorderPointsIn,
    name="ReorderPointsInput",
    namespace={"ReorderPointIn": ReorderPointInput},
)


@strawberry.type
class InventoryQuery:
    @strawberry.field(description="Stock on hand, by store, product or low stock.")
    async def stock_levels(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        product_id: uuid.UUID | None = None,
        low: bool | None = None,
    ) -> StockLevelPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_levels,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            product_id=product_id,
            low=low,
        )

    @strawberry.field(description="The stock ledger, oldest first.")
    async def stock_movements(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        product_id: uuid.UUID | None = None,
        kind: str | None = None,
        source_id: uuid.UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> StockMovementPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_movements,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            product_id=product_id,
            kind=kind,
            source_id=source_id,
            since=since,
            until=until,
        )

    @strawberry.field(description="Lots of fresh goods in stock, by expiry.")
    async def stock_lots(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        product_id: uuid.UUID | None = None,
        expires_before: date | None = None,
    ) -> StockLotPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_lots,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            product_id=product_id,
            expires_before=expires_before,
        )


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(description="Record a delivery without a purchase order, or a correction.")
    async def record_stock_movements(
        self, info: InfoT, input: ManualMovementInput
    ) -> MovementBatch | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.ManualMovementIn)
        return await mutate(info, WRITE, service.record_movements, data)

    @strawberry.mutation(description="Set reorder points of a store's products (null removes one).")
    async def set_reorder_points(
        self, info: InfoT, store_id: uuid.UUID, input: ReorderPointsInput
    ) -> list[StockLevel] | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.ReorderPointsIn)
        return await mutate(info, WRITE, service.set_reorder_points, store_id, data)
