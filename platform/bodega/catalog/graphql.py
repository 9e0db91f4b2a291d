"""GraphQL for the catalog. A product's category and supplier load through dataloaders."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.catalog import schemas, service
from bodega.graphql.context import Context
from bodega.graphql.crud import Resource, merged_type
from bodega.graphql.resolve import call, page_limit
from bodega.graphql.types import object_type, page_type

__all__ = ["CatalogMutation", "CatalogQuery"]

InfoT = Info[Context, Any]

Store = object_type(schemas.StoreOut)
Category = object_type(schemas.CategoryOut)
Supplier = object_type(schemas.SupplierOut)


async def _category(root: schemas.ProductOut, info: InfoT) -> Category | None:  # type: ignore[valid-type]
    if root.category_id is None:
        return None
    return await info.context.loader("category", service.categories_by_ids).load(root.category_id)


async def _supplier(root: schemas.ProductOut, info: InfoT) -> Supplier | None:  # type: ignore[valid-type]
    if root.supplier_id is None:
        return None
    return await info.context.loader("supplier", service.suppliers_by_ids).load(root.supplier_id)


Product = object_type(
    schemas.ProductOut,
    extra={
        "category": strawberry.field(resolver=_category),
        "supplier": strawberry.field(resolver=_supplier),
    },
)

RESOURCES = [
    Resource(
        singular="store",
        plural="stores",
        type_=Store,
        page=page_type(Store, "StorePage"),
        create=(schemas.StoreIn, service.create_store),
        update=(schemas.StoreUpdate, service.update_store),
        get=service.get_store,
        list_=service.list_stores,
        delete=service.delete_store,
        read_scope="catalog:read",
        write_scope="catalog:write",
        update_scope="stores:write",
    ),
    Resource(
        singular="category",
        plural="categories",
        type_=Category,
        page=page_type(Category, "CategoryPage"),
        create=(schemas.CategoryIn, service.create_category),
        update=(schemas.CategoryUpdate, service.update_category),
        get=service.get_category,
        list_=service.list_categories,
        delete=service.delete_category,
        read_scope="catalog:read",
        write_scope="catalog:write",
    ),
    Resource(
        singular="supplier",
        plural="suppliers",
        type_=Supplier,
        page=page_type(Supplier, "SupplierPage"),
        create=(schemas.SupplierIn, service.create_supplier),
        update=(schemas.SupplierUpdate, service.update_supplier),
        get=service.get_supplier,
        list_=service.list_suppliers,
        delete=service.delete_supplier,
        read_scope="catalog:read",
        write_scope="catalog:write",
    ),
]
PRODUCTS = Resource(
    singular="product",
    plural="products",
    type_=Product,
    page=page_type(Product, "ProductPage"),
    create=(schemas.ProductIn, service.create_product),
    update=(schemas.ProductUpdate, service.update_product),
    get=service.get_product,
    list_=service.list_products,
    delete=service.delete_product,
    read_scope="catalog:read",
    write_scope="catalog:write",
)
ProductPage = PRODUCTS.page


async def _search_products(
    info: InfoT,
    first: int = DEFAULT_LIMIT,
    after: str | None = None,
    category_id: uuid.UUID | None = None,
    status: str | None = None,
    q: str | None = None,
) -> ProductPage:  # type: ignore[valid-type]
    return await call(
        info,
        "catalog:read",
        service.list_products,
        limit=page_limit(first),
        cursor=after,
        category_id=category_id,
        status=status,
        q=q,
    )


CatalogQuery = merged_type(
    "CatalogQuery",
    *(r.query_fields() for r in RESOURCES),
    PRODUCTS.query_fields(with_list=False),
    {
        "products": strawberry.field(
            resolver=_search_products,
            description="A page of products, optionally by category, status or search text.",
        )
    },
)
CatalogMutation = merged_type(
    "CatalogMutation", *(r.mutation_fields() for r in [*RESOURCES, PRODUCTS])
)
