"""What the replenishment API accepts and returns.

Quantities are Decimals in the product's unit; money is integer minor units; ratios
(service level, WAPE, bias) are Decimals with 4 places, never floats.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.pagination import named_page
from bodega.api.quantities import Quantity

__all__ = [
    "AccuracyGroup",
    "CalendarEntryIn",
    "CalendarEntryOut",
    "CalendarEntryPage",
    "CalendarEntryUpdate",
    "ConversionOut",
    "ConvertIn",
    "DraftedOrder",
    "ForecastAccuracyOut",
    "RunStatus",
    "SuggestionLineOut",
    "SuggestionLineUpdate",
    "SuggestionRunDetail",
    "SuggestionRunIn",
    "SuggestionRunOut",
    "SuggestionRunPage",
]

RunStatus = Literal["completed", "converted"]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Ratio = Annotated[
    Decimal,
    Meta(description='A ratio as a decimal, as a number or a string ("0.95").', examples=["0.95"]),
]
Label = Annotated[
    str, Meta(min_length=1, max_length=100, description='What the day is: "Spring Festival".')
]


class SuggestionRunIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How to compute a store's suggested order (every field has a sensible default)."""

    service_level: Ratio = Decimal("0.95")
    """Chance that the stock lasts until the next delivery: 0.5 to 0.999."""
    history_days: Annotated[int, Meta(ge=28, le=730)] = 365
    """Days of sales history the forecasts read (the last one is yesterday)."""


class SuggestionRunOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    store_id: uuid.UUID
    status: str
    """``completed`` (lines ready to review and edit) or ``converted`` (purchase orders drafted)."""
    service_level: Decimal
    history_days: int
    as_of: date
    """The last day of history read (yesterday in the store's time zone)."""
    first_day: date
    """The first day the forecasts cover (today at the store)."""
    line_count: int
    """Products of the store looked at (those with stock history in it)."""
    order_line_count: int
    """Lines with something to order (after the manager's edits)."""
    edited_count: int
    suggested_value: int
    """What the suggested quantities cost, at the products' cost prices (minor units)."""
    created_by: uuid.UUID
    created_at: datetime
    converted_by: uuid.UUID | None
    converted_at: datetime | None
    version: int


class SuggestionLineOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    run_id: uuid.UUID
    store_id: uuid.UUID
    product_id: uuid.UUID
    supplier_id: uuid.UUID | None
    classification: str
    """``smooth``, ``erratic``, ``intermittent``, ``lumpy`` or ``no_demand``."""
    first_day: date
    daily: list[Decimal]
    """The forecast of each day of the horizon, from ``first_day``."""
    suggested_quantity: Decimal
    edited_quantity: Decimal | None
    """The manager's quantity, when edited."""
    quantity: Decimal
    """What will be ordered: the edited quantity, else the suggested one."""
    edited_by: uuid.UUID | None
    edited_at: datetime | None
    unit_cost: int
    reasons: dict[str, Any]
    """Every number behind the suggestion, and ``text``: the same in words
    (docs/replenishment.md explains each)."""
    purchase_order_id: uuid.UUID | None
    version: int


class SuggestionRunDetail(SuggestionRunOut, kw_only=True):
    lines: list[SuggestionLineOut]


class SuggestionLineUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    quantity: Quantity | None
    """The quantity to order instead of the suggestion (whole cases for goods sold by the
    piece); ``null`` goes back to the suggestion."""


class ConvertIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version


class DraftedOrder(msgspec.Struct, kw_only=True):
    """A draft purchase order made from the run (see ``/v1/purchase-orders/{id}``)."""

    id: uuid.UUID
    number: int
    supplier_id: uuid.UUID
    line_count: int
    total: int


class ConversionOut(msgspec.Struct, kw_only=True):
    run: SuggestionRunOut
    purchase_orders: list[DraftedOrder]
    lines_without_supplier: int
    """Lines to order whose product names no supplier: not on any purchase order."""


class CalendarEntryIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A day that sells differently: forecasts of that day are multiplied by ``multiplier``,
    and past days are divided by it before anything is learnt from them."""

    day: date
    multiplier: Ratio
    """1.8 for a festival that sells 80 % more, 0.4 for a typhoon, 0 for a closed store."""
    label: Label
    store_id: uuid.UUID | None = None
    """One store only; ``null``: every store of the chain."""


class CalendarEntryUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    day: date | UnsetType = UNSET
    multiplier: Ratio | UnsetType = UNSET
    label: Label | UnsetType = UNSET
    store_id: uuid.UUID | UnsetType | None = UNSET


class CalendarEntryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    day: date
    store_id: uuid.UUID | None
    multiplier: Decimal
    label: str
    created_at: datetime
    version: int


class AccuracyGroup(msgspec.Struct, kw_only=True):
    classification: str
    days_compared: int
    wape: Decimal | None
    bias: Decimal | None


class ForecastAccuracyOut(msgspec.Struct, kw_only=True):
    """How past runs' forecasts compare with what then sold (see docs/replenishment.md)."""

    store_id: uuid.UUID
    since: date
    until: date
    runs: int
    days_compared: int
    """(line, day) pairs with a forecast and an in-stock day of actual sales."""
    actual: Decimal
    forecast: Decimal
    wape: Decimal | None
    """Σ|actual - forecast| / Σ actual; ``null`` when nothing sold."""
    bias: Decimal | None
    """Σ(forecast - actual) / Σ actual: above 0 the forecasts ran high."""
    lines: int
    edited_lines: int
    edit_rate: Decimal | None
    """Share of the lines whose quantity the manager changed."""
    by_classification: list[AccuracyGroup]


SuggestionRunPage = named_page(SuggestionRunOut, "SuggestionRunPage")
CalendarEntryPage = named_page(CalendarEntryOut, "DemandCalendarPage")
