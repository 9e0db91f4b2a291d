"""A member's erasure clears the reasons of their points entries (staff type them, and may
name the person): of an entry the app role may now change ``remaining`` and ``reason``, and
still nothing else; allocations never change."""

from bodega.db.migrate import sql_migration

ID = "2026-11-29T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "points entries: reasons cleared on erasure"


def _grants(role: str) -> str:
    return f"GRANT UPDATE (remaining, reason) ON points_entries TO {role};"


async def forwards():
    return sql_migration(ID, "points", DESCRIPTION, _grants)
