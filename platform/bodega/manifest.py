"""Tenant manifests: a chain described in TOML, applied idempotently (``bodega tenants apply``).

Applying creates what is missing and updates what differs: stores and suppliers by code,
products by SKU (through the same checks as a CSV import), users by email. Nothing is
deleted. The format is documented in ``docs/tenants.md``; ``tenants/demo.toml`` is an example.
"""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from bodega.api.auth import system_actor
from bodega.api.errors import NotFound
from bodega.catalog import (
    StoreIn,
    StoreUpdate,
    SupplierIn,
    SupplierUpdate,
    create_store,
    create_supplier,
    import_product_rows,
    store_by_code,
    supplier_by_code,
    update_store,
    update_supplier,
)
from bodega.catalog.importer import COLUMNS, Progress
from bodega.db import engine as db
from bodega.replenishment.demo import write_demo_history
from bodega.tenancy import SCOPES, add_user, create_tenant, find_user_by_email, get_tenant
from bodega.tenancy.schemas import Email
from bodega.tenancy.scopes import Role

__all__ = ["Manifest", "ManifestResult", "apply_manifest", "load_manifest"]


class TenantSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: uuid.UUID
    name: str
    currency: str
    timezone: str


class OwnerSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email
    password: Annotated[str, Meta(min_length=8)]
    name: str = ""


class UserSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email
    role: Role
    password: Annotated[str, Meta(min_length=8)]
    name: str = ""
    stores: list[str] = msgspec.field(default_factory=list)
    """Store codes (managers)."""


class HistorySpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Simulated past sales for a demo chain (see ``bodega.replenishment.demo``)."""

    days: Annotated[int, Meta(ge=28, le=730)] = 365
    seed: int = 1


class Manifest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tenant: TenantSpec
    owner: OwnerSpec
    stores: list[StoreIn] = msgspec.field(default_factory=list)
    suppliers: list[SupplierIn] = msgspec.field(default_factory=list)
    products: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """Rows with the CSV import's columns (sku, name, price, category, supplier, ...)."""
    users: list[UserSpec] = msgspec.field(default_factory=list)
    history: HistorySpec | None = None
    """Written once, while the chain's stores have no stock history."""


class ManifestResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    tenant_id: uuid.UUID
    tenant_created: bool
    stores_created: int
    suppliers_created: int
    products_created: int
    products_updated: int
    users_created: int
    history_days_written: int = 0
    """Days of simulated sales written by ``[history]`` (left out when none)."""


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest; errors name the file and the offending key."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    known = {
        "stores": {f.name for f in msgspec.structs.fields(StoreIn)},
        "suppliers": {f.name for f in msgspec.structs.fields(SupplierIn)},
        "products": set(COLUMNS),
    }
    for section, fields in known.items():
        for index, entry in enumerate(raw.get(section, [])):
            unknown = sorted(set(entry) - fields) if isinstance(entry, dict) else []
            if unknown:
                raise ValueError(
                    f"{path}: {section}[{index}]: unknown key(s) {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(fields))}"
                )
    try:
        return msgspec.convert(raw, Manifest, strict=False)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _changed(current: msgspec.Struct, wanted: msgspec.Struct) -> dict[str, Any]:
    return {
        k: v
        for k, v in msgspec.structs.asdict(wanted).items()
        if v is not None and getattr(current, k, v) != v
    }


async def apply_manifest(
    engine: Any, manifest: Manifest, progress: Progress | None = None
) -> ManifestResult:
    """Apply ``manifest`` in one transaction, scoped to its tenant: all of it or none."""
    spec = manifest.tenant
    actor = system_actor(spec.id, frozenset(SCOPES))
    async with db.transaction(engine, spec.id):
        created = not await _tenant_exists(actor)
        if created:
            await create_tenant(
                spec.id,
                spec.name,
                spec.currency,
                spec.timezone,
                owner_email=manifest.owner.email,
                owner_name=manifest.owner.name,
                password=manifest.owner.password,
            )
        stores = suppliers = users = 0
        store_ids: dict[str, uuid.UUID] = {}
        for store in manifest.stores:
            current = await store_by_code(actor, store.code)
            if current is None:
                current = await create_store(actor, store)
                stores += 1
            elif changes := _changed(current, store):
                current = await update_store(
                    actor,
                    current.id,
                    msgspec.convert({**changes, "version": current.version}, StoreUpdate),
                )
            store_ids[store.code] = current.id
        for supplier in manifest.suppliers:
            current_supplier = await supplier_by_code(actor, supplier.code)
            if current_supplier is None:
                await create_supplier(actor, supplier)
                suppliers += 1
            elif changes := _changed(current_supplier, supplier):
                await update_supplier(
                    actor,
                    current_supplier.id,
                    msgspec.convert(
                        {**changes, "version": current_supplier.version}, SupplierUpdate
                    ),
                )
        rows = [{k: str(v) for k, v in p.items()} for p in manifest.products]
        imported = await import_product_rows(actor, rows, progress=progress)
        for user in manifest.users:
            if await find_user_by_email(actor, user.email) is None:
                unknown = [c for c in user.stores if c not in store_ids]
                if unknown:
                    raise ValueError(
                        f"user {user.email}: unknown store code(s) {', '.join(unknown)}"
                    )
                await add_user(
                    actor,
                    user.email,
                    user.name,
                    user.role,
                    [store_ids[c] for c in user.stores],
                    user.password,
                )
                users += 1
        history = None
        if manifest.history is not None:
            history = await write_demo_history(
                actor, days=manifest.history.days, seed=manifest.history.seed, progress=progress
            )
    return ManifestResult(
        tenant_id=spec.id,
        tenant_created=created,
        stores_created=stores,
        suppliers_created=suppliers,
        products_created=imported.created,
        products_updated=imported.updated,
        users_created=users,
        history_days_written=history.days if history else 0,
    )


async def _tenant_exists(actor: Any) -> bool:
    try:
        await get_tenant(actor)
    except NotFound:
        return False
    return True
