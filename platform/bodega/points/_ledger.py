"""The ledger's primitives: a member's lock, the awards open to spend, writing credits and
debits with their FIFO allocations, expiring what is due, and recording a change.

Every change of a member's points runs under that member's lock (a transaction-level advisory
lock on the member's id), so two tills spending one member's points take turns and the second
sees what the first spent. A member's points are their own and those of the duplicates
merged into them (``member_ids_of``): the awards of all of them are spent together.

Credits (earn, redeem_reversal, positive adjust) carry ``remaining``; a debit (redeem,
refund, negative adjust, expire) draws on open credits, the one expiring first first (with
one validity for every award, that is the oldest first), and records each draw as an
allocation, so what was spent from which award is exact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.points.schemas import (
    ExpiringPointsOut,
    PointsChangeOut,
    PointsEntryData,
    PointsEntryOut,
)

__all__ = [
    "ENTRY_COLUMNS",
    "Award",
    "NewEntry",
    "PointsInsufficient",
    "available",
    "draw",
    "entry_out",
    "expire_due",
    "expiring",
    "insufficient",
    "lock_members",
    "open_awards",
    "record",
    "write",
]

ENTRY_COLUMNS = (
    "id, member_id, kind, points, remaining, order_id, refund_id, expires_at, created_at, "
    "reason, created_by"
)


class PointsInsufficient(InvalidInput):
    slug = "points-insufficient"
    title = "Not enough points"


@dataclass(frozen=True)
class Award:
    """An open credit: points still to spend (or to expire)."""

    id: uuid.UUID
    member_id: uuid.UUID
    remaining: int
    expires_at: datetime | None


@dataclass
class NewEntry:
    """An entry to write; ``draws`` are (credit, points) for a debit."""

    member_id: uuid.UUID
    kind: str
    points: int
    expires_at: datetime | None = None
    order_id: uuid.UUID | None = None
    refund_id: uuid.UUID | None = None
    award_id: uuid.UUID | None = None
    reason: str = ""
    draws: list[tuple[uuid.UUID, int]] = field(default_factory=list)
    id: uuid.UUID = field(default_factory=new_id)


async def lock_members(member_ids: Iterable[uuid.UUID]) -> None:
    """Take the members' points locks until the transaction ends (in id order: no deadlock)."""
    for ident in sorted(set(member_ids)):
        await db.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('points:' || $1::uuid::text, 0))",
            ident,
        )


async def open_awards(actor: Actor, member_ids: Sequence[uuid.UUID], now: datetime) -> list[Award]:
    """The members' credits with points left and not expired at ``now``, expiring first first
    (never-expiring last), then oldest first."""
    rows = await db.fetch(
        "SELECT id, member_id, remaining, expires_at FROM points_entries"
        " WHERE tenant_id = $1 AND member_id = ANY($2::uuid[]) AND remaining > 0"
        " AND (expires_at IS NULL OR expires_at > $3)"
        " ORDER BY expires_at NULLS LAST, id",
        actor.tenant_id,
        list(member_ids),
        now,
    )
    return [Award(r["id"], r["member_id"], r["remaining"], r["expires_at"]) for r in rows]


async def available(actor: Actor, member_ids: Sequence[uuid.UUID], now: datetime) -> int:
    """What the members can spend at ``now``: the unspent points of their unexpired credits."""
    return await db.fetchval(
        "SELECT coalesce(sum(remaining), 0)::bigint FROM points_entries"
        " WHERE tenant_id = $1 AND member_id = ANY($2::uuid[]) AND remaining > 0"
        " AND (expires_at IS NULL OR expires_at > $3)",
        actor.tenant_id,
        list(member_ids),
        now,
    )


async def expiring(
    actor: Actor, member_ids: Sequence[uuid.UUID], now: datetime
) -> list[ExpiringPointsOut]:
    rows = await db.fetch(
        "SELECT expires_at, sum(remaining)::bigint AS points FROM points_entries"
        " WHERE tenant_id = $1 AND member_id = ANY($2::uuid[]) AND remaining > 0"
        " AND expires_at > $3 GROUP BY expires_at ORDER BY expires_at",
        actor.tenant_id,
        list(member_ids),
        now,
    )
    return [ExpiringPointsOut(expires_at=r["expires_at"], points=r["points"]) for r in rows]


def draw(awards: Sequence[Award], points: int) -> list[tuple[uuid.UUID, int]]:
    """Take ``points`` from ``awards`` in their order: ``[(award id, points taken)]``.

    Raises ``ValueError`` when the awards hold fewer points."""
    draws: list[tuple[uuid.UUID, int]] = []
    left = points
    for award in awards:
        if left == 0:
            break
        taken = min(left, award.remaining)
        draws.append((award.id, taken))
        left -= taken
    if left:
        raise ValueError(f"{points} points asked, {points - left} open")
    return draws


_INSERT_ENTRIES = """
INSERT INTO points_entries (id, tenant_id, member_id, kind, points, remaining, order_id,
                            refund_id, award_id, reason, expires_at, created_at, created_by)
SELECT e.id, $1, e.member_id, e.kind, e.points, greatest(e.points, 0), e.order_id, e.refund_id,
       e.award_id, e.reason, e.expires_at, $2, $3
  FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::bigint[], $8::uuid[], $9::uuid[],
              $10::uuid[], $11::text[], $12::timestamptz[])
    AS e(id, member_id, kind, points, order_id, refund_id, award_id, reason, expires_at)
"""
_INSERT_ALLOCATIONS = """
INSERT INTO points_allocations (id, tenant_id, debit_id, credit_id, points)
SELECT a.id, $1, a.debit_id, a.credit_id, a.points
  FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
    AS a(id, debit_id, credit_id, points)
"""
_SPENT = """
UPDATE points_entries e SET remaining = e.remaining - d.points
  FROM (SELECT credit_id, sum(points) AS points
          FROM unnest($2::uuid[], $3::bigint[]) AS x(credit_id, points) GROUP BY credit_id) d
 WHERE e.tenant_id = $1 AND e.id = d.credit_id
"""


async def write(actor: Actor, entries: Sequence[NewEntry], now: datetime) -> list[PointsEntryOut]:
    """Insert ``entries`` with their allocations and take what the debits drew off the
    credits' ``remaining`` (three statements for any number)."""
    await db.execute(
        _INSERT_ENTRIES,
        actor.tenant_id,
        now,
        actor.id,
        [e.id for e in entries],
        [e.member_id for e in entries],
        [e.kind for e in entries],
        [e.points for e in entries],
        [e.order_id for e in entries],
        [e.refund_id for e in entries],
        [e.award_id for e in entries],
        [e.reason for e in entries],
        [e.expires_at for e in entries],
    )
    draws = [(e.id, credit, points) for e in entries for credit, points in e.draws]
    if draws:
        await db.execute(
            _INSERT_ALLOCATIONS,
            actor.tenant_id,
            [new_id() for _ in draws],
            [debit for debit, _, _ in draws],
            [credit for _, credit, _ in draws],
            [points for _, _, points in draws],
        )
        await db.execute(
            _SPENT,
            actor.tenant_id,
            [credit for _, credit, _ in draws],
            [points for _, _, points in draws],
        )
    return [
        PointsEntryOut(
            id=e.id,
            member_id=e.member_id,
            kind=e.kind,
            points=e.points,
            remaining=max(e.points, 0),
            order_id=e.order_id,
            refund_id=e.refund_id,
            expires_at=e.expires_at,
            created_at=now,
            reason=e.reason,
            created_by=actor.id,
        )
        for e in entries
    ]


def entry_out(row: Any) -> PointsEntryOut:
    return PointsEntryOut(**{f: row[f] for f in PointsEntryOut.__struct_fields__})


def _data(entry: PointsEntryOut) -> PointsEntryData:
    return PointsEntryData(**{f: getattr(entry, f) for f in PointsEntryData.__struct_fields__})


async def record(
    actor: Actor,
    what: str,
    member_id: uuid.UUID,
    member_ids: Sequence[uuid.UUID],
    entries: Sequence[PointsEntryOut],
    now: datetime,
) -> PointsChangeOut:
    """Audit and emit ``points.<what>`` about ``member_id``: the entries (without their
    reasons) and the balance after."""
    change = PointsChangeOut(
        member_id=member_id,
        balance=await available(actor, member_ids, now),
        entries=[_data(e) for e in entries],
    )
    await change_recorded(actor, "points", what, member_id, change, after=change)
    return change


async def expire_due(
    actor: Actor, member_ids: Sequence[uuid.UUID], now: datetime
) -> list[PointsEntryOut]:
    """Write an ``expire`` entry for each of the members' credits expired at ``now`` with
    points left, drawing exactly those points from it; emit ``points.expired`` per member.
    The caller holds the members' locks."""
    rows = await db.fetch(
        "SELECT id, member_id, remaining FROM points_entries"
        " WHERE tenant_id = $1 AND member_id = ANY($2::uuid[]) AND remaining > 0"
        " AND expires_at <= $3 ORDER BY expires_at, id",
        actor.tenant_id,
        list(member_ids),
        now,
    )
    if not rows:
        return []
    entries = [
        NewEntry(
            member_id=r["member_id"],
            kind="expire",
            points=-r["remaining"],
            award_id=r["id"],
            draws=[(r["id"], r["remaining"])],
        )
        for r in rows
    ]
    written = await write(actor, entries, now)
    for member_id in dict.fromkeys(e.member_id for e in written):
        mine = [e for e in written if e.member_id == member_id]
        await record(actor, "expired", member_id, member_ids, mine, now)
    return written


def insufficient(field: str, needed: int, balance: int) -> PointsInsufficient:
    """The refusal of a debit of ``needed`` points when the member has ``balance``."""
    return PointsInsufficient(
        f"Not enough points: {needed} needed, the member has {balance}.",
        errors=[FieldError(field, f"needs {needed} points; the member has {balance}")],
        balance=balance,
        needed=needed,
    )
