"""Points as an order payment, against hand-computed ledgers: the rate, FIFO across awards
(the one expiring first, the oldest, first), refusals that write nothing, and refunds giving
the points back to the awards they came from, in parts, with their expiry."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_problem
from tests.platform.points.helpers import (
    SETTINGS,
    account,
    adjust,
    balance,
    cash,
    events,
    in_points,
    ledger,
    member,
    pay,
    refund,
    sell,
    shop,
    state,
)


@pytest.fixture(scope="module")
def s(client):
    return shop(client)  # no earning rules: only what the tests add and spend


def _in(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _open_order(client, s, member_id, *lines):
    body = {
        "channel": "pos",
        "store_id": s.store,
        "member_id": member_id,
        "lines": [{"product_id": p["id"], "quantity": q} for p, q in lines],
    }
    response = client.post("/v1/orders", json=body, headers=s.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_redemption_spanning_two_awards_draws_the_oldest_first(client, s):
    """Awards of 300 then 500 (same validity); a bread (1000) paid 600 in points and 400 cash:
    300 from the first, 300 from the second. The payment's reference is the redeem entry."""
    ming = member(client, s.chain)
    for points in (300, 500):
        assert adjust(client, s.chain, ming, points).status_code == 201
    order = sell(client, s, ming, [(s.bread, 1)], in_points(600), cash(400))
    assert ledger(client, s.chain, ming) == [
        ("adjust", 300, 0),
        ("adjust", 500, 200),
        ("redeem", -600, 0),
    ]
    redeemed = account(client, s.chain, ming)["data"][-1]
    points_payment = next(p for p in order["payments"] if p["method"] == "points")
    assert points_payment["reference"] == redeemed["id"]
    assert (points_payment["amount"], redeemed["order_id"]) == (600, order["id"])
    (event,) = [
        e for e in events(client, s.chain, "points.redeemed") if e["data"]["member_id"] == ming
    ]
    assert (event["data"]["balance"], [e["points"] for e in event["data"]["entries"]]) == (
        200,
        [-600],
    )


def test_the_award_expiring_first_is_spent_first(client, s):
    """An award of 100 valid 30 days, then one of 100 valid 10 days: a 150 redemption takes
    the 100 expiring sooner, then 50 of the other."""
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 100, expires_at=_in(30))
    adjust(client, s.chain, ming, 100, expires_at=_in(10))
    sell(client, s, ming, [(s.milk, 1)], in_points(150), cash(350))
    assert ledger(client, s.chain, ming) == [
        ("adjust", 100, 50),
        ("adjust", 100, 0),
        ("redeem", -150, 0),
    ]


def test_the_chains_rate_turns_money_into_points(client):
    """At 1 point = ¥1 (1 point per 100 minor units), 250 in points costs 3 points."""
    other = shop(client)
    changed = client.patch(
        SETTINGS,
        json={"version": 1, "redeem_points": 1, "redeem_amount": 100},
        headers=other.headers,
    )
    assert changed.status_code == 200, changed.text
    ming = member(client, other.chain)
    adjust(client, other.chain, ming, 5)
    sell(client, other, ming, [(other.milk, 1)], in_points(250), cash(250))
    assert ledger(client, other.chain, ming) == [("adjust", 5, 2), ("redeem", -3, 0)]


@pytest.mark.parametrize(
    ("payments", "slug", "field", "message"),
    [
        ([{"method": "points", "amount": 301}, cash(199)], "points-insufficient",
         "payments[0].amount", "needs 301 points; the member has 300"),
        ([{"method": "points", "amount": 200}, {"method": "points", "amount": 101}, cash(199)],
         "points-insufficient", "payments", "needs 301 points; the member has 300"),
        ([{"method": "points", "amount": 100, "reference": "X"}, cash(400)], "validation-error",
         "payments[0].reference", "not for points"),
        ([{"method": "wallet", "amount": 500}], "payment-method-unavailable",
         "payments[0].method", "not available yet"),
    ],
)  # fmt: skip
def test_a_refused_points_payment_writes_nothing(client, s, payments, slug, field, message):
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 300)
    order = _open_order(client, s, ming, (s.milk, 1))
    before = state(client, s.chain, ming)
    refused = assert_problem(pay(client, s, order["id"], *payments), 422, slug)
    assert any(e["field"] == field and message in e["message"] for e in refused["errors"]), refused
    if slug == "points-insufficient":
        assert (refused["balance"], refused["needed"]) == (300, 301)
        assert "300" in refused["detail"]
    assert state(client, s.chain, ming) == before
    assert client.get(f"/v1/orders/{order['id']}", headers=s.headers).json()["status"] == "open"


def test_points_need_a_member_on_the_order(client, s):
    order = _open_order(client, s, None, (s.milk, 1))
    refused = assert_problem(
        pay(client, s, order["id"], in_points(500)), 422, "payment-method-unavailable"
    )
    assert refused["errors"][0]["field"] == "payments[0].method"
    assert "member" in refused["errors"][0]["message"]


def test_a_refund_gives_the_points_back_to_their_awards_in_parts(client, s):
    """Awards A (300, 10 days) and B (500, 30 days); a bread paid 600 in points (300 from
    each) and 400 cash. Refunds go to the largest refundable payment first: 500 (all to
    points: 500 points back, B's 300 first with B's expiry, then 200 to A), then the rest
    (100 more points to A, and the cash)."""
    ming = member(client, s.chain)
    a_expiry, b_expiry = _in(10), _in(30)
    adjust(client, s.chain, ming, 300, expires_at=a_expiry)
    adjust(client, s.chain, ming, 500, expires_at=b_expiry)
    order = sell(client, s, ming, [(s.bread, 1)], in_points(600), cash(400))
    assert balance(client, s.chain, ming) == 200
    first = refund(client, s, order["id"], lines=[], amount=500)
    assert [(p["method"], p["amount"]) for p in first["refunds"][0]["payments"]] == [
        ("points", 500)
    ]
    entries = account(client, s.chain, ming)["data"]
    back = [e for e in entries if e["kind"] == "redeem_reversal"]
    assert [(e["points"], e["expires_at"]) for e in back] == [
        (300, entries[1]["expires_at"]),
        (200, entries[0]["expires_at"]),
    ]
    assert {e["refund_id"] for e in back} == {first["refunds"][0]["id"]}
    assert balance(client, s.chain, ming) == 700
    refund(client, s, order["id"], lines=[], amount=500)
    assert ledger(client, s.chain, ming)[-1] == ("redeem_reversal", 100, 100)
    assert balance(client, s.chain, ming) == 800  # all 600 back
    reversed_events = [
        e for e in events(client, s.chain, "points.reversed") if e["data"]["member_id"] == ming
    ]
    assert [len(e["data"]["entries"]) for e in reversed_events] == [2, 1]


def test_a_cash_refund_of_a_mixed_payment_gives_no_points_back(client, s):
    """A bread paid 400 in points and 600 cash; refunding 600 goes to the cash."""
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 400)
    order = sell(client, s, ming, [(s.bread, 1)], in_points(400), cash(600))
    refund(client, s, order["id"], lines=[], amount=600)
    assert ledger(client, s.chain, ming) == [("adjust", 400, 0), ("redeem", -400, 0)]


def test_points_given_back_after_their_award_expired_are_valid_again(client, s):
    """The award expires two seconds after paying with it; given back after that, the points
    get the chain's validity from today instead (365 days)."""
    ming = member(client, s.chain)
    soon = datetime.now(UTC) + timedelta(seconds=2)
    adjust(client, s.chain, ming, 500, expires_at=soon.isoformat())
    order = sell(client, s, ming, [(s.milk, 1)], in_points(500))
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    refund(client, s, order["id"])
    back = account(client, s.chain, ming)["data"][-1]
    assert (back["kind"], back["points"], back["remaining"]) == ("redeem_reversal", 500, 500)
    assert datetime.fromisoformat(back["expires_at"]) > datetime.now(UTC) + timedelta(days=364)
    assert balance(client, s.chain, ming) == 500
