"""What the catalog API accepts and returns.

Money is integer minor units of the chain's currency.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.money import Money
from bodega.api.pagination import named_page

__all__ = [
    "CategoryIn",
    "CategoryOut",
    "CategoryPage",
    "CategoryUpdate",
    "ImportResult",
    "ProductIn",
    "ProductOut",
    "ProductPage",
    "ProductUpdate",
    "StoreIn",
    "StoreOut",
    "StorePage",
    "StoreUpdate",
    "SupplierIn",
    "SupplierOut",
    "SupplierPage",
    "SupplierUpdate",
]

Code = Annotated[
    str, Meta(pattern=r"^[A-Za-z0-9._-]{1,32}$", description="Short code, unique in the chain.")
]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Timezone = Annotated[str, Meta(min_length=1, max_length=64, description="IANA time zone.")]
ClosingTime = Annotated[
    str,
    Meta(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description=(
            'Local closing time "HH:MM" in the store\'s time zone ("00:00": at midnight); '
            "null: open around the clock, or not known."
        ),
    ),
]
Sku = Annotated[
    str,
    Meta(
        pattern=r"^[A-Za-z0-9._/-]{1,64}$", description="Stock keeping unit, unique in the chain."
    ),
]
Gtin = Annotated[
    str, Meta(pattern=r"^[0-9]{8,14}$", description="GTIN-8/12/13/14 with a valid GS1 check digit.")
]
Plu = Annotated[str, Meta(pattern=r"^[0-9]{1,8}$", description="Price look-up code for scales.")]
# Integer minimums are written gt=-1: Litestar drops a minimum of 0 from OpenAPI.
TaxRate = Annotated[
    str,
    Meta(
        pattern=r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
        description=(
            'Tax rate in percent as a decimal string, e.g. "13" or "9.5" '
            "(0-100, 2 decimals at most)."
        ),
    ),
]
Days = Annotated[int, Meta(ge=1, le=3650)]
Weekday = Literal[1, 2, 3, 4, 5, 6, 7]
"""ISO weekday: 1 = Monday."""
Unit = Literal["each", "kg"]
StoreStatus = Literal["open", "closed"]
ProductStatus = Literal["active", "archived"]


class StoreIn(msgspec.Struct, kw_only=True):
    code: Code
    name: Name
    address: Annotated[str, Meta(max_length=500)] = ""
    timezone: Timezone | None = None
    """Defaults to the chain's time zone."""
    status: StoreStatus = "open"
    closes_at: ClosingTime | None = None
    """Markdowns "by hours to closing" count down to it."""


class StoreUpdate(msgspec.Struct, kw_only=True):
    version: Version
    code: Code | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    address: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET
    status: StoreStatus | UnsetType = UNSET
    closes_at: ClosingTime | UnsetType | None = UNSET


class StoreOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    address: str
    timezone: str
    status: str
    closes_at: str | None
    """Local closing time "HH:MM", or null (open around the clock, or not known)."""
    created_at: datetime
    version: int


class CategoryIn(msgspec.Struct, kw_only=True):
    name: Name
    parent_id: uuid.UUID | None = None


class CategoryUpdate(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | UnsetType = UNSET
    parent_id: uuid.UUID | UnsetType | None = UNSET


class CategoryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None
    created_at: datetime
    version: int


class SupplierIn(msgspec.Struct, kw_only=True):
    code: Code
    name: Name
    email: Annotated[str, Meta(max_length=320)] = ""
    phone: Annotated[str, Meta(max_length=32)] = ""
    lead_time_days: Annotated[int, Meta(gt=-1, le=365)] = 1
    order_days: Annotated[list[Weekday], Meta(max_length=7)] = msgspec.field(default_factory=list)
    """Weekdays the supplier takes orders; empty means any day."""
    min_order: Money = 0


class SupplierUpdate(msgspec.Struct, kw_only=True):
    version: Version
    code: Code | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    email: Annotated[str, Meta(max_length=320)] | UnsetType = UNSET
    phone: Annotated[str, Meta(max_length=32)] | UnsetType = UNSET
    lead_time_days: Annotated[int, Meta(gt=-1, le=365)] | UnsetType = UNSET
    order_days: Annotated[list[Weekday], Meta(max_length=7)] | UnsetType = UNSET
    min_order: Money | UnsetType = UNSET


class SupplierOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    email: str
    phone: str
    lead_time_days: int
    order_days: list[int]
    min_order: Money
    created_at: datetime
    version: int


class ProductIn(msgspec.Struct, kw_only=True):
    sku: Sku
    name: Name
    list_price: Money
    cost_price: Money = 0
    """What the chain pays per unit (per kg): values losses, stocktake variances and margins."""
    gtin: Gtin | None = None
    plu: Plu | None = None
    unit: Unit = "each"
    """``each`` for counted goods, ``kg`` for weighed goods (quantities with 3 decimals)."""
    category_id: uuid.UUID | None = None
    supplier_id: uuid.UUID | None = None
    tax_rate: TaxRate = "0"
    shelf_life_days: Days | None = None
    case_pack: Annotated[int, Meta(ge=1, le=100_000)] = 1
    status: ProductStatus = "active"


class ProductUpdate(msgspec.Struct, kw_only=True):
    version: Version
    sku: Sku | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    list_price: Money | UnsetType = UNSET
    cost_price: Money | UnsetType = UNSET
    gtin: Gtin | UnsetType | None = UNSET
    plu: Plu | UnsetType | None = UNSET
    unit: Unit | UnsetType = UNSET
    category_id: uuid.UUID | UnsetType | None = UNSET
    supplier_id: uuid.UUID | UnsetType | None = UNSET
    tax_rate: TaxRate | UnsetType = UNSET
    shelf_life_days: Days | UnsetType | None = UNSET
    case_pack: Annotated[int, Meta(ge=1, le=100_000)] | UnsetType = UNSET
    status: ProductStatus | UnsetType = UNSET


class ProductOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    sku: str
    name: str
    gtin: str | None
    plu: str | None
    unit: str
    category_id: uuid.UUID | None
    supplier_id: uuid.UUID | None
    list_price: Money
    cost_price: Money
    tax_rate: Decimal
    shelf_life_days: int | None
    case_pack: int
    status: str
    created_at: datetime
    version: int


class ImportResult(msgspec.Struct, kw_only=True):
    """What an import did (or, with ``dry_run``, would do)."""

    rows: int
    created: int
    updated: int
    categories_created: int
    dry_run: bool


StorePage = named_page(StoreOut, "StorePage")
CategoryPage = named_page(CategoryOut, "CategoryPage")
SupplierPage = named_page(SupplierOut, "SupplierPage")
ProductPage = named_page(ProductOut, "ProductPage")
