"""Counting promotion uses: in all (``usage_limit``) and by member (``per_member_limit``).

An order that used promotions claims one use of each when it is made, in the order's
transaction; cancelling it gives them back. Claims lock the promotions' rows in id order
(so two tills claiming overlapping promotions queue instead of deadlocking) and count a
member's uses with a conditional upsert, so a limit is never overrun however many tills sell
at once. A use counter is not a change of the promotion: its version stays, and the order's
own events record the sale.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, NotFound
from bodega.db import engine as db
from bodega.db.ids import new_id

__all__ = [
    "PromotionExhausted",
    "claim_promotion_uses",
    "member_promotion_uses",
    "release_promotion_uses",
]


class PromotionExhausted(Conflict):
    slug = "promotion-exhausted"
    title = "A promotion is used up"

    def __init__(self, detail: str, row: Any) -> None:
        super().__init__(detail, promotion={"id": str(row["id"]), "name": row["name"]})


async def _locked(actor: Actor, promotion_ids: Sequence[uuid.UUID]) -> list[Any]:
    """The promotions' rows in id order, locked; 404 for an id not of the caller's chain."""
    ids = sorted(set(promotion_ids))
    rows = await db.fetch(
        "SELECT id, name, uses, usage_limit, per_member_limit FROM promotions "
        "WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE",
        actor.tenant_id,
        ids,
    )
    found = {r["id"] for r in rows}
    for ident in ids:
        if ident not in found:
            raise NotFound("promotion", ident)
    return rows


async def _claim_member_use(actor: Actor, row: Any, member_id: uuid.UUID) -> None:
    claimed = await db.fetchval(
        """
        INSERT INTO promotion_member_uses (id, tenant_id, promotion_id, member_id, uses)
        VALUES ($1, $2, $3, $4, 1)
        ON CONFLICT (tenant_id, promotion_id, member_id)
        DO UPDATE SET uses = promotion_member_uses.uses + 1
        WHERE promotion_member_uses.uses < $5
        RETURNING uses
        """,
        new_id(),
        actor.tenant_id,
        row["id"],
        member_id,
        row["per_member_limit"],
    )
    if claimed is None:
        limit = row["per_member_limit"]
        raise PromotionExhausted(
            f"The promotion '{row['name']}' was already used by this member ({limit} of {limit}).",
            row,
        )


async def claim_promotion_uses(
    actor: Actor, promotion_ids: Sequence[uuid.UUID], member_id: uuid.UUID | None
) -> None:
    """One more use of each promotion (an order uses each once, however many lines it
    reduced), and of the member's own. If one is used up, or counts members' uses and the
    order has none, 409 ``promotion-exhausted`` naming it, and nothing is counted."""
    if not promotion_ids:
        return
    rows = await _locked(actor, promotion_ids)
    for row in rows:
        if row["usage_limit"] is not None and row["uses"] >= row["usage_limit"]:
            raise PromotionExhausted(
                f"The promotion '{row['name']}' is used up "
                f"({row['uses']} of {row['usage_limit']}).",
                row,
            )
        if row["per_member_limit"] is not None and member_id is None:
            raise PromotionExhausted(
                f"The promotion '{row['name']}' counts each member's uses: the order needs "
                "a member.",
                row,
            )
    async with db.savepoint():
        if member_id is not None:
            for row in rows:
                if row["per_member_limit"] is not None:
                    await _claim_member_use(actor, row, member_id)
        await db.execute(
            "UPDATE promotions SET uses = uses + 1 WHERE tenant_id = $1 AND id = ANY($2)",
            actor.tenant_id,
            [r["id"] for r in rows],
        )


async def release_promotion_uses(
    actor: Actor, promotion_ids: Sequence[uuid.UUID], member_id: uuid.UUID | None
) -> None:
    """Give back the uses an order claimed (it was cancelled)."""
    if not promotion_ids:
        return
    rows = await _locked(actor, promotion_ids)
    ids = [r["id"] for r in rows]
    await db.execute(
        "UPDATE promotions SET uses = greatest(uses - 1, 0) WHERE tenant_id = $1 AND id = ANY($2)",
        actor.tenant_id,
        ids,
    )
    if member_id is not None:
        await db.execute(
            "UPDATE promotion_member_uses SET uses = greatest(uses - 1, 0) "
            "WHERE tenant_id = $1 AND member_id = $2 AND promotion_id = ANY($3)",
            actor.tenant_id,
            member_id,
            ids,
        )


async def member_promotion_uses(
    actor: Actor, promotion_ids: Sequence[uuid.UUID], member_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    """How many times the member used each promotion (0 for those never used)."""
    rows = await db.fetch(
        "SELECT promotion_id, uses FROM promotion_member_uses "
        "WHERE tenant_id = $1 AND member_id = $2 AND promotion_id = ANY($3)",
        actor.tenant_id,
        member_id,
        list(promotion_ids),
    )
    found = {r["promotion_id"]: r["uses"] for r in rows}
    return {ident: found.get(ident, 0) for ident in promotion_ids}
