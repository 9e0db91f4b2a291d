"""Reading, locking and writing the rows of promotions and markdown rules in raw SQL (their
JSON columns and arrays read back as the API shows them); table and column names are this
package's constants, never input."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import NotFound
from bodega.db import engine as db

__all__ = ["insert_row", "locked_row", "save_row"]


async def insert_row(table: str, columns: str, values: Mapping[str, Any]) -> Any:
    """Insert ``values`` (with ``id`` and ``tenant_id``); return the row as ``columns``."""
    names = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    return await db.fetchrow(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) "  # noqa: S608
        f"RETURNING {columns}",
        *values.values(),
    )


async def locked_row(
    actor: Actor, table: str, columns: str, ident: uuid.UUID, resource: str
) -> Any:
    """The caller's row ``ident``, locked until the transaction ends; 404 for any other."""
    row = await db.fetchrow(
        f"SELECT {columns} FROM {table} WHERE tenant_id = $1 AND id = $2 FOR UPDATE",  # noqa: S608
        actor.tenant_id,
        ident,
    )
    if row is None:
        raise NotFound(resource, ident)
    return row


async def save_row(
    actor: Actor, table: str, columns: str, ident: uuid.UUID, values: Mapping[str, Any]
) -> Any:
    """Write ``values`` to a locked row, bumping its version; return the new row."""
    names = sorted(values)
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    return await db.fetchrow(
        f"UPDATE {table} SET {sets}, version = version + 1, updated_at = now() "  # noqa: S608
        f"WHERE tenant_id = $1 AND id = $2 RETURNING {columns}",
        actor.tenant_id,
        ident,
        *(values[name] for name in names),
    )
