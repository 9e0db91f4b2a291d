"""What the purchasing API accepts and returns.

Money is integer minor units of the chain's currency; quantities are Decimals (whole numbers
for goods sold by the piece, up to 3 decimals for goods sold by the kg).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.money import Money
from bodega.api.pagination import named_page
from bodega.api.quantities import Quantity

__all__ = [
    "CancelIn",
    "CloseIn",
    "GoodsReceiptIn",
    "GoodsReceiptLineIn",
    "GoodsReceiptLineOut",
    "GoodsReceiptOut",
    "GoodsReceiptPage",
    "PurchaseOrderIn",
    "PurchaseOrderLineIn",
    "PurchaseOrderLineOut",
    "PurchaseOrderOut",
    "PurchaseOrderPage",
    "PurchaseOrderStatus",
    "PurchaseOrderUpdate",
    "PurchaseWarning",
    "SendIn",
]

PurchaseOrderStatus = Literal["draft", "sent", "partially_received", "received", "cancelled"]
Note = Annotated[str, Meta(max_length=1000)]
Reason = Annotated[str, Meta(max_length=500)]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Source = Annotated[
    str,
    Meta(
        pattern=r"^[a-z][a-z0-9_.-]{0,31}$",
        description='Where the order came from: "manual" (default), "suggestion", "api"...',
    ),
]
LotCode = Annotated[
    str, Meta(pattern=r"^[A-Za-z0-9._/-]{1,64}$", description="The supplier's lot or batch code.")
]


class PurchaseOrderLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    """In the product's unit; a multiple of its case pack unless it is sold by the kg."""
    unit_cost: Money | None = None
    """What one unit (one kg) costs; defaults to the product's cost price."""


Lines = Annotated[list[PurchaseOrderLineIn], Meta(max_length=500)]


class PurchaseOrderIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    supplier_id: uuid.UUID
    store_id: uuid.UUID
    """Where the goods are delivered."""
    expected_on: date | None = None
    """Delivery date; default: the supplier's next order day (today in the store's time zone,
    or later) plus its lead time."""
    note: Note = ""
    lines: Lines = msgspec.field(default_factory=list)
    """A draft may start empty; it needs lines to be sent. Each product once."""
    source: Source = "manual"
    suggestion_run_id: uuid.UUID | None = None
    """The suggested store order this purchase order was made from, if any."""


class PurchaseOrderUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a draft; ``lines``, when sent, replace all the lines."""

    version: Version
    supplier_id: uuid.UUID | UnsetType = UNSET
    store_id: uuid.UUID | UnsetType = UNSET
    expected_on: date | UnsetType = UNSET
    note: Note | UnsetType = UNSET
    lines: Lines | UnsetType = UNSET


class SendIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version


class CancelIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    reason: Reason = ""


class CloseIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    reason: Reason = ""
    """Why the rest is not coming (the supplier ran out, ...)."""


class PurchaseWarning(msgspec.Struct, kw_only=True):
    """Something worth knowing that did not stop the action."""

    code: str
    """``not_an_order_day``, ``expected_on_moved`` or ``shorter_than_lead_time``."""
    message: str


class PurchaseOrderLineOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    position: int
    product_id: uuid.UUID
    quantity: Decimal
    unit_cost: Money
    total: Money
    """``quantity x unit_cost``, rounded half up."""
    received: Decimal
    """Accepted into stock so far."""
    rejected: Decimal
    """Turned away at delivery so far: not expected again."""
    open: Decimal
    """Still expected: ``quantity - received - rejected``, never below 0."""


class PurchaseOrderOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: int
    """Sequential in the chain: what to tell the supplier."""
    supplier_id: uuid.UUID
    store_id: uuid.UUID
    status: str
    expected_on: date
    note: str
    source: str
    suggestion_run_id: uuid.UUID | None
    lines: list[PurchaseOrderLineOut]
    total: Money
    received_value: Money
    """What was accepted into stock, at the lines' unit costs."""
    closed_short: bool
    """Closed with the rest not coming (``close``)."""
    reason: str
    """Why it was cancelled or closed."""
    sent_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int
    warnings: list[PurchaseWarning] = msgspec.field(default_factory=list)
    """Only in the answer to the change that raised them (sending on a day that is not one
    of the supplier's order days, ...)."""


class GoodsReceiptLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    line_id: uuid.UUID
    """The purchase order line that arrived."""
    received: Quantity
    """Accepted into stock."""
    rejected: Quantity = Decimal(0)
    """Turned away (damaged, wrong, too close to expiry): not stocked, not expected again."""
    reject_reason: Annotated[str, Meta(max_length=200)] | None = None
    lot_code: LotCode | None = None
    expires_on: date | None = None
    """With a lot code and no date, a product with a shelf life expires that many days after
    today; a date without a lot code makes a lot named after the date."""


class GoodsReceiptIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lines: Annotated[list[GoodsReceiptLineIn], Meta(min_length=1, max_length=500)]
    note: Note = ""
    over_receipt: bool = False
    """Accept more than is still open on a line (suppliers do send extra)."""


class GoodsReceiptLineOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    line_id: uuid.UUID
    product_id: uuid.UUID
    received: Decimal
    rejected: Decimal
    reject_reason: str | None
    lot_code: str | None
    expires_on: date | None
    unit_cost: Money
    value: Money
    """``received x unit_cost``, rounded half up."""
    movement_id: uuid.UUID | None
    """The stock movement that put the accepted quantity on hand."""


class GoodsReceiptOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    purchase_order_id: uuid.UUID
    store_id: uuid.UUID
    supplier_id: uuid.UUID
    lines: list[GoodsReceiptLineOut]
    total: Money
    """What was accepted, at the lines' unit costs."""
    note: str
    over_receipt: bool
    order_status: str
    """The purchase order's status after this receipt."""
    received_at: datetime
    created_by: uuid.UUID


PurchaseOrderPage = named_page(PurchaseOrderOut, "PurchaseOrderPage")
GoodsReceiptPage = named_page(GoodsReceiptOut, "GoodsReceiptPage")
