"""Pricing tables: price lists and their prices, store prices set by scheduled price changes,
and the price history behind "was" prices."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Array,
    BigInt,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = [
    "PriceChange",
    "PriceHistory",
    "PriceList",
    "PriceListItem",
    "StorePrice",
]


class PriceList(Table, tablename="price_lists"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    store_ids = Array(base_column=UUID())
    channels = Array(base_column=Text())
    audience = Varchar(length=16, default="everyone")
    valid_from = Timestamptz(null=True, default=None)
    valid_until = Timestamptz(null=True, default=None)
    priority = Integer(default=0)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class PriceListItem(Table, tablename="price_list_items"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    price_list_id = UUID()
    product_id = UUID()
    price = BigInt()
    updated_at = Timestamptz()


class StorePrice(Table, tablename="store_prices"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    product_id = UUID()
    price = BigInt()
    since = Timestamptz()
    price_change_id = UUID(null=True, default=None)


class PriceChange(Table, tablename="price_changes"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    product_id = UUID()
    price = BigInt()
    store_ids = Array(base_column=UUID())
    effective_at = Timestamptz()
    status = Varchar(length=16, default="scheduled")
    note = Varchar(length=500, default="")
    created_by = UUID()
    created_at = Timestamptz()
    applied_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class PriceHistory(Table, tablename="price_history"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    product_id = UUID()
    price = BigInt()
    effective_from = Timestamptz()
    source = Varchar(length=32)
    source_id = UUID(null=True, default=None)
