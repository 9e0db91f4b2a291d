"""A clean-up function for idempotency keys past their 24 hours (run by an hourly job)."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import purge_function_sql

ID = "2026-11-24T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "purge expired idempotency keys"


def _purge(role: str) -> str:
    condition = "created_at < p_before"
    return purge_function_sql("bodega_purge_idempotency_keys", "idempotency_keys", condition, role)


async def forwards():
    return sql_migration(ID, "api", DESCRIPTION, _purge)
