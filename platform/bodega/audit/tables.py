"""The append-only audit log: who changed what, when, before and after."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AuditEntry"]


class AuditEntry(Table, tablename="audit_log"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    action = Varchar(length=64)
    resource = Varchar(length=64)
    resource_id = UUID(null=True, default=None)
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz()
