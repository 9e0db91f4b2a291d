"""The few queries every tenant-owned resource needs, written once.

Each takes the caller's ``tenant_id`` and filters by it: RLS is the second wall, not the only one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import msgspec
from piccolo.columns.combination import Where
from piccolo.table import Table

from bodega.api.errors import NotFound, VersionConflict
from bodega.api.pagination import Page, decode_cursor, page_of

__all__ = [
    "changed_fields",
    "delete_row",
    "get_row",
    "list_page",
    "rows_by_ids",
    "to_struct",
    "update_row",
]

S = TypeVar("S", bound=msgspec.Struct)


def changed_fields(data: msgspec.Struct) -> dict[str, Any]:
    """The fields an update sets: those sent (not UNSET), without ``version``."""
    return {
        k: v
        for k, v in msgspec.structs.asdict(data).items()
        if v is not msgspec.UNSET and k != "version"
    }


def _tenant_column(table: type[Table]) -> Any:
    """``tenant_id``; the tenants table itself is scoped by its own id."""
    column = getattr(table, "tenant_id", None)
    return column if column is not None else table._meta.primary_key


def to_struct(row: Mapping[str, Any], out: type[S]) -> S:
    return msgspec.convert(dict(row), out, from_attributes=False, strict=False)


async def get_row(
    table: type[Table], tenant_id: uuid.UUID, ident: uuid.UUID, resource: str
) -> dict[str, Any]:
    row = (
        await table.select()
        .where((table._meta.primary_key == ident) & (_tenant_column(table) == tenant_id))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(resource, ident)
    return row


async def list_page(
    table: type[Table],
    tenant_id: uuid.UUID,
    out: type[S],
    *,
    limit: int,
    cursor: str | None,
    where: list[Where | Any] | None = None,
) -> Page[S]:
    pk = table._meta.primary_key
    query = table.select().where(_tenant_column(table) == tenant_id)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(pk > after)
    for condition in where or []:
        query = query.where(condition)
    rows = await query.order_by(pk).limit(limit + 1).output(load_json=True)
    return page_of([to_struct(r, out) for r in rows], limit)


async def update_row(
    table: type[Table],
    tenant_id: uuid.UUID,
    ident: uuid.UUID,
    version: int,
    values: Mapping[str, Any],
    resource: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply ``values`` if ``version`` is current; return (before, after). Stale: 409."""
    before = await get_row(table, tenant_id, ident, resource)
    if before["version"] != version:
        raise VersionConflict(resource, before["version"])
    columns = {table._meta.get_column_by_name(k): v for k, v in values.items()}
    updated = (
        await table.update(
            {**columns, table.version: version + 1}  # type: ignore[attr-defined]
        )
        .where(
            (table._meta.primary_key == ident)
            & (_tenant_column(table) == tenant_id)
            & (table.version == version)  # type: ignore[attr-defined]
        )
        .returning(*table._meta.columns)
    )
    if not updated:
        current = await get_row(table, tenant_id, ident, resource)
        raise VersionConflict(resource, current["version"])
    return before, updated[0]


async def delete_row(
    table: type[Table], tenant_id: uuid.UUID, ident: uuid.UUID, resource: str
) -> dict[str, Any]:
    before = await get_row(table, tenant_id, ident, resource)
    await table.delete().where(
        (table._meta.primary_key == ident) & (_tenant_column(table) == tenant_id)
    )
    return before


async def rows_by_ids(
    table: type[Table], tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], out: type[S]
) -> dict[uuid.UUID, S]:
    """The caller's rows among ``ids``, by id (a dataloader's batch)."""
    if not ids:
        return {}
    pk = table._meta.primary_key
    rows = await table.select().where((_tenant_column(table) == tenant_id) & pk.is_in(list(ids)))
    return {row[pk._meta.name]: to_struct(row, out) for row in rows}
