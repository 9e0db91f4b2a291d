"""Stores, categories, suppliers and products, under RLS."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-23T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog tables"

TABLES = """
CREATE TABLE stores (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    code varchar(32) NOT NULL,
    name varchar(200) NOT NULL,
    address varchar(500) NOT NULL DEFAULT '',
    timezone varchar(64) NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX stores_tenant_code ON stores (tenant_id, code);
CREATE INDEX stores_tenant_id ON stores (tenant_id, id);

CREATE TABLE categories (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(200) NOT NULL,
    parent_id uuid REFERENCES categories(id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX categories_tenant_parent_name
    ON categories (tenant_id, COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'), lower(name));
CREATE INDEX categories_tenant_id ON categories (tenant_id, id);

CREATE TABLE suppliers (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    code varchar(32) NOT NULL,
    name varchar(200) NOT NULL,
    email varchar(320) NOT NULL DEFAULT '',
    phone varchar(32) NOT NULL DEFAULT '',
    lead_time_days integer NOT NULL DEFAULT 1 CHECK (lead_time_days BETWEEN 0 AND 365),
    order_days integer[] NOT NULL DEFAULT '{}',
    min_order bigint NOT NULL DEFAULT 0 CHECK (min_order >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX suppliers_tenant_code ON suppliers (tenant_id, code);
CREATE INDEX suppliers_tenant_id ON suppliers (tenant_id, id);

CREATE TABLE products (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    sku varchar(64) NOT NULL,
    name varchar(200) NOT NULL,
    gtin varchar(14),
    plu varchar(8),
    unit varchar(8) NOT NULL DEFAULT 'each' CHECK (unit IN ('each', 'kg')),
    category_id uuid REFERENCES categories(id) ON DELETE RESTRICT,
    supplier_id uuid REFERENCES suppliers(id) ON DELETE RESTRICT,
    list_price bigint NOT NULL DEFAULT 0 CHECK (list_price >= 0),
    tax_rate numeric(5, 2) NOT NULL DEFAULT 0 CHECK (tax_rate BETWEEN 0 AND 100),
    shelf_life_days integer CHECK (shelf_life_days > 0),
    case_pack integer NOT NULL DEFAULT 1 CHECK (case_pack >= 1),
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX products_tenant_sku ON products (tenant_id, sku);
CREATE UNIQUE INDEX products_tenant_gtin ON products (tenant_id, gtin) WHERE gtin IS NOT NULL;
CREATE UNIQUE INDEX products_tenant_plu ON products (tenant_id, plu) WHERE plu IS NOT NULL;
CREATE INDEX products_tenant_id ON products (tenant_id, id);
CREATE INDEX products_tenant_category ON products (tenant_id, category_id, id);
"""


def _rls(role: str) -> str:
    return "".join(tenant_table_sql(t, role) for t in ("stores", "categories", "suppliers", "products"))


async def forwards():
    return sql_migration(ID, "catalog", DESCRIPTION, TABLES, _rls)
