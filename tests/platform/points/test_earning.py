"""Earning on ``order.paid`` and taking back on ``order.refunded``, against hand-computed
ledgers: the rules at the moment of payment, money paid in points not earning, partial
refunds taking back their share (parts adding up to the whole, never more than earned), the
handlers run twice writing once, and what a member spent meanwhile not taken back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec
import pytest

from bodega.jobs.worker import build_registry, job_context
from bodega.points.earning import PaidOrder, earn_for_order, reverse_for_refund
from tests.conftest import run_jobs
from tests.platform.points.helpers import (
    account,
    adjust,
    balance,
    call_service,
    cash,
    events,
    in_points,
    ledger,
    member,
    refund,
    rule,
    sell,
    shop,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def s(client):
    made = shop(client)
    rule(client, made.chain, points=1, per_amount=100)  # 1 point per ¥1
    rule(client, made.chain, kind="category", points=2, category_id=made.bakery)
    return made


def test_a_paid_order_earns_by_the_rules_once_relayed(client, settings, s):
    """2 breads and a milk (2500): 25 for the money, 2 x 2 for the bakery = 29; nothing before
    the relay runs; the award expires at the end of the 365th day after (Shanghai)."""
    ming = member(client, s.chain)
    order = sell(client, s, ming, [(s.bread, 2), (s.milk, 1)])
    assert ledger(client, s.chain, ming) == []
    run_jobs(settings)
    (earned,) = account(client, s.chain, ming)["data"]
    assert (earned["kind"], earned["points"], earned["remaining"]) == ("earn", 29, 29)
    assert earned["order_id"] == order["id"]
    assert earned["reason"] == f"Order {order['number']}"
    paid_at = datetime.fromisoformat(order["paid_at"])
    local_day = paid_at.astimezone(SHANGHAI).date()
    expires = datetime.fromisoformat(earned["expires_at"])
    assert expires.astimezone(SHANGHAI).date() == local_day + timedelta(days=366)
    assert expires.astimezone(SHANGHAI).time().isoformat() == "00:00:00"
    assert account(client, s.chain, ming)["expiring"] == [
        {"expires_at": earned["expires_at"], "points": 29}
    ]
    (event,) = [
        e for e in events(client, s.chain, "points.earned") if e["data"]["member_id"] == ming
    ]
    assert event["data"]["balance"] == 29
    assert [e["points"] for e in event["data"]["entries"]] == [29]
    assert "reason" not in event["data"]["entries"][0]


def test_orders_without_a_member_or_rules_earn_nothing(client, settings, s):
    sell(client, s, None, [(s.milk, 4)])
    other = shop(client)  # a chain without rules
    ming = member(client, other.chain)
    sell(client, other, ming, [(other.bread, 1)])
    run_jobs(settings)
    assert ledger(client, other.chain, ming) == []
    assert events(client, other.chain) == []


def test_money_paid_in_points_earns_nothing(client, settings, s):
    """A 1500 order (bread, milk) paid 700 in points and 800 cash earns 8 + 2 (bakery)."""
    ming = member(client, s.chain)
    assert adjust(client, s.chain, ming, 1000).status_code == 201
    sell(client, s, ming, [(s.bread, 1), (s.milk, 1)], in_points(700), cash(800))
    run_jobs(settings)
    assert ledger(client, s.chain, ming) == [
        ("adjust", 1000, 300),
        ("redeem", -700, 0),
        ("earn", 10, 10),
    ]


def test_partial_refunds_take_back_their_share_and_add_up_to_the_whole(client, settings, s):
    """3 breads (3000) earn 30 + 6 = 36. Refunds of 1000, 1000 and 1000 take back
    floor(36/3) = 12, floor(72/3) - 12 = 12, then the rest, 12."""
    ming = member(client, s.chain)
    order = sell(client, s, ming, [(s.bread, 3)])
    line = order["lines"][0]["id"]
    for _ in range(2):
        refund(client, s, order["id"], lines=[{"line_id": line, "quantity": 1}])
    run_jobs(settings)
    assert ledger(client, s.chain, ming) == [
        ("earn", 36, 12),
        ("refund", -12, 0),
        ("refund", -12, 0),
    ]
    refund(client, s, order["id"])
    run_jobs(settings)
    entries = account(client, s.chain, ming)["data"]
    assert [(e["kind"], e["points"]) for e in entries][-1] == ("refund", -12)
    assert balance(client, s.chain, ming) == 0
    refund_ids = {e["refund_id"] for e in entries if e["kind"] == "refund"}
    assert len(refund_ids) == 3  # one entry per refund
    assert {e["type"] for e in events(client, s.chain) if e["data"]["member_id"] == ming} == {
        "points.earned",
        "points.reversed",
    }


def test_a_refund_of_uneven_shares_never_takes_back_more_than_earned(client, settings, s):
    """A milk (500) earns 5; refunds of 333 and 167 take back floor(5 x 333/500) = 3, then
    the rest, 2 (never 6)."""
    ming = member(client, s.chain)
    order = sell(client, s, ming, [(s.milk, 1)])
    refund(client, s, order["id"], lines=[], amount=333)
    refund(client, s, order["id"], lines=[], amount=167)
    run_jobs(settings)
    assert ledger(client, s.chain, ming) == [("earn", 5, 0), ("refund", -3, 0), ("refund", -2, 0)]


def test_points_spent_meanwhile_are_not_taken_back(client, settings, s):
    """A bread earns 12; the member spends 10 of them (and earns 4 on that order); the full
    refund wants 12 back but takes only what the member has: the 2 left of its own award,
    then the 4. The balance never goes below zero."""
    ming = member(client, s.chain)
    first = sell(client, s, ming, [(s.bread, 1)])
    run_jobs(settings)
    sell(client, s, ming, [(s.milk, 1)], in_points(10), cash(490))
    refund(client, s, first["id"])
    run_jobs(settings)
    assert ledger(client, s.chain, ming) == [
        ("earn", 12, 0),
        ("redeem", -10, 0),
        ("earn", 4, 0),  # 490 paid in money: 4 points
        ("refund", -6, 0),
    ]
    assert balance(client, s.chain, ming) == 0


def test_the_handlers_run_twice_write_once(client, settings, s):
    """The order.paid and order.refunded events handled again (a relay retried after a
    crash) leave the ledger as it was, with no new events."""
    ming = member(client, s.chain)
    order = sell(client, s, ming, [(s.bread, 2)])
    refund(client, s, order["id"], lines=[{"line_id": order["lines"][0]["id"], "quantity": 1}])
    run_jobs(settings)
    before = (ledger(client, s.chain, ming), events(client, s.chain))
    assert before[0] == [("earn", 24, 12), ("refund", -12, 0)]
    refunded = client.get(f"/v1/orders/{order['id']}", headers=s.headers).json()
    now = datetime.now(UTC)
    for data in (order, refunded):
        paid = msgspec.convert(data, PaidOrder, strict=False)
        call_service(client, s.chain, earn_for_order, paid, now)
        call_service(client, s.chain, reverse_for_refund, paid, now)
    assert (ledger(client, s.chain, ming), events(client, s.chain)) == before


def test_a_failing_handler_holds_the_event_back_until_it_succeeds(client, settings, s):
    """While earning fails, order.paid is not relayed (webhooks wait too); once it works the
    event is relayed and the points earned, once."""
    ming = member(client, s.chain)
    sell(client, s, ming, [(s.milk, 2)])
    failed = []

    async def run(fail: bool) -> None:
        async with job_context(settings, pool_size=2) as context:
            registry = build_registry(settings, context.plugins)
            if fail:
                at = next(
                    i for i, h in enumerate(registry.event_handlers) if h.pattern == "order.paid"
                )
                spec = registry.event_handlers[at]

                async def broken(ctx, event):
                    await spec.fn(ctx, event)
                    failed.append(event.id)
                    raise RuntimeError("boom")

                registry.event_handlers[at] = type(spec)(spec.pattern, broken)
            relay = registry.periodics["relay_outbox"].fn
            await relay(context)

    asyncio.run(run(fail=True))
    assert failed
    assert ledger(client, s.chain, ming) == []  # what the handler wrote was undone
    asyncio.run(run(fail=True))
    assert len(failed) == 2  # still waiting: handled again on the next round
    asyncio.run(run(fail=False))
    assert ledger(client, s.chain, ming) == [("earn", 10, 10)]


def test_the_members_own_multiplier_multiplies_what_the_order_earns(client, s):
    """Two milks (1000) earn 10; a member whose own multiplier (their tier's) is 1.5 gets 15."""
    ming = member(client, s.chain)
    order = msgspec.convert(sell(client, s, ming, [(s.milk, 2)]), PaidOrder, strict=False)
    asked = []

    async def tier(actor, member_id):
        asked.append(str(member_id))
        return Decimal("1.5")

    call_service(client, s.chain, earn_for_order, order, datetime.now(UTC), multiplier=tier)
    assert asked == [ming]
    assert ledger(client, s.chain, ming) == [("earn", 15, 15)]
