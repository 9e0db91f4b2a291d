"""bodega_authenticate also returns an API key's last_used_at, so the hot path updates it only
when it is more than a minute old instead of trying on every request."""

from bodega.db.migrate import sql_migration

ID = "2026-11-23T04:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "credential look-up returns last_used_at"

FUNCTION = """
DROP FUNCTION bodega_authenticate(text);
CREATE FUNCTION bodega_authenticate(p_token_hash text)
RETURNS TABLE (kind text, tenant_id uuid, principal_id uuid, session_id uuid, role text,
               scopes text[], store_ids uuid[], last_used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT 'user', u.tenant_id, u.id, s.id, u.role, NULL::text[], u.store_ids, NULL::timestamptz
      FROM sessions s JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
     WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active'
    UNION ALL
    SELECT 'api_key', k.tenant_id, k.id, NULL, NULL, k.scopes::text[], '{}'::uuid[],
           k.last_used_at
      FROM api_keys k
     WHERE k.secret_hash = p_token_hash AND k.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION bodega_authenticate(text) FROM PUBLIC;
"""


def _grant(role: str) -> str:
    return f"GRANT EXECUTE ON FUNCTION bodega_authenticate(text) TO {role};"


async def forwards():
    return sql_migration(ID, "tenancy", DESCRIPTION, FUNCTION, _grant)
