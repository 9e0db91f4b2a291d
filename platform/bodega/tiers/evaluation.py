"""The rules at work: every member of a chain moved to the tier their last 12 months earn.

An evaluation reads the chain's paid orders of the 12 months before ``now`` (by payment time,
refunds taken off: ``bodega.ordering.member_order_stats``) and the points those months' orders
earned (refunds taken off: ``bodega.points.points_earned``), counts a merged duplicate's
figures for the member it was merged into, and gives every active member with spend, points
or a standing the better of their earned tier and their live paid tier (``standing.py``). It
is idempotent: run again with the same clock it changes nothing. Evaluations of one chain take
turns.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bodega.api.auth import Actor
from bodega.db import engine as db
from bodega.membership import MemberOut, members_by_ids
from bodega.ordering import member_order_stats
from bodega.points import points_earned
from bodega.tiers.standing import (
    BASES,
    Standing,
    chain_tiers,
    earned_tier,
    paid_tier,
    reason_of,
    record_moves,
    standing_of,
    standing_rows,
    unranked,
)

__all__ = ["Evaluation", "evaluate_tiers", "twelve_months_before"]

_MAX_MERGE_HOPS = 10


@dataclass(frozen=True)
class Evaluation:
    evaluated: int
    """Members looked at."""
    changed: int
    """Members whose tier changed."""


def twelve_months_before(moment: datetime) -> datetime:
    """The same moment a year earlier (28 February for a 29 February)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


async def _members(actor: Actor, ids: set[uuid.UUID]) -> dict[uuid.UUID, MemberOut]:
    """``ids`` and the members they were merged into (and those were merged into)."""
    known = await members_by_ids(actor, list(ids))
    for _ in range(_MAX_MERGE_HOPS):
        missing = {
            m.merged_into
            for m in known.values()
            if m.status == "merged" and m.merged_into is not None and m.merged_into not in known
        }
        if not missing:
            break
        known |= await members_by_ids(actor, list(missing))
    return known


def _survivor(members: Mapping[uuid.UUID, MemberOut], member_id: uuid.UUID) -> uuid.UUID | None:
    """The active member whose history ``member_id``'s is; None for an erased one."""
    current: uuid.UUID | None = member_id
    for _ in range(_MAX_MERGE_HOPS):
        member = members.get(current) if current is not None else None
        if member is None:
            return None
        if member.status == "active":
            return member.id
        if member.status != "merged":
            return None
        current = member.merged_into
    return None


async def _plans(actor: Actor) -> dict[uuid.UUID, dict[str, object]]:
    rows = await db.fetch("SELECT * FROM premium_plans WHERE tenant_id = $1", actor.tenant_id)
    return {r["member_id"]: dict(r) for r in rows}


async def evaluate_tiers(actor: Actor, *, now: datetime) -> Evaluation:
    """Move every member of the chain to the tier the rules and their premium plan give them
    as of ``now``."""
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('tiers:evaluate:' || $1::uuid::text, 0))",
        actor.tenant_id,
    )
    tiers = await chain_tiers(actor)
    since = twelve_months_before(now)
    stats = await member_order_stats(actor, since=since, until=now)
    earned_points = await points_earned(actor, since=since, until=now)
    rows = await standing_rows(actor, lock=True)
    members = await _members(actor, set(stats) | set(earned_points) | set(rows))
    totals: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BASES, 0))
    for basis, values in (
        ("spend_12m", {m: figures.spend for m, figures in stats.items()}),
        ("points_12m", earned_points),
    ):
        for member_id, value in values.items():
            survivor = _survivor(members, member_id)
            if survivor is not None:
                totals[survivor][basis] += value
    plans = await _plans(actor)
    candidates = sorted({m for m in set(totals) | set(rows) if _survivor(members, m) == m})
    moves = []
    for member_id in candidates:
        old: Standing = rows.get(member_id) or unranked(tiers)
        figures = totals[member_id]
        earned = earned_tier(tiers, figures)
        plan = plans.get(member_id)
        tier, source = standing_of(tiers, earned, plan, now)
        new: Standing = {
            "tier_id": tier["id"] if tier is not None else None,
            "source": source,
            "since": old["since"],
            "until": plan["paid_until"] if source == "paid" and plan is not None else None,
            "earned_tier_id": earned["id"] if earned is not None else None,
            **figures,
            "evaluated_at": now,
        }
        moves.append((member_id, old, new, reason_of(tiers, old, new, paid_tier(tiers, plan, now))))
    return Evaluation(evaluated=len(moves), changed=await record_moves(actor, moves, now=now))
