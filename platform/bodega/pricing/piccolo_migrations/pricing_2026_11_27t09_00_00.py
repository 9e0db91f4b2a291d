"""Price lists, store prices, scheduled price changes and price history, under RLS. One SECURITY DEFINER function lets the price-change sweep find the chains
with changes due; it returns tenant ids only."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-27T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "price lists, store prices, price changes, price history"

TABLES = """
CREATE TABLE price_lists (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(200) NOT NULL,
    store_ids uuid[] NOT NULL DEFAULT '{}',
    channels text[] NOT NULL DEFAULT '{}',
    audience varchar(16) NOT NULL DEFAULT 'everyone' CHECK (audience IN ('everyone', 'members')),
    valid_from timestamptz,
    valid_until timestamptz,
    priority integer NOT NULL DEFAULT 0,
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from)
);
CREATE INDEX price_lists_tenant_id ON price_lists (tenant_id, id);
CREATE INDEX price_lists_tenant_status ON price_lists (tenant_id, status, id);

CREATE TABLE price_list_items (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    price_list_id uuid NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product_id uuid NOT NULL REFERENCES products(id),
    price bigint NOT NULL CHECK (price >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX price_list_items_tenant_list_product
    ON price_list_items (tenant_id, price_list_id, product_id);
CREATE INDEX price_list_items_tenant_product ON price_list_items (tenant_id, product_id);

CREATE TABLE store_prices (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    product_id uuid NOT NULL REFERENCES products(id),
    price bigint NOT NULL CHECK (price >= 0),
    since timestamptz NOT NULL,
    price_change_id uuid
);
CREATE UNIQUE INDEX store_prices_tenant_store_product
    ON store_prices (tenant_id, store_id, product_id);
CREATE INDEX store_prices_tenant_product ON store_prices (tenant_id, product_id);

CREATE TABLE price_changes (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    product_id uuid NOT NULL REFERENCES products(id),
    price bigint NOT NULL CHECK (price >= 0),
    store_ids uuid[] NOT NULL DEFAULT '{}',
    effective_at timestamptz NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'applied', 'cancelled')),
    note varchar(500) NOT NULL DEFAULT '',
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    applied_at timestamptz,
    cancelled_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX price_changes_tenant_id ON price_changes (tenant_id, id);
CREATE INDEX price_changes_tenant_product ON price_changes (tenant_id, product_id, effective_at);
CREATE INDEX price_changes_due ON price_changes (effective_at) WHERE status = 'scheduled';

CREATE TABLE price_history (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    product_id uuid NOT NULL REFERENCES products(id),
    price bigint NOT NULL CHECK (price >= 0),
    effective_from timestamptz NOT NULL,
    source varchar(32) NOT NULL,
    source_id uuid
);
CREATE INDEX price_history_tenant_store_product
    ON price_history (tenant_id, store_id, product_id, effective_from);
"""

SWEEP_LOOKUP = """
CREATE FUNCTION bodega_price_change_tenants(p_now timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT c.tenant_id FROM price_changes c
     WHERE c.status = 'scheduled' AND c.effective_at <= p_now
     LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION bodega_price_change_tenants(timestamptz, integer) FROM PUBLIC;
"""

_TABLES = (
    "price_lists",
    "price_list_items",
    "store_prices",
    "price_changes",
    "price_history",
)


def _grants(role: str) -> str:
    return "\n".join(
        [
            *(tenant_table_sql(table, role) for table in _TABLES),
            # history is what "was" prices are proven from: the app only appends to it
            f"REVOKE UPDATE, DELETE ON price_history FROM {role};",
            f"GRANT EXECUTE ON FUNCTION bodega_price_change_tenants(timestamptz, integer)"
            f" TO {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "pricing", DESCRIPTION, TABLES, SWEEP_LOOKUP, _grants)
