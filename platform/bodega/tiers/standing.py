"""Each member's standing: the tier they are in now, why, and its history.

A member's tier is the better (higher rank) of what the rules give them (``earned``: the
highest earned tier whose threshold their rolling 12-month spend, or points, reaches) and the
paid tier of their premium plan while it is paid for. So the rules never take a paid tier away
while it lasts, and when it ends the member falls back to their earned tier. A member the
rules never looked at (no paid orders yet) stands in the entry tier: the earned tier with
threshold 0, if the chain has one.

Every move of a member's tier appends a row to ``member_tier_changes`` and emits
``member.tier_changed`` with ids only (no personal data), in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bodega.api.auth import Actor
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.membership import get_member
from bodega.tiers.schemas import (
    MemberTierOut,
    PremiumOut,
    TierChangedData,
    TierChangeOut,
    TierOut,
)

__all__ = [
    "BASES",
    "FIELDS",
    "LIVE_STATUSES",
    "PREMIUM_GRACE",
    "Standing",
    "chain_tiers",
    "current_standing",
    "earned_tier",
    "get_member_tier",
    "list_tier_changes",
    "paid_tier",
    "plan_of",
    "premium_out",
    "reason_of",
    "record_moves",
    "standing_of",
    "standing_rows",
    "tier_out",
    "unranked",
]

PREMIUM_GRACE = timedelta(days=1)
"""How long a paid tier outlasts its paid period: Stripe charges a renewal shortly after the
period ends, and the member keeps the tier until that payment is reported."""
LIVE_STATUSES = frozenset({"active", "past_due", "trialing"})
"""Stripe subscription statuses under which the paid period counts."""

Row = dict[str, Any]
Standing = dict[str, Any]
"""The values of a ``member_tiers`` row: ``tier_id``, ``source``, ``since``, ``until``,
``earned_tier_id``, ``spend_12m``, ``points_12m``, ``evaluated_at``."""
BASES = ("spend_12m", "points_12m")
"""What an earned tier's threshold can measure: each is a figure of the member's standing."""
_NOTHING = dict.fromkeys(BASES, 0)


def tier_out(row: Mapping[str, Any]) -> TierOut:
    return TierOut(**{f: row[f] for f in TierOut.__struct_fields__})


def premium_out(row: Mapping[str, Any]) -> PremiumOut:
    return PremiumOut(**{f: row[f] for f in PremiumOut.__struct_fields__})


async def chain_tiers(actor: Actor) -> dict[uuid.UUID, Row]:
    """Every tier of the chain by id (a chain has a handful)."""
    rows = await db.fetch("SELECT * FROM tiers WHERE tenant_id = $1", actor.tenant_id)
    return {r["id"]: dict(r) for r in rows}


def earned_tier(tiers: Mapping[uuid.UUID, Row], figures: Mapping[str, Any]) -> Row | None:
    """The highest earned tier whose threshold the member's ``figures`` (``spend_12m`` and
    ``points_12m``, as in their standing) reach in the tier's basis."""
    reached = [
        t for t in tiers.values() if t["kind"] == "earned" and t["threshold"] <= figures[t["basis"]]
    ]
    return max(reached, key=lambda t: t["rank"], default=None)


def paid_tier(tiers: Mapping[uuid.UUID, Row], plan: Row | None, now: datetime) -> Row | None:
    """The paid tier of ``plan`` while its period (plus the grace) lasts."""
    if plan is None or plan["status"] not in LIVE_STATUSES or plan["paid_until"] is None:
        return None
    if plan["paid_until"] + PREMIUM_GRACE <= now:
        return None
    return tiers.get(plan["tier_id"])


def _rank(tier: Row | None) -> int:
    return tier["rank"] if tier is not None else 0


def standing_of(
    tiers: Mapping[uuid.UUID, Row],
    earned: Row | None,
    plan: Row | None,
    now: datetime,
) -> tuple[Row | None, str]:
    """The member's tier and its source: the better of the earned and the paid one."""
    paid = paid_tier(tiers, plan, now)
    if paid is not None and _rank(paid) >= _rank(earned):
        return paid, "paid"
    return earned, "rules"


def reason_of(
    tiers: Mapping[uuid.UUID, Row], old: Standing, new: Standing, paid: Row | None
) -> str:
    """Why a member moved from ``old`` to ``new``; ``paid``: their live paid tier, if any."""
    if new["source"] == "paid" and old["source"] != "paid":
        return "premium_started"
    if old["source"] == "paid" and paid is None:
        return "premium_ended"
    up = _rank(tiers.get(new["tier_id"])) > _rank(tiers.get(old["tier_id"]))
    return "rules_up" if up else "rules_down"


async def standing_rows(
    actor: Actor, member_ids: Sequence[uuid.UUID] | None = None, *, lock: bool = False
) -> dict[uuid.UUID, Row]:
    """The members' standing rows (all the chain's with ``None``), locked if asked."""
    rows = await db.fetch(
        "SELECT * FROM member_tiers WHERE tenant_id = $1"  # noqa: S608
        " AND ($2::uuid[] IS NULL OR member_id = ANY($2::uuid[]))"
        " ORDER BY member_id" + (" FOR UPDATE" if lock else ""),
        actor.tenant_id,
        list(member_ids) if member_ids is not None else None,
    )
    return {r["member_id"]: dict(r) for r in rows}


def unranked(tiers: Mapping[uuid.UUID, Row]) -> Standing:
    """The standing of a member the rules never looked at: the entry tier, if any."""
    entry = earned_tier(tiers, _NOTHING)
    tier_id = entry["id"] if entry is not None else None
    return {
        "tier_id": tier_id,
        "source": "rules",
        "since": None,
        "until": None,
        "earned_tier_id": tier_id,
        **_NOTHING,
        "evaluated_at": None,
    }


FIELDS = ("tier_id", "source", "since", "until", "earned_tier_id", *BASES, "evaluated_at")
"""A standing's values, as stored in ``member_tiers``."""


async def record_moves(
    actor: Actor,
    moves: Iterable[tuple[uuid.UUID, Standing, Standing, str]],
    *,
    now: datetime,
) -> int:
    """Write each ``(member_id, old, new, reason)``: the row when anything in it changed; a
    history row and ``member.tier_changed`` when the tier changed. Returns how many members
    changed tier."""
    changed = 0
    for member_id, old, new, reason in moves:
        moved = old["tier_id"] != new["tier_id"]
        values = {**new, "since": now if moved else old["since"]}
        if all(old.get(f) == values[f] for f in FIELDS) and old.get("version"):
            continue
        await db.execute(
            "INSERT INTO member_tiers (id, tenant_id, member_id, tier_id, source, since, until,"
            " earned_tier_id, spend_12m, points_12m, evaluated_at, updated_at, version)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1)"
            " ON CONFLICT (tenant_id, member_id) DO UPDATE SET tier_id = $4, source = $5,"
            " since = $6, until = $7, earned_tier_id = $8, spend_12m = $9, points_12m = $10,"
            " evaluated_at = $11, updated_at = $12, version = member_tiers.version + 1",
            new_id(),
            actor.tenant_id,
            member_id,
            *(values[f] for f in FIELDS),
            now,
        )
        if not moved:
            continue
        data = TierChangedData(
            member_id=member_id, from_tier=old["tier_id"], to_tier=values["tier_id"], reason=reason
        )
        await db.execute(
            "INSERT INTO member_tier_changes (id, tenant_id, member_id, from_tier_id, to_tier_id,"
            " reason, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            new_id(),
            actor.tenant_id,
            member_id,
            data.from_tier,
            data.to_tier,
            data.reason,
            now,
        )
        await change_recorded(actor, "member", "tier_changed", member_id, data, after=data)
        changed += 1
    return changed


# Reading ---------------------------------------------------------------------------------------


def current_standing(
    tiers: Mapping[uuid.UUID, Row], row: Row | None, plan: Row | None, now: datetime
) -> Standing:
    """The member's standing as of ``now``: the stored one, except that a paid tier whose
    period has run out gives way to the earned one even before the nightly evaluation."""
    if row is None:
        return unranked(tiers)
    standing = {f: row[f] for f in FIELDS}
    if row["source"] == "paid" and paid_tier(tiers, plan, now) is None:
        earned = tiers.get(row["earned_tier_id"])
        standing.update(
            tier_id=earned["id"] if earned else None, source="rules", since=None, until=None
        )
    return standing


async def plan_of(actor: Actor, member_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    row = await db.fetchrow(
        "SELECT * FROM premium_plans WHERE tenant_id = $1 AND member_id = $2"  # noqa: S608
        + (" FOR UPDATE" if lock else ""),
        actor.tenant_id,
        member_id,
    )
    return dict(row) if row is not None else None


async def get_member_tier(
    actor: Actor, member_id: uuid.UUID, now: datetime | None = None
) -> MemberTierOut:
    """The member's tier now (404 for a member that is not the caller's)."""
    now = now or datetime.now(UTC)
    await get_member(actor, member_id)
    tiers = await chain_tiers(actor)
    row = (await standing_rows(actor, [member_id])).get(member_id)
    plan = await plan_of(actor, member_id)
    standing = current_standing(tiers, row, plan, now)
    tier = tiers.get(standing["tier_id"])
    return MemberTierOut(
        member_id=member_id,
        tier=tier_out(tier) if tier is not None else None,
        source=standing["source"],
        since=standing["since"],
        until=standing["until"],
        earned_tier_id=standing["earned_tier_id"],
        spend_12m=standing["spend_12m"],
        points_12m=standing["points_12m"],
        evaluated_at=standing["evaluated_at"],
        premium=premium_out(plan) if plan is not None else None,
    )


def change_out(row: Mapping[str, Any]) -> TierChangeOut:
    return TierChangeOut(**{f: row[f] for f in TierChangeOut.__struct_fields__})


async def list_tier_changes(
    actor: Actor, member_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[TierChangeOut]:
    """The member's tier changes, oldest first (404 for a member that is not the caller's)."""
    await get_member(actor, member_id)
    rows = await db.fetch(
        "SELECT * FROM member_tier_changes WHERE tenant_id = $1 AND member_id = $2"
        " AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4",
        actor.tenant_id,
        member_id,
        decode_cursor(cursor),
        limit + 1,
    )
    return page_of([change_out(r) for r in rows], limit)
