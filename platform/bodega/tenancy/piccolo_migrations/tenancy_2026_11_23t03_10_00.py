"""Tenants, users, invitations, API keys and sessions, under RLS; credential look-ups."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import app_role_sql, tenant_table_sql

ID = "2026-11-23T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tenancy tables, RLS and credential look-up functions"

TABLES = """
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name varchar(200) NOT NULL,
    currency varchar(3) NOT NULL,
    timezone varchar(64) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE TABLE users (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    email varchar(320) NOT NULL,
    name varchar(200) NOT NULL DEFAULT '',
    password_hash varchar(200) NOT NULL,
    role varchar(16) NOT NULL CHECK (role IN ('owner', 'manager', 'auditor', 'staff')),
    store_ids uuid[] NOT NULL DEFAULT '{}',
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, lower(email));
CREATE INDEX users_email ON users (lower(email));
CREATE TABLE invitations (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    email varchar(320) NOT NULL,
    role varchar(16) NOT NULL CHECK (role IN ('owner', 'manager', 'auditor', 'staff')),
    store_ids uuid[] NOT NULL DEFAULT '{}',
    token_hash varchar(64) NOT NULL UNIQUE,
    invited_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX invitations_tenant ON invitations (tenant_id, id);
CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(200) NOT NULL,
    prefix varchar(16) NOT NULL,
    secret_hash varchar(64) NOT NULL UNIQUE,
    scopes varchar(64)[] NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash varchar(64) NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_tenant_user ON sessions (tenant_id, user_id);
"""

# Credentials are found before the tenant is known. These functions run as the owner
# (a superuser or BYPASSRLS role) and return only the row matching an unguessable hash,
# or the login candidates for one email; the app role may call nothing else unscoped.
LOOKUPS = """
CREATE FUNCTION bodega_authenticate(p_token_hash text)
RETURNS TABLE (kind text, tenant_id uuid, principal_id uuid, session_id uuid, role text,
               scopes text[], store_ids uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT 'user', u.tenant_id, u.id, s.id, u.role, NULL::text[], u.store_ids
      FROM sessions s JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
     WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active'
    UNION ALL
    SELECT 'api_key', k.tenant_id, k.id, NULL, NULL, k.scopes::text[], '{}'::uuid[]
      FROM api_keys k
     WHERE k.secret_hash = p_token_hash AND k.revoked_at IS NULL
$$;
CREATE FUNCTION bodega_login_candidates(p_email text)
RETURNS TABLE (tenant_id uuid, user_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.tenant_id, u.id, u.password_hash FROM users u
     WHERE lower(u.email) = lower(p_email) AND u.status = 'active'
$$;
CREATE FUNCTION bodega_find_invitation(p_token_hash text)
RETURNS TABLE (tenant_id uuid, invitation_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT i.tenant_id, i.id FROM invitations i
     WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL
       AND i.expires_at > now()
$$;
REVOKE ALL ON FUNCTION bodega_authenticate(text), bodega_login_candidates(text),
    bodega_find_invitation(text) FROM PUBLIC;
"""


def _grants(role: str) -> str:
    return "\n".join(
        [
            app_role_sql(role),
            tenant_table_sql("tenants", role, key="id"),
            *(tenant_table_sql(t, role) for t in ("users", "invitations", "api_keys", "sessions")),
            f"GRANT EXECUTE ON FUNCTION bodega_authenticate(text), bodega_login_candidates(text), "
            f"bodega_find_invitation(text) TO {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "tenancy", DESCRIPTION, TABLES, LOOKUPS, _grants)
