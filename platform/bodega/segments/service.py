"""Reading segments: one member's, a page of members by stage or segment, the counts per
stage and segment, and what other parts of Bodega ask for (promotions, the member 360 view,
the member's data export)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import BodegaError, NotFound
from bodega.api.pagination import Page, decode_cursor, encode_cursor
from bodega.db import engine as db
from bodega.membership import members_by_ids
from bodega.segments.grid import SEGMENTS, STAGES
from bodega.segments.schemas import MemberSegmentOut, SegmentCount, SegmentSummaryOut

__all__ = [
    "get_member_segment",
    "list_member_segments",
    "member_export",
    "member_segments",
    "segment_of",
    "segment_summary",
]

_COLUMNS = ", ".join(MemberSegmentOut.__struct_fields__)


class NotScoredYet(NotFound):
    """A member of the chain that no refresh has scored yet."""

    def __init__(self, member_id: uuid.UUID) -> None:
        BodegaError.__init__(
            self,
            f"Member {member_id} has no segment yet: segments are computed every night, or "
            "at once by POST /v1/segments/refresh.",
        )


def _out(row: Any) -> MemberSegmentOut:
    return MemberSegmentOut(**dict(row))


async def segment_of(actor: Actor, member_id: uuid.UUID) -> MemberSegmentOut | None:
    """The member's scores and stage as of the last refresh (``None``: not scored, or not a
    member of the caller's chain)."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM member_segments WHERE tenant_id = $1 AND member_id = $2",  # noqa: S608
        actor.tenant_id,
        member_id,
    )
    return _out(row) if row is not None else None


async def get_member_segment(actor: Actor, member_id: uuid.UUID) -> MemberSegmentOut:
    """Like :func:`segment_of`, answering 404 when there is nothing to show."""
    found = await segment_of(actor, member_id)
    if found is not None:
        return found
    if member_id in await members_by_ids(actor, [member_id]):
        raise NotScoredYet(member_id)
    raise NotFound("member", member_id)


async def member_segments(actor: Actor, member_id: uuid.UUID) -> frozenset[str]:
    """The names a promotion limited to segments is matched against: the member's stage,
    named segment and RFM code (as of the last refresh) and their tags. Empty for an id that
    is not a member of the caller's chain. ``at_risk`` is both a stage and a segment name."""
    members = await members_by_ids(actor, [member_id])
    if member_id not in members:
        return frozenset()
    found = await segment_of(actor, member_id)
    names = {found.stage, found.segment, found.rfm_code} if found is not None else set()
    return frozenset(name for name in (*names, *members[member_id].tags) if name)


async def member_export(actor: Actor, member_ids: Sequence[uuid.UUID]) -> dict[str, Any]:
    """This part of a member's data export: the segment rows of ``member_ids`` (the member and
    the duplicates merged into it)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM member_segments"  # noqa: S608
        " WHERE tenant_id = $1 AND member_id = ANY($2) ORDER BY member_id",
        actor.tenant_id,
        list(member_ids),
    )
    return {"member_segments": [msgspec.to_builtins(_out(r)) for r in rows]}


async def list_member_segments(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    stage: str | None = None,
    segment: str | None = None,
) -> Page[MemberSegmentOut]:
    """Members by id (oldest first), of one stage and/or one named segment."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM member_segments WHERE tenant_id = $1"  # noqa: S608
        " AND ($2::uuid IS NULL OR member_id > $2) AND ($3::text IS NULL OR stage = $3)"
        " AND ($4::text IS NULL OR segment = $4) ORDER BY member_id LIMIT $5",
        actor.tenant_id,
        decode_cursor(cursor),
        stage,
        segment,
        limit + 1,
    )
    data = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page(data=data, next_cursor=encode_cursor(data[-1].member_id) if more else None)


async def segment_summary(actor: Actor) -> SegmentSummaryOut:
    """Members per stage and per named segment, for marketing (one pass over the rows)."""
    rows = await db.fetch(
        "SELECT stage, segment, count(*)::integer AS members, max(refreshed_at) AS at"
        " FROM member_segments WHERE tenant_id = $1 GROUP BY stage, segment",
        actor.tenant_id,
    )
    stages: Counter[str] = Counter()
    segments: Counter[str] = Counter()
    for row in rows:
        stages[row["stage"]] += row["members"]
        if row["segment"] is not None:
            segments[row["segment"]] += row["members"]
    return SegmentSummaryOut(
        members=sum(stages.values()),
        scored=sum(segments.values()),
        stages=[SegmentCount(name=name, members=stages[name]) for name in STAGES],
        segments=[SegmentCount(name=name, members=segments[name]) for name in SEGMENTS],
        refreshed_at=max((r["at"] for r in rows), default=None),
    )
