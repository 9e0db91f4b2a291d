"""GraphQL for inventory: levels, the ledger, lots, reorder points, losses and their report,
stocktakes (with their variance) and transfers; the same services as REST."""

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
from bodega.inventory import losses, schemas, service, stocktakes, transfers

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

Loss = object_type(schemas.LossOut, namespace={"MovementOut": StockMovement}, name="Loss")
LossPage = page_type(Loss, "LossPage")
LossGroup = object_type(schemas.LossGroup, name="LossGroup")
LossReport = object_type(schemas.LossReport, namespace={"LossGroup": LossGroup}, name="LossReport")
LossLineInput = input_type(schemas.LossLineIn, name="LossLineInput")
LossInput = input_type(schemas.LossIn, name="LossInput", namespace={"LossLineIn": LossLineInput})

StocktakeTotals = object_type(schemas.StocktakeTotals, name="StocktakeTotals")
VarianceLine = object_type(schemas.VarianceLine, name="StocktakeVarianceLine")
UncountedLine = object_type(schemas.UncountedLine, name="StocktakeUncountedLine")
StocktakeVariance = object_type(
    schemas.StocktakeVariance,
    name="StocktakeVariance",
    namespace={
        "VarianceLine": VarianceLine,
        "UncountedLine": UncountedLine,
        "StocktakeTotals": StocktakeTotals,
    },
)


async def _variance(root: schemas.StocktakeOut, info: InfoT) -> StocktakeVariance:  # type: ignore[valid-type]
    return await call(info, READ, stocktakes.stocktake_variance, root.id)


Stocktake = object_type(
    schemas.StocktakeOut,
    name="Stocktake",
    namespace={"StocktakeTotals": StocktakeTotals},
    extra={
        "variance": strawberry.field(
            resolver=_variance,
            description="Expected, counted and variance per product; what is uncounted.",
        )
    },
)
StocktakePage = page_type(Stocktake, "StocktakePage")
CountedLine = object_type(schemas.CountedLine, name="StocktakeCountedLine")
StocktakeCounts = object_type(
    schemas.StocktakeCounts, name="StocktakeCounts", namespace={"CountedLine": CountedLine}
)
StocktakeInput = input_type(schemas.StocktakeIn, name="StocktakeInput")
StocktakeCountInput = input_type(schemas.StocktakeCountIn, name="StocktakeCountInput")
StocktakeCountsInput = input_type(
    schemas.StocktakeCountsIn,
    name="StocktakeCountsInput",
    namespace={"StocktakeCountIn": StocktakeCountInput},
)
StocktakePostInput = input_type(schemas.StocktakePostIn, name="StocktakePostInput")

TransferLine = object_type(schemas.TransferLineOut, name="TransferLine")
Transfer = object_type(
    schemas.TransferOut, name="Transfer", namespace={"TransferLineOut": TransferLine}
)
TransferPage = page_type(Transfer, "TransferPage")
TransferLineInput = input_type(schemas.TransferLineIn, name="TransferLineInput")
TransferInput = input_type(
    schemas.TransferIn, name="TransferInput", namespace={"TransferLineIn": TransferLineInput}
)
TransferReceiptLineInput = input_type(schemas.TransferReceiptLine, name="TransferReceiptLineInput")
TransferReceiptInput = input_type(
    schemas.TransferReceiptIn,
    name="TransferReceiptInput",
    namespace={"TransferReceiptLine": TransferReceiptLineInput},
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

    @strawberry.field(description="Losses, by store, reason or time.")
    async def losses(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        reason: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> LossPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            losses.list_losses,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            reason=reason,
            since=since,
            until=until,
        )

    @strawberry.field(description="One loss, with its movements.")
    async def loss(self, info: InfoT, id: uuid.UUID) -> Loss:  # type: ignore[valid-type]
        return await call(info, READ, losses.get_loss, id)

    @strawberry.field(
        description=(
            "Every loss movement from since to until (dates in the chain's time zone, until "
            "included; or ISO date-times, until excluded) at cost, grouped by store, category, "
            "reason or product."
        )
    )
    async def loss_report(
        self,
        info: InfoT,
        since: str,
        until: str,
        group_by: str = "reason",
        store_id: uuid.UUID | None = None,
    ) -> LossReport:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            losses.loss_report,
            since=since,
            until=until,
            group_by=group_by,
            store_id=store_id,
        )

    @strawberry.field(description="Stocktakes, by store or status.")
    async def stocktakes(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> StocktakePage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            stocktakes.list_stocktakes,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            status=status,
        )

    @strawberry.field(description="One stocktake.")
    async def stocktake(self, info: InfoT, id: uuid.UUID) -> Stocktake:  # type: ignore[valid-type]
        return await call(info, READ, stocktakes.get_stocktake, id)

    @strawberry.field(description="Transfers, by store (either side) or status.")
    async def transfers(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> TransferPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            transfers.list_transfers,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            status=status,
        )

    @strawberry.field(description="One transfer.")
    async def transfer(self, info: InfoT, id: uuid.UUID) -> Transfer:  # type: ignore[valid-type]
        return await call(info, READ, transfers.get_transfer, id)


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

    @strawberry.mutation(description="Write off stock lost in a store.")
    async def record_loss(self, info: InfoT, input: LossInput) -> Loss | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, losses.record_loss, from_input(input, schemas.LossIn))

    @strawberry.mutation(description="Open a count of a store (all products or some categories).")
    async def open_stocktake(self, info: InfoT, input: StocktakeInput) -> Stocktake | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.StocktakeIn)
        return await mutate(info, WRITE, stocktakes.open_stocktake, data)

    @strawberry.mutation(description="Add (or set) counted quantities from a handheld.")
    async def record_stocktake_counts(
        self, info: InfoT, id: uuid.UUID, input: StocktakeCountsInput
    ) -> StocktakeCounts | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.StocktakeCountsIn)
        return await mutate(info, WRITE, stocktakes.record_counts, id, data)

    @strawberry.mutation(description="Post a stocktake's variances to the ledger (once).")
    async def post_stocktake(
        self, info: InfoT, id: uuid.UUID, input: StocktakePostInput | None = None
    ) -> Stocktake | None:  # type: ignore[valid-type]
        data = None if input is None else from_input(input, schemas.StocktakePostIn)
        return await mutate(info, WRITE, stocktakes.post_stocktake, id, data)

    @strawberry.mutation(description="Cancel an open stocktake; nothing is posted.")
    async def cancel_stocktake(self, info: InfoT, id: uuid.UUID) -> Stocktake | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, stocktakes.cancel_stocktake, id)

    @strawberry.mutation(description="Send stock to another store: it leaves the origin now.")
    async def send_transfer(self, info: InfoT, input: TransferInput) -> Transfer | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.TransferIn)
        return await mutate(info, WRITE, transfers.send_transfer, data)

    @strawberry.mutation(
        description="Receive a transfer (omit input: all as sent); a shortfall is a transit loss."
    )
    async def receive_transfer(
        self, info: InfoT, id: uuid.UUID, input: TransferReceiptInput | None = None
    ) -> Transfer | None:  # type: ignore[valid-type]
        data = None if input is None else from_input(input, schemas.TransferReceiptIn)
        return await mutate(info, WRITE, transfers.receive_transfer, id, data)

    @strawberry.mutation(description="Cancel a transfer in transit: the goods go back.")
    async def cancel_transfer(self, info: InfoT, id: uuid.UUID) -> Transfer | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, transfers.cancel_transfer, id)
