"""What the inventory API accepts and returns, and the movements other domains post.

Quantities are Decimals (whole numbers for goods sold by the piece, kg with 3 decimals for
weighed goods); values are integer minor units of the chain's currency.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from bodega.api.pagination import named_page
from bodega.api.quantities import Quantity

__all__ = [
    "History",
    "LotOut",
    "LotPage",
    "ManualMovementIn",
    "ManualMovementLine",
    "MovementBatch",
    "MovementIn",
    "MovementKind",
    "MovementOut",
    "MovementPage",
    "ReorderPointIn",
    "ReorderPointsIn",
    "ReorderPointsSet",
    "StockLevelOut",
    "StockLevelPage",
]

MovementKind = Literal[
    "receipt", "sale", "return", "loss", "adjustment", "stocktake", "transfer_out", "transfer_in"
]
LossReason = Literal["expired", "damaged", "theft", "spoiled", "transit", "other"]
LotCode = Annotated[str, Meta(pattern=r"^[A-Za-z0-9._/-]{1,64}$", description="The lot's code.")]
Money = Annotated[int, Meta(gt=-1, le=10**12, description="Integer minor units.")]
Note = Annotated[str, Meta(max_length=500)]


class MovementIn(msgspec.Struct, kw_only=True):
    """A change to post (not an API body: orders, receipts, counts and transfers build these).

    ``quantity`` is the signed change to on hand: negative for sales, losses and transfers
    out. ``unit_cost`` None values it at the product's cost price. A receipt with a
    ``lot_code`` (and ``expires_on``) adds to that lot; a decrease of lot-tracked stock takes
    from the lot named by ``lot_id``, else from the lots that expire first.
    """

    store_id: uuid.UUID
    product_id: uuid.UUID
    kind: MovementKind
    quantity: Decimal
    reason: str | None = None
    unit_cost: int | None = None
    lot_code: str | None = None
    expires_on: date | None = None
    lot_id: uuid.UUID | None = None
    note: str = ""
    occurred_at: datetime | None = None
    """When it happened, if not now (imported history)."""


class MovementOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    store_id: uuid.UUID
    product_id: uuid.UUID
    kind: str
    quantity: Decimal
    """The signed change to on hand."""
    reason: str | None
    unit_cost: int
    value: int
    """``quantity * unit_cost``, rounded half up: what the change is worth at cost."""
    lot_id: uuid.UUID | None
    source_type: str
    """What wrote it: ``order``, ``goods_receipt``, ``loss``, ``stocktake``, ``transfer``,
    ``manual`` or ``history``."""
    source_id: uuid.UUID | None
    note: str
    actor_id: uuid.UUID
    occurred_at: datetime


class StockLevelOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    store_id: uuid.UUID
    product_id: uuid.UUID
    on_hand: Decimal
    """The sum of the product's movements in the store; negative when more was sold than
    the system knew of (a count puts it right)."""
    reorder_point: Decimal | None
    """Below it, ``inventory.low`` is emitted."""
    low: bool
    updated_at: datetime


class LotOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    store_id: uuid.UUID
    product_id: uuid.UUID
    code: str
    expires_on: date
    on_hand: Decimal
    received_at: datetime


class ManualMovementLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    """Receipts: what arrived (positive). Adjustments: the signed correction."""
    unit_cost: Money | None = None
    """Receipts: what a unit cost; defaults to the product's cost price."""
    lot_code: LotCode | None = None
    expires_on: date | None = None


class ManualMovementIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Stock that changed outside an order, purchase order, count or transfer: a delivery
    that came without a purchase order, or a correction with its reason in ``note``."""

    store_id: uuid.UUID
    kind: Literal["receipt", "adjustment"]
    note: Note = ""
    lines: Annotated[list[ManualMovementLine], Meta(min_length=1, max_length=500)]


class ReorderPointIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    reorder_point: Quantity | None
    """``null`` removes it."""


class ReorderPointsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    points: Annotated[list[ReorderPointIn], Meta(min_length=1, max_length=2000)]


class MovementBatch(msgspec.Struct, kw_only=True):
    """The data of ``stock.received`` and ``stock.adjusted``: movements recorded together."""

    id: uuid.UUID
    store_id: uuid.UUID
    note: str
    movements: list[MovementOut]


class ReorderPointsSet(msgspec.Struct, kw_only=True):
    """The data of ``stock.reorder_points_set``."""

    store_id: uuid.UUID
    levels: list[StockLevelOut]


class History(msgspec.Struct, kw_only=True):
    """A product's daily sales and closing stock in a store, for forecasting: index 0 is
    ``start``, one entry per day of the store's calendar. Floats, because they feed
    statistics, never money."""

    start: date
    sold: list[float]
    """Units sold net of returns that day."""
    closing: list[float]
    """On hand at the end of the day."""


StockLevelPage = named_page(StockLevelOut, "StockLevelPage")
MovementPage = named_page(MovementOut, "MovementPage")
LotPage = named_page(LotOut, "LotPage")
