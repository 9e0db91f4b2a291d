"""FIFO expiry: an award's unspent points expire exactly at its ``expires_at`` (the job, run
with a moved clock, writes the ``expire`` entry then, not a microsecond before, and only
once); points past their expiry leave the balance at once, before the job runs, and cannot
be spent."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bodega.points import points_balance
from tests.conftest import assert_problem, run_jobs
from tests.platform.points.helpers import (
    Clock,
    account,
    adjust,
    balance,
    call_service,
    cash,
    events,
    in_points,
    ledger,
    member,
    pay,
    sell,
    shop,
)


@pytest.fixture(scope="module")
def s(client):
    return shop(client)


def _award(client, chain, member_id, points, expires_at: datetime) -> dict:
    response = adjust(client, chain, member_id, points, expires_at=expires_at.isoformat())
    assert response.status_code == 201, response.text
    return response.json()["entry"]


def test_the_job_expires_what_is_left_exactly_at_expiry_and_once(client, settings, s):
    """A: 100 expiring in 5 days, 30 of it spent; B: 50 expiring in 10 days. At A's expiry
    minus a microsecond nothing expires; at A's expiry its 70 left do; again, nothing."""
    ming = member(client, s.chain)
    now = datetime.now(UTC).replace(microsecond=0)
    a_at, b_at = now + timedelta(days=5), now + timedelta(days=10)
    _award(client, s.chain, ming, 100, a_at)
    _award(client, s.chain, ming, 50, b_at)
    sell(client, s, ming, [(s.milk, 1)], in_points(30), cash(470))
    run_jobs(settings, Clock(a_at - timedelta(microseconds=1)))
    assert ledger(client, s.chain, ming) == [
        ("adjust", 100, 70),
        ("adjust", 50, 50),
        ("redeem", -30, 0),
    ]
    member_id = uuid.UUID(ming)
    just_before = call_service(
        client, s.chain, points_balance, member_id, now=a_at - timedelta(microseconds=1)
    )
    at_expiry = call_service(client, s.chain, points_balance, member_id, now=a_at)
    assert (just_before.balance, at_expiry.balance) == (120, 50)
    assert [(e.expires_at, e.points) for e in at_expiry.expiring] == [(b_at, 50)]

    run_jobs(settings, Clock(a_at))
    assert ledger(client, s.chain, ming) == [
        ("adjust", 100, 0),
        ("adjust", 50, 50),
        ("redeem", -30, 0),
        ("expire", -70, 0),
    ]
    (expired,) = [
        e for e in events(client, s.chain, "points.expired") if e["data"]["member_id"] == ming
    ]
    assert (expired["data"]["balance"], [e["points"] for e in expired["data"]["entries"]]) == (
        50,
        [-70],
    )
    run_jobs(settings, Clock(a_at + timedelta(days=1)))
    assert len(ledger(client, s.chain, ming)) == 4
    assert account(client, s.chain, ming)["expiring"] == [
        {"expires_at": b_at.isoformat().replace("+00:00", "Z"), "points": 50}
    ]


def test_one_run_expires_every_member_of_every_chain(client, settings, s):
    other = shop(client)
    members = [(s, member(client, s.chain)), (other, member(client, other.chain))]
    at = datetime.now(UTC) + timedelta(days=3)
    for where, ident in members:
        _award(client, where.chain, ident, 40, at)
    run_jobs(settings, Clock(at))
    for where, ident in members:
        assert ledger(client, where.chain, ident) == [("adjust", 40, 0), ("expire", -40, 0)]


def test_points_past_expiry_leave_the_balance_at_once_and_cannot_pay(client, s):
    """An award of 200 expires in a second, one of 50 in a year. Once the first is past, the
    balance is 50 before any job; paying 100 in points is refused naming 50, and the member's
    next change writes the expiry first."""
    ming = member(client, s.chain)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    _award(client, s.chain, ming, 200, soon)
    assert adjust(client, s.chain, ming, 50).status_code == 201
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    assert balance(client, s.chain, ming) == 50
    assert ledger(client, s.chain, ming) == [("adjust", 200, 200), ("adjust", 50, 50)]
    body = {
        "channel": "pos",
        "store_id": s.store,
        "member_id": ming,
        "lines": [{"product_id": s.milk["id"], "quantity": 1}],
    }
    order = client.post("/v1/orders", json=body, headers=s.headers).json()
    refused = assert_problem(
        pay(client, s, order["id"], in_points(100), cash(400)), 422, "points-insufficient"
    )
    assert refused["balance"] == 50
    assert adjust(client, s.chain, ming, -10).status_code == 201
    assert ledger(client, s.chain, ming) == [
        ("adjust", 200, 0),
        ("adjust", 50, 40),
        ("expire", -200, 0),
        ("adjust", -10, 0),
    ]
