"""Writing a tenant's object and recording the change, as one step.

Every create, update and delete of a service goes through these, so each change is written
with its audit entry in the same transaction; later, the domain event joins them here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from piccolo.table import Table

from bodega.api.auth import Actor
from bodega.audit.service import record_change
from bodega.db.repository import delete_row, to_struct, update_row

__all__ = ["create_recorded", "delete_recorded", "update_recorded"]

S = TypeVar("S", bound=msgspec.Struct)


def _label(resource: str) -> str:
    return resource.replace("_", " ")


async def create_recorded(
    actor: Actor, table: type[Table], row: Mapping[str, Any], resource: str, out: type[S]
) -> S:
    """Insert ``row`` and record ``<resource>.created``; return it as ``out``."""
    await table.insert(table(**row))
    created = to_struct(row, out)
    await record_change(actor, f"{resource}.created", resource, row["id"], after=created)
    return created


async def update_recorded(
    actor: Actor,
    table: type[Table],
    ident: uuid.UUID,
    version: int,
    values: Mapping[str, Any],
    resource: str,
    out: type[S],
) -> S:
    """Apply ``values`` if ``version`` is current (else 409) and record ``<resource>.updated``."""
    before, after = await update_row(
        table, actor.tenant_id, ident, version, values, _label(resource)
    )
    await record_change(actor, f"{resource}.updated", resource, ident, before=before, after=after)
    return to_struct(after, out)


async def delete_recorded(
    actor: Actor, table: type[Table], ident: uuid.UUID, resource: str
) -> None:
    """Delete the object (404 if it is not the caller's) and record ``<resource>.deleted``."""
    before = await delete_row(table, actor.tenant_id, ident, _label(resource))
    await record_change(actor, f"{resource}.deleted", resource, ident, before=before)
