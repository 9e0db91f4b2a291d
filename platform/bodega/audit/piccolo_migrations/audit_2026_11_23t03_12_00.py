"""The audit log: append-only (the app role may insert and read, never update or delete)."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-23T03:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log"

TABLES = """
CREATE TABLE audit_log (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    actor_kind varchar(16) NOT NULL,
    actor_id uuid,
    action varchar(64) NOT NULL,
    resource varchar(64) NOT NULL,
    resource_id uuid,
    before jsonb,
    after jsonb,
    request_id varchar(64),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id, id);
CREATE INDEX audit_log_tenant_resource ON audit_log (tenant_id, resource, resource_id, id);
"""


def _append_only(role: str) -> str:
    return tenant_table_sql("audit_log", role) + f"REVOKE UPDATE, DELETE ON audit_log FROM {role};"


async def forwards():
    return sql_migration(ID, "audit", DESCRIPTION, TABLES, _append_only)
