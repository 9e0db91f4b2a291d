"""A clean-up function for events past their retention, with their finished deliveries (run
by an hourly job). Events not yet relayed, or with a delivery still pending, are kept."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import purge_function_sql

ID = "2026-11-24T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "purge old events"

CONDITION = """created_at < p_before AND relayed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                       WHERE d.tenant_id = events.tenant_id AND d.event_id = events.id
                         AND d.status = 'pending')"""


def _purge(role: str) -> str:
    return purge_function_sql("bodega_purge_events", "events", CONDITION, role)


async def forwards():
    return sql_migration(ID, "events", DESCRIPTION, _purge)
