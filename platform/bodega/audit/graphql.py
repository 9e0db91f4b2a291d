"""GraphQL for the audit log."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.audit.schemas import AuditEntryOut
from bodega.audit.service import list_entries
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, page_limit
from bodega.graphql.types import object_type, page_type

__all__ = ["AuditQuery"]

AuditEntry = object_type(AuditEntryOut)
AuditEntryPage = page_type(AuditEntry, "AuditEntryPage")


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Recorded changes, oldest first.")
    async def audit_log(
        self,
        info: Info[Context, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        resource: str | None = None,
        resource_id: uuid.UUID | None = None,
    ) -> AuditEntryPage:  # type: ignore[valid-type]
        return await call(
            info,
            "audit:read",
            list_entries,
            limit=page_limit(first),
            cursor=after,
            resource=resource,
            resource_id=resource_id,
        )
