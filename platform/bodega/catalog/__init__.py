"""Catalog: stores, categories, suppliers and products, and product import."""

from bodega.catalog.importer import import_product_rows, import_products
from bodega.catalog.schemas import (
    ProductOut,
    StoreIn,
    StoreOut,
    StoreUpdate,
    SupplierIn,
    SupplierOut,
    SupplierUpdate,
)
from bodega.catalog.service import (
    categories_by_ids,
    create_store,
    create_supplier,
    get_product,
    get_store,
    missing_store_ids,
    products_by_ids,
    require_store,
    store_by_code,
    supplier_by_code,
    suppliers_by_ids,
    update_store,
    update_supplier,
)

__all__ = [
    "ProductOut",
    "StoreIn",
    "StoreOut",
    "StoreUpdate",
    "SupplierIn",
    "SupplierOut",
    "SupplierUpdate",
    "categories_by_ids",
    "create_store",
    "create_supplier",
    "get_product",
    "get_store",
    "import_product_rows",
    "import_products",
    "missing_store_ids",
    "products_by_ids",
    "require_store",
    "store_by_code",
    "supplier_by_code",
    "suppliers_by_ids",
    "update_store",
    "update_supplier",
]
