"""Catalog: stores, categories, suppliers and products, and product import."""

from bodega.catalog.importer import import_product_rows, import_products
from bodega.catalog.schemas import StoreIn, StoreUpdate, SupplierIn, SupplierUpdate
from bodega.catalog.service import (
    categories_by_ids,
    create_store,
    create_supplier,
    get_store,
    missing_store_ids,
    store_by_code,
    supplier_by_code,
    suppliers_by_ids,
    update_store,
    update_supplier,
)

__all__ = [
    "StoreIn",
    "StoreUpdate",
    "SupplierIn",
    "SupplierUpdate",
    "categories_by_ids",
    "create_store",
    "create_supplier",
    "get_store",
    "import_product_rows",
    "import_products",
    "missing_store_ids",
    "store_by_code",
    "supplier_by_code",
    "suppliers_by_ids",
    "update_store",
    "update_supplier",
]
