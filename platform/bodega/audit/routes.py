from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller
from litestar.params import FromQuery, QueryParameter

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, get
from bodega.audit.schemas import AuditEntryPage
from bodega.audit.service import list_entries

__all__ = ["AuditController"]


class AuditController(Controller):
    path = "/v1/audit-log"
    tags = ["audit"]

    @get("/", guards=[requires("audit:read")], summary="List recorded changes, oldest first")
    async def list_audit_log(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        resource: Annotated[str | None, QueryParameter(max_length=64)] = None,
        resource_id: FromQuery[uuid.UUID | None] = None,
    ) -> AuditEntryPage:
        return await list_entries(
            actor, limit=limit, cursor=cursor, resource=resource, resource_id=resource_id
        )
