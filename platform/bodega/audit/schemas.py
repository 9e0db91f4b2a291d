from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from bodega.api.pagination import named_page

__all__ = [
    "AuditEntryOut",
    "AuditEntryPage",
]


class AuditEntryOut(msgspec.Struct, kw_only=True):
    """One recorded change."""

    id: uuid.UUID
    actor_kind: str
    actor_id: uuid.UUID | None
    action: str
    resource: str
    resource_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    created_at: datetime


AuditEntryPage = named_page(AuditEntryOut, "AuditEntryPage")
