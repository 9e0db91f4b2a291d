"""A clean-up function for sessions that expired or were revoked (run by an hourly job)."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import purge_function_sql

ID = "2026-11-24T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "purge ended sessions"


def _purge(role: str) -> str:
    condition = "expires_at < p_before OR revoked_at < p_before"
    return purge_function_sql("bodega_purge_sessions", "sessions", condition, role)


async def forwards():
    return sql_migration(ID, "tenancy", DESCRIPTION, _purge)
