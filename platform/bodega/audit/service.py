"""Record every change and let a tenant read its history."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import structlog

from bodega.api.auth import Actor
from bodega.api.pagination import Page
from bodega.audit.schemas import AuditEntryOut
from bodega.audit.tables import AuditEntry
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import list_page

__all__ = ["list_entries", "record_change"]

_SECRET_FIELDS = frozenset(
    {"password", "password_hash", "secret", "secret_hash", "previous_secret", "token", "token_hash"}
)


def _payload(value: Any) -> str | None:
    if value is None:
        return None
    data = msgspec.to_builtins(value)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in _SECRET_FIELDS}
    return msgspec.json.encode(data).decode()


async def record_change(
    actor: Actor,
    action: str,
    resource: str,
    resource_id: uuid.UUID | None,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one audit entry in the current transaction (so it commits with the change)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await db.execute(
        "INSERT INTO audit_log (id, tenant_id, actor_kind, actor_id, action, resource,"
        " resource_id, before, after, request_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)",
        new_id(),
        actor.tenant_id,
        actor.kind,
        actor.id,
        action,
        resource,
        resource_id,
        _payload(before),
        _payload(after),
        request_id,
    )


async def list_entries(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    resource: str | None = None,
    resource_id: uuid.UUID | None = None,
) -> Page[AuditEntryOut]:
    where = []
    if resource is not None:
        where.append(AuditEntry.resource == resource)
    if resource_id is not None:
        where.append(AuditEntry.resource_id == resource_id)
    return await list_page(
        AuditEntry, actor.tenant_id, AuditEntryOut, limit=limit, cursor=cursor, where=where
    )
