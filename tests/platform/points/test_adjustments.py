"""Manual adjustments: points added with the chain's validity or a given expiry, taken away
FIFO, never below zero; the reason kept in the ledger but out of events and the audit log;
bad input refused naming every field, with nothing written; merged and erased members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import walk
from tests.platform.points.helpers import (
    account,
    adjust,
    balance,
    events,
    ledger,
    member,
    shop,
    state,
)


@pytest.fixture(scope="module")
def s(client):
    return shop(client)


def test_points_added_then_taken_away(client, s):
    ming = member(client, s.chain)
    added = adjust(client, s.chain, ming, 120, reason="Sorry for the wait")
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["balance"] == 120
    entry = body["entry"]
    assert (entry["kind"], entry["points"], entry["remaining"], entry["reason"]) == (
        "adjust",
        120,
        120,
        "Sorry for the wait",
    )
    assert entry["created_by"] == str(s.chain.owner_id)
    shanghai = ZoneInfo("Asia/Shanghai")
    expires = datetime.fromisoformat(entry["expires_at"]).astimezone(shanghai)
    today = datetime.now(shanghai).date()
    assert (expires.date(), expires.time().isoformat()) == (today + timedelta(days=366), "00:00:00")
    taken = adjust(client, s.chain, ming, -20, reason="Typo")
    assert taken.status_code == 201, taken.text
    assert taken.json()["balance"] == 100
    assert taken.json()["entry"]["expires_at"] is None
    assert ledger(client, s.chain, ming) == [("adjust", 120, 100), ("adjust", -20, 0)]
    adjusted = [
        e for e in events(client, s.chain, "points.adjusted") if e["data"]["member_id"] == ming
    ]
    assert [e["data"]["balance"] for e in adjusted] == [120, 100]
    audit = walk(client, "/v1/audit-log", s.headers, resource_id=ming)
    assert {a["action"] for a in audit} >= {"points.adjusted"}
    for text in (str(adjusted), str(audit)):
        assert "Sorry for the wait" not in text
        assert "Typo" not in text


def test_taking_away_all_is_fine_more_is_refused(client, s):
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 50)
    before = state(client, s.chain, ming)
    refused = assert_problem(adjust(client, s.chain, ming, -51), 422, "points-insufficient")
    assert refused["errors"] == [
        {"field": "points", "message": "needs 51 points; the member has 50"}
    ]
    assert state(client, s.chain, ming) == before
    assert adjust(client, s.chain, ming, -50).status_code == 201
    assert balance(client, s.chain, ming) == 0


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"points": 0, "reason": "x"}, ["points"]),
        ({"points": 5}, ["reason"]),
        ({"points": 5, "reason": ""}, ["reason"]),
        ({"points": 5, "reason": "   "}, ["reason"]),
        ({"points": 5, "reason": "x" * 501}, ["reason"]),
        ({"points": -5, "reason": "x", "expires_at": _later(3)}, ["expires_at"]),
        ({"points": 5, "reason": "x", "expires_at": "2020-01-01T00:00:00Z"}, ["expires_at"]),
        ({"points": 5, "reason": "x", "expires_at": "2030-01-01T00:00:00"}, ["expires_at"]),
        ({"points": 0, "reason": " ", "expires_at": "2020-01-01T00:00:00Z"},
         ["points", "expires_at", "reason"]),
        ({"points": 10**10, "reason": "x"}, ["points"]),
        ({"points": 5, "reason": "x", "extra": 1}, ["data"]),  # "unknown field `extra`"
    ],
)  # fmt: skip
def test_bad_adjustments_are_refused_naming_the_fields(client, s, body, fields):
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 10)
    before = state(client, s.chain, ming)
    response = client.post(f"/v1/members/{ming}/points/adjustments", json=body, headers=s.headers)
    refused = assert_problem(response, 422)
    assert [e["field"] for e in refused["errors"]] == fields, refused
    assert state(client, s.chain, ming) == before


def test_an_unknown_member_is_a_404(client, s):
    missing = "01a20000-0000-7000-8000-00000000dead"
    assert_problem(adjust(client, s.chain, missing, 5), 404, "not-found")
    assert_problem(client.get(f"/v1/members/{missing}/points", headers=s.headers), 404, "not-found")


def test_a_merged_members_points_count_with_the_survivors(client, s):
    """The duplicate's 30 and the survivor's 70 make 100 for the survivor; points added to
    the duplicate go to the survivor; 80 taken away come from the oldest (the duplicate's)
    first."""
    survivor, duplicate = member(client, s.chain), member(client, s.chain)
    adjust(client, s.chain, duplicate, 30)
    adjust(client, s.chain, survivor, 70)
    merged = client.post(
        f"/v1/members/{survivor}/merge",
        json={"duplicate_id": duplicate, "version": 1},
        headers=s.headers,
    )
    assert merged.status_code == 200, merged.text
    assert balance(client, s.chain, survivor) == 100
    assert adjust(client, s.chain, duplicate, 5).json()["entry"]["member_id"] == survivor
    assert adjust(client, s.chain, survivor, -80).status_code == 201
    entries = account(client, s.chain, survivor)["data"]
    assert [(e["member_id"], e["points"], e["remaining"]) for e in entries] == [
        (duplicate, 30, 0),
        (survivor, 70, 20),
        (survivor, 5, 5),
        (survivor, -80, 0),
    ]


def test_an_erased_member_gets_no_points(client, s):
    ming = member(client, s.chain)
    erased = client.post(f"/v1/members/{ming}/erase", json={"version": 1}, headers=s.headers)
    assert erased.status_code == 200, erased.text
    refused = assert_problem(adjust(client, s.chain, ming, 5), 422)
    assert refused["errors"][0]["field"] == "member_id"
