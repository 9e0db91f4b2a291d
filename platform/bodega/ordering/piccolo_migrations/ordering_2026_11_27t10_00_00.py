"""Orders keep how they were priced: the adjustments of their quote (markdowns, promotions,
plugins' discounts, with reasons), each line's share, and the promotions whose uses they
counted (given back when the order is cancelled)."""

from bodega.db.migrate import sql_migration

ID = "2026-11-27T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders keep their quote's adjustments"

COLUMNS = """
ALTER TABLE orders
    ADD COLUMN adjustments jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN promotion_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE order_lines ADD COLUMN adjustments jsonb NOT NULL DEFAULT '[]';
"""


async def forwards():
    return sql_migration(ID, "ordering", DESCRIPTION, COLUMNS)
