"""A member's points: the balance, what expires when, the ledger, and manual adjustments.

A member's points count those of the duplicates merged into them. Reading never writes:
points past their expiry are left out of the balance at once, and the ``expire`` entries
follow with the expiry job (or with the member's next change, whichever comes first).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.db import engine as db
from bodega.membership import get_member, member_ids_of, require_member
from bodega.points import _ledger as ledger
from bodega.points.chain_settings import expiry_of, get_points_settings
from bodega.points.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    PointsAccountOut,
    PointsBalanceOut,
    PointsEntryOut,
)

__all__ = [
    "adjust_points",
    "expire_due_points",
    "member_erase",
    "member_export",
    "member_ledger",
    "member_points",
    "points_balance",
    "points_earned",
]

EXPIRY_BATCH = 200
"""Members whose due points one transaction of the expiry job expires."""


async def _family(actor: Actor, member_id: uuid.UUID) -> list[uuid.UUID]:
    """The member (404 if not the caller's) and the duplicates merged into it."""
    await get_member(actor, member_id)
    return await member_ids_of(actor, member_id)


async def _entries(
    actor: Actor, member_ids: Sequence[uuid.UUID], *, after: uuid.UUID | None, limit: int | None
) -> list[PointsEntryOut]:
    rows = await db.fetch(
        f"SELECT {ledger.ENTRY_COLUMNS} FROM points_entries"  # noqa: S608
        " WHERE tenant_id = $1 AND member_id = ANY($2::uuid[])"
        " AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4",
        actor.tenant_id,
        list(member_ids),
        after,
        limit,
    )
    return [ledger.entry_out(r) for r in rows]


async def points_balance(
    actor: Actor, member_id: uuid.UUID, *, now: datetime | None = None
) -> PointsBalanceOut:
    """The member's balance and what expires when (404 if not the caller's member)."""
    ids = await _family(actor, member_id)
    now = now or datetime.now(UTC)
    return PointsBalanceOut(
        member_id=member_id,
        balance=await ledger.available(actor, ids, now),
        expiring=await ledger.expiring(actor, ids, now),
    )


async def member_ledger(
    actor: Actor, member_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[PointsEntryOut]:
    """A page of the member's ledger (and its merged duplicates'), oldest first."""
    ids = await _family(actor, member_id)
    return page_of(await _entries(actor, ids, after=decode_cursor(cursor), limit=limit + 1), limit)


async def member_points(
    actor: Actor, member_id: uuid.UUID, *, limit: int, cursor: str | None
) -> PointsAccountOut:
    """The balance, what expires when, and a page of the ledger, oldest first."""
    balance = await points_balance(actor, member_id)
    page = await member_ledger(actor, member_id, limit=limit, cursor=cursor)
    return PointsAccountOut(
        member_id=member_id,
        balance=balance.balance,
        expiring=balance.expiring,
        data=page.data,
        next_cursor=page.next_cursor,
    )


async def member_export(actor: Actor, member_ids: Sequence[uuid.UUID]) -> dict[str, Any]:
    """The members' points for their data export: balance, what expires when, every entry."""
    now = datetime.now(UTC)
    return {
        "balance": await ledger.available(actor, member_ids, now),
        "expiring": await ledger.expiring(actor, member_ids, now),
        "entries": await _entries(actor, member_ids, after=None, limit=None),
    }


async def member_erase(actor: Actor, member_ids: Sequence[uuid.UUID]) -> None:
    """The members' part of their erasure: their entries' reasons are cleared (staff type an
    adjustment's, and may name the person); points, kinds, orders and dates stay, so balances
    and the chain's totals still add up."""
    await db.execute(
        "UPDATE points_entries SET reason = ''"
        " WHERE tenant_id = $1 AND member_id = ANY($2::uuid[]) AND reason <> ''",
        actor.tenant_id,
        list(member_ids),
    )


async def points_earned(
    actor: Actor,
    *,
    since: datetime,
    until: datetime,
    member_ids: Sequence[uuid.UUID] | None = None,
) -> dict[uuid.UUID, int]:
    """Per member (``None``: every member of the chain), the points their orders earned in
    ``[since, until)`` less what those orders' refunds took back: what a tier on
    ``points_12m`` counts. Redemptions, expiry and manual adjustments do not count: they
    move the balance, not what the member earned by buying. Members with nothing are left out.
    """
    rows = await db.fetch(
        "SELECT e.member_id, sum(e.points + coalesce(back.points, 0))::bigint AS points"
        " FROM points_entries e LEFT JOIN LATERAL ("
        "   SELECT sum(r.points) AS points FROM points_entries r"
        "   WHERE r.tenant_id = e.tenant_id AND r.order_id = e.order_id AND r.kind = 'refund'"
        " ) back ON true"
        " WHERE e.tenant_id = $1 AND e.kind = 'earn' AND e.created_at >= $2"
        " AND e.created_at < $3 AND ($4::uuid[] IS NULL OR e.member_id = ANY($4::uuid[]))"
        " GROUP BY e.member_id",
        actor.tenant_id,
        since,
        until,
        list(member_ids) if member_ids is not None else None,
    )
    return {r["member_id"]: r["points"] for r in rows if r["points"] > 0}


def _adjustment_errors(data: AdjustmentIn, now: datetime) -> list[FieldError]:
    errors = []
    if data.points == 0:
        errors.append(FieldError("points", "not 0: add (positive) or take away (negative)"))
    if data.expires_at is not None:
        if data.points < 0:
            errors.append(FieldError("expires_at", "only for points added"))
        elif data.expires_at <= now:
            errors.append(FieldError("expires_at", "must be in the future"))
    if not data.reason.strip():
        errors.append(FieldError("reason", "say why"))
    return errors


async def adjust_points(
    actor: Actor, member_id: uuid.UUID, data: AdjustmentIn, *, now: datetime | None = None
) -> AdjustmentOut:
    """Add points (valid as the chain's settings say, or until ``expires_at``) or take them
    away (FIFO, never below a balance of 0: 422 ``points-insufficient``); emits
    ``points.adjusted``. A merged member's points go to the member it was merged into."""
    await get_member(actor, member_id)
    now = now or datetime.now(UTC)
    raise_if_errors(_adjustment_errors(data, now))
    member = await require_member(actor, member_id, field="member_id")
    ids = await member_ids_of(actor, member.id)
    await ledger.lock_members(ids)
    await ledger.expire_due(actor, ids, now)
    entry = ledger.NewEntry(member_id=member.id, kind="adjust", points=data.points)
    entry.reason = data.reason.strip()
    if data.points > 0:
        settings = await get_points_settings(actor)
        entry.expires_at = data.expires_at or await expiry_of(actor, settings, now)
    else:
        awards = await ledger.open_awards(actor, ids, now)
        balance = sum(a.remaining for a in awards)
        if -data.points > balance:
            raise ledger.insufficient("points", -data.points, balance)
        entry.draws = ledger.draw(awards, -data.points)
    (written,) = await ledger.write(actor, [entry], now)
    change = await ledger.record(actor, "adjusted", member.id, ids, [written], now)
    return AdjustmentOut(entry=written, balance=change.balance)


async def expire_due_points(actor: Actor, *, now: datetime) -> int:
    """Expire the chain's awards due at ``now`` with points left, a batch of members per
    call; return how many members' points were expired (fewer than ``EXPIRY_BATCH``: done).
    Idempotent: an award expired once has nothing left to expire."""
    rows = await db.fetch(
        "SELECT DISTINCT member_id FROM points_entries"
        " WHERE tenant_id = $1 AND remaining > 0 AND expires_at <= $2 LIMIT $3",
        actor.tenant_id,
        now,
        EXPIRY_BATCH,
    )
    for row in rows:
        await ledger.lock_members([row["member_id"]])
        await ledger.expire_due(actor, [row["member_id"]], now)
    return len(rows)
