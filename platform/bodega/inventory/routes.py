"""REST for inventory: levels, the movement ledger, lots, reorder points, losses and the loss
report, stocktakes and transfers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, get, post, put
from bodega.inventory import losses, service, stocktakes, transfers
from bodega.inventory.schemas import (
    LossGroupBy,
    LossIn,
    LossOut,
    LossPage,
    LossReason,
    LossReport,
    LotPage,
    ManualMovementIn,
    MovementBatch,
    MovementKind,
    MovementPage,
    ReorderPointsIn,
    StockLevelOut,
    StockLevelPage,
    StocktakeCounts,
    StocktakeCountsIn,
    StocktakeIn,
    StocktakeOut,
    StocktakePage,
    StocktakePostIn,
    StocktakeStatus,
    StocktakeVariance,
    TransferIn,
    TransferOut,
    TransferPage,
    TransferReceiptIn,
    TransferStatus,
)

__all__ = ["StockController"]

READ = [requires("inventory:read")]
WRITE = [requires("inventory:write")]
Moment = Annotated[
    str,
    QueryParameter(
        max_length=40,
        description=(
            "A date (`2026-11-01`: the whole day, in the chain's time zone) or an ISO 8601 "
            "date-time (without an offset: in the chain's time zone)."
        ),
    ),
]


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

    # Losses --------------------------------------------------------------------------------

    @post("/losses", guards=WRITE, tags=["losses"], summary="Write off stock lost in a store")
    async def record_loss(self, actor: CurrentActor, data: JSONBody[LossIn]) -> LossOut:
        return await losses.record_loss(actor, data)

    @get("/losses", guards=READ, tags=["losses"], summary="Losses, by store, reason or time")
    async def list_losses(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        reason: FromQuery[LossReason | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> LossPage:
        return await losses.list_losses(
            actor,
            limit=limit,
            cursor=cursor,
            store_id=store_id,
            reason=reason,
            since=since,
            until=until,
        )

    @get("/losses/{loss_id:uuid}", guards=READ, tags=["losses"], summary="A loss, its movements")
    async def get_loss(self, actor: CurrentActor, loss_id: FromPath[uuid.UUID]) -> LossOut:
        return await losses.get_loss(actor, loss_id)

    @get(
        "/loss-report",
        guards=READ,
        tags=["losses"],
        summary="Every loss movement of a period at cost, by store, category, reason or product",
    )
    async def loss_report(
        self,
        actor: CurrentActor,
        since: FromQuery[Moment],
        until: FromQuery[Moment],
        group_by: FromQuery[LossGroupBy] = "reason",
        store_id: FromQuery[uuid.UUID | None] = None,
    ) -> LossReport:
        return await losses.loss_report(
            actor, since=since, until=until, group_by=group_by, store_id=store_id
        )

    # Stocktakes ----------------------------------------------------------------------------

    @post(
        "/stocktakes",
        guards=WRITE,
        tags=["stocktakes"],
        summary="Open a count of a store (all products or some categories)",
    )
    async def open_stocktake(
        self, actor: CurrentActor, data: JSONBody[StocktakeIn]
    ) -> StocktakeOut:
        return await stocktakes.open_stocktake(actor, data)

    @get("/stocktakes", guards=READ, tags=["stocktakes"], summary="Stocktakes, by store, status")
    async def list_stocktakes(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[StocktakeStatus | None] = None,
    ) -> StocktakePage:
        return await stocktakes.list_stocktakes(
            actor, limit=limit, cursor=cursor, store_id=store_id, status=status
        )

    @get("/stocktakes/{stocktake_id:uuid}", guards=READ, tags=["stocktakes"], summary="A stocktake")
    async def get_stocktake(
        self, actor: CurrentActor, stocktake_id: FromPath[uuid.UUID]
    ) -> StocktakeOut:
        return await stocktakes.get_stocktake(actor, stocktake_id)

    @get(
        "/stocktakes/{stocktake_id:uuid}/variance",
        guards=READ,
        tags=["stocktakes"],
        summary="Expected, counted and variance per product at cost; what is uncounted",
    )
    async def stocktake_variance(
        self, actor: CurrentActor, stocktake_id: FromPath[uuid.UUID]
    ) -> StocktakeVariance:
        return await stocktakes.stocktake_variance(actor, stocktake_id)

    @post(
        "/stocktakes/{stocktake_id:uuid}/counts",
        guards=WRITE,
        status_code=200,
        tags=["stocktakes"],
        summary="Add (or set) counted quantities from a handheld",
    )
    async def record_counts(
        self,
        actor: CurrentActor,
        stocktake_id: FromPath[uuid.UUID],
        data: JSONBody[StocktakeCountsIn],
    ) -> StocktakeCounts:
        return await stocktakes.record_counts(actor, stocktake_id, data)

    @post(
        "/stocktakes/{stocktake_id:uuid}/post",
        guards=WRITE,
        status_code=200,
        tags=["stocktakes"],
        summary="Post the variances to the ledger (once)",
    )
    async def post_stocktake(
        self,
        actor: CurrentActor,
        stocktake_id: FromPath[uuid.UUID],
        data: JSONBody[StocktakePostIn | None] = None,
    ) -> StocktakeOut:
        return await stocktakes.post_stocktake(actor, stocktake_id, data)

    @post(
        "/stocktakes/{stocktake_id:uuid}/cancel",
        guards=WRITE,
        status_code=200,
        tags=["stocktakes"],
        summary="Cancel an open stocktake; nothing is posted",
    )
    async def cancel_stocktake(
        self, actor: CurrentActor, stocktake_id: FromPath[uuid.UUID]
    ) -> StocktakeOut:
        return await stocktakes.cancel_stocktake(actor, stocktake_id)

    # Transfers -----------------------------------------------------------------------------

    @post(
        "/transfers",
        guards=WRITE,
        tags=["transfers"],
        summary="Send stock to another store: it leaves the origin now",
    )
    async def send_transfer(self, actor: CurrentActor, data: JSONBody[TransferIn]) -> TransferOut:
        return await transfers.send_transfer(actor, data)

    @get(
        "/transfers",
        guards=READ,
        tags=["transfers"],
        summary="Transfers, by store (either side) or status",
    )
    async def list_transfers(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[TransferStatus | None] = None,
    ) -> TransferPage:
        return await transfers.list_transfers(
            actor, limit=limit, cursor=cursor, store_id=store_id, status=status
        )

    @get("/transfers/{transfer_id:uuid}", guards=READ, tags=["transfers"], summary="A transfer")
    async def get_transfer(
        self, actor: CurrentActor, transfer_id: FromPath[uuid.UUID]
    ) -> TransferOut:
        return await transfers.get_transfer(actor, transfer_id)

    @post(
        "/transfers/{transfer_id:uuid}/receive",
        guards=WRITE,
        status_code=200,
        tags=["transfers"],
        summary="Receive a transfer at its destination; a shortfall is a transit loss",
    )
    async def receive_transfer(
        self,
        actor: CurrentActor,
        transfer_id: FromPath[uuid.UUID],
        data: JSONBody[TransferReceiptIn | None] = None,
    ) -> TransferOut:
        return await transfers.receive_transfer(actor, transfer_id, data)

    @post(
        "/transfers/{transfer_id:uuid}/cancel",
        guards=WRITE,
        status_code=200,
        tags=["transfers"],
        summary="Cancel a transfer in transit: the goods go back into the origin's stock",
    )
    async def cancel_transfer(
        self, actor: CurrentActor, transfer_id: FromPath[uuid.UUID]
    ) -> TransferOut:
        return await transfers.cancel_transfer(actor, transfer_id)
