"""SQL that the migrations use to put a table under the tenancy rule.

A tenant-owned table gets a foreign key to ``tenants``, row-level security ENABLEd and
FORCEd, and one policy: a row is visible and writable only when its ``tenant_id`` equals
``app.tenant_id`` of the current transaction. With no tenant set the setting is NULL and
nothing matches, so forgetting the scope fails closed.
"""

from __future__ import annotations

__all__ = ["CURRENT_TENANT", "app_role_sql", "purge_function_sql", "tenant_table_sql"]

CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def app_role_sql(role: str) -> str:
    """Create the application role (once per cluster).

    It logs in, owns nothing and bypasses nothing.
    """
    return f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
ALTER ROLE {role} SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE {role} SET statement_timeout = '30s';
DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {role}', current_database()); END $$;
GRANT USAGE ON SCHEMA public TO {role};
"""


def tenant_table_sql(table: str, role: str, *, key: str = "tenant_id") -> str:
    """Put ``table`` under RLS on column ``key`` and grant the app role what it needs."""
    fk = (
        ""
        if table == "tenants"
        else f"ALTER TABLE {table} ADD FOREIGN KEY ({key}) "
        "REFERENCES tenants(id) ON DELETE CASCADE;"
    )
    return f"""
{fk}
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {table}
    USING ({key} = {CURRENT_TENANT})
    WITH CHECK ({key} = {CURRENT_TENANT});
GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role};
"""


def purge_function_sql(name: str, table: str, condition: str, role: str) -> str:
    """A clean-up function ``name(p_before timestamptz) -> rows deleted``: it deletes every
    tenant's rows of ``table`` matching ``condition`` (on ``p_before``). SECURITY DEFINER, so
    it is reviewed like the others; it returns a count, never a row. The names and the
    condition come from the migrations' code, never from input."""
    return f"""
CREATE FUNCTION {name}(p_before timestamptz) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH gone AS (DELETE FROM {table} WHERE {condition} RETURNING 1)
    SELECT count(*)::integer FROM gone
$$;
REVOKE ALL ON FUNCTION {name}(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {name}(timestamptz) TO {role};
"""  # noqa: S608
