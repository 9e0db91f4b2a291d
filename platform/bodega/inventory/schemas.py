"""What the inventory API accepts and returns, and the movements other domains post.

Quantities are Decimals (whole numbers for goods sold by the piece, kg with 3 decimals for
weighed goods); values are integer minor units of the chain's currency, at cost.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from bodega.api.money import Money
from bodega.api.pagination import named_page
from bodega.api.quantities import Quantity

__all__ = [
    "CountedLine",
    "History",
    "LossGroup",
    "LossGroupBy",
    "LossIn",
    "LossLineIn",
    "LossOut",
    "LossPage",
    "LossReason",
    "LossReport",
    "LotOut",
    "LotPage",
    "ManualMovementIn",
    "ManualMovementLine",
    "MovementBatch",
    "MovementIn",
    "MovementKind",
    "MovementOut",
    "MovementPage",
    "RecordedLossReason",
    "ReorderPointIn",
    "ReorderPointsIn",
    "ReorderPointsSet",
    "StockLevelOut",
    "StockLevelPage",
    "StocktakeCountIn",
    "StocktakeCounts",
    "StocktakeCountsIn",
    "StocktakeIn",
    "StocktakeOut",
    "StocktakePage",
    "StocktakePostIn",
    "StocktakeStatus",
    "StocktakeTotals",
    "StocktakeVariance",
    "TransferIn",
    "TransferLineIn",
    "TransferLineOut",
    "TransferOut",
    "TransferPage",
    "TransferReceiptIn",
    "TransferReceiptLine",
    "TransferStatus",
    "UncountedLine",
    "VarianceLine",
]

MovementKind = Literal[
    "receipt", "sale", "return", "loss", "adjustment", "stocktake", "transfer_out", "transfer_in"
]
LossReason = Literal["expired", "damaged", "theft", "spoiled", "transit", "other"]
"""Why stock was lost; ``transit`` is written by a transfer received short, never by hand."""
RecordedLossReason = Literal["expired", "damaged", "theft", "spoiled", "other"]
LossGroupBy = Literal["store", "category", "reason", "product"]
StocktakeStatus = Literal["open", "posted", "cancelled"]
TransferStatus = Literal["in_transit", "received", "cancelled"]
LotCode = Annotated[str, Meta(pattern=r"^[A-Za-z0-9._/-]{1,64}$", description="The lot's code.")]
Note = Annotated[str, Meta(max_length=500)]
Amount = Annotated[
    int, Meta(ge=-(10**15), le=10**15, description="Integer minor units at cost (may be negative).")
]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]


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
    unit_cost: Amount
    value: Amount
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


# Losses ------------------------------------------------------------------------------------


class LossLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    """What was lost (positive): it leaves the store's stock."""
    lot_id: uuid.UUID | None = None
    """Take it from this lot (an expired batch); else from the lots that expire first."""


class LossIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Stock thrown away, broken or stolen, written off at cost."""

    store_id: uuid.UUID
    reason: RecordedLossReason
    note: Note = ""
    """Required with the reason ``other``."""
    lines: Annotated[list[LossLineIn], Meta(min_length=1, max_length=500)]


class LossOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    store_id: uuid.UUID
    reason: str
    """``expired``, ``damaged``, ``theft``, ``spoiled``, ``other``, or ``transit`` for what a
    transfer lost on the way."""
    note: str
    value: Amount
    """What the loss cost, at cost price (positive minor units)."""
    transfer_id: uuid.UUID | None
    """The transfer that arrived short (reason ``transit``)."""
    recorded_by: uuid.UUID
    occurred_at: datetime
    movements: list[MovementOut]
    """Its ``loss`` movements (negative quantities), one per line and lot."""


class LossGroup(msgspec.Struct, kw_only=True):
    key: str | None
    """The store, category or product id, or the reason; ``null`` for products without a
    category."""
    label: str
    """A name to show: the store's code and name, the category's or product's name."""
    quantity: Decimal
    """Units (or kg) lost; mixed units when the group holds both."""
    value: Amount
    """At cost, in minor units."""
    share: Decimal
    """Percent of the period's loss value (of its quantity when nothing had a cost)."""


class LossReport(msgspec.Struct, kw_only=True):
    """Every loss movement of the period, whatever wrote it (a loss, a refund of damaged
    goods, a transfer received short), summed by group, largest value first."""

    since: datetime
    until: datetime
    """Exclusive."""
    group_by: str
    store_id: uuid.UUID | None
    quantity: Decimal
    value: Amount
    groups: list[LossGroup]


# Stocktakes --------------------------------------------------------------------------------


class StocktakeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Open a count of a store: every product, or those of some categories."""

    store_id: uuid.UUID
    category_ids: Annotated[list[uuid.UUID], Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    """Count these categories and their subcategories; empty counts every product."""
    note: Note = ""


class StocktakeCountIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    """What was counted (zero is a count: the shelf is empty)."""


class StocktakeCountsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A batch of counts from a handheld. Send an ``Idempotency-Key``: a retried ``add``
    batch must not count twice."""

    counts: Annotated[list[StocktakeCountIn], Meta(min_length=1, max_length=2000)]
    mode: Literal["add", "set"] = "add"
    """``add`` to what was counted before (shelf and back room counted apart); ``set`` to
    replace it (a recount)."""


class StocktakePostIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    zero_uncounted: bool = False
    """Write the products in scope that nobody counted to zero; else leave them as they are."""
    version: Version | None = None
    """Post only if no count came in since you read this version of the stocktake."""


class StocktakeTotals(msgspec.Struct, kw_only=True):
    products_counted: int
    products_zeroed: int
    """Uncounted products written to zero (``zero_uncounted``)."""
    products_uncounted: int
    """Uncounted products left unchanged."""
    shortage_value: Amount
    """At cost: what is missing (positive minor units)."""
    surplus_value: Amount
    """At cost: what was found beyond the books."""
    net_value: Amount
    """``surplus_value - shortage_value``."""


class StocktakeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    store_id: uuid.UUID
    status: str
    """``open``, then ``posted`` or ``cancelled``."""
    category_ids: list[uuid.UUID]
    """Empty: every product."""
    note: str
    products_counted: int
    zero_uncounted: bool
    totals: StocktakeTotals | None
    """Set when posted."""
    opened_by: uuid.UUID
    opened_at: datetime
    posted_at: datetime | None
    cancelled_at: datetime | None
    closed_by: uuid.UUID | None
    """Who posted or cancelled it."""
    version: int
    """Goes up with every batch of counts."""


class CountedLine(msgspec.Struct, kw_only=True):
    product_id: uuid.UUID
    counted: Decimal
    first_counted_at: datetime
    last_counted_at: datetime


class StocktakeCounts(msgspec.Struct, kw_only=True):
    """The products of a batch as they now stand. What the books expect is not shown to the
    counters: a blind count is an honest one."""

    stocktake_id: uuid.UUID
    version: int
    mode: str
    lines: list[CountedLine]


class VarianceLine(msgspec.Struct, kw_only=True):
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    expected: Decimal
    """On hand by the books when the product was first counted (at posting, for one
    written to zero)."""
    counted: Decimal
    variance: Decimal
    """``counted - expected``: what posting writes."""
    unit_cost: Amount
    """The product's cost price (as it was at posting, once posted)."""
    value: Amount
    """``variance * unit_cost``: negative for a shortage."""
    first_counted_at: datetime | None
    """``null`` for a product written to zero because nobody counted it."""


class UncountedLine(msgspec.Struct, kw_only=True):
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    """On hand by the books (now; at posting, once posted)."""


class StocktakeVariance(msgspec.Struct, kw_only=True):
    """What posting writes (or, once posted, wrote), product by product."""

    stocktake_id: uuid.UUID
    status: str
    lines: list[VarianceLine]
    uncounted: list[UncountedLine]
    """Products in scope the store carries (it has a stock level of them) that nobody
    counted: posting with ``zero_uncounted`` writes them to zero, else leaves them."""
    totals: StocktakeTotals


# Transfers ---------------------------------------------------------------------------------


class TransferLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    """What leaves the origin (positive)."""


class TransferIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Stock sent from one store to another of the chain; it leaves the origin at once."""

    from_store_id: uuid.UUID
    to_store_id: uuid.UUID
    note: Note = ""
    lines: Annotated[list[TransferLineIn], Meta(min_length=1, max_length=500)]


class TransferReceiptLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    """What arrived: from zero up to what was sent."""


class TransferReceiptIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lines: Annotated[list[TransferReceiptLine], Meta(max_length=500)] | None = None
    """What arrived, naming every product of the transfer once; omitted: all of it."""


class TransferLineOut(msgspec.Struct, kw_only=True):
    product_id: uuid.UUID
    quantity: Decimal
    """Sent."""
    received: Decimal | None
    """Arrived; ``null`` until received."""
    unit_cost: Amount
    """The product's cost price when sent: it values both sides and any loss on the way."""


class TransferOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    from_store_id: uuid.UUID
    to_store_id: uuid.UUID
    status: str
    """``in_transit``, then ``received`` or ``cancelled``."""
    note: str
    value: Amount
    """What was sent, at cost."""
    lines: list[TransferLineOut]
    loss_id: uuid.UUID | None
    """The ``transit`` loss written when it arrived short."""
    sent_by: uuid.UUID
    sent_at: datetime
    received_by: uuid.UUID | None
    received_at: datetime | None
    cancelled_by: uuid.UUID | None
    cancelled_at: datetime | None
    version: int


StockLevelPage = named_page(StockLevelOut, "StockLevelPage")
MovementPage = named_page(MovementOut, "MovementPage")
LotPage = named_page(LotOut, "LotPage")
LossPage = named_page(LossOut, "LossPage")
StocktakePage = named_page(StocktakeOut, "StocktakePage")
TransferPage = named_page(TransferOut, "TransferPage")
