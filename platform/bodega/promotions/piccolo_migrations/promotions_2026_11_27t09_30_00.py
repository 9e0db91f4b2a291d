"""Promotions, members' uses of them, and markdown rules, under RLS."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-27T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "promotions and markdown rules"

TABLES = """
CREATE TABLE promotions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(200) NOT NULL,
    description varchar(1000) NOT NULL DEFAULT '',
    kind varchar(24) NOT NULL CHECK (kind IN (
        'percent_off', 'amount_off', 'fixed_price', 'buy_x_get_y', 'bundle', 'multi_buy',
        'threshold'
    )),
    rule jsonb NOT NULL,
    product_ids uuid[] NOT NULL DEFAULT '{}',
    category_ids uuid[] NOT NULL DEFAULT '{}',
    priority integer NOT NULL DEFAULT 0,
    exclusive boolean NOT NULL DEFAULT false,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    store_ids uuid[] NOT NULL DEFAULT '{}',
    channels text[] NOT NULL DEFAULT '{}',
    members_only boolean NOT NULL DEFAULT false,
    segments text[] NOT NULL DEFAULT '{}',
    happy_hours jsonb NOT NULL DEFAULT '[]',
    usage_limit integer CHECK (usage_limit IS NULL OR usage_limit > 0),
    per_member_limit integer CHECK (per_member_limit IS NULL OR per_member_limit > 0),
    uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (ends_at IS NULL OR ends_at > starts_at),
    CHECK (usage_limit IS NULL OR uses <= usage_limit)
);
CREATE INDEX promotions_tenant_id ON promotions (tenant_id, id);
CREATE INDEX promotions_tenant_status ON promotions (tenant_id, status, id);

CREATE TABLE promotion_member_uses (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    promotion_id uuid NOT NULL REFERENCES promotions(id),
    member_id uuid NOT NULL,
    uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0)
);
CREATE UNIQUE INDEX promotion_member_uses_tenant_promotion_member
    ON promotion_member_uses (tenant_id, promotion_id, member_id);

CREATE TABLE markdown_rules (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(200) NOT NULL,
    basis varchar(16) NOT NULL CHECK (basis IN ('expiry', 'closing')),
    steps jsonb NOT NULL,
    floor_percent numeric(5, 2) NOT NULL DEFAULT 0
        CHECK (floor_percent >= 0 AND floor_percent < 100),
    product_ids uuid[] NOT NULL DEFAULT '{}',
    category_ids uuid[] NOT NULL DEFAULT '{}',
    store_ids uuid[] NOT NULL DEFAULT '{}',
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX markdown_rules_tenant_id ON markdown_rules (tenant_id, id);
"""

_TABLES = ("promotions", "promotion_member_uses", "markdown_rules")


def _rls(role: str) -> str:
    return "".join(tenant_table_sql(t, role) for t in _TABLES)


async def forwards():
    return sql_migration(ID, "promotions", DESCRIPTION, TABLES, _rls)
