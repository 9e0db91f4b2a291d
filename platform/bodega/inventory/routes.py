"""REST for inventory: levels, the movement ledger, lots, reorder points."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, get, post, put
from bodega.inventory import service
from bodega.inventory.schemas import (
    LotPage,
    ManualMovementIn,
    MovementBatch,
    MovementKind,
    MovementPage,
    ReorderPointsIn,
    StockLevelOut,
    StockLevelPage,
)

__all__ = ["StockController"]

READ = [requires("inventory:read")]
WRITE = [requires("inventory:write")]


class StockController(Controller):
    path = "/v1"
    tags = ["inventory"]

    @get("/stock-levels", guards=READ, summary="Stock on hand, by store, product or low stock")
    async def list_levels(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        product_id: FromQuery[uuid.UUID | None] = None,
        low: FromQuery[bool | None] = None,
    ) -> StockLevelPage:
        return await service.list_levels(
            actor, limit=limit, cursor=cursor, store_id=store_id, product_id=product_id, low=low
        )

    @put(
        "/stores/{store_id:uuid}/reorder-points",
        guards=WRITE,
        summary="Set reorder points of a store's products (null removes one)",
    )
    async def set_reorder_points(
        self, actor: CurrentActor, store_id: FromPath[uuid.UUID], data: JSONBody[ReorderPointsIn]
    ) -> list[StockLevelOut]:
        return await service.set_reorder_points(actor, store_id, data)

    @get("/stock-movements", guards=READ, summary="The stock ledger, oldest first")
    async def list_movements(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        product_id: FromQuery[uuid.UUID | None] = None,
        kind: FromQuery[MovementKind | None] = None,
        source_id: FromQuery[uuid.UUID | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> MovementPage:
        return await service.list_movements(
            actor,
            limit=limit,
            cursor=cursor,
            store_id=store_id,
            product_id=product_id,
            kind=kind,
            source_id=source_id,
            since=since,
            until=until,
        )

    @post(
        "/stock-movements",
        guards=WRITE,
        summary="Record a delivery without a purchase order, or a correction with its reason",
    )
    async def record_movements(
        self, actor: CurrentActor, data: JSONBody[ManualMovementIn]
    ) -> MovementBatch:
        return await service.record_movements(actor, data)

    @get("/stock-lots", guards=READ, summary="Lots of fresh goods in stock, by expiry")
    async def list_lots(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        product_id: FromQuery[uuid.UUID | None] = None,
        expires_before: FromQuery[date | None] = None,
    ) -> LotPage:
        return await service.list_lots(
            actor,
            limit=limit,
            cursor=cursor,
            store_id=store_id,
            product_id=product_id,
            expires_before=expires_before,
        )
