"""What the points API accepts and returns.

Points are whole numbers. Money is integer minor units of the chain's currency. Multipliers
are Decimals with at most two places, sent as a number or a string (``2``, ``"1.5"``); their
range is checked by the service, which names each offending field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.money import PositiveMoney
from bodega.api.pagination import named_page

__all__ = [
    "ENTRY_KINDS",
    "RULE_KINDS",
    "AdjustmentIn",
    "AdjustmentOut",
    "ExpiringPointsOut",
    "PointsAccountOut",
    "PointsBalanceOut",
    "PointsChangeOut",
    "PointsEntryData",
    "PointsEntryKind",
    "PointsEntryOut",
    "PointsRuleIn",
    "PointsRuleKind",
    "PointsRuleOut",
    "PointsRulePage",
    "PointsRuleStatus",
    "PointsRuleUpdate",
    "PointsSettingsOut",
    "PointsSettingsUpdate",
]

PointsEntryKind = Literal["earn", "redeem", "refund", "redeem_reversal", "adjust", "expire"]
ENTRY_KINDS: tuple[str, ...] = ("earn", "redeem", "refund", "redeem_reversal", "adjust", "expire")
PointsRuleKind = Literal["spend", "product", "category", "multiplier"]
RULE_KINDS: tuple[str, ...] = ("spend", "product", "category", "multiplier")
PointsRuleStatus = Literal["active", "paused"]

MAX_POINTS = 1_000_000_000
Points = Annotated[int, Meta(ge=1, le=MAX_POINTS, description="A whole number of points.")]
SignedPoints = Annotated[
    int,
    Meta(
        ge=-MAX_POINTS,
        le=MAX_POINTS,
        description="Points to add (positive) or take away (negative); never 0.",
    ),
]
Multiplier = Annotated[
    Decimal,
    Meta(
        description="A factor with at most 2 decimals, more than 1 and at most 100, as a number "
        'or a string ("2", "1.5").',
        examples=["2"],
    ),
]
Tally = Annotated[
    int, Meta(ge=-(2**53), le=2**53, description="Points, signed where they can be taken away.")
]
Days = Annotated[int, Meta(ge=1, le=36_600, description="Days (1 to 100 years).")]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
Moment = Annotated[datetime, Meta(tz=True, description="A date and time with its UTC offset.")]
Weekday = Annotated[int, Meta(ge=1, le=7, description="ISO weekday: 1 = Monday.")]
Weekdays = Annotated[list[Weekday], Meta(max_length=7)]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]


# Settings ---------------------------------------------------------------------------------


class PointsSettingsOut(msgspec.Struct, kw_only=True):
    """How the chain's points are worth money and how long they last."""

    redeem_points: Tally
    """``redeem_points`` points pay ``redeem_amount`` minor units (default 100 points = 100
    minor units, i.e. 100 points = ¥1)."""
    redeem_amount: PositiveMoney
    expire_after_days: int | None
    """Points earned (or added) expire at the end of the day (in the chain's time zone) this
    many days after; ``null``: they never expire. Default 365."""
    updated_at: datetime | None
    """``null`` while the chain has the defaults."""
    version: int


class PointsSettingsUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    redeem_points: Points | UnsetType = UNSET
    redeem_amount: PositiveMoney | UnsetType = UNSET
    expire_after_days: Days | UnsetType | None = UNSET
    """``null``: points never expire (awards already made keep their expiry)."""


# Rules ------------------------------------------------------------------------------------


class PointsRuleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An earning rule. ``spend``: ``points`` per ``per_amount`` minor units paid (not counting
    what was paid in points). ``product`` / ``category``: ``points`` extra per unit (per kg) of
    the product, or of the products in the category. ``multiplier``: the points of an order
    (of the other rules) multiplied while the rule applies. Any rule may be limited to
    ``weekdays`` (in the chain's time zone) and to ``[starts_at, ends_at)``."""

    name: Name
    kind: PointsRuleKind
    points: Points | None = None
    """Required for spend, product and category rules."""
    per_amount: PositiveMoney | None = None
    """For spend rules: per how many minor units (default 100, e.g. 1 point per ¥1)."""
    product_id: uuid.UUID | None = None
    """Required for product rules."""
    category_id: uuid.UUID | None = None
    """Required for category rules (products directly in it)."""
    multiplier: Multiplier | None = None
    """Required for multiplier rules."""
    weekdays: Weekdays = msgspec.field(default_factory=list)
    """Empty: every day."""
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    status: PointsRuleStatus = "active"


class PointsRuleUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a rule (its kind stays); ``null`` clears an optional field."""

    version: Version
    name: Name | UnsetType = UNSET
    points: Points | UnsetType | None = UNSET
    per_amount: PositiveMoney | UnsetType | None = UNSET
    product_id: uuid.UUID | UnsetType | None = UNSET
    category_id: uuid.UUID | UnsetType | None = UNSET
    multiplier: Multiplier | UnsetType | None = UNSET
    weekdays: Weekdays | UnsetType = UNSET
    starts_at: Moment | UnsetType | None = UNSET
    ends_at: Moment | UnsetType | None = UNSET
    status: PointsRuleStatus | UnsetType = UNSET


class PointsRuleOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    kind: str
    points: Tally | None
    per_amount: PositiveMoney | None
    product_id: uuid.UUID | None
    category_id: uuid.UUID | None
    multiplier: Decimal | None
    weekdays: list[int]
    starts_at: datetime | None
    ends_at: datetime | None
    status: str
    created_at: datetime
    updated_at: datetime
    version: int


# The ledger -------------------------------------------------------------------------------


class PointsEntryData(msgspec.Struct, kw_only=True):
    """A ledger entry as events and the audit log carry it (no free text: a reason typed by
    staff could name a person)."""

    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    """``earn``, ``redeem``, ``refund`` (earned points taken back when their order is
    refunded), ``redeem_reversal`` (redeemed points given back when their order is refunded),
    ``adjust`` or ``expire``."""
    points: Tally
    """Signed: positive adds, negative takes away."""
    remaining: Tally
    """Of an addition, what is still unspent and unexpired; 0 for a deduction."""
    order_id: uuid.UUID | None
    refund_id: uuid.UUID | None
    expires_at: datetime | None
    """When an addition's unspent points expire (``null``: never)."""
    created_at: datetime


class PointsEntryOut(PointsEntryData, kw_only=True):
    reason: str
    created_by: uuid.UUID


class ExpiringPointsOut(msgspec.Struct, kw_only=True):
    expires_at: datetime
    points: Tally
    """Unspent points of the awards expiring then."""


class PointsBalanceOut(msgspec.Struct, kw_only=True):
    member_id: uuid.UUID
    balance: Tally
    """Points the member can spend now (expired ones excluded)."""
    expiring: list[ExpiringPointsOut]
    """What will expire when, soonest first."""


class PointsAccountOut(msgspec.Struct, kw_only=True):
    """A member's balance, what expires when, and a page of the ledger, oldest first."""

    member_id: uuid.UUID
    balance: Tally
    expiring: list[ExpiringPointsOut]
    data: list[PointsEntryOut]
    next_cursor: str | None


class PointsChangeOut(msgspec.Struct, kw_only=True):
    """What the ``points.*`` events carry: the entries one change wrote and the balance after."""

    member_id: uuid.UUID
    balance: Tally
    entries: list[PointsEntryData]


class AdjustmentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    points: SignedPoints
    reason: Reason
    """Why (shown in the member's ledger; kept out of events and the audit log)."""
    expires_at: Moment | None = None
    """For points added: when they expire (default: the chain's validity from today). Not
    for points taken away."""


class AdjustmentOut(msgspec.Struct, kw_only=True):
    entry: PointsEntryOut
    balance: Tally


PointsRulePage = named_page(PointsRuleOut, "PointsRulePage")
