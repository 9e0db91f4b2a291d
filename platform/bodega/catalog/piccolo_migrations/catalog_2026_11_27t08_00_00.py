"""Stores get a local closing time; products' list prices get a history (what "was" prices
are proven from), started with each existing product's current price as of its creation."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-27T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "store closing time, list price history"

SQL = """
ALTER TABLE stores ADD COLUMN closes_at varchar(5)
    CHECK (closes_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');

CREATE TABLE list_price_history (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    price bigint NOT NULL CHECK (price >= 0),
    effective_from timestamptz NOT NULL
);
CREATE INDEX list_price_history_tenant_product
    ON list_price_history (tenant_id, product_id, effective_from);

INSERT INTO list_price_history (id, tenant_id, product_id, price, effective_from)
SELECT gen_random_uuid(), tenant_id, id, list_price, created_at FROM products;
"""


def _grants(role: str) -> str:
    return "\n".join(
        [
            tenant_table_sql("list_price_history", role),
            # the history proves "was" prices: the app only appends to it
            f"REVOKE UPDATE, DELETE ON list_price_history FROM {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "catalog", DESCRIPTION, SQL, _grants)
