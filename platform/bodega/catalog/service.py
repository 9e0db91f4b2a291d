"""Catalog: stores, categories, suppliers and products of one chain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.table import Table

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, Forbidden, InvalidInput, raise_if_errors
from bodega.api.pagination import Page
from bodega.audit import create_recorded, delete_recorded, update_recorded
from bodega.catalog.gtin import gtin_problem
from bodega.catalog.list_prices import record_list_price
from bodega.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    ProductIn,
    ProductOut,
    ProductUpdate,
    StoreIn,
    StoreOut,
    StoreUpdate,
    SupplierIn,
    SupplierOut,
    SupplierUpdate,
)
from bodega.catalog.tables import Category, Product, Store, Supplier
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields, get_row, list_page, rows_by_ids, to_struct
from bodega.tenancy import check_timezone, get_tenant, managers_of_store

__all__ = [
    "categories_by_ids",
    "create_category",
    "create_product",
    "create_store",
    "create_supplier",
    "delete_category",
    "delete_product",
    "delete_store",
    "delete_supplier",
    "get_category",
    "get_product",
    "get_store",
    "get_supplier",
    "list_categories",
    "list_products",
    "list_stores",
    "list_suppliers",
    "missing_store_ids",
    "products_by_ids",
    "require_store",
    "store_by_code",
    "supplier_by_code",
    "suppliers_by_ids",
    "update_category",
    "update_product",
    "update_store",
    "update_supplier",
]


async def _ensure_unique(
    table: type[Table],
    tenant_id: uuid.UUID,
    field: str,
    value: Any,
    resource: str,
    exclude: uuid.UUID | None = None,
) -> None:
    if value is None:
        return
    query = table.exists().where(
        (table.tenant_id == tenant_id) & (table._meta.get_column_by_name(field) == value)
    )  # type: ignore[attr-defined]
    if exclude is not None:
        query = query.where(table._meta.primary_key != exclude)
    if await query:
        raise Conflict(
            f"A {resource} with {field} {value!r} exists already.",
            errors=[FieldError(field, "already used")],
        )


async def _ensure_exists(
    table: type[Table], tenant_id: uuid.UUID, ident: uuid.UUID | None, field: str, resource: str
) -> None:
    if ident is None:
        return
    found = await table.exists().where(
        (table.tenant_id == tenant_id) & (table._meta.primary_key == ident)
    )  # type: ignore[attr-defined]
    if not found:
        raise InvalidInput(
            f"No {resource} with id {ident}.", errors=[FieldError(field, f"unknown {resource}")]
        )


def _now() -> datetime:
    return datetime.now(UTC)


# Stores ----------------------------------------------------------------------------------------


async def create_store(actor: Actor, data: StoreIn) -> StoreOut:
    check_timezone(data.timezone)
    await _ensure_unique(Store, actor.tenant_id, "code", data.code, "store")
    timezone = data.timezone or (await get_tenant(actor)).timezone
    row = {
        **msgspec.structs.asdict(data),
        "timezone": timezone,
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "created_at": _now(),
        "version": 1,
    }
    return await create_recorded(actor, Store, row, "store", StoreOut)


async def list_stores(actor: Actor, *, limit: int, cursor: str | None) -> Page[StoreOut]:
    return await list_page(Store, actor.tenant_id, StoreOut, limit=limit, cursor=cursor)


async def get_store(actor: Actor, store_id: uuid.UUID) -> StoreOut:
    return to_struct(await get_row(Store, actor.tenant_id, store_id, "store"), StoreOut)


def _check_manages(actor: Actor, store_id: uuid.UUID) -> None:
    """With only ``stores:write`` (managers), a caller changes just the stores it manages."""
    if actor.may("catalog:write"):
        return
    if store_id not in actor.store_ids:
        raise Forbidden("You can change only the stores you manage.")


async def require_store(actor: Actor, store_id: uuid.UUID, *, field: str) -> StoreOut:
    """The store a write (a sale, a receipt, a count) names in ``field``.

    Unknown here, or another chain's, it is a 422 on that field. Users other than the owner
    (managers, staff) work only in the stores they are assigned: 403 elsewhere. API keys and
    the system act for the whole chain."""
    row = (
        await Store.select()
        .where((Store.tenant_id == actor.tenant_id) & (Store.id == store_id))
        .first()
    )
    if row is None:
        raise InvalidInput(
            f"No store with id {store_id}.", errors=[FieldError(field, "unknown store")]
        )
    if actor.kind == "user" and not actor.may("catalog:write") and store_id not in actor.store_ids:
        raise Forbidden(
            f"You work in other stores than {row['code']}; ask the owner to assign you to it."
        )
    return to_struct(row, StoreOut)


async def update_store(actor: Actor, store_id: uuid.UUID, data: StoreUpdate) -> StoreOut:
    await get_row(Store, actor.tenant_id, store_id, "store")
    _check_manages(actor, store_id)
    values = changed_fields(data)
    check_timezone(values.get("timezone"))
    if "code" in values:
        await _ensure_unique(
            Store, actor.tenant_id, "code", values["code"], "store", exclude=store_id
        )
    return await update_recorded(actor, Store, store_id, data.version, values, "store", StoreOut)


async def delete_store(actor: Actor, store_id: uuid.UUID) -> None:
    await get_row(Store, actor.tenant_id, store_id, "store")
    managers = await managers_of_store(actor, store_id)
    if managers:
        raise Conflict(
            f"{', '.join(managers)} manage(s) this store; give them other stores first.",
            errors=[FieldError("store_id", "managed by users")],
        )
    await delete_recorded(actor, Store, store_id, "store", StoreOut)


async def _by_code(table: type[Table], out: type[Any], actor: Actor, code: str) -> Any:
    row = (
        await table.select()
        .where((table.tenant_id == actor.tenant_id) & (table.code == code))
        .first()
    )  # type: ignore[attr-defined]
    return to_struct(row, out) if row else None


async def store_by_code(actor: Actor, code: str) -> StoreOut | None:
    return await _by_code(Store, StoreOut, actor, code)


async def supplier_by_code(actor: Actor, code: str) -> SupplierOut | None:
    return await _by_code(Supplier, SupplierOut, actor, code)


async def missing_store_ids(actor: Actor, store_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Which of ``store_ids`` are not stores of the caller's chain."""
    if not store_ids:
        return []
    found = await Store.select(Store.id).where(
        (Store.tenant_id == actor.tenant_id) & Store.id.is_in(list(store_ids))
    )
    known = {r["id"] for r in found}
    return [s for s in store_ids if s not in known]


# Categories ------------------------------------------------------------------------------------


async def _check_category_name(
    actor: Actor, name: str, parent_id: uuid.UUID | None, exclude: uuid.UUID | None = None
) -> None:
    query = Category.exists().where(
        (Category.tenant_id == actor.tenant_id)
        & (Category.name.ilike(name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")))
        & (
            Category.parent_id == parent_id
            if parent_id is not None
            else Category.parent_id.is_null()
        )
    )
    if exclude is not None:
        query = query.where(Category.id != exclude)
    if await query:
        raise Conflict(
            f"A category named {name!r} exists already there.",
            errors=[FieldError("name", "already used")],
        )


def _category_name(name: str) -> str:
    """Names are stored stripped (the import matches paths that way); a blank one is refused."""
    if not name.strip():
        raise InvalidInput("A category needs a name.", errors=[FieldError("name", "blank")])
    return name.strip()


async def create_category(actor: Actor, data: CategoryIn) -> CategoryOut:
    name = _category_name(data.name)
    await _ensure_exists(Category, actor.tenant_id, data.parent_id, "parent_id", "category")
    await _check_category_name(actor, name, data.parent_id)
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "name": name,
        "parent_id": data.parent_id,
        "created_at": _now(),
        "version": 1,
    }
    return await create_recorded(actor, Category, row, "category", CategoryOut)


async def list_categories(actor: Actor, *, limit: int, cursor: str | None) -> Page[CategoryOut]:
    return await list_page(Category, actor.tenant_id, CategoryOut, limit=limit, cursor=cursor)


async def get_category(actor: Actor, category_id: uuid.UUID) -> CategoryOut:
    return to_struct(await get_row(Category, actor.tenant_id, category_id, "category"), CategoryOut)


async def _ancestors(actor: Actor, category_id: uuid.UUID) -> set[uuid.UUID]:
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = category_id
    while current is not None and current not in seen:
        seen.add(current)
        row = (
            await Category.select(Category.parent_id)
            .where((Category.tenant_id == actor.tenant_id) & (Category.id == current))
            .first()
        )
        current = row["parent_id"] if row else None
    return seen


async def update_category(
    actor: Actor, category_id: uuid.UUID, data: CategoryUpdate
) -> CategoryOut:
    current = await get_row(Category, actor.tenant_id, category_id, "category")
    values = changed_fields(data)
    if "name" in values:
        values["name"] = _category_name(values["name"])
    parent_id = values.get("parent_id", current["parent_id"])
    if "parent_id" in values and parent_id is not None:
        await _ensure_exists(Category, actor.tenant_id, parent_id, "parent_id", "category")
        if category_id in await _ancestors(actor, parent_id):
            raise InvalidInput(
                "A category cannot be inside itself.",
                errors=[FieldError("parent_id", "would make a cycle")],
            )
    if "name" in values or "parent_id" in values:
        await _check_category_name(
            actor, values.get("name", current["name"]), parent_id, exclude=category_id
        )
    return await update_recorded(
        actor, Category, category_id, data.version, values, "category", CategoryOut
    )


async def delete_category(actor: Actor, category_id: uuid.UUID) -> None:
    await get_row(Category, actor.tenant_id, category_id, "category")
    if await Product.exists().where(
        (Product.tenant_id == actor.tenant_id) & (Product.category_id == category_id)
    ):
        raise Conflict("Products are in this category; move or delete them first.")
    if await Category.exists().where(
        (Category.tenant_id == actor.tenant_id) & (Category.parent_id == category_id)
    ):
        raise Conflict("This category has subcategories; move or delete them first.")
    await delete_recorded(actor, Category, category_id, "category", CategoryOut)


async def categories_by_ids(actor: Actor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CategoryOut]:
    return await rows_by_ids(Category, actor.tenant_id, ids, CategoryOut)


# Suppliers -------------------------------------------------------------------------------------


async def create_supplier(actor: Actor, data: SupplierIn) -> SupplierOut:
    await _ensure_unique(Supplier, actor.tenant_id, "code", data.code, "supplier")
    row = {
        **msgspec.structs.asdict(data),
        "order_days": sorted(set(data.order_days)),
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "created_at": _now(),
        "version": 1,
    }
    return await create_recorded(actor, Supplier, row, "supplier", SupplierOut)


async def list_suppliers(actor: Actor, *, limit: int, cursor: str | None) -> Page[SupplierOut]:
    return await list_page(Supplier, actor.tenant_id, SupplierOut, limit=limit, cursor=cursor)


async def get_supplier(actor: Actor, supplier_id: uuid.UUID) -> SupplierOut:
    return to_struct(await get_row(Supplier, actor.tenant_id, supplier_id, "supplier"), SupplierOut)


async def update_supplier(
    actor: Actor, supplier_id: uuid.UUID, data: SupplierUpdate
) -> SupplierOut:
    values = changed_fields(data)
    if "order_days" in values:
        values["order_days"] = sorted(set(values["order_days"]))
    if "code" in values:
        await _ensure_unique(
            Supplier, actor.tenant_id, "code", values["code"], "supplier", exclude=supplier_id
        )
    return await update_recorded(
        actor, Supplier, supplier_id, data.version, values, "supplier", SupplierOut
    )


async def delete_supplier(actor: Actor, supplier_id: uuid.UUID) -> None:
    await get_row(Supplier, actor.tenant_id, supplier_id, "supplier")
    if await Product.exists().where(
        (Product.tenant_id == actor.tenant_id) & (Product.supplier_id == supplier_id)
    ):
        raise Conflict("Products come from this supplier; change or delete them first.")
    await delete_recorded(actor, Supplier, supplier_id, "supplier", SupplierOut)


async def suppliers_by_ids(actor: Actor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SupplierOut]:
    return await rows_by_ids(Supplier, actor.tenant_id, ids, SupplierOut)


# Products --------------------------------------------------------------------------------------


def product_field_errors(values: dict[str, Any]) -> list[FieldError]:
    """What msgspec cannot check: the GTIN's check digit."""
    gtin = values.get("gtin")
    if gtin is not None and (problem := gtin_problem(gtin)):
        return [FieldError("gtin", problem)]
    return []


def product_values(data: ProductIn | ProductUpdate) -> dict[str, Any]:
    """The columns a product create or update sets; the tax rate as a Decimal as stored
    (numeric(5, 2)), so answers, events and audit entries all show "9.50", not "9.5"."""
    values = msgspec.structs.asdict(data) if isinstance(data, ProductIn) else changed_fields(data)
    if values.get("tax_rate") is not None:
        values["tax_rate"] = Decimal(values["tax_rate"]).quantize(Decimal("0.01"))
    return values


async def _check_product_refs(
    actor: Actor, values: dict[str, Any], exclude: uuid.UUID | None = None
) -> None:
    raise_if_errors(product_field_errors(values))
    await _ensure_exists(
        Category, actor.tenant_id, values.get("category_id"), "category_id", "category"
    )
    await _ensure_exists(
        Supplier, actor.tenant_id, values.get("supplier_id"), "supplier_id", "supplier"
    )
    for field in ("sku", "gtin", "plu"):
        if field in values:
            await _ensure_unique(
                Product, actor.tenant_id, field, values[field], "product", exclude=exclude
            )


async def create_product(actor: Actor, data: ProductIn) -> ProductOut:
    values = product_values(data)
    await _check_product_refs(actor, values)
    row = {
        **values,
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "created_at": _now(),
        "version": 1,
    }
    created = await create_recorded(actor, Product, row, "product", ProductOut)
    await record_list_price(actor, created.id, created.list_price, created.created_at)
    return created


async def list_products(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    category_id: uuid.UUID | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Page[ProductOut]:
    where: list[Any] = []
    if category_id is not None:
        where.append(Product.category_id == category_id)
    if status is not None:
        where.append(Product.status == status)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(Product.name.ilike(pattern) | Product.sku.ilike(pattern) | (Product.gtin == q))
    return await list_page(
        Product, actor.tenant_id, ProductOut, limit=limit, cursor=cursor, where=where
    )


async def get_product(actor: Actor, product_id: uuid.UUID) -> ProductOut:
    return to_struct(await get_row(Product, actor.tenant_id, product_id, "product"), ProductOut)


async def products_by_ids(actor: Actor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ProductOut]:
    return await rows_by_ids(Product, actor.tenant_id, ids, ProductOut)


async def update_product(actor: Actor, product_id: uuid.UUID, data: ProductUpdate) -> ProductOut:
    current = await get_row(Product, actor.tenant_id, product_id, "product")
    values = product_values(data)
    await _check_product_refs(actor, values, exclude=product_id)
    updated = await update_recorded(
        actor, Product, product_id, data.version, values, "product", ProductOut
    )
    if updated.list_price != current["list_price"]:
        await record_list_price(actor, product_id, updated.list_price)
    return updated


async def delete_product(actor: Actor, product_id: uuid.UUID) -> None:
    await delete_recorded(actor, Product, product_id, "product", ProductOut)
