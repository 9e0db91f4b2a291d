"""Members' standing keeps the points they earned over the rolling 12 months beside their
spend, for chains whose earned tiers are reached by points (basis ``points_12m``)."""

from bodega.db.migrate import sql_migration

ID = "2026-11-28T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "member tiers: points over 12 months"

COLUMNS = "ALTER TABLE member_tiers ADD COLUMN points_12m bigint NOT NULL DEFAULT 0;"


async def forwards():
    return sql_migration(ID, "tiers", DESCRIPTION, COLUMNS)
