"""Losses, stocktakes and transfers: the documents that write loss, stocktake and transfer
movements, under RLS."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-26T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "losses, stocktakes, transfers"

TABLES = """
CREATE TABLE transfers (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    from_store_id uuid NOT NULL REFERENCES stores(id),
    to_store_id uuid NOT NULL REFERENCES stores(id),
    status varchar(16) NOT NULL CHECK (status IN ('in_transit', 'received', 'cancelled')),
    note varchar(500) NOT NULL DEFAULT '',
    sent_by uuid NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    received_by uuid,
    received_at timestamptz,
    cancelled_by uuid,
    cancelled_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    CHECK (from_store_id <> to_store_id)
);
CREATE INDEX transfers_tenant_id ON transfers (tenant_id, id);
CREATE INDEX transfers_tenant_from ON transfers (tenant_id, from_store_id, status);
CREATE INDEX transfers_tenant_to ON transfers (tenant_id, to_store_id, status);

CREATE TABLE transfer_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    transfer_id uuid NOT NULL REFERENCES transfers(id),
    product_id uuid NOT NULL REFERENCES products(id),
    quantity numeric(14, 3) NOT NULL CHECK (quantity > 0),
    received numeric(14, 3) CHECK (received >= 0 AND received <= quantity),
    unit_cost bigint NOT NULL CHECK (unit_cost >= 0)
);
CREATE UNIQUE INDEX transfer_lines_tenant_transfer_product
    ON transfer_lines (tenant_id, transfer_id, product_id);
CREATE INDEX transfer_lines_tenant_id ON transfer_lines (tenant_id, id);

CREATE TABLE losses (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    reason varchar(16) NOT NULL CHECK (reason IN (
        'expired', 'damaged', 'theft', 'spoiled', 'transit', 'other'
    )),
    note varchar(500) NOT NULL DEFAULT '',
    value bigint NOT NULL,
    transfer_id uuid REFERENCES transfers(id),
    recorded_by uuid NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX losses_tenant_id ON losses (tenant_id, id);
CREATE INDEX losses_tenant_store ON losses (tenant_id, store_id, occurred_at);
CREATE INDEX losses_tenant_occurred ON losses (tenant_id, occurred_at);
CREATE INDEX losses_tenant_transfer ON losses (tenant_id, transfer_id)
    WHERE transfer_id IS NOT NULL;

CREATE TABLE stocktakes (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    status varchar(16) NOT NULL CHECK (status IN ('open', 'posted', 'cancelled')),
    category_ids uuid[] NOT NULL DEFAULT '{}',
    note varchar(500) NOT NULL DEFAULT '',
    zero_uncounted boolean NOT NULL DEFAULT false,
    totals jsonb,
    opened_by uuid NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now(),
    posted_at timestamptz,
    cancelled_at timestamptz,
    closed_by uuid,
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX stocktakes_tenant_store_open ON stocktakes (tenant_id, store_id)
    WHERE status = 'open';
CREATE INDEX stocktakes_tenant_id ON stocktakes (tenant_id, id);
CREATE INDEX stocktakes_tenant_store ON stocktakes (tenant_id, store_id, opened_at);

CREATE TABLE stocktake_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    stocktake_id uuid NOT NULL REFERENCES stocktakes(id),
    product_id uuid NOT NULL REFERENCES products(id),
    expected numeric(14, 3) NOT NULL,
    counted numeric(14, 3) CHECK (counted >= 0),
    first_counted_at timestamptz,
    last_counted_at timestamptz,
    variance numeric(14, 3),
    unit_cost bigint CHECK (unit_cost >= 0)
);
CREATE UNIQUE INDEX stocktake_lines_tenant_stocktake_product
    ON stocktake_lines (tenant_id, stocktake_id, product_id);
CREATE INDEX stocktake_lines_tenant_id ON stocktake_lines (tenant_id, id);
"""


def _rls(role: str) -> str:
    tables = ("transfers", "transfer_lines", "losses", "stocktakes", "stocktake_lines")
    return "".join(tenant_table_sql(t, role) for t in tables)


async def forwards():
    return sql_migration(ID, "inventory", DESCRIPTION, TABLES, _rls)
