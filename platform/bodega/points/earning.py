"""Earning on ``order.paid`` and taking back on ``order.refunded``: event handlers the events
relay runs in the chain's transaction (see ``JobRegistry.event_handler``).

Both read the order from the event (the order as the API returned it then), so a handler run
twice, or late, decides the same. An order earns once (a unique index on the order's ``earn``
entry); each refund takes back once (one ``refund`` entry per refund).

What an order earns: the chain's rules active when it was paid, on the money paid (what was
paid in points does not earn points) and on its lines; the highest multiplier open then
times the member's own (their tier's, through ``multiplier``), rounded down. A refund takes
back the same share of the earned points as the share of the money paid it gives back
(counting every refund of the order so far, so parts add up to the whole), rounded down; an
order paid in points alone is shared by the refunded share of its total. Points the member
has spent meanwhile cannot be taken back: the balance never goes below zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import InvalidInput
from bodega.catalog import products_by_ids
from bodega.db import engine as db
from bodega.membership import MemberOut, member_ids_of, require_member
from bodega.points import _ledger as ledger
from bodega.points.chain_settings import expiry_of, get_points_settings
from bodega.points.rules import active_rules
from bodega.points.schemas import PointsRuleOut
from bodega.tenancy import get_tenant

__all__ = [
    "EarningLine",
    "MultiplierSource",
    "PaidOrder",
    "earn_for_order",
    "points_earned",
    "reverse_for_refund",
    "rule_applies",
]

MultiplierSource = Callable[[Actor, uuid.UUID], Awaitable[Decimal]]
"""``multiplier(actor, member_id)``: the member's own multiplier (1 when none), e.g. from
their tier."""
POINTS = "points"
_ONE = Decimal(1)


class _Line(msgspec.Struct):
    product_id: uuid.UUID
    quantity: Decimal


class _Payment(msgspec.Struct):
    method: str
    amount: int


class _Allocation(msgspec.Struct):
    method: str
    amount: int


class _Refund(msgspec.Struct):
    id: uuid.UUID
    amount: int
    payments: list[_Allocation]


class PaidOrder(msgspec.Struct):
    """What earning needs of an order event's data (``OrderOut``)."""

    id: uuid.UUID
    number: int
    member_id: uuid.UUID | None
    paid_total: int
    paid_at: datetime | None
    lines: list[_Line]
    payments: list[_Payment]
    refunds: list[_Refund] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class EarningLine:
    product_id: uuid.UUID
    category_id: uuid.UUID | None
    quantity: Decimal


def rule_applies(rule: PointsRuleOut, moment: datetime, zone: ZoneInfo) -> bool:
    """Active, within ``[starts_at, ends_at)`` and on one of its weekdays (local)."""
    return (
        rule.status == "active"
        and (rule.starts_at is None or rule.starts_at <= moment)
        and (rule.ends_at is None or moment < rule.ends_at)
        and (not rule.weekdays or moment.astimezone(zone).isoweekday() in rule.weekdays)
    )


def _counts(rule: PointsRuleOut, line: EarningLine) -> bool:
    if rule.kind == "product":
        return line.product_id == rule.product_id
    return rule.kind == "category" and line.category_id == rule.category_id


def points_earned(
    rules: Sequence[PointsRuleOut],
    *,
    paid: int,
    lines: Sequence[EarningLine],
    multiplier: Decimal = _ONE,
) -> int:
    """The points of ``paid`` minor units and ``lines`` under ``rules`` (those that apply):
    spend rules' points per whole ``per_amount``, product and category rules' points per
    unit, all times the highest multiplier rule and ``multiplier``, rounded down."""
    spend = sum(paid // (r.per_amount or 1) * (r.points or 0) for r in rules if r.kind == "spend")
    units = sum(
        (line.quantity * (r.points or 0) for r in rules for line in lines if _counts(r, line)),
        Decimal(0),
    )
    factors = [r.multiplier for r in rules if r.kind == "multiplier" and r.multiplier]
    total = (spend + units) * max(factors, default=_ONE) * multiplier
    return int(total.to_integral_value(rounding=ROUND_FLOOR)) if total > 0 else 0


def _money(payments: Sequence[_Payment | _Allocation]) -> int:
    return sum(p.amount for p in payments if p.method != POINTS)


async def _member(actor: Actor, member_id: uuid.UUID) -> MemberOut | None:
    """The member the points go to (a merged member's survivor); ``None`` if erased or gone."""
    try:
        return await require_member(actor, member_id, field="member_id")
    except InvalidInput:
        return None


async def earn_for_order(
    actor: Actor, order: PaidOrder, now: datetime, *, multiplier: MultiplierSource | None = None
) -> None:
    """Award the order's points to its member (once: nothing if it earned already)."""
    if order.member_id is None or order.paid_at is None:
        return
    earned = await db.fetchval(
        "SELECT 1 FROM points_entries WHERE tenant_id = $1 AND order_id = $2 AND kind = 'earn'",
        actor.tenant_id,
        order.id,
    )
    member = await _member(actor, order.member_id)
    if earned or member is None:
        return
    zone = ZoneInfo((await get_tenant(actor)).timezone)
    rules = [r for r in await active_rules(actor) if rule_applies(r, order.paid_at, zone)]
    if not rules:
        return
    products = await products_by_ids(actor, [line.product_id for line in order.lines])
    lines = [
        EarningLine(
            line.product_id,
            products[line.product_id].category_id if line.product_id in products else None,
            line.quantity,
        )
        for line in order.lines
    ]
    own = await multiplier(actor, member.id) if multiplier is not None else _ONE
    points = points_earned(rules, paid=_money(order.payments), lines=lines, multiplier=own)
    if points <= 0:
        return
    settings = await get_points_settings(actor)
    ids = await member_ids_of(actor, member.id)
    await ledger.lock_members(ids)
    entry = ledger.NewEntry(
        member_id=member.id,
        kind="earn",
        points=points,
        expires_at=await expiry_of(actor, settings, order.paid_at),
        order_id=order.id,
        reason=f"Order {order.number}",
    )
    written = await ledger.write(actor, [entry], now)
    await ledger.record(actor, "earned", member.id, ids, written, now)


def _to_take_back(order: PaidOrder, earned: int, taken: int) -> int:
    """What the refunds so far take back of ``earned`` points, less what was ``taken``."""
    paid, refunded = _money(order.payments), sum(_money(r.payments) for r in order.refunds)
    if paid == 0:
        paid, refunded = order.paid_total, sum(r.amount for r in order.refunds)
    if paid == 0:
        return 0
    share = earned if refunded >= paid else earned * refunded // paid
    return max(share - taken, 0)


async def reverse_for_refund(actor: Actor, order: PaidOrder, now: datetime) -> None:
    """Take back the share of the order's earned points its latest refund gives back
    (once per refund)."""
    if order.member_id is None or not order.refunds:
        return
    refund = order.refunds[-1]  # the event's data is the order just after this refund
    rows = await db.fetch(
        "SELECT id, kind, points, refund_id, member_id FROM points_entries"
        " WHERE tenant_id = $1 AND order_id = $2 AND kind IN ('earn', 'refund')",
        actor.tenant_id,
        order.id,
    )
    award = next((r for r in rows if r["kind"] == "earn"), None)
    if award is None or any(r["refund_id"] == refund.id for r in rows):
        return
    taken = -sum(r["points"] for r in rows if r["kind"] == "refund")
    wanted = _to_take_back(order, award["points"], taken)
    if wanted == 0:
        return
    member_id = award["member_id"]
    ids = await member_ids_of(actor, member_id)
    await ledger.lock_members(ids)
    await ledger.expire_due(actor, ids, now)
    awards = await ledger.open_awards(actor, ids, now)
    awards.sort(key=lambda a: a.id != award["id"])  # its own award first, then FIFO
    points = min(wanted, sum(a.remaining for a in awards))
    if points == 0:
        return
    entry = ledger.NewEntry(
        member_id=member_id,
        kind="refund",
        points=-points,
        order_id=order.id,
        refund_id=refund.id,
        award_id=award["id"],
        reason=f"Order {order.number} refunded",
        draws=ledger.draw(awards, points),
    )
    written = await ledger.write(actor, [entry], now)
    await ledger.record(actor, "reversed", member_id, ids, written, now)
