"""Tier tables: the chain's tiers, each member's standing and its history, members' premium
plans on Stripe, the chain's Stripe account, and the Stripe events already handled."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["MemberTier", "MemberTierChange", "PremiumPlan", "StripeAccount", "StripeEvent", "Tier"]


class Tier(Table, tablename="tiers"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=100)
    rank = Integer()
    kind = Varchar(length=8)
    basis = Varchar(length=16, null=True, default=None)
    threshold = BigInt(null=True, default=None)
    price_list_id = UUID(null=True, default=None)
    points_multiplier = Numeric(digits=(5, 2))
    monthly_price = BigInt(null=True, default=None)
    currency = Varchar(length=3, null=True, default=None)
    stripe_product_id = Varchar(length=255, null=True, default=None)
    stripe_plan_id = Varchar(length=255, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class MemberTier(Table, tablename="member_tiers"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    member_id = UUID()
    tier_id = UUID(null=True, default=None)
    source = Varchar(length=8)
    since = Timestamptz(null=True, default=None)
    until = Timestamptz(null=True, default=None)
    earned_tier_id = UUID(null=True, default=None)
    spend_12m = BigInt(default=0)
    points_12m = BigInt(default=0)
    evaluated_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    version = Integer(default=1)


class MemberTierChange(Table, tablename="member_tier_changes"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    member_id = UUID()
    from_tier_id = UUID(null=True, default=None)
    to_tier_id = UUID(null=True, default=None)
    reason = Varchar(length=16)
    changed_at = Timestamptz()


class PremiumPlan(Table, tablename="premium_plans"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    member_id = UUID()
    tier_id = UUID(null=True, default=None)
    stripe_customer_id = Varchar(length=255)
    stripe_subscription_id = Varchar(length=255, null=True, default=None)
    status = Varchar(length=24)
    paid_until = Timestamptz(null=True, default=None)
    cancel_at_period_end = Boolean(default=False)
    last_invoice_id = Varchar(length=255, null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class StripeAccount(Table, tablename="stripe_accounts"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    secret_key = Text()
    webhook_secret = Text()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class StripeEvent(Table, tablename="stripe_events"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    event_id = Varchar(length=255)
    type = Varchar(length=100)
    outcome = Varchar(length=16)
    received_at = Timestamptz()
