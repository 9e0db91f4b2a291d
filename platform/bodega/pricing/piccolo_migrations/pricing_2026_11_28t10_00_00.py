"""Price lists for the members of a tier: audience ``tier`` (a tier's benefits name the list)."""

from bodega.db.migrate import sql_migration

ID = "2026-11-28T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "price lists for a tier's members"

AUDIENCE = """
ALTER TABLE price_lists DROP CONSTRAINT price_lists_audience_check;
ALTER TABLE price_lists ADD CONSTRAINT price_lists_audience_check
    CHECK (audience IN ('everyone', 'members', 'tier'));
"""


async def forwards():
    return sql_migration(ID, "pricing", DESCRIPTION, AUDIENCE)
