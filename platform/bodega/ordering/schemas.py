"""What the orders API accepts and returns.

Money is integer minor units of the chain's currency; prices are tax-inclusive. Quantities
are Decimals: whole numbers for products sold by the piece, up to 3 decimals (kg) for
weighed goods.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from bodega.api.channels import CHANNELS, Channel
from bodega.api.money import Money, PositiveMoney, TaxLineOut
from bodega.api.pagination import named_page
from bodega.api.quantities import Quantity
from bodega.pricing.quote_schemas import AdjustmentOut, LineAdjustmentOut

__all__ = [
    "CHANNELS",
    "STATUSES",
    "ActionIn",
    "Channel",
    "OrderIn",
    "OrderLineIn",
    "OrderLineOut",
    "OrderOut",
    "OrderPage",
    "OrderStatus",
    "PayIn",
    "PaymentIn",
    "PaymentMethod",
    "PaymentOut",
    "RefundAllocationOut",
    "RefundIn",
    "RefundLineIn",
    "RefundLineOut",
    "RefundOut",
    "TaxLineOut",
]

OrderStatus = Literal["open", "paid", "fulfilled", "cancelled", "partially_refunded", "refunded"]
STATUSES: tuple[str, ...] = (
    "open",
    "paid",
    "fulfilled",
    "cancelled",
    "partially_refunded",
    "refunded",
)
PaymentMethod = Literal["cash", "card", "stripe", "wallet", "points"]

Percent = Annotated[
    str,
    Meta(
        pattern=r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
        description='A percentage as a decimal string, e.g. "10" or "12.5" (0-100, 2 decimals).',
    ),
]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Note = Annotated[str, Meta(max_length=500)]
Reference = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=255,
        description="The payment's id at its processor: card terminal transaction, PaymentIntent.",
    ),
]


class OrderLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    unit_price: Money | None = None
    """Tax-inclusive price per unit (per kg). Omitted: priced as ``POST /v1/quotes`` prices it
    (price lists, markdowns, promotions). Given: kept as an override (``price_overridden``):
    no markdown, and exclusive promotions pass the line by."""
    lot_code: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    """The lot on the item's label, for markdowns by expiry (default: the next lot to sell)."""
    discount_amount: Money | None = None
    """The cashier's discount off the line, in minor units, after promotions; at most what is
    left of the line."""
    discount_percent: Percent | None = None
    """The cashier's discount off what is left of the line after promotions, in percent
    (rounded half up to the minor unit). Not with ``discount_amount``."""


class OrderIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    channel: Channel
    store_id: uuid.UUID
    lines: Annotated[list[OrderLineIn], Meta(min_length=1, max_length=500)]
    member_id: uuid.UUID | None = None
    note: Note = ""
    """The customer's note ("no bag", "ring twice")."""
    promised_at: datetime | None = None
    """When the customer collects (pickup) or receives (delivery) the order, with its UTC
    offset. Required for pickup and delivery, refused for pos."""
    external_ref: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    """The order's id on another system (a delivery platform, the till's own number)."""


class PaymentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    method: PaymentMethod
    amount: PositiveMoney
    """For cash, what the customer handed over: any excess over the order's total is change.
    For points, the money the member's points pay (the chain's rate turns it into points)."""
    reference: Reference | None = None
    """Required for card (terminal transaction) and stripe (PaymentIntent id). Not for points:
    Bodega sets it to the id of the points ledger entry that paid."""


class PayIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    payments: Annotated[list[PaymentIn], Meta(max_length=10)]
    version: Version | None = None
    """The order's version you read; a stale one is a 409. Omitted: not checked."""
    fulfil: bool = False
    """Hand the goods over at once (a till sale): the order ends ``fulfilled``."""


class ActionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of fulfil and cancel (both fields optional; an empty body is fine)."""

    version: Version | None = None
    reason: Note = ""


class RefundLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    line_id: uuid.UUID
    quantity: Quantity
    restock: bool = True
    """True: the goods go back on the shelf (a ``return`` movement). False: they come back
    damaged (a ``return`` and a ``loss`` of reason ``damaged``, which net out)."""


class RefundIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lines: Annotated[list[RefundLineIn], Meta(max_length=500)] | None = None
    """What comes back. Omitted: everything not refunded yet, restocked. Empty: no goods, money
    only (``amount`` then required)."""
    amount: PositiveMoney | None = None
    """Refund this much instead of the lines' value; never more than paid minus refunded."""
    reason: Note = ""
    version: Version | None = None


class OrderLineOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    quantity: Decimal
    list_price: Money
    unit_price: Money
    price_overridden: bool
    discount_percent: Decimal | None
    gross: Money
    """round_half_up(quantity * unit_price)."""
    discount: Money
    total: Money
    """gross - discount."""
    tax_rate: Decimal
    refunded_quantity: Decimal
    refunded_amount: Money
    adjustments: list[LineAdjustmentOut]
    """The markdown, promotions and plugins' discounts on this line (``discount`` is their sum
    plus the cashier's own discount)."""


class PaymentOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    method: str
    amount: Money
    """What the payment contributes to the order's total (cash: tendered minus change)."""
    tendered: Money
    """What was handed over (differs from ``amount`` for cash that gets change)."""
    reference: str | None
    refunded: Money
    created_at: datetime


class RefundAllocationOut(msgspec.Struct, kw_only=True):
    """How much of a refund goes back through one of the order's payments."""

    payment_id: uuid.UUID
    method: str
    amount: Money


class RefundLineOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    line_id: uuid.UUID
    quantity: Decimal
    amount: Money
    restock: bool


class RefundOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    amount: Money
    reason: str
    lines: list[RefundLineOut]
    payments: list[RefundAllocationOut]
    created_by: uuid.UUID
    created_at: datetime


class OrderOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: int
    """Counts up per store: what the receipt prints and the pickup counter calls."""
    store_id: uuid.UUID
    channel: str
    status: str
    member_id: uuid.UUID | None
    note: str
    external_ref: str | None
    promised_at: datetime | None
    currency: str
    subtotal: Money
    """Sum of the lines' gross amounts."""
    discount_total: Money
    total: Money
    """subtotal - discount_total: what the customer pays, tax included."""
    tax_total: Money
    taxes: list[TaxLineOut]
    adjustments: list[AdjustmentOut]
    """How the order was priced: markdowns, promotions and plugins' discounts with their
    reasons, as quoted when it was created (``POST /v1/quotes``)."""
    paid_total: Money
    change: Money
    """Cash given back when the order was paid."""
    refunded_total: Money
    lines: list[OrderLineOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    created_by: uuid.UUID
    created_at: datetime
    paid_at: datetime | None
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    version: int


OrderPage = named_page(OrderOut, "OrderPage")
