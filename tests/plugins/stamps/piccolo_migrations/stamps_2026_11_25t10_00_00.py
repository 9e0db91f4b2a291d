"""The stamps table, under RLS like every table holding a chain's data."""

from bodega.plugins import sql_migration, tenant_table_sql

ID = "2026-11-25T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stamps"

TABLE = """
CREATE TABLE stamps (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    event_id uuid,
    event_type varchar(64) NOT NULL,
    label varchar(100) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""


async def forwards():
    return sql_migration(ID, "stamps", DESCRIPTION, TABLE, lambda role: tenant_table_sql("stamps", role))
