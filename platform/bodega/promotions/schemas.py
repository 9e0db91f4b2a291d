"""What the promotions API accepts and returns: promotions with their rule and conditions, and
the markdown rules of fresh goods.

Money is integer minor units of the chain's currency. Percentages are Decimals with at most
two places, sent as a number or a string (``12.5``, ``"12.5"``); msgspec cannot bound a
Decimal, so their ranges are checked by the service, which names each offending field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.channels import Channel
from bodega.api.money import Money, PositiveMoney
from bodega.api.pagination import named_page

__all__ = [
    "KINDS",
    "BundleItemIn",
    "BundleItemOut",
    "HappyHourIn",
    "HappyHourOut",
    "MarkdownBasis",
    "MarkdownRuleIn",
    "MarkdownRuleOut",
    "MarkdownRulePage",
    "MarkdownRuleStatus",
    "MarkdownRuleUpdate",
    "MarkdownStepIn",
    "MarkdownStepOut",
    "PromotionIn",
    "PromotionKind",
    "PromotionOut",
    "PromotionPage",
    "PromotionStatus",
    "PromotionUpdate",
    "RuleIn",
    "RuleOut",
    "ThresholdStepIn",
    "ThresholdStepOut",
    "VersionIn",
]

PromotionKind = Literal[
    "percent_off", "amount_off", "fixed_price", "buy_x_get_y", "bundle", "multi_buy", "threshold"
]
KINDS: tuple[str, ...] = (
    "percent_off",
    "amount_off",
    "fixed_price",
    "buy_x_get_y",
    "bundle",
    "multi_buy",
    "threshold",
)
PromotionStatus = Literal["active", "paused", "archived"]
MarkdownBasis = Literal["expiry", "closing"]
MarkdownRuleStatus = Literal["active", "paused", "archived"]

Percent = Annotated[
    Decimal,
    Meta(
        description='A percentage with at most 2 decimals, as a number or a string ("12.5").',
        examples=["20", "12.5"],
    ),
]
Hours = Annotated[
    Decimal,
    Meta(description='Hours, up to 2 decimals, as a number or a string ("1.5").', examples=["3"]),
]
Units = Annotated[int, Meta(ge=1, le=10_000)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Description = Annotated[str, Meta(max_length=1000)]
Priority = Annotated[int, Meta(ge=-1_000_000, le=1_000_000, description="Higher is applied first.")]
Limit = Annotated[int, Meta(ge=1, le=2_147_483_647)]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Moment = Annotated[datetime, Meta(tz=True, description="A date and time with its UTC offset.")]
ClockTime = Annotated[
    str,
    Meta(
        pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        description='Local time "HH:MM" ("24:00" ends a window at midnight).',
    ),
]
Weekday = Annotated[int, Meta(ge=1, le=7, description="ISO weekday: 1 = Monday.")]
Segment = Annotated[
    str,
    Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,63}$",
        description="A member segment's name (a tag, an RFM score, a lifecycle stage).",
    ),
]
ProductIds = Annotated[list[uuid.UUID], Meta(max_length=1000)]
CategoryIds = Annotated[list[uuid.UUID], Meta(max_length=200)]
StoreIds = Annotated[list[uuid.UUID], Meta(max_length=500)]
Channels = Annotated[list[Channel], Meta(max_length=5)]
Segments = Annotated[list[Segment], Meta(max_length=20)]


class BundleItemIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    product_id: uuid.UUID
    quantity: Units = 1


class ThresholdStepIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    spend: PositiveMoney
    """Spend at least this on the qualifying items ..."""
    off: PositiveMoney
    """... and this much comes off (less than ``spend``)."""


class RuleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the promotion takes off. Each ``type`` uses some of the fields; sending a field
    the type does not use is refused, so a rule always means what it says."""

    type: PromotionKind
    percent: Percent | None = None
    """percent_off: the percentage off (0 < p <= 100). buy_x_get_y: off the given units
    (default 100: free)."""
    amount: PositiveMoney | None = None
    """amount_off: off each unit (each kg of weighed goods)."""
    price: Money | None = None
    """fixed_price: the unit price. multi_buy: the price of N units. bundle: the bundle's
    price."""
    buy: Units | None = None
    """buy_x_get_y: units to buy."""
    get: Units | None = None
    """buy_x_get_y: units given for them."""
    get_product_ids: ProductIds = msgspec.field(default_factory=list)
    """buy_x_get_y: the products given; with ``get_category_ids`` both empty, the
    qualifying products themselves."""
    get_category_ids: CategoryIds = msgspec.field(default_factory=list)
    quantity: Annotated[int, Meta(ge=2, le=10_000)] | None = None
    """multi_buy: N in "N for P"."""
    items: Annotated[list[BundleItemIn], Meta(max_length=20)] = msgspec.field(default_factory=list)
    """bundle: its products and units (at least 2 units in all)."""
    steps: Annotated[list[ThresholdStepIn], Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    """threshold: spend ascending, off ascending."""
    repeat: bool = False
    """threshold (one step): every full ``spend`` takes ``off`` again (每满100减20)."""


class HappyHourIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A daily window in each store's own time zone; an overnight one is two windows."""

    days: Annotated[list[Weekday], Meta(max_length=7)] = msgspec.field(default_factory=list)
    """ISO weekdays (1 = Monday); empty: every day."""
    start: ClockTime
    end: ClockTime
    """After ``start``."""


HappyHours = Annotated[list[HappyHourIn], Meta(max_length=14)]


class PromotionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    description: Description = ""
    rule: RuleIn
    product_ids: ProductIds = msgspec.field(default_factory=list)
    """The qualifying products; with ``category_ids`` both empty: every product (percent_off
    and threshold only). Not for bundles, whose products are ``rule.items``."""
    category_ids: CategoryIds = msgspec.field(default_factory=list)
    priority: Priority = 0
    exclusive: bool = False
    """Takes nothing off items another promotion or a markdown reduced, and nothing else
    takes anything off the items it reduced."""
    starts_at: Moment | None = None
    """Default: now."""
    ends_at: Moment | None = None
    """Open-ended when omitted; after ``starts_at``."""
    store_ids: StoreIds = msgspec.field(default_factory=list)
    """Empty: every store."""
    channels: Channels = msgspec.field(default_factory=list)
    """Empty: every channel."""
    members_only: bool = False
    segments: Segments = msgspec.field(default_factory=list)
    """Members of any of these segments only (implies ``members_only``)."""
    happy_hours: HappyHours = msgspec.field(default_factory=list)
    """Empty: at any time of day."""
    usage_limit: Limit | None = None
    """Orders that may use it in all."""
    per_member_limit: Limit | None = None
    """Orders each member may use it on (needs ``members_only``)."""


class PromotionUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a promotion that is not archived; ``rule``, when sent, replaces the rule."""

    version: Version
    name: Name | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    rule: RuleIn | UnsetType = UNSET
    product_ids: ProductIds | UnsetType = UNSET
    category_ids: CategoryIds | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    exclusive: bool | UnsetType = UNSET
    starts_at: Moment | UnsetType = UNSET
    ends_at: Moment | UnsetType | None = UNSET
    store_ids: StoreIds | UnsetType = UNSET
    channels: Channels | UnsetType = UNSET
    members_only: bool | UnsetType = UNSET
    segments: Segments | UnsetType = UNSET
    happy_hours: HappyHours | UnsetType = UNSET
    usage_limit: Limit | UnsetType | None = UNSET
    per_member_limit: Limit | UnsetType | None = UNSET


class VersionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version


class BundleItemOut(msgspec.Struct, kw_only=True):
    product_id: uuid.UUID
    quantity: int


class ThresholdStepOut(msgspec.Struct, kw_only=True):
    spend: Money
    off: Money


class RuleOut(msgspec.Struct, kw_only=True):
    """The rule as stored: the fields its ``type`` does not use are null or empty."""

    type: str
    percent: Decimal | None = None
    amount: Money | None = None
    price: Money | None = None
    buy: int | None = None
    get: int | None = None
    get_product_ids: list[uuid.UUID] = msgspec.field(default_factory=list)
    get_category_ids: list[uuid.UUID] = msgspec.field(default_factory=list)
    quantity: int | None = None
    items: list[BundleItemOut] = msgspec.field(default_factory=list)
    steps: list[ThresholdStepOut] = msgspec.field(default_factory=list)
    repeat: bool = False


class HappyHourOut(msgspec.Struct, kw_only=True):
    days: list[int]
    start: str
    end: str


class PromotionOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    description: str
    rule: RuleOut
    product_ids: list[uuid.UUID]
    category_ids: list[uuid.UUID]
    priority: int
    exclusive: bool
    starts_at: datetime
    ends_at: datetime | None
    store_ids: list[uuid.UUID]
    channels: list[str]
    members_only: bool
    segments: list[str]
    happy_hours: list[HappyHourOut]
    usage_limit: int | None
    per_member_limit: int | None
    uses: int
    """Orders that used it so far."""
    status: str
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int


class MarkdownStepIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    hours_before: Hours
    """From this many hours before the expiry (or the closing) ..."""
    percent: Percent
    """... this percentage comes off (0 < p < 100)."""


class MarkdownRuleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    basis: MarkdownBasis
    """``expiry``: hours to the end of the lot's expiry day; ``closing``: hours to the
    store's closing time."""
    steps: Annotated[list[MarkdownStepIn], Meta(min_length=1, max_length=10)]
    """Hours strictly decreasing, percent strictly increasing (3 h: 20 %, 1 h: 50 %)."""
    floor_percent: Percent = Decimal(0)
    """The price never goes below this percentage of the regular price (0 <= f < 100)."""
    product_ids: ProductIds = msgspec.field(default_factory=list)
    """With ``category_ids`` both empty: every product."""
    category_ids: CategoryIds = msgspec.field(default_factory=list)
    store_ids: StoreIds = msgspec.field(default_factory=list)
    """Empty: every store."""
    status: Literal["active", "paused"] = "active"


class MarkdownRuleUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a rule that is not archived; ``steps``, when sent, replace the steps."""

    version: Version
    name: Name | UnsetType = UNSET
    basis: MarkdownBasis | UnsetType = UNSET
    steps: Annotated[list[MarkdownStepIn], Meta(min_length=1, max_length=10)] | UnsetType = UNSET
    floor_percent: Percent | UnsetType = UNSET
    product_ids: ProductIds | UnsetType = UNSET
    category_ids: CategoryIds | UnsetType = UNSET
    store_ids: StoreIds | UnsetType = UNSET
    status: Literal["active", "paused"] | UnsetType = UNSET


class MarkdownStepOut(msgspec.Struct, kw_only=True, frozen=True):
    hours_before: Decimal
    percent: Decimal


class MarkdownRuleOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    basis: str
    steps: list[MarkdownStepOut]
    """Hours decreasing, percent increasing."""
    floor_percent: Decimal
    product_ids: list[uuid.UUID]
    category_ids: list[uuid.UUID]
    store_ids: list[uuid.UUID]
    status: str
    created_at: datetime
    updated_at: datetime
    version: int


PromotionPage = named_page(PromotionOut, "PromotionPage")
MarkdownRulePage = named_page(MarkdownRuleOut, "MarkdownRulePage")
