"""The plugins each chain has enabled, under RLS, and the one SECURITY DEFINER look-up that
plugin cron jobs use to find the chains to run for (ids only)."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-25T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tenant plugins"

TABLES = """
CREATE TABLE tenant_plugins (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(40) NOT NULL,
    enabled boolean NOT NULL DEFAULT false,
    settings jsonb NOT NULL DEFAULT '{}',
    enabled_at timestamptz,
    tripped_until timestamptz,
    tripped_reason varchar(500),
    failure_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, name)
);

CREATE FUNCTION bodega_plugin_tenants(p_name text)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT p.tenant_id FROM tenant_plugins p
     WHERE p.name = p_name AND p.enabled
       AND (p.tripped_until IS NULL OR p.tripped_until <= now())
$$;
REVOKE ALL ON FUNCTION bodega_plugin_tenants(text) FROM PUBLIC;
"""


def _grants(role: str) -> str:
    return (
        tenant_table_sql("tenant_plugins", role)
        + f"GRANT EXECUTE ON FUNCTION bodega_plugin_tenants(text) TO {role};\n"
    )


async def forwards():
    return sql_migration(ID, "plugins", DESCRIPTION, TABLES, _grants)
