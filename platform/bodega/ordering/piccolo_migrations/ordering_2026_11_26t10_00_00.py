"""Sales orders, their lines, payments and refunds, and order numbers per store, under RLS."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-26T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ordering tables"

TABLES = """
CREATE TABLE orders (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    number integer NOT NULL CHECK (number > 0),
    channel varchar(16) NOT NULL
        CHECK (channel IN ('pos', 'pickup', 'delivery', 'vending', 'online')),
    status varchar(24) NOT NULL
        CHECK (status IN ('open', 'paid', 'fulfilled', 'cancelled', 'partially_refunded',
                          'refunded')),
    member_id uuid,
    note varchar(500) NOT NULL DEFAULT '',
    external_ref varchar(64),
    promised_at timestamptz,
    currency varchar(3) NOT NULL,
    subtotal bigint NOT NULL CHECK (subtotal >= 0),
    discount_total bigint NOT NULL CHECK (discount_total >= 0),
    total bigint NOT NULL CHECK (total >= 0),
    tax_total bigint NOT NULL CHECK (tax_total >= 0),
    taxes jsonb NOT NULL DEFAULT '[]',
    paid_total bigint NOT NULL DEFAULT 0 CHECK (paid_total >= 0),
    change bigint NOT NULL DEFAULT 0 CHECK (change >= 0),
    refunded_total bigint NOT NULL DEFAULT 0 CHECK (refunded_total BETWEEN 0 AND paid_total),
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    paid_at timestamptz,
    fulfilled_at timestamptz,
    cancelled_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX orders_tenant_id ON orders (tenant_id, id);
CREATE UNIQUE INDEX orders_tenant_store_number ON orders (tenant_id, store_id, number);
CREATE INDEX orders_tenant_store ON orders (tenant_id, store_id, id);
CREATE INDEX orders_tenant_status ON orders (tenant_id, status, id);
CREATE INDEX orders_tenant_created ON orders (tenant_id, created_at);
CREATE INDEX orders_tenant_member ON orders (tenant_id, member_id, id)
    WHERE member_id IS NOT NULL;

CREATE TABLE order_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    order_id uuid NOT NULL REFERENCES orders(id),
    position integer NOT NULL,
    product_id uuid NOT NULL REFERENCES products(id),
    sku varchar(64) NOT NULL,
    name varchar(200) NOT NULL,
    unit varchar(8) NOT NULL CHECK (unit IN ('each', 'kg')),
    quantity numeric(12, 3) NOT NULL CHECK (quantity > 0),
    list_price bigint NOT NULL CHECK (list_price >= 0),
    unit_price bigint NOT NULL CHECK (unit_price >= 0),
    price_overridden boolean NOT NULL DEFAULT false,
    discount_percent numeric(5, 2) CHECK (discount_percent BETWEEN 0 AND 100),
    gross bigint NOT NULL CHECK (gross >= 0),
    discount bigint NOT NULL CHECK (discount BETWEEN 0 AND gross),
    total bigint NOT NULL CHECK (total = gross - discount),
    tax_rate numeric(5, 2) NOT NULL CHECK (tax_rate BETWEEN 0 AND 100),
    refunded_quantity numeric(12, 3) NOT NULL DEFAULT 0
        CHECK (refunded_quantity BETWEEN 0 AND quantity),
    refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0)
);
CREATE UNIQUE INDEX order_lines_tenant_order ON order_lines (tenant_id, order_id, position);
CREATE INDEX order_lines_tenant_product ON order_lines (tenant_id, product_id);

CREATE TABLE order_payments (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    order_id uuid NOT NULL REFERENCES orders(id),
    position integer NOT NULL,
    method varchar(16) NOT NULL
        CHECK (method IN ('cash', 'card', 'stripe', 'wallet', 'points')),
    amount bigint NOT NULL CHECK (amount >= 0),
    tendered bigint NOT NULL CHECK (tendered >= amount),
    reference varchar(255),
    refunded bigint NOT NULL DEFAULT 0 CHECK (refunded BETWEEN 0 AND amount),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX order_payments_tenant_order ON order_payments (tenant_id, order_id, position);

CREATE TABLE order_refunds (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    order_id uuid NOT NULL REFERENCES orders(id),
    amount bigint NOT NULL CHECK (amount >= 0),
    reason varchar(500) NOT NULL DEFAULT '',
    payments jsonb NOT NULL DEFAULT '[]',
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_refunds_tenant_order ON order_refunds (tenant_id, order_id, id);

CREATE TABLE order_refund_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    refund_id uuid NOT NULL REFERENCES order_refunds(id),
    line_id uuid NOT NULL REFERENCES order_lines(id),
    quantity numeric(12, 3) NOT NULL CHECK (quantity > 0),
    amount bigint NOT NULL CHECK (amount >= 0),
    restock boolean NOT NULL
);
CREATE INDEX order_refund_lines_tenant_refund ON order_refund_lines (tenant_id, refund_id, id);
CREATE INDEX order_refund_lines_tenant_line ON order_refund_lines (tenant_id, line_id);

CREATE TABLE order_counters (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    last_number integer NOT NULL CHECK (last_number > 0)
);
CREATE UNIQUE INDEX order_counters_tenant_store ON order_counters (tenant_id, store_id);
"""

_TABLES = (
    "orders",
    "order_lines",
    "order_payments",
    "order_refunds",
    "order_refund_lines",
    "order_counters",
)


def _rls(role: str) -> str:
    return "".join(tenant_table_sql(t, role) for t in _TABLES)


async def forwards():
    return sql_migration(ID, "ordering", DESCRIPTION, TABLES, _rls)
