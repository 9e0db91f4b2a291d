"""What the segments API accepts and returns.

Nothing here is personal data: members appear by id only, with figures about their orders.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.pagination import named_page

__all__ = [
    "MemberSegmentOut",
    "MemberSegmentPage",
    "RefreshOut",
    "SegmentChange",
    "SegmentChanges",
    "SegmentCount",
    "SegmentSettingsOut",
    "SegmentSettingsUpdate",
    "SegmentSummaryOut",
]

Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Days = Annotated[int, Meta(ge=1, le=365)]
LongDays = Annotated[int, Meta(ge=1, le=730)]
Money = Annotated[
    int, Meta(ge=0, le=10**15, description="Integer minor units of the chain's currency.")
]


class MemberSegmentOut(msgspec.Struct, kw_only=True):
    """A member's scores and stage as of the last refresh."""

    member_id: uuid.UUID
    stage: str
    """``new``, ``active``, ``at_risk``, ``lapsed`` or ``won_back``."""
    previous_stage: str | None
    """The stage before this one (``null``: none yet)."""
    stage_since: datetime
    """The refresh that first found the member in this stage."""
    segment: str | None
    """The named RFM segment (``champions`` ... ``lost``); ``null`` until a first paid order."""
    previous_segment: str | None
    recency_days: int | None
    """Whole days from the last paid order to the refresh; ``null``: no paid order yet."""
    frequency: int
    """Paid orders in the 12 months before the refresh."""
    monetary: Money
    """What they paid for them less refunds, in minor units."""
    last_order_at: datetime | None
    r_score: int | None
    f_score: int | None
    m_score: int | None
    """1-5 by quintile within the chain (5 best); ``null`` until a first paid order."""
    rfm_code: str | None
    """The three scores, R first: ``"545"``."""
    refreshed_at: datetime


class SegmentCount(msgspec.Struct, kw_only=True):
    name: str
    members: int


class SegmentSummaryOut(msgspec.Struct, kw_only=True):
    """How many members are in each stage and each named segment (all listed, zeros too)."""

    members: int
    """Members with a segment row (every active member after a refresh)."""
    scored: int
    """Of them, those with RFM scores (at least one paid order)."""
    stages: list[SegmentCount]
    segments: list[SegmentCount]
    refreshed_at: datetime | None
    """The last refresh; ``null``: never refreshed."""


class RefreshOut(msgspec.Struct, kw_only=True):
    """What a refresh did (also the data of its ``segments.refreshed`` event)."""

    id: uuid.UUID
    """This refresh; its ``member.segment_changed`` events carry it as ``refresh_id``."""
    refreshed_at: datetime
    members: int
    """Rows written: every active member of the chain."""
    scored: int
    """Of them, with RFM scores."""
    changed: int
    """Members whose stage or named segment changed (new rows included)."""
    removed: int
    """Rows dropped: members merged or erased since the last refresh."""
    events: int
    """``member.segment_changed`` events emitted (one per batch of changed members)."""


class SegmentChange(msgspec.Struct, kw_only=True):
    member_id: uuid.UUID
    stage: str
    previous_stage: str | None
    segment: str | None
    previous_segment: str | None


class SegmentChanges(msgspec.Struct, kw_only=True):
    """The data of a ``member.segment_changed`` event: one batch of a refresh's changes."""

    refresh_id: uuid.UUID
    refreshed_at: datetime
    batch: int
    """1, 2, ... within the refresh."""
    batches: int
    changes: list[SegmentChange]


class SegmentSettingsOut(msgspec.Struct, kw_only=True):
    """The chain's lifecycle thresholds, in days (the defaults until first changed)."""

    new_days: int
    """New: joined, or first paid order, within this many days."""
    active_days: int
    """Active: last paid order within this many days."""
    lapsed_days: int
    """At risk: last paid order between ``active_days`` and this many days ago; lapsed beyond."""
    won_back_days: int
    """Won back: ordered within this many days ..."""
    won_back_gap_days: int
    """... after a gap of more than this many days without ordering."""
    updated_at: datetime | None
    version: int


class SegmentSettingsUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to the thresholds; they apply from the next refresh."""

    version: Version
    new_days: Days | UnsetType = UNSET
    active_days: Days | UnsetType = UNSET
    lapsed_days: LongDays | UnsetType = UNSET
    won_back_days: Days | UnsetType = UNSET
    won_back_gap_days: LongDays | UnsetType = UNSET


MemberSegmentPage = named_page(MemberSegmentOut, "MemberSegmentPage")
