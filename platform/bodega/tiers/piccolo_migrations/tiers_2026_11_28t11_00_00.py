"""Tiers, members' standing in them (and its history), premium plans on Stripe, each chain's
Stripe account and the Stripe events already handled, under RLS. The standing's history and
the handled events are append-only for the app role."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-28T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tiers, member tiers, premium plans, stripe accounts and events"

TABLES = """
CREATE TABLE tiers (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(100) NOT NULL,
    rank integer NOT NULL CHECK (rank BETWEEN 1 AND 1000),
    kind varchar(8) NOT NULL CHECK (kind IN ('earned', 'paid')),
    basis varchar(16) CHECK (basis IN ('spend_12m', 'points_12m')),
    threshold bigint CHECK (threshold >= 0),
    price_list_id uuid REFERENCES price_lists(id),
    points_multiplier numeric(5, 2) NOT NULL DEFAULT 1 CHECK (points_multiplier > 0),
    monthly_price bigint CHECK (monthly_price > 0),
    currency varchar(3),
    stripe_product_id varchar(255),
    stripe_plan_id varchar(255),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (
        (kind = 'earned' AND basis IS NOT NULL AND threshold IS NOT NULL
         AND monthly_price IS NULL)
        OR (kind = 'paid' AND basis IS NULL AND threshold IS NULL AND monthly_price IS NOT NULL)
    )
);
CREATE UNIQUE INDEX tiers_tenant_rank ON tiers (tenant_id, rank);
CREATE UNIQUE INDEX tiers_tenant_name ON tiers (tenant_id, lower(name));

CREATE TABLE member_tiers (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id),
    tier_id uuid REFERENCES tiers(id),
    source varchar(8) NOT NULL CHECK (source IN ('rules', 'paid')),
    since timestamptz,
    until timestamptz,
    earned_tier_id uuid REFERENCES tiers(id),
    spend_12m bigint NOT NULL DEFAULT 0,
    evaluated_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX member_tiers_tenant_member ON member_tiers (tenant_id, member_id);
CREATE INDEX member_tiers_tenant_tier ON member_tiers (tenant_id, tier_id);

CREATE TABLE member_tier_changes (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id),
    from_tier_id uuid,
    to_tier_id uuid,
    reason varchar(16) NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_tier_changes_tenant_member ON member_tier_changes (tenant_id, member_id, id);

CREATE TABLE premium_plans (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL REFERENCES members(id),
    tier_id uuid REFERENCES tiers(id),
    stripe_customer_id varchar(255) NOT NULL,
    stripe_subscription_id varchar(255),
    status varchar(24) NOT NULL,
    paid_until timestamptz,
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    last_invoice_id varchar(255),
    started_at timestamptz,
    ended_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX premium_plans_tenant_member ON premium_plans (tenant_id, member_id);
CREATE UNIQUE INDEX premium_plans_tenant_subscription
    ON premium_plans (tenant_id, stripe_subscription_id);

CREATE TABLE stripe_accounts (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    secret_key text NOT NULL,
    webhook_secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX stripe_accounts_tenant ON stripe_accounts (tenant_id);

CREATE TABLE stripe_events (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    event_id varchar(255) NOT NULL,
    type varchar(100) NOT NULL,
    outcome varchar(16) NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX stripe_events_tenant_event ON stripe_events (tenant_id, event_id);
"""

SWEEP_LOOKUP = """
CREATE FUNCTION bodega_tier_tenants() RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT t.tenant_id FROM tiers t
$$;
REVOKE ALL ON FUNCTION bodega_tier_tenants() FROM PUBLIC;
"""

_TABLES = (
    "tiers",
    "member_tiers",
    "member_tier_changes",
    "premium_plans",
    "stripe_accounts",
    "stripe_events",
)


def _grants(role: str) -> str:
    return "\n".join(
        [
            *(tenant_table_sql(table, role) for table in _TABLES),
            f"REVOKE UPDATE, DELETE ON member_tier_changes FROM {role};",
            f"REVOKE UPDATE, DELETE ON stripe_events FROM {role};",
            f"GRANT EXECUTE ON FUNCTION bodega_tier_tenants() TO {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "tiers", DESCRIPTION, TABLES, SWEEP_LOOKUP, _grants)
