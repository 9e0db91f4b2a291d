"""What other domains ask of tiers: a member's benefits now, and a member's data export."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.db import engine as db
from bodega.membership import members_by_ids
from bodega.tiers.schemas import TierBenefitsOut
from bodega.tiers.standing import (
    FIELDS,
    chain_tiers,
    change_out,
    current_standing,
    plan_of,
    premium_out,
    standing_rows,
)

__all__ = ["member_benefits", "member_export", "points_multiplier"]


async def member_benefits(actor: Actor, member_id: uuid.UUID) -> TierBenefitsOut | None:
    """The benefits of the member's tier now (quotes give them its price list, points its
    multiplier); None when the member is in no tier (or is not the caller's)."""
    tiers = await chain_tiers(actor)
    if not tiers:
        return None
    row = (await standing_rows(actor, [member_id])).get(member_id)
    plan = await plan_of(actor, member_id)
    if row is None and plan is None and not await members_by_ids(actor, [member_id]):
        return None
    tier = tiers.get(current_standing(tiers, row, plan, datetime.now(UTC))["tier_id"])
    if tier is None:
        return None
    return TierBenefitsOut(
        tier_id=tier["id"],
        name=tier["name"],
        price_list_id=tier["price_list_id"],
        points_multiplier=tier["points_multiplier"],
    )


async def points_multiplier(actor: Actor, member_id: uuid.UUID) -> Decimal:
    """The member's tier's points multiplier, 1 when they are in no tier: a
    ``bodega.points.MultiplierSource`` for points earning."""
    benefits = await member_benefits(actor, member_id)
    return benefits.points_multiplier if benefits is not None else Decimal(1)


async def member_export(actor: Actor, member_ids: Sequence[uuid.UUID]) -> dict[str, Any]:
    """The members' standing, tier history and premium plans (Stripe ids, no card data), as
    JSON-ready values, for the member's copy of their data."""
    ids = list(member_ids)
    standing = await standing_rows(actor, ids)
    changes = await db.fetch(
        "SELECT * FROM member_tier_changes WHERE tenant_id = $1 AND member_id = ANY($2)"
        " ORDER BY id",
        actor.tenant_id,
        ids,
    )
    plans = await db.fetch(
        "SELECT * FROM premium_plans WHERE tenant_id = $1 AND member_id = ANY($2) ORDER BY id",
        actor.tenant_id,
        ids,
    )
    tiers = await chain_tiers(actor)
    return msgspec.to_builtins(
        {
            "tiers": {str(t["id"]): t["name"] for t in tiers.values()},
            "standing": [
                {"member_id": m, **{f: row[f] for f in FIELDS}} for m, row in standing.items()
            ],
            "tier_changes": [change_out(r) for r in changes],
            "premium_plans": [
                {
                    "member_id": r["member_id"],
                    "stripe_customer_id": r["stripe_customer_id"],
                    **msgspec.structs.asdict(premium_out(r)),
                }
                for r in plans
            ],
        }
    )
