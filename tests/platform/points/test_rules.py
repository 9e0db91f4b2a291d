"""Earning rules through REST: created, listed by kind and status, changed with their version,
paused, deleted; each kind's fields checked, every problem named, nothing written on a
refusal; a paused or deleted rule no longer earns, a rule earns only in its window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import api_key, assert_problem, run_jobs
from tests.platform.catalog.helpers import walk
from tests.platform.points.helpers import RULES, ledger, member, rule, sell, shop


@pytest.fixture(scope="module")
def s(client):
    return shop(client)


def _audit(client, s):
    return walk(client, "/v1/audit-log", s.headers)


def test_a_rule_is_created_changed_paused_and_deleted(client, s):
    made = rule(client, s.chain, name="Weekend bread", kind="product", points=5,
                product_id=s.bread["id"], weekdays=[7, 6, 6])  # fmt: skip
    assert made["weekdays"] == [6, 7]
    assert (made["kind"], made["points"], made["per_amount"], made["version"]) == (
        "product",
        5,
        None,
        1,
    )
    assert client.get(f"{RULES}/{made['id']}", headers=s.headers).json() == made
    changed = client.patch(
        f"{RULES}/{made['id']}",
        json={"version": 1, "points": 7, "status": "paused"},
        headers=s.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["points"], changed.json()["status"], changed.json()["version"]) == (
        7,
        "paused",
        2,
    )
    stale = client.patch(
        f"{RULES}/{made['id']}", json={"version": 1, "name": "x"}, headers=s.headers
    )
    assert_problem(stale, 409, "version-conflict")
    assert [r["id"] for r in walk(client, RULES, s.headers, status="paused")] == [made["id"]]
    assert walk(client, RULES, s.headers, kind="spend", status="paused") == []
    assert client.delete(f"{RULES}/{made['id']}", headers=s.headers).status_code == 204
    assert_problem(client.get(f"{RULES}/{made['id']}", headers=s.headers), 404, "not-found")
    actions = [a["action"] for a in _audit(client, s) if a["resource_id"] == made["id"]]
    assert actions == ["points_rule.created", "points_rule.updated", "points_rule.deleted"]


def test_a_spend_rule_defaults_to_per_100(client, s):
    made = rule(client, s.chain, points=2)
    assert made["per_amount"] == 100
    multiplier = rule(client, s.chain, kind="multiplier", multiplier="1.5")
    assert multiplier["multiplier"] == "1.50"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "spend"}, ["points"]),
        ({"kind": "spend", "points": 1, "multiplier": "2"}, ["multiplier"]),
        ({"kind": "product", "points": 1}, ["product_id"]),
        ({"kind": "category", "points": 1, "product_id": "P"}, ["product_id", "category_id"]),
        ({"kind": "multiplier", "points": 1, "per_amount": 5},
         ["points", "per_amount", "multiplier"]),
        ({"kind": "multiplier", "multiplier": "0"}, ["multiplier"]),
        ({"kind": "multiplier", "multiplier": "100.01"}, ["multiplier"]),
        ({"kind": "multiplier", "multiplier": "1.005"}, ["multiplier"]),
        ({"kind": "multiplier", "multiplier": "NaN"}, ["multiplier"]),
        ({"kind": "spend", "points": 1, "starts_at": "2031-01-02T00:00:00Z",
          "ends_at": "2031-01-01T00:00:00Z"}, ["ends_at"]),
        ({"kind": "spend", "points": 1, "starts_at": "2031-01-02T00:00:00"}, ["starts_at"]),
        ({"kind": "spend", "points": 0}, ["points"]),
        ({"kind": "spend", "points": 1, "weekdays": [0]}, ["weekdays[0]"]),
        ({"kind": "product", "points": 1, "product_id": "01a20000-0000-7000-8000-00000000dead"},
         ["product_id"]),
        ({"kind": "category", "points": 1, "category_id": "01a20000-0000-7000-8000-00000000dead"},
         ["category_id"]),
        ({"kind": "bonus", "points": 1}, ["kind"]),
        ({"kind": "spend", "points": 1, "name": ""}, ["name"]),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_fields(client, s, body, fields):
    if body.get("product_id") == "P":
        body = {**body, "product_id": s.bread["id"]}
    before = (walk(client, RULES, s.headers), _audit(client, s))
    refused = assert_problem(
        client.post(RULES, json={"name": "Bad", **body}, headers=s.headers), 422
    )
    assert [e["field"] for e in refused["errors"]] == fields, refused
    assert (walk(client, RULES, s.headers), _audit(client, s)) == before


def test_a_change_is_checked_as_the_whole_rule(client, s):
    made = rule(client, s.chain, points=1)
    for body, field in (
        ({"points": None}, "points"),
        ({"product_id": s.bread["id"]}, "product_id"),
        ({"ends_at": "2020-01-01T00:00:00Z", "starts_at": "2020-01-02T00:00:00Z"}, "ends_at"),
    ):
        refused = client.patch(
            f"{RULES}/{made['id']}", json={"version": 1, **body}, headers=s.headers
        )
        assert [e["field"] for e in assert_problem(refused, 422)["errors"]] == [field]
    assert client.get(f"{RULES}/{made['id']}", headers=s.headers).json() == made


def test_rules_need_the_pricing_scopes(client, s):
    reader = api_key(client, s.chain, "pricing:read")
    assert client.get(RULES, headers=reader).status_code == 200
    body = {"name": "x", "kind": "spend", "points": 1}
    assert_problem(client.post(RULES, json=body, headers=reader), 403, "forbidden")
    members = api_key(client, s.chain, "members:read", "members:write")
    assert_problem(client.get(RULES, headers=members), 403, "forbidden")


def test_only_rules_in_force_when_paid_earn(client, settings):
    """Spend 1 per ¥1, double from now on for a day; a paused 10-per-milk rule and a rule
    that starts tomorrow earn nothing: a milk (500) earns 5 x 2."""
    other = shop(client)
    now = datetime.now(UTC)
    rule(client, other.chain, points=1)
    window = {
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    rule(client, other.chain, kind="multiplier", multiplier="2", **window)
    rule(
        client, other.chain, kind="product", points=10, product_id=other.milk["id"], status="paused"
    )
    rule(
        client,
        other.chain,
        kind="spend",
        points=50,
        starts_at=(now + timedelta(days=1)).isoformat(),
    )
    ming = member(client, other.chain)
    sell(client, other, ming, [(other.milk, 1)])
    run_jobs(settings)
    assert ledger(client, other.chain, ming) == [("earn", 10, 10)]
