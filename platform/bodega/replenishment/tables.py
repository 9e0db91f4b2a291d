"""Replenishment tables: suggestion runs, their lines, and the chain's demand calendar."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Date,
    Integer,
    Numeric,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ["DemandCalendarEntry", "SuggestionLine", "SuggestionRun"]


class SuggestionRun(Table, tablename="suggestion_runs"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    status = Varchar(length=16, default="completed")
    service_level = Numeric(digits=(4, 3))
    history_days = Integer()
    as_of = Date()
    first_day = Date()
    line_count = Integer(default=0)
    order_line_count = Integer(default=0)
    edited_count = Integer(default=0)
    suggested_value = BigInt(default=0)
    created_by = UUID()
    created_at = Timestamptz()
    converted_by = UUID(null=True, default=None)
    converted_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class SuggestionLine(Table, tablename="suggestion_lines"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    run_id = UUID()
    store_id = UUID()
    product_id = UUID()
    supplier_id = UUID(null=True, default=None)
    classification = Varchar(length=16)
    first_day = Date()
    daily = Array(base_column=Numeric(digits=(14, 3)))
    suggested_quantity = Numeric(digits=(14, 3))
    edited_quantity = Numeric(digits=(14, 3), null=True, default=None)
    edited_by = UUID(null=True, default=None)
    edited_at = Timestamptz(null=True, default=None)
    unit_cost = BigInt(default=0)
    reasons = JSONB()
    purchase_order_id = UUID(null=True, default=None)
    version = Integer(default=1)


class DemandCalendarEntry(Table, tablename="demand_calendar"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    day = Date()
    store_id = UUID(null=True, default=None)
    multiplier = Numeric(digits=(6, 3))
    label = Varchar(length=100)
    created_at = Timestamptz()
    version = Integer(default=1)
