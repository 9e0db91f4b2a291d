"""Suggested store orders (runs and lines) and the chain's demand calendar, under RLS."""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-23T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "suggestion runs, suggestion lines and the demand calendar"

TABLES = """
CREATE TABLE suggestion_runs (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    store_id uuid NOT NULL REFERENCES stores(id),
    status varchar(16) NOT NULL DEFAULT 'completed'
        CHECK (status IN ('completed', 'converted')),
    service_level numeric(4, 3) NOT NULL CHECK (service_level >= 0.5 AND service_level < 1),
    history_days integer NOT NULL CHECK (history_days > 0),
    as_of date NOT NULL,
    first_day date NOT NULL,
    line_count integer NOT NULL DEFAULT 0,
    order_line_count integer NOT NULL DEFAULT 0,
    edited_count integer NOT NULL DEFAULT 0,
    suggested_value bigint NOT NULL DEFAULT 0,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    converted_by uuid,
    converted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX suggestion_runs_tenant_id ON suggestion_runs (tenant_id, id);
CREATE INDEX suggestion_runs_tenant_store_day ON suggestion_runs (tenant_id, store_id, first_day);

CREATE TABLE suggestion_lines (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES suggestion_runs(id) ON DELETE CASCADE,
    store_id uuid NOT NULL REFERENCES stores(id),
    product_id uuid NOT NULL REFERENCES products(id),
    supplier_id uuid REFERENCES suppliers(id),
    classification varchar(16) NOT NULL,
    first_day date NOT NULL,
    daily numeric(14, 3)[] NOT NULL,
    suggested_quantity numeric(14, 3) NOT NULL CHECK (suggested_quantity >= 0),
    edited_quantity numeric(14, 3) CHECK (edited_quantity >= 0),
    edited_by uuid,
    edited_at timestamptz,
    unit_cost bigint NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    reasons jsonb NOT NULL,
    purchase_order_id uuid REFERENCES purchase_orders(id),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX suggestion_lines_tenant_id ON suggestion_lines (tenant_id, id);
CREATE INDEX suggestion_lines_tenant_run ON suggestion_lines (tenant_id, run_id, id);

CREATE TABLE demand_calendar (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    day date NOT NULL,
    store_id uuid REFERENCES stores(id) ON DELETE CASCADE,
    multiplier numeric(6, 3) NOT NULL CHECK (multiplier >= 0 AND multiplier <= 100),
    label varchar(100) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX demand_calendar_tenant_day_store
    ON demand_calendar (tenant_id, day, COALESCE(store_id, '00000000-0000-0000-0000-000000000000'));
CREATE INDEX demand_calendar_tenant_id ON demand_calendar (tenant_id, id);
"""


def _rls(role: str) -> str:
    tables = ("suggestion_runs", "suggestion_lines", "demand_calendar")
    return "".join(tenant_table_sql(t, role) for t in tables)


async def forwards():
    return sql_migration(ID, "replenishment", DESCRIPTION, TABLES, _rls)
