"""The refresh: every active member's RFM scores, named segment and lifecycle stage, computed
and written by SQL in one statement per chain, in the chain's transaction (RLS applies).

How a member is scored, as of the refresh's moment ``now``:

- The figures come from ordering's aggregate of paid orders before ``now``
  (:func:`bodega.ordering.stats.member_activity_sql`); a merged duplicate's orders count for
  the member it was merged into. **Recency** is the time since the last paid order;
  **frequency** the paid orders of the last 12 months; **monetary** their net spend.
- Members with at least one paid order are scored 1-5 on each (5 best) by quintile within the
  chain: ``ntile(5)`` over the members ordered by the figure, then **ties share the lowest
  tile of their group**, so equal figures always score alike and a member scores above
  another only with a strictly better figure (a crowd of one-order members all score F1 rather
  than being split by an arbitrary order). Recency is ranked by the last order's timestamp.
- The named segment is the cell of R and the mean of F and M on the grid in
  :mod:`bodega.segments.grid`; members without a paid order have neither scores nor segment.
- The stage, first match wins, with the chain's thresholds (defaults in days):
  ``won_back`` (the first order of the last 30 came after more than 120 without one), ``new``
  (joined, or first ordered, within 30), ``active`` (last order within 60), ``at_risk``
  (within 120), ``lapsed`` (longer ago, or never ordered and joined over 30 days ago).

Rows of members merged or erased since are deleted. A member whose stage or named segment
changed (or who is new to the table) is reported in ``member.segment_changed`` events of up
to :data:`EVENT_BATCH` members each, and the refresh as a whole in ``segments.refreshed``.
Two refreshes of one chain take turns (a transaction-level advisory lock), so no change is
reported twice; running one again at the same moment changes nothing and reports nothing.

The statement reads ``members`` (id, status, merged_into, joined_at) as well as
``member_segments``: scoring is a set operation over the chain's whole membership, which no
per-member look-up could do at this size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bodega.api.auth import Actor
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.ordering import member_activity_sql
from bodega.segments.grid import segment_case_sql
from bodega.segments.schemas import RefreshOut, SegmentChange, SegmentChanges
from bodega.segments.thresholds import get_segment_settings

__all__ = [
    "EVENT_BATCH",
    "REFRESH_TIMEOUT",
    "Scored",
    "refresh_segments",
    "report_changes",
    "score_members",
]

EVENT_BATCH = 250
"""Changed members per ``member.segment_changed`` event."""
REFRESH_TIMEOUT = "300s"
"""The refresh statement's timeout (the app role's default is 30 s): 100,000 members with a
million paid orders take a few seconds (bench/segments.py), so this leaves room for chains
many times that size and for a busy server."""

_ACTIVITY = member_activity_sql(
    tenant="$1",
    until="$2::timestamptz",
    since="($2::timestamptz - interval '12 months')",
    split="$3::timestamptz",
)

_REFRESH = f"""
WITH RECURSIVE owners AS (
    SELECT id, id AS owner FROM members WHERE tenant_id = $1 AND status = 'active'
    UNION ALL
    SELECT m.id, o.owner FROM members m JOIN owners o ON m.merged_into = o.id
     WHERE m.tenant_id = $1 AND m.status = 'merged'
),
activity AS ({_ACTIVITY}),
totals AS (
    SELECT o.owner AS member_id, sum(a.orders)::integer AS orders, sum(a.spend)::bigint AS spend,
           min(a.first_at) AS first_at, max(a.last_at) AS last_at,
           max(a.last_before) AS last_before, min(a.first_after) AS first_after
      FROM activity a JOIN owners o ON o.id = a.member_id
     GROUP BY o.owner
),
member_now AS (
    SELECT m.id AS member_id, m.joined_at, t.orders, t.spend, t.first_at, t.last_at,
           t.last_before, t.first_after
      FROM members m LEFT JOIN totals t ON t.member_id = m.id
     WHERE m.tenant_id = $1 AND m.status = 'active'
),
tiles AS (
    SELECT member_id, last_at, orders, spend,
           ntile(5) OVER (ORDER BY last_at, member_id) AS r_tile,
           ntile(5) OVER (ORDER BY orders, member_id) AS f_tile,
           ntile(5) OVER (ORDER BY spend, member_id) AS m_tile
      FROM member_now WHERE last_at IS NOT NULL
),
scores AS (
    SELECT member_id,
           min(r_tile) OVER (PARTITION BY last_at) AS r,
           min(f_tile) OVER (PARTITION BY orders) AS f,
           min(m_tile) OVER (PARTITION BY spend) AS m
      FROM tiles
),
fresh AS (
    SELECT c.member_id, c.last_at, coalesce(c.orders, 0) AS frequency,
           coalesce(c.spend, 0) AS monetary,
           floor(extract(epoch FROM $2::timestamptz - c.last_at) / 86400)::integer
               AS recency_days,
           s.r, s.f, s.m,
           CASE WHEN s.r IS NOT NULL THEN concat(s.r, s.f, s.m) END AS rfm_code,
           {segment_case_sql("s.r", "s.f", "s.m")} AS segment,
           CASE
               WHEN c.first_after - c.last_before > $7::interval THEN 'won_back'
               WHEN c.joined_at >= $4::timestamptz OR c.first_at >= $4::timestamptz THEN 'new'
               WHEN c.last_at >= $5::timestamptz THEN 'active'
               WHEN c.last_at >= $6::timestamptz THEN 'at_risk'
               ELSE 'lapsed'
           END AS stage
      FROM member_now c LEFT JOIN scores s USING (member_id)
),
stored AS (
    SELECT member_id, stage, segment FROM member_segments WHERE tenant_id = $1
),
written AS (
    INSERT INTO member_segments AS ms (id, tenant_id, member_id, recency_days, frequency,
        monetary, last_order_at, r_score, f_score, m_score, rfm_code, segment, stage,
        stage_since, refreshed_at)
    SELECT member_id, $1, member_id, recency_days, frequency, monetary, last_at, r, f, m,
           rfm_code, segment, stage, $2::timestamptz, $2::timestamptz
      FROM fresh
    ON CONFLICT (tenant_id, member_id) DO UPDATE SET
        recency_days = EXCLUDED.recency_days,
        frequency = EXCLUDED.frequency,
        monetary = EXCLUDED.monetary,
        last_order_at = EXCLUDED.last_order_at,
        r_score = EXCLUDED.r_score,
        f_score = EXCLUDED.f_score,
        m_score = EXCLUDED.m_score,
        rfm_code = EXCLUDED.rfm_code,
        segment = EXCLUDED.segment,
        previous_segment = CASE WHEN ms.segment IS DISTINCT FROM EXCLUDED.segment
                                THEN ms.segment ELSE ms.previous_segment END,
        stage = EXCLUDED.stage,
        previous_stage = CASE WHEN ms.stage <> EXCLUDED.stage
                              THEN ms.stage ELSE ms.previous_stage END,
        stage_since = CASE WHEN ms.stage <> EXCLUDED.stage
                           THEN EXCLUDED.stage_since ELSE ms.stage_since END,
        refreshed_at = EXCLUDED.refreshed_at
    RETURNING member_id, stage, segment
),
compared AS (
    SELECT w.member_id, w.stage, b.stage AS was_stage, w.segment, b.segment AS was_segment,
           (b.member_id IS NULL OR b.stage <> w.stage
            OR b.segment IS DISTINCT FROM w.segment) AS changed
      FROM written w LEFT JOIN stored b USING (member_id)
)
SELECT count(*)::integer AS members, count(segment)::integer AS scored,
       array_agg(member_id ORDER BY member_id) FILTER (WHERE changed) AS ids,
       array_agg(stage ORDER BY member_id) FILTER (WHERE changed) AS stages,
       array_agg(was_stage ORDER BY member_id) FILTER (WHERE changed) AS was_stages,
       array_agg(segment ORDER BY member_id) FILTER (WHERE changed) AS segments,
       array_agg(was_segment ORDER BY member_id) FILTER (WHERE changed) AS was_segments
  FROM compared
"""  # noqa: S608 (the only interpolations are this package's and ordering's SQL)

_REMOVE_GONE = """
DELETE FROM member_segments s
 WHERE s.tenant_id = $1 AND NOT EXISTS (
       SELECT FROM members m WHERE m.tenant_id = $1 AND m.id = s.member_id
          AND m.status = 'active')
"""


def _changes(row: Any) -> list[SegmentChange]:
    columns = ("ids", "stages", "was_stages", "segments", "was_segments")
    return [
        SegmentChange(
            member_id=member_id,
            stage=stage,
            previous_stage=was_stage,
            segment=segment,
            previous_segment=was_segment,
        )
        for member_id, stage, was_stage, segment, was_segment in zip(
            *(row[c] or [] for c in columns), strict=True
        )
    ]


@dataclass(frozen=True)
class Scored:
    """What the scoring statement did, before it is reported."""

    members: int
    scored: int
    removed: int
    changes: list[SegmentChange]


async def score_members(actor: Actor, *, now: datetime) -> Scored:
    """Write every active member's row as of ``now`` (the heavy part: one statement) and drop
    the rows of members no longer active; nothing is reported yet."""
    settings = await get_segment_settings(actor)
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('bodega.segments:' || $1::uuid::text, 0))",
        actor.tenant_id,
    )
    await db.execute(f"SET LOCAL statement_timeout = '{REFRESH_TIMEOUT}'")
    removed = await db.execute(_REMOVE_GONE, actor.tenant_id)
    days = timedelta(days=1)
    row = await db.fetchrow(
        _REFRESH,
        actor.tenant_id,
        now,
        now - settings.won_back_days * days,
        now - settings.new_days * days,
        now - settings.active_days * days,
        now - settings.lapsed_days * days,
        settings.won_back_gap_days * days,
    )
    assert row is not None  # an aggregate without GROUP BY always answers one row
    return Scored(
        members=row["members"],
        scored=row["scored"],
        removed=int(removed.split()[-1]),
        changes=_changes(row),
    )


async def report_changes(actor: Actor, scored: Scored, *, now: datetime) -> RefreshOut:
    """Record and emit the changes in batches, then the refresh itself."""
    changes = scored.changes
    refresh_id = new_id()
    batches = -(-len(changes) // EVENT_BATCH)
    for number, start in enumerate(range(0, len(changes), EVENT_BATCH), start=1):
        batch = SegmentChanges(
            refresh_id=refresh_id,
            refreshed_at=now,
            batch=number,
            batches=batches,
            changes=changes[start : start + EVENT_BATCH],
        )
        await change_recorded(actor, "member", "segment_changed", refresh_id, batch, after=batch)
    out = RefreshOut(
        id=refresh_id,
        refreshed_at=now,
        members=scored.members,
        scored=scored.scored,
        changed=len(changes),
        removed=scored.removed,
        events=batches,
    )
    await change_recorded(actor, "segments", "refreshed", refresh_id, out, after=out)
    return out


async def refresh_segments(actor: Actor, *, now: datetime) -> RefreshOut:
    """Score every active member of the caller's chain as of ``now`` and report the changes
    (in the current transaction, which must be the chain's)."""
    return await report_changes(actor, await score_members(actor, now=now), now=now)
