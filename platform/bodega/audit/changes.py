"""Writing a tenant's object, recording the change and emitting its event, as one step.

Every create, update and delete of a service goes through these, so each change is written
with its audit entry and its domain event (``<resource>.created`` ...) in the same
transaction: a change that rolls back leaves neither behind.
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
from bodega.events import emit

__all__ = ["change_recorded", "create_recorded", "delete_recorded", "update_recorded"]

S = TypeVar("S", bound=msgspec.Struct)


def _label(resource: str) -> str:
    return resource.replace("_", " ")


async def change_recorded(
    actor: Actor,
    resource: str,
    what: str,
    ident: uuid.UUID,
    data: msgspec.Struct,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record ``<resource>.<what>`` in the audit log and emit it as an event carrying ``data``
    (the object as the API returns it). For changes that are not a plain create, update or
    delete (a revocation, a rotation)."""
    action = f"{resource}.{what}"
    await record_change(actor, action, resource, ident, before=before, after=after)
    await emit(actor, action, data)


async def create_recorded(
    actor: Actor, table: type[Table], row: Mapping[str, Any], resource: str, out: type[S]
) -> S:
    """Insert ``row``, record and emit ``<resource>.created``; return it as ``out``."""
    await table.insert(table(**row))
    created = to_struct(row, out)
    await change_recorded(actor, resource, "created", row["id"], created, after=created)
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
    """Apply ``values`` if ``version`` is current (else 409); record and emit
    ``<resource>.updated``."""
    before, after = await update_row(
        table, actor.tenant_id, ident, version, values, _label(resource)
    )
    updated = to_struct(after, out)
    await change_recorded(actor, resource, "updated", ident, updated, before=before, after=after)
    return updated


async def delete_recorded(
    actor: Actor, table: type[Table], ident: uuid.UUID, resource: str, out: type[S]
) -> None:
    """Delete the object (404 if it is not the caller's); record and emit
    ``<resource>.deleted`` carrying the object as it was."""
    before = await delete_row(table, actor.tenant_id, ident, _label(resource))
    await change_recorded(actor, resource, "deleted", ident, to_struct(before, out), before=before)
