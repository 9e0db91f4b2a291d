"""SQL that the migrations use to put a table under the tenancy rule.

A tenant-owned table gets a foreign key to ``tenants``, row-level security ENABLEd and
FORCEd, and one policy: a row is visible and writable only when its ``tenant_id`` equals
``app.tenant_id`` of the current transaction. With no tenant set the setting is NULL and
nothing matches, so forgetting the scope fails closed.
"""

from __future__ import annotations

__all__ = ["CURRENT_TENANT", "app_role_sql", "tenant_table_sql"]

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
