"""Catalog: stores, categories, suppliers and products, product import, and the history of
products' list prices."""

from bodega.catalog.importer import import_product_rows, import_products
from bodega.catalog.list_prices import list_price_history, set_list_price
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
    "list_price_history",
    "missing_store_ids",
    "products_by_ids",
    "require_store",
    "set_list_price",
    "store_by_code",
    "supplier_by_code",
    "suppliers_by_ids",
    "update_store",
    "update_supplier",
]
