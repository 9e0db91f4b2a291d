"""What the quotes API accepts and returns: a basket priced without being saved, with every
adjustment and the reason for it, and the promotions that did not apply and why."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from bodega.api.channels import Channel
from bodega.api.money import Money, TaxLineOut
from bodega.api.quantities import Quantity

__all__ = [
    "AdjustmentKind",
    "AdjustmentLineOut",
    "AdjustmentOut",
    "LineAdjustmentOut",
    "NotAppliedOut",
    "PluginAdjustment",
    "PriceSourceOut",
    "QuoteIn",
    "QuoteLineIn",
    "QuoteLineOut",
    "QuoteOut",
]

AdjustmentKind = Literal["markdown", "promotion", "plugin"]
LotCode = Annotated[str, Meta(min_length=1, max_length=64)]


class QuoteLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Quantity
    lot_code: LotCode | None = None
    """The lot on the item's label, for markdowns by expiry. Omitted: the store's next lot to
    sell (first expiry first out)."""


class QuoteIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    store_id: uuid.UUID
    lines: Annotated[list[QuoteLineIn], Meta(min_length=1, max_length=500)]
    channel: Channel = "pos"
    member_id: uuid.UUID | None = None
    """The member buying: member prices and member-only promotions apply."""
    at: datetime | None = None
    """When the basket is bought, with its UTC offset (default: now). Quote tonight's
    markdowns or next week's promotions ahead of time."""


class PriceSourceOut(msgspec.Struct, kw_only=True):
    """Where the line's regular price comes from."""

    type: Literal["price_list", "store_price", "list_price"]
    id: uuid.UUID | None = None
    """The price list, or the price change that set the store price."""
    name: str | None = None


class LineAdjustmentOut(msgspec.Struct, kw_only=True):
    kind: AdjustmentKind
    source_id: uuid.UUID | None
    """The markdown rule or promotion (none for a plugin's)."""
    name: str
    amount: Money
    """Off this line."""


class QuoteLineOut(msgspec.Struct, kw_only=True):
    position: int
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    quantity: Decimal
    list_price: Money
    """The catalog's list price."""
    regular_price: Money
    """What the store charges for it today, before markdowns and promotions."""
    price_source: PriceSourceOut
    unit_price: Money
    """The price per unit (per kg) charged: the regular price, or the marked-down one."""
    gross: Money
    """round_half_up(quantity * unit_price)."""
    discount: Money
    """Promotions' and plugins' share of this line."""
    total: Money
    """gross - discount."""
    was_price: Money | None
    """With a reduction (markdown, promotion or price list below the regular price): the lowest
    price of the prior 30 days in this store (EU Omnibus rule), to show as "was"."""
    tax_rate: Decimal
    lot_code: str | None = None
    """The lot a markdown by expiry was worked out for."""
    adjustments: list[LineAdjustmentOut]
    warnings: list[str]
    """E.g. the lot has expired: it should not be sold."""


class AdjustmentLineOut(msgspec.Struct, kw_only=True):
    position: int
    amount: Money


class AdjustmentOut(msgspec.Struct, kw_only=True):
    """One markdown, promotion or plugin discount, what it took off each line, and why."""

    kind: AdjustmentKind
    source_id: uuid.UUID | None
    name: str
    amount: Money
    reason: str
    """In a cashier's words: "Buy 1 get 1 free: 2 free", "Spend 100.00, get 20.00 off: spent
    123.40"."""
    lines: list[AdjustmentLineOut]
    plugin: str | None = None


class NotAppliedOut(msgspec.Struct, kw_only=True):
    """A promotion that concerns the basket (it has qualifying items) but gave nothing."""

    promotion_id: uuid.UUID | None
    name: str
    code: str
    """blocked, below_threshold, not_enough_units, no_reward_items, excluded, nothing_off,
    not_countable, plugin_failed."""
    reason: str
    plugin: str | None = None


class QuoteOut(msgspec.Struct, kw_only=True):
    store_id: uuid.UUID
    channel: Channel
    member_id: uuid.UUID | None
    at: datetime
    currency: str
    lines: list[QuoteLineOut]
    adjustments: list[AdjustmentOut]
    not_applied: list[NotAppliedOut]
    regular_total: Money
    """What the basket costs at regular prices."""
    subtotal: Money
    """The lines' gross (after markdowns)."""
    discount_total: Money
    total: Money
    """subtotal - discount_total: what the customer pays."""
    savings: Money
    """regular_total - total."""
    taxes: list[TaxLineOut]


class PluginAdjustment(msgspec.Struct, kw_only=True):
    """What a plugin's ``bodega_quote_adjustments`` returns, one per line it discounts."""

    position: int
    """The line's position in the quote (1-based)."""
    amount: int
    """Off the line, in minor units (> 0); capped at what is left of the line."""
    name: str
    reason: str = ""
