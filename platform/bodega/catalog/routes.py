"""REST for the catalog: stores, categories, suppliers, products and product import."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import (
    CsvImportOperation,
    CurrentActor,
    Cursor,
    Limit,
    delete,
    get,
    patch,
    post,
    read_csv,
)
from bodega.catalog import importer, service
from bodega.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPage,
    CategoryUpdate,
    ImportResult,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductStatus,
    ProductUpdate,
    StoreIn,
    StoreOut,
    StorePage,
    StoreUpdate,
    SupplierIn,
    SupplierOut,
    SupplierPage,
    SupplierUpdate,
)

__all__ = ["CategoryController", "ProductController", "StoreController", "SupplierController"]

READ = [requires("catalog:read")]
WRITE = [requires("catalog:write")]


class StoreController(Controller):
    path = "/v1/stores"
    tags = ["stores"]

    @post("/", guards=WRITE, summary="Add a store")
    async def create_store(self, actor: CurrentActor, data: JSONBody[StoreIn]) -> StoreOut:
        return await service.create_store(actor, data)

    @get("/", guards=READ, summary="List stores")
    async def list_stores(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> StorePage:
        return await service.list_stores(actor, limit=limit, cursor=cursor)

    @get("/{store_id:uuid}", guards=READ, summary="One store")
    async def get_store(self, actor: CurrentActor, store_id: FromPath[uuid.UUID]) -> StoreOut:
        return await service.get_store(actor, store_id)

    @patch(
        "/{store_id:uuid}",
        guards=[requires("stores:write")],
        summary="Change a store (managers: their own)",
    )
    async def update_store(
        self, actor: CurrentActor, store_id: FromPath[uuid.UUID], data: JSONBody[StoreUpdate]
    ) -> StoreOut:
        return await service.update_store(actor, store_id, data)

    @delete("/{store_id:uuid}", guards=WRITE, summary="Delete a store")
    async def delete_store(self, actor: CurrentActor, store_id: FromPath[uuid.UUID]) -> None:
        await service.delete_store(actor, store_id)


class CategoryController(Controller):
    path = "/v1/categories"
    tags = ["categories"]

    @post("/", guards=WRITE, summary="Add a category")
    async def create_category(self, actor: CurrentActor, data: JSONBody[CategoryIn]) -> CategoryOut:
        return await service.create_category(actor, data)

    @get("/", guards=READ, summary="List categories")
    async def list_categories(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> CategoryPage:
        return await service.list_categories(actor, limit=limit, cursor=cursor)

    @get("/{category_id:uuid}", guards=READ, summary="One category")
    async def get_category(
        self, actor: CurrentActor, category_id: FromPath[uuid.UUID]
    ) -> CategoryOut:
        return await service.get_category(actor, category_id)

    @patch("/{category_id:uuid}", guards=WRITE, summary="Rename or move a category")
    async def update_category(
        self, actor: CurrentActor, category_id: FromPath[uuid.UUID], data: JSONBody[CategoryUpdate]
    ) -> CategoryOut:
        return await service.update_category(actor, category_id, data)

    @delete("/{category_id:uuid}", guards=WRITE, summary="Delete an empty category")
    async def delete_category(self, actor: CurrentActor, category_id: FromPath[uuid.UUID]) -> None:
        await service.delete_category(actor, category_id)


class SupplierController(Controller):
    path = "/v1/suppliers"
    tags = ["suppliers"]

    @post("/", guards=WRITE, summary="Add a supplier")
    async def create_supplier(self, actor: CurrentActor, data: JSONBody[SupplierIn]) -> SupplierOut:
        return await service.create_supplier(actor, data)

    @get("/", guards=READ, summary="List suppliers")
    async def list_suppliers(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> SupplierPage:
        return await service.list_suppliers(actor, limit=limit, cursor=cursor)

    @get("/{supplier_id:uuid}", guards=READ, summary="One supplier")
    async def get_supplier(
        self, actor: CurrentActor, supplier_id: FromPath[uuid.UUID]
    ) -> SupplierOut:
        return await service.get_supplier(actor, supplier_id)

    @patch("/{supplier_id:uuid}", guards=WRITE, summary="Change a supplier")
    async def update_supplier(
        self, actor: CurrentActor, supplier_id: FromPath[uuid.UUID], data: JSONBody[SupplierUpdate]
    ) -> SupplierOut:
        return await service.update_supplier(actor, supplier_id, data)

    @delete("/{supplier_id:uuid}", guards=WRITE, summary="Delete a supplier no product uses")
    async def delete_supplier(self, actor: CurrentActor, supplier_id: FromPath[uuid.UUID]) -> None:
        await service.delete_supplier(actor, supplier_id)


class ProductController(Controller):
    path = "/v1/products"
    tags = ["products"]

    @post("/", guards=WRITE, summary="Add a product")
    async def create_product(self, actor: CurrentActor, data: JSONBody[ProductIn]) -> ProductOut:
        return await service.create_product(actor, data)

    @get("/", guards=READ, summary="List products, optionally by category, status or a search text")
    async def list_products(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        category_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[ProductStatus | None] = None,
        q: Annotated[
            str | None,
            QueryParameter(max_length=100, description="Part of the name or SKU, or a whole GTIN."),
        ] = None,
    ) -> ProductPage:
        return await service.list_products(
            actor, limit=limit, cursor=cursor, category_id=category_id, status=status, q=q
        )

    @get("/{product_id:uuid}", guards=READ, summary="One product")
    async def get_product(self, actor: CurrentActor, product_id: FromPath[uuid.UUID]) -> ProductOut:
        return await service.get_product(actor, product_id)

    @patch("/{product_id:uuid}", guards=WRITE, summary="Change a product")
    async def update_product(
        self, actor: CurrentActor, product_id: FromPath[uuid.UUID], data: JSONBody[ProductUpdate]
    ) -> ProductOut:
        return await service.update_product(actor, product_id, data)

    @delete("/{product_id:uuid}", guards=WRITE, summary="Delete a product")
    async def delete_product(self, actor: CurrentActor, product_id: FromPath[uuid.UUID]) -> None:
        await service.delete_product(actor, product_id)

    @post(
        "/import",
        guards=WRITE,
        status_code=200,
        operation_class=CsvImportOperation,
        summary="Import products from CSV: every row is checked first; all or nothing",
        description=(
            "Columns: "
            + ", ".join(importer.COLUMNS)
            + ". Required: sku, name, price. Price in major units (3.50); category as a "
            "path (Bakery > Bread), created when missing; supplier by code. "
            "Existing SKUs are updated. With dry_run=true nothing is written."
        ),
    )
    async def import_products(
        self, actor: CurrentActor, request: Request[Any, Any, Any], dry_run: FromQuery[bool] = False
    ) -> ImportResult:
        text = await read_csv(request)
        return await importer.import_products(actor, text, dry_run=dry_run)
