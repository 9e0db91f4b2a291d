"""Member 360: everything a till or a marketer sees of one member at once — the profile with
tags and consents, the tier, the points balance and what expires when, the segment, and the
latest orders (also those made before a duplicate was merged into them).

Points, tiers and segments build on members, so they are imported when the view is asked
for, not when this module loads."""

from __future__ import annotations

import uuid

import msgspec

from bodega.api.auth import Actor
from bodega.membership import get_member, member_ids_of
from bodega.membership.schemas import MemberOut
from bodega.ordering import OrderOut, recent_member_orders
from bodega.points import PointsBalanceOut
from bodega.segments.schemas import MemberSegmentOut
from bodega.tiers.schemas import MemberTierOut

__all__ = ["RECENT_ORDERS", "Member360Out", "member_360"]

RECENT_ORDERS = 10


class Member360Out(msgspec.Struct, kw_only=True):
    member: MemberOut
    tier: MemberTierOut
    points: PointsBalanceOut
    segment: MemberSegmentOut | None
    """As of the last refresh; none before the first."""
    recent_orders: list[OrderOut]
    """The latest orders, newest first."""


async def member_360(actor: Actor, member_id: uuid.UUID) -> Member360Out:
    """The member 360 view (404 for a member that is not the caller's)."""
    from bodega.points import points_balance
    from bodega.segments import segment_of
    from bodega.tiers.standing import get_member_tier

    member = await get_member(actor, member_id)
    ids = await member_ids_of(actor, member.id)
    return Member360Out(
        member=member,
        tier=await get_member_tier(actor, member.id),
        points=await points_balance(actor, member.id),
        segment=await segment_of(actor, member.id),
        recent_orders=await recent_member_orders(actor, ids, limit=RECENT_ORDERS),
    )
