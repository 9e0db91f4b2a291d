"""The stock movement ledger, stock levels and lots, under RLS; the ledger is append-only."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-23T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "inventory ledger"

TABLES = """
CREATE TABLE stock_lots (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    product_id uuid NOT NULL REFERENCES products(id),
    code varchar(64) NOT NULL,
    expires_on date NOT NULL,
    on_hand numeric(14, 3) NOT NULL CHECK (on_hand >= 0),
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX stock_lots_tenant_store_product_code
    ON stock_lots (tenant_id, store_id, product_id, code);
CREATE INDEX stock_lots_tenant_fefo
    ON stock_lots (tenant_id, store_id, product_id, expires_on) WHERE on_hand > 0;
CREATE INDEX stock_lots_tenant_id ON stock_lots (tenant_id, id);

CREATE TABLE stock_movements (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    product_id uuid NOT NULL REFERENCES products(id),
    kind varchar(16) NOT NULL CHECK (kind IN (
        'receipt', 'sale', 'return', 'loss', 'adjustment', 'stocktake',
        'transfer_out', 'transfer_in'
    )),
    quantity numeric(14, 3) NOT NULL CHECK (quantity <> 0),
    reason varchar(24),
    unit_cost bigint NOT NULL CHECK (unit_cost >= 0),
    value bigint NOT NULL,
    lot_id uuid REFERENCES stock_lots(id),
    source_type varchar(32) NOT NULL,
    source_id uuid,
    note varchar(500) NOT NULL DEFAULT '',
    actor_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_tenant_id ON stock_movements (tenant_id, id);
CREATE INDEX stock_movements_tenant_store_product
    ON stock_movements (tenant_id, store_id, product_id, occurred_at);
CREATE INDEX stock_movements_tenant_kind ON stock_movements (tenant_id, kind, occurred_at);
CREATE INDEX stock_movements_tenant_source ON stock_movements (tenant_id, source_id);

CREATE TABLE stock_levels (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    product_id uuid NOT NULL REFERENCES products(id),
    on_hand numeric(14, 3) NOT NULL DEFAULT 0,
    reorder_point numeric(14, 3) CHECK (reorder_point >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX stock_levels_tenant_store_product
    ON stock_levels (tenant_id, store_id, product_id);
CREATE INDEX stock_levels_tenant_id ON stock_levels (tenant_id, id);
CREATE INDEX stock_levels_tenant_product ON stock_levels (tenant_id, product_id);
"""


def _rls(role: str) -> str:
    tables = ("stock_lots", "stock_movements", "stock_levels")
    return "".join(tenant_table_sql(t, role) for t in tables) + (
        f"REVOKE UPDATE, DELETE ON stock_movements FROM {role};\n"
    )


async def forwards():
    return sql_migration(ID, "inventory", DESCRIPTION, TABLES, _rls)
