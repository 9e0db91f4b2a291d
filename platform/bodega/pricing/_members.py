"""What a quote needs to know of the member buying: that they are the chain's member (a merged
duplicate counts as the member it was merged into), their tier's price list, and the segments
promotions limited to segments are matched against.

The tiers package validates its price lists with :mod:`bodega.pricing`, so it is imported
when a quote names a member, not when this module loads (an import cycle otherwise)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from bodega.api.auth import Actor
from bodega.membership import require_member

__all__ = ["Buyer", "buyer"]


@dataclass(frozen=True)
class Buyer:
    member_id: uuid.UUID
    tier_lists: tuple[uuid.UUID, ...]
    segments: frozenset[str]


async def buyer(actor: Actor, member_id: uuid.UUID, *, field: str = "member_id") -> Buyer:
    """The member ``member_id`` as a quote prices for them; 422 on ``field`` when they are not
    a member of the chain (or were erased)."""
    from bodega.segments import member_segments
    from bodega.tiers import member_benefits

    member = await require_member(actor, member_id, field=field)
    benefits = await member_benefits(actor, member.id)
    lists = (benefits.price_list_id,) if benefits and benefits.price_list_id else ()
    return Buyer(member.id, lists, await member_segments(actor, member.id))
