"""Promotion tables: promotions with their rules and conditions, how often each member used
one, and the markdown rules for fresh goods."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    Boolean,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ["MarkdownRule", "Promotion", "PromotionMemberUse"]


class Promotion(Table, tablename="promotions"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    description = Varchar(length=1000, default="")
    kind = Varchar(length=24)
    rule = JSONB()
    product_ids = Array(base_column=UUID())
    category_ids = Array(base_column=UUID())
    priority = Integer(default=0)
    exclusive = Boolean(default=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz(null=True, default=None)
    store_ids = Array(base_column=UUID())
    channels = Array(base_column=Text())
    members_only = Boolean(default=False)
    segments = Array(base_column=Text())
    happy_hours = JSONB()
    usage_limit = Integer(null=True, default=None)
    per_member_limit = Integer(null=True, default=None)
    uses = Integer(default=0)
    status = Varchar(length=16, default="active")
    created_by = UUID()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class PromotionMemberUse(Table, tablename="promotion_member_uses"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    promotion_id = UUID()
    member_id = UUID()
    uses = Integer(default=0)


class MarkdownRule(Table, tablename="markdown_rules"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    basis = Varchar(length=16)
    steps = JSONB()
    floor_percent = Numeric(digits=(5, 2), default=Decimal(0))
    product_ids = Array(base_column=UUID())
    category_ids = Array(base_column=UUID())
    store_ids = Array(base_column=UUID())
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)
