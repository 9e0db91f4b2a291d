"""The points ledger under RLS: settings and earning rules per chain, the entries of every
member's points and the allocations tying each debit to the awards it drew on.

The ledger is append-only for the app role: of an entry only ``remaining`` (what is left of a
credit, kept equal to its points minus its allocations) may change, and allocations never do.
"""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-29T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "points settings, rules, ledger and allocations"

TABLES = """
CREATE TABLE points_settings (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL UNIQUE,
    redeem_points integer NOT NULL CHECK (redeem_points > 0),
    redeem_amount bigint NOT NULL CHECK (redeem_amount > 0),
    expire_after_days integer CHECK (expire_after_days > 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);

CREATE TABLE points_rules (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(200) NOT NULL,
    kind varchar(16) NOT NULL CHECK (kind IN ('spend', 'product', 'category', 'multiplier')),
    points integer CHECK (points > 0),
    per_amount bigint CHECK (per_amount > 0),
    product_id uuid REFERENCES products(id),
    category_id uuid REFERENCES categories(id),
    multiplier numeric(6, 2) CHECK (multiplier > 0),
    weekdays integer[] NOT NULL DEFAULT '{}',
    starts_at timestamptz,
    ends_at timestamptz,
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX points_rules_tenant_id ON points_rules (tenant_id, id);

CREATE TABLE points_entries (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id),
    kind varchar(16) NOT NULL
        CHECK (kind IN ('earn', 'redeem', 'refund', 'redeem_reversal', 'adjust', 'expire')),
    points bigint NOT NULL CHECK (points <> 0),
    remaining bigint NOT NULL DEFAULT 0 CHECK (remaining >= 0 AND remaining <= greatest(points, 0)),
    order_id uuid REFERENCES orders(id),
    refund_id uuid REFERENCES order_refunds(id),
    award_id uuid REFERENCES points_entries(id),
    reason varchar(500) NOT NULL DEFAULT '',
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid NOT NULL,
    CHECK (kind NOT IN ('earn', 'redeem_reversal') OR points > 0),
    CHECK (kind NOT IN ('redeem', 'refund', 'expire') OR points < 0),
    CHECK (points > 0 OR expires_at IS NULL)
);
CREATE INDEX points_entries_tenant_member ON points_entries (tenant_id, member_id, id);
CREATE INDEX points_entries_tenant_order ON points_entries (tenant_id, order_id)
    WHERE order_id IS NOT NULL;
CREATE UNIQUE INDEX points_entries_one_earn_per_order ON points_entries (tenant_id, order_id)
    WHERE kind = 'earn';
CREATE UNIQUE INDEX points_entries_one_reversal_per_refund ON points_entries (tenant_id, refund_id)
    WHERE kind = 'refund';
CREATE INDEX points_entries_open_awards ON points_entries (tenant_id, member_id, expires_at)
    WHERE remaining > 0;
CREATE INDEX points_entries_tenant_expiring ON points_entries (tenant_id, expires_at)
    WHERE remaining > 0;
CREATE INDEX points_entries_expiring ON points_entries (expires_at) WHERE remaining > 0;

CREATE TABLE points_allocations (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    debit_id uuid NOT NULL REFERENCES points_entries(id),
    credit_id uuid NOT NULL REFERENCES points_entries(id),
    points bigint NOT NULL CHECK (points > 0)
);
CREATE INDEX points_allocations_tenant_debit ON points_allocations (tenant_id, debit_id);
CREATE INDEX points_allocations_tenant_credit ON points_allocations (tenant_id, credit_id);
"""

SWEEP_LOOKUP = """
CREATE FUNCTION bodega_points_expiry_tenants(p_now timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT e.tenant_id FROM points_entries e
     WHERE e.remaining > 0 AND e.expires_at <= p_now
     LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION bodega_points_expiry_tenants(timestamptz, integer) FROM PUBLIC;
"""

_TABLES = ("points_settings", "points_rules", "points_entries", "points_allocations")


def _grants(role: str) -> str:
    return "\n".join(
        [
            *(tenant_table_sql(table, role) for table in _TABLES),
            f"REVOKE UPDATE, DELETE ON points_entries FROM {role};",
            f"GRANT UPDATE (remaining) ON points_entries TO {role};",
            f"REVOKE UPDATE, DELETE ON points_allocations FROM {role};",
            f"GRANT EXECUTE ON FUNCTION bodega_points_expiry_tenants(timestamptz, integer)"
            f" TO {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "points", DESCRIPTION, TABLES, SWEEP_LOOKUP, _grants)
