"""Catalog tables: stores, categories, suppliers and products, and the history of products'
list prices."""

from __future__ import annotations

from piccolo.columns import UUID, Array, BigInt, Integer, Numeric, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["Category", "ListPriceHistory", "Product", "Store", "Supplier"]


class Store(Table, tablename="stores"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    code = Varchar(length=32)
    name = Varchar(length=200)
    address = Varchar(length=500, default="")
    timezone = Varchar(length=64)
    status = Varchar(length=16, default="open")
    closes_at = Varchar(length=5, null=True, default=None)
    created_at = Timestamptz()
    version = Integer(default=1)


class Category(Table, tablename="categories"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    parent_id = UUID(null=True, default=None)
    created_at = Timestamptz()
    version = Integer(default=1)


class Supplier(Table, tablename="suppliers"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    code = Varchar(length=32)
    name = Varchar(length=200)
    email = Varchar(length=320, default="")
    phone = Varchar(length=32, default="")
    lead_time_days = Integer(default=1)
    order_days = Array(base_column=Integer())
    min_order = Integer(default=0)
    created_at = Timestamptz()
    version = Integer(default=1)


class Product(Table, tablename="products"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    sku = Varchar(length=64)
    name = Varchar(length=200)
    gtin = Varchar(length=14, null=True, default=None)
    plu = Varchar(length=8, null=True, default=None)
    unit = Varchar(length=8, default="each")
    category_id = UUID(null=True, default=None)
    supplier_id = UUID(null=True, default=None)
    list_price = Integer(default=0)
    cost_price = Integer(default=0)
    tax_rate = Numeric(digits=(5, 2))
    shelf_life_days = Integer(null=True, default=None)
    case_pack = Integer(default=1)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()
    version = Integer(default=1)


class ListPriceHistory(Table, tablename="list_price_history"):
    """Append-only: each list price a product had, from when."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    product_id = UUID()
    price = BigInt()
    effective_from = Timestamptz()
