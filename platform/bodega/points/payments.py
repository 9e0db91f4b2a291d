"""Points as an order payment: redeemed in the paying transaction, given back in the refunding
one (``bodega.ordering`` calls these on the order's locked row).

A points payment's ``amount`` is money; the chain's rate turns it into points (rounded up to
a whole point). The points are drawn FIFO from the member's oldest unexpired awards; a
refund through the payment gives back the same share of them, each to the award it came from
with that award's expiry, or, if that has passed since, valid again as newly added points.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from bodega.api.auth import Actor
from bodega.db import engine as db
from bodega.membership import member_ids_of, require_member
from bodega.points import _ledger as ledger
from bodega.points.chain_settings import expiry_of, get_points_settings, points_worth

__all__ = ["give_back_points", "redeem_points"]


async def redeem_points(
    actor: Actor,
    member_id: uuid.UUID,
    order: tuple[uuid.UUID, int],
    payments: Sequence[tuple[str, int]],
    now: datetime,
) -> list[uuid.UUID]:
    """Spend the member's points on the order ``(id, number)``'s points ``payments``
    ``(field, amount)``: one ``redeem`` entry each, whose ids are returned (the payments'
    references). Not enough points: 422 ``points-insufficient`` naming the balance."""
    member = await require_member(actor, member_id, field="member_id")
    ids = await member_ids_of(actor, member.id)
    await ledger.lock_members(ids)
    await ledger.expire_due(actor, ids, now)
    settings = await get_points_settings(actor)
    needed = [points_worth(settings, amount) for _, amount in payments]
    awards = await ledger.open_awards(actor, ids, now)
    balance = sum(a.remaining for a in awards)
    if sum(needed) > balance:
        field = payments[0][0] if len(payments) == 1 else "payments"
        raise ledger.insufficient(field, sum(needed), balance)
    entries = []
    for points in needed:
        draws = ledger.draw(awards, points)
        spent = dict(draws)
        awards = [
            ledger.Award(a.id, a.member_id, a.remaining - spent.get(a.id, 0), a.expires_at)
            for a in awards
            if a.remaining > spent.get(a.id, 0)
        ]
        entries.append(
            ledger.NewEntry(
                member_id=member.id,
                kind="redeem",
                points=-points,
                order_id=order[0],
                reason=f"Paid order {order[1]}",
                draws=draws,
            )
        )
    written = await ledger.write(actor, entries, now)
    await ledger.record(actor, "redeemed", member.id, ids, written, now)
    return [e.id for e in entries]


_DRAWN = """
SELECT d.member_id, a.credit_id, c.expires_at, sum(a.points)::bigint AS points
  FROM points_entries d
  JOIN points_allocations a ON a.tenant_id = d.tenant_id AND a.debit_id = d.id
  JOIN points_entries c ON c.tenant_id = a.tenant_id AND c.id = a.credit_id
 WHERE d.tenant_id = $1 AND d.order_id = $2 AND d.kind = 'redeem'
 GROUP BY d.member_id, a.credit_id, c.expires_at
"""
"""What the order's redemptions drew, by award."""
_RETURNED = """
SELECT award_id, sum(points)::bigint AS points FROM points_entries
 WHERE tenant_id = $1 AND order_id = $2 AND kind = 'redeem_reversal' GROUP BY award_id
"""
_NEVER = datetime.max.replace(tzinfo=UTC)


async def give_back_points(
    actor: Actor,
    order: tuple[uuid.UUID, int],
    refund_id: uuid.UUID,
    redeemed: int,
    refunded: int,
    now: datetime,
) -> None:
    """Give back the points of the order ``(id, number)``'s points payments in the share
    ``refunded / redeemed`` (money: what its points payments took, and what they have given
    back, this refund included); what earlier refunds gave back is counted, so parts add up
    to the whole. The latest-expiring points come back first."""
    drawn = await db.fetch(_DRAWN, actor.tenant_id, order[0])
    if not drawn:
        return
    member_id = drawn[0]["member_id"]
    ids = await member_ids_of(actor, member_id)
    await ledger.lock_members(ids)
    rows = await db.fetch(_RETURNED, actor.tenant_id, order[0])
    returned = {r["award_id"]: r["points"] for r in rows}
    total = sum(r["points"] for r in drawn)
    owed = (total if refunded >= redeemed else total * refunded // redeemed) - sum(
        returned.values()
    )
    fresh = await expiry_of(actor, await get_points_settings(actor), now)
    entries = []
    for row in sorted(
        drawn, key=lambda r: (r["expires_at"] or _NEVER, r["credit_id"]), reverse=True
    ):
        back = min(owed, row["points"] - returned.get(row["credit_id"], 0))
        if back <= 0:
            continue
        expires = row["expires_at"]
        entries.append(
            ledger.NewEntry(
                member_id=member_id,
                kind="redeem_reversal",
                points=back,
                expires_at=expires if expires is None or expires > now else fresh,
                order_id=order[0],
                refund_id=refund_id,
                award_id=row["credit_id"],
                reason=f"Order {order[1]} refunded",
            )
        )
        owed -= back
    if entries:
        written = await ledger.write(actor, entries, now)
        await ledger.record(actor, "reversed", member_id, ids, written, now)
