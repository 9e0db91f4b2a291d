"""Which plugins each chain has enabled, with its settings and breaker state.

Created by ``piccolo_migrations/`` (SQL), which also puts the table under RLS.
"""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Boolean, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["TenantPlugin"]


class TenantPlugin(Table, tablename="tenant_plugins"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=40)
    enabled = Boolean(default=False)
    settings = JSONB(default="{}")
    enabled_at = Timestamptz(null=True, default=None)
    tripped_until = Timestamptz(null=True, default=None)
    tripped_reason = Varchar(length=500, null=True, default=None)
    failure_count = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)
