"""Purchase orders, their lines, goods receipts and their lines, under RLS."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-23T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "purchase orders and goods receipts"

TABLES = """
CREATE TABLE purchase_orders (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    number integer NOT NULL CHECK (number > 0),
    supplier_id uuid NOT NULL REFERENCES suppliers(id),
    store_id uuid NOT NULL REFERENCES stores(id),
    status varchar(24) NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'sent', 'partially_received', 'received', 'cancelled'
    )),
    expected_on date NOT NULL,
    note varchar(1000) NOT NULL DEFAULT '',
    source varchar(32) NOT NULL DEFAULT 'manual',
    suggestion_run_id uuid,
    total bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
    received_value bigint NOT NULL DEFAULT 0 CHECK (received_value >= 0),
    closed_short boolean NOT NULL DEFAULT false,
    reason varchar(500) NOT NULL DEFAULT '',
    sent_at timestamptz,
    received_at timestamptz,
    cancelled_at timestamptz,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX purchase_orders_tenant_number ON purchase_orders (tenant_id, number);
CREATE INDEX purchase_orders_tenant_id ON purchase_orders (tenant_id, id);
CREATE INDEX purchase_orders_tenant_store_status ON purchase_orders (tenant_id, store_id, status, id);
CREATE INDEX purchase_orders_tenant_supplier ON purchase_orders (tenant_id, supplier_id, id);
CREATE INDEX purchase_orders_tenant_suggestion_run
    ON purchase_orders (tenant_id, suggestion_run_id) WHERE suggestion_run_id IS NOT NULL;

CREATE TABLE purchase_order_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    purchase_order_id uuid NOT NULL REFERENCES purchase_orders(id),
    position integer NOT NULL CHECK (position >= 0),
    product_id uuid NOT NULL REFERENCES products(id),
    quantity numeric(14, 3) NOT NULL CHECK (quantity > 0),
    unit_cost bigint NOT NULL CHECK (unit_cost >= 0),
    received numeric(14, 3) NOT NULL DEFAULT 0 CHECK (received >= 0),
    rejected numeric(14, 3) NOT NULL DEFAULT 0 CHECK (rejected >= 0)
);
CREATE UNIQUE INDEX purchase_order_lines_tenant_order_position
    ON purchase_order_lines (tenant_id, purchase_order_id, position);
CREATE INDEX purchase_order_lines_tenant_id ON purchase_order_lines (tenant_id, id);
CREATE INDEX purchase_order_lines_tenant_product ON purchase_order_lines (tenant_id, product_id);

CREATE TABLE goods_receipts (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    purchase_order_id uuid NOT NULL REFERENCES purchase_orders(id),
    store_id uuid NOT NULL REFERENCES stores(id),
    supplier_id uuid NOT NULL REFERENCES suppliers(id),
    note varchar(1000) NOT NULL DEFAULT '',
    over_receipt boolean NOT NULL DEFAULT false,
    total bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
    order_status varchar(24) NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid NOT NULL
);
CREATE INDEX goods_receipts_tenant_id ON goods_receipts (tenant_id, id);
CREATE INDEX goods_receipts_tenant_order ON goods_receipts (tenant_id, purchase_order_id, id);

CREATE TABLE goods_receipt_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    goods_receipt_id uuid NOT NULL REFERENCES goods_receipts(id),
    purchase_order_line_id uuid NOT NULL REFERENCES purchase_order_lines(id),
    position integer NOT NULL CHECK (position >= 0),
    product_id uuid NOT NULL REFERENCES products(id),
    received numeric(14, 3) NOT NULL CHECK (received >= 0),
    rejected numeric(14, 3) NOT NULL CHECK (rejected >= 0),
    reject_reason varchar(200),
    lot_code varchar(64),
    expires_on date,
    unit_cost bigint NOT NULL CHECK (unit_cost >= 0),
    value bigint NOT NULL CHECK (value >= 0),
    movement_id uuid
);
CREATE UNIQUE INDEX goods_receipt_lines_tenant_receipt_position
    ON goods_receipt_lines (tenant_id, goods_receipt_id, position);
CREATE INDEX goods_receipt_lines_tenant_id ON goods_receipt_lines (tenant_id, id);
CREATE INDEX goods_receipt_lines_tenant_order_line
    ON goods_receipt_lines (tenant_id, purchase_order_line_id);
"""

_TABLES = ("purchase_orders", "purchase_order_lines", "goods_receipts", "goods_receipt_lines")


def _rls(role: str) -> str:
    return "".join(tenant_table_sql(t, role) for t in _TABLES)


async def forwards():
    return sql_migration(ID, "purchasing", DESCRIPTION, TABLES, _rls)
