"""What the tiers API accepts and returns.

A tier is ``earned`` (members reach it by a rule over their last 12 months) or ``paid`` (a
premium plan: a monthly Stripe subscription). Money is integer minor units of the chain's
currency; the points multiplier is a Decimal with at most 2 places.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.money import Money, PositiveMoney
from bodega.api.pagination import named_page

__all__ = [
    "Basis",
    "EvaluationQueued",
    "MemberTierOut",
    "PremiumCancelIn",
    "PremiumEventData",
    "PremiumIn",
    "PremiumOut",
    "StripeSettingsIn",
    "StripeSettingsOut",
    "TierBenefitsOut",
    "TierChangeOut",
    "TierChangePage",
    "TierChangedData",
    "TierIn",
    "TierKind",
    "TierOut",
    "TierPage",
    "TierUpdate",
    "WebhookReceipt",
]

TierKind = Literal["earned", "paid"]
Basis = Literal["spend_12m", "points_12m"]
"""``spend_12m``: what the member paid (less refunds) over the rolling last 12 months;
``points_12m``: the points their orders earned (less refunds) over the same months."""
Source = Literal["rules", "paid"]
Name = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
Rank = Annotated[
    int, Meta(ge=1, le=1000, description="Order of the tiers: higher is better; unique.")
]
Multiplier = Annotated[
    Decimal,
    Meta(
        description="Points earned are multiplied by it: more than 0, at most 10, 2 decimals "
        '("1.5").',
        examples=["1.5"],
    ),
]
Threshold = Annotated[
    int,
    Meta(
        ge=0,
        le=10**12,
        description="What the tier needs, in the basis's unit: minor units for spend_12m, "
        "points for points_12m.",
    ),
]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
SecretKey = Annotated[
    str,
    Meta(
        pattern=r"^(sk|rk)_[A-Za-z0-9_]{4,250}$",
        description="The chain's Stripe secret (or restricted) key: sk_live_..., sk_test_...",
    ),
]
WebhookSecret = Annotated[
    str,
    Meta(
        pattern=r"^whsec_[A-Za-z0-9_]{4,250}$",
        description="The signing secret of the Stripe webhook endpoint pointed at Bodega.",
    ),
]
PaymentMethodId = Annotated[
    str,
    Meta(
        pattern=r"^pm_[A-Za-z0-9_]{1,250}$",
        description="A Stripe PaymentMethod id, made on the member's device by Stripe.js.",
    ),
]


class TierIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    rank: Rank
    kind: TierKind = "earned"
    basis: Basis | None = None
    """Earned tiers: what the threshold measures (every earned tier of a chain uses the same
    basis). Defaults to ``spend_12m``."""
    threshold: Threshold | None = None
    """Earned tiers: the least a member needs (minor units of spend, or points); rises with
    the rank."""
    monthly_price: PositiveMoney | None = None
    """Paid tiers: the monthly price in minor units, charged through the chain's Stripe."""
    price_list_id: uuid.UUID | None = None
    """A price list (audience ``tier``) whose prices the tier's members get."""
    points_multiplier: Multiplier = Decimal(1)


class TierUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a tier (its kind is fixed); a new monthly price makes a new Stripe plan for
    new subscriptions, running ones keep theirs."""

    version: Version
    name: Name | UnsetType = UNSET
    rank: Rank | UnsetType = UNSET
    threshold: Threshold | UnsetType = UNSET
    monthly_price: PositiveMoney | UnsetType = UNSET
    price_list_id: uuid.UUID | UnsetType | None = UNSET
    points_multiplier: Multiplier | UnsetType = UNSET


class TierOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    rank: int
    kind: str
    basis: str | None
    threshold: Threshold | None
    monthly_price: Money | None
    currency: str | None
    """The currency of ``monthly_price`` (the chain's)."""
    price_list_id: uuid.UUID | None
    points_multiplier: Decimal
    stripe_product_id: str | None
    stripe_plan_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class TierBenefitsOut(msgspec.Struct, kw_only=True):
    """What a member's current tier gives them: quotes use the price list, points the
    multiplier."""

    tier_id: uuid.UUID
    name: str
    price_list_id: uuid.UUID | None
    points_multiplier: Decimal


class PremiumOut(msgspec.Struct, kw_only=True):
    """A member's premium plan (their Stripe subscription). No card data is kept."""

    tier_id: uuid.UUID | None
    status: str
    """Stripe's subscription status: ``active``, ``incomplete``, ``past_due``, ``canceled``..."""
    paid_until: datetime | None
    """The end of the period paid for: the paid tier holds until then."""
    cancel_at_period_end: bool
    started_at: datetime | None
    ended_at: datetime | None
    stripe_subscription_id: str | None
    updated_at: datetime
    version: int


class MemberTierOut(msgspec.Struct, kw_only=True):
    member_id: uuid.UUID
    tier: TierOut | None
    """The tier the member is in now; null: none."""
    source: str
    """``rules`` (earned) or ``paid`` (their premium plan)."""
    since: datetime | None
    until: datetime | None
    """For a paid tier: until when it is paid for."""
    earned_tier_id: uuid.UUID | None
    """What the rules give the member: where they fall back when a paid tier ends."""
    spend_12m: Money
    """Net spend over the 12 months before ``evaluated_at``."""
    points_12m: int
    """Points earned by buying (less refunds) over the 12 months before ``evaluated_at``."""
    evaluated_at: datetime | None
    premium: PremiumOut | None


class TierChangeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    member_id: uuid.UUID
    from_tier_id: uuid.UUID | None
    to_tier_id: uuid.UUID | None
    reason: str
    """``rules_up``, ``rules_down``, ``premium_started``, ``premium_ended`` or
    ``tier_deleted``."""
    changed_at: datetime


class TierChangedData(msgspec.Struct, kw_only=True):
    """``member.tier_changed``: ids only, never personal data."""

    member_id: uuid.UUID
    from_tier: uuid.UUID | None
    to_tier: uuid.UUID | None
    reason: str


class PremiumEventData(msgspec.Struct, kw_only=True):
    """``member.premium_started``, ``_renewed``, ``_ended``, ``_payment_failed``."""

    member_id: uuid.UUID
    tier_id: uuid.UUID | None
    status: str
    paid_until: datetime | None
    cancel_at_period_end: bool


class PremiumIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tier_id: uuid.UUID
    """A paid tier of the chain."""
    payment_method: PaymentMethodId


class PremiumCancelIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    """The premium plan's version you read (``premium.version`` of the member's tier)."""


class StripeSettingsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    secret_key: SecretKey
    webhook_secret: WebhookSecret
    version: Version | None = None
    """Required once the settings exist (the version you read)."""


class StripeSettingsOut(msgspec.Struct, kw_only=True):
    """The chain's Stripe settings, masked: only the prefix and the last 4 characters show."""

    configured: bool
    secret_key: str | None
    webhook_secret: str | None
    webhook_path: str
    """Where to point the Stripe webhook endpoint (under the API's address)."""
    updated_at: datetime | None
    version: int | None


class EvaluationQueued(msgspec.Struct, kw_only=True):
    queued: bool
    """False when an evaluation of the chain is queued already (it covers this request)."""


class WebhookReceipt(msgspec.Struct, kw_only=True):
    received: bool
    outcome: str
    """``applied``, ``ignored`` (nothing of ours) or ``duplicate`` (handled before)."""


TierPage = named_page(TierOut, "TierPage")
TierChangePage = named_page(TierChangeOut, "TierChangePage")
