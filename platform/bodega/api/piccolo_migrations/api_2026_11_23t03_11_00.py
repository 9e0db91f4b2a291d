"""Stored answers for Idempotency-Key retries, per tenant."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-23T03:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "idempotency keys"

TABLES = """
CREATE TABLE idempotency_keys (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    key varchar(255) NOT NULL,
    fingerprint varchar(64) NOT NULL,
    status integer,
    content_type varchar(100),
    body bytea,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idempotency_keys_tenant_key ON idempotency_keys (tenant_id, key);
"""


async def forwards():
    return sql_migration(
        ID, "api", DESCRIPTION, TABLES, lambda role: tenant_table_sql("idempotency_keys", role)
    )
