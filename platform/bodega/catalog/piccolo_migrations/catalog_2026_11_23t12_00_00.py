"""Products get a cost price, which values stock movements, losses and stocktake variances."""

from bodega.db.migrate import sql_migration

ID = "2026-11-23T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "product cost price"

SQL = """
ALTER TABLE products ADD COLUMN cost_price bigint NOT NULL DEFAULT 0 CHECK (cost_price >= 0);
"""


async def forwards():
    return sql_migration(ID, "catalog", DESCRIPTION, SQL)
