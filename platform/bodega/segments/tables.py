"""Segment tables: each member's RFM scores and lifecycle stage, and each chain's thresholds.

The refresh writes ``member_segments`` in bulk with SQL; these classes bind the tables to the
engine and document their columns."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Integer, SmallInt, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["MemberSegment", "SegmentSettings"]


class MemberSegment(Table, tablename="member_segments"):
    id = UUID(primary_key=True)
    """The member's id: one row per member."""
    tenant_id = UUID()
    member_id = UUID()
    recency_days = Integer(null=True, default=None)
    frequency = Integer()
    monetary = BigInt()
    last_order_at = Timestamptz(null=True, default=None)
    r_score = SmallInt(null=True, default=None)
    f_score = SmallInt(null=True, default=None)
    m_score = SmallInt(null=True, default=None)
    rfm_code = Varchar(length=3, null=True, default=None)
    segment = Varchar(length=24, null=True, default=None)
    previous_segment = Varchar(length=24, null=True, default=None)
    stage = Varchar(length=16)
    previous_stage = Varchar(length=16, null=True, default=None)
    stage_since = Timestamptz()
    refreshed_at = Timestamptz()


class SegmentSettings(Table, tablename="segment_settings"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    new_days = Integer(default=30)
    active_days = Integer(default=60)
    lapsed_days = Integer(default=120)
    won_back_days = Integer(default=30)
    won_back_gap_days = Integer(default=120)
    updated_at = Timestamptz()
    version = Integer(default=1)
