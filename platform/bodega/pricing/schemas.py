"""What the pricing API accepts and returns: price lists and their items, scheduled price
changes, price history.

Money is integer minor units of the chain's currency; moments carry their UTC offset.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.channels import Channel
from bodega.api.money import Money
from bodega.api.pagination import named_page

__all__ = [
    "MAX_ITEMS",
    "Audience",
    "CancelPriceChangeIn",
    "ItemCounts",
    "PriceChangeIn",
    "PriceChangeOut",
    "PriceChangePage",
    "PriceChangeStatus",
    "PriceChangedOut",
    "PriceHistoryOut",
    "PriceHistoryPage",
    "PriceListIn",
    "PriceListItemIn",
    "PriceListItemOut",
    "PriceListItemPage",
    "PriceListItemsIn",
    "PriceListOut",
    "PriceListPage",
    "PriceListStatus",
    "PriceListUpdate",
]

MAX_ITEMS = 1000
"""Items one ``PUT /v1/price-lists/{id}/items`` may set."""

Audience = Literal["everyone", "members", "tier"]
PriceListStatus = Literal["active", "archived"]
PriceChangeStatus = Literal["scheduled", "applied", "cancelled"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Note = Annotated[str, Meta(max_length=500)]
Priority = Annotated[
    int, Meta(ge=-10_000, le=10_000, description="Among equally specific lists, higher wins.")
]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Moment = Annotated[datetime, Meta(tz=True, description="A moment with its UTC offset.")]
StoreIds = Annotated[
    list[uuid.UUID],
    Meta(max_length=500, description="Stores of the chain; empty: every store."),
]
Channels = Annotated[
    list[Channel], Meta(max_length=5, description="Sales channels; empty: every channel.")
]


class PriceListIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    store_ids: StoreIds = msgspec.field(default_factory=list)
    channels: Channels = msgspec.field(default_factory=list)
    audience: Audience = "everyone"
    """``members``: its prices apply only when a member is named (member prices). ``tier``:
    only for members of a tier whose benefits name this list."""
    valid_from: Moment | None = None
    """Null: in force since ever."""
    valid_until: Moment | None = None
    """The first moment it is no longer in force; null: open-ended. After ``valid_from``."""
    priority: Priority = 0


class PriceListUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    name: Name | UnsetType = UNSET
    store_ids: StoreIds | UnsetType = UNSET
    channels: Channels | UnsetType = UNSET
    audience: Audience | UnsetType = UNSET
    valid_from: Moment | UnsetType | None = UNSET
    valid_until: Moment | UnsetType | None = UNSET
    priority: Priority | UnsetType = UNSET


class ItemCounts(msgspec.Struct, kw_only=True):
    """What one change of a price list's items did."""

    created: int
    updated: int
    removed: int


class PriceListOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    store_ids: list[uuid.UUID]
    channels: list[str]
    audience: str
    valid_from: datetime | None
    valid_until: datetime | None
    priority: int
    status: str
    item_count: int
    """How many products the list prices."""
    items_changed: ItemCounts | None = None
    """Only in the answer to (and the ``price_list.updated`` event of) a change of its items."""
    created_at: datetime
    updated_at: datetime
    """Also moves when its items change (its ``version`` does not)."""
    version: int


class PriceListItemIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    price: Money
    """Per unit (per kg for weighed goods)."""


class PriceListItemsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    items: Annotated[list[PriceListItemIn], Meta(min_length=1, max_length=MAX_ITEMS)]
    """Set (add or replace) these products' prices; other items stay."""


class PriceListItemOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    price_list_id: uuid.UUID
    product_id: uuid.UUID
    price: Money
    updated_at: datetime


class PriceChangeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    price: Money
    """The new regular price, per unit (per kg)."""
    store_ids: StoreIds = msgspec.field(default_factory=list)
    """Empty: every store (the product's list price changes)."""
    effective_at: Moment | None = None
    """When it takes effect: at most 5 minutes ago, at most a year ahead. Null: now (applied
    in the same request)."""
    note: Note = ""


class CancelPriceChangeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version


class PriceChangeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    product_id: uuid.UUID
    price: Money
    store_ids: list[uuid.UUID]
    effective_at: datetime
    status: str
    """``scheduled``, ``applied`` or ``cancelled``."""
    note: str
    created_by: uuid.UUID
    created_at: datetime
    applied_at: datetime | None
    cancelled_at: datetime | None
    version: int


class PriceChangedOut(msgspec.Struct, kw_only=True):
    """The ``price.changed`` event: a store's regular price of a product changed (what shelf
    labels show)."""

    store_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    price: Money
    previous_price: Money
    effective_at: datetime
    price_change_id: uuid.UUID


class PriceHistoryOut(msgspec.Struct, kw_only=True):
    """One regular price a store charged for a product, from when."""

    id: uuid.UUID
    store_id: uuid.UUID
    product_id: uuid.UUID
    price: Money
    effective_from: datetime
    source: str
    """``price_change``."""
    source_id: uuid.UUID | None
    """The price change."""


PriceListPage = named_page(PriceListOut, "PriceListPage")
PriceListItemPage = named_page(PriceListItemOut, "PriceListItemPage")
PriceChangePage = named_page(PriceChangeOut, "PriceChangePage")
PriceHistoryPage = named_page(PriceHistoryOut, "PriceHistoryPage")
