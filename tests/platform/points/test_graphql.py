"""Points through GraphQL: the same services as REST, the same answers and problem types."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import graphql
from tests.platform.points.helpers import RULES, SETTINGS, adjust, member, shop

POINTS = """
query($id: UUID!, $first: Int!, $after: String) {
  memberPoints(memberId: $id) {
    memberId balance expiring { expiresAt points }
    ledger(first: $first, after: $after) { data { id kind points remaining reason } nextCursor }
  }
}
"""
ADJUST = """
mutation($id: UUID!, $input: PointsAdjustmentInput!) {
  adjustPoints(memberId: $id, input: $input) { balance entry { kind points reason expiresAt } }
}
"""
RULE_FIELDS = "id name kind points perAmount productId multiplier weekdays status version"


@pytest.fixture(scope="module")
def s(client):
    return shop(client)


def test_a_members_points_and_ledger_pages(client, s):
    ming = member(client, s.chain)
    for points in (10, 20, 30):
        adjust(client, s.chain, ming, points)
    first = graphql(client, s.headers, POINTS, id=ming, first=2)["data"]["memberPoints"]
    assert (first["memberId"], first["balance"]) == (ming, 60)
    assert [e["points"] for e in first["ledger"]["data"]] == [10, 20]
    rest = graphql(client, s.headers, POINTS, id=ming, first=2, after=first["ledger"]["nextCursor"])
    assert [e["points"] for e in rest["data"]["memberPoints"]["ledger"]["data"]] == [30]
    rest_api = client.get(f"/v1/members/{ming}/points", headers=s.headers).json()
    assert [(datetime.fromisoformat(e["expiresAt"]), e["points"]) for e in first["expiring"]] == [
        (datetime.fromisoformat(e["expires_at"]), e["points"]) for e in rest_api["expiring"]
    ]


def test_adjusting_and_its_problems(client, s):
    ming = member(client, s.chain)
    made = graphql(client, s.headers, ADJUST, id=ming, input={"points": 40, "reason": "Gift"})
    assert made["data"]["adjustPoints"]["balance"] == 40
    assert made["data"]["adjustPoints"]["entry"]["reason"] == "Gift"
    short = graphql(client, s.headers, ADJUST, id=ming, input={"points": -41, "reason": "x"})
    assert short["data"] == {"adjustPoints": None}
    extensions = short["errors"][0]["extensions"]
    assert (extensions["type"], extensions["balance"]) == ("/problems/points-insufficient", 40)
    missing = graphql(client, s.headers, ADJUST, id="01a20000-0000-7000-8000-00000000dead",
                      input={"points": 1, "reason": "x"})  # fmt: skip
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    answer = graphql(client, s.headers, POINTS, id=ming, first=10)
    assert answer["data"]["memberPoints"]["balance"] == 40


def test_rules_and_settings(client, s):
    create = f"""mutation($input: PointsRuleInput!) {{
      createPointsRule(input: $input) {{ {RULE_FIELDS} }} }}"""
    made = graphql(client, s.headers, create, input={
        "name": "Bread", "kind": "product", "points": 3, "productId": s.bread["id"],
        "weekdays": [6, 7],
    })["data"]["createPointsRule"]  # fmt: skip
    assert made == {
        **{k: v for k, v in made.items() if k in ("id",)},
        "name": "Bread",
        "kind": "product",
        "points": 3,
        "perAmount": None,
        "productId": s.bread["id"],
        "multiplier": None,
        "weekdays": [6, 7],
        "status": "active",
        "version": 1,
    }
    update = f"""mutation($id: UUID!, $input: PointsRuleUpdateInput!) {{
      updatePointsRule(id: $id, input: $input) {{ {RULE_FIELDS} }} }}"""
    changed = graphql(
        client, s.headers, update, id=made["id"], input={"version": 1, "status": "paused"}
    )
    assert changed["data"]["updatePointsRule"]["status"] == "paused"
    bad = graphql(client, s.headers, create, input={"name": "x", "kind": "multiplier"})
    assert bad["errors"][0]["extensions"]["errors"] == [
        {"field": "multiplier", "message": "required for multiplier rules"}
    ]
    listed = graphql(
        client, s.headers, '{ pointsRules(first: 10, status: "paused") { data { id } } }'
    )
    assert listed["data"]["pointsRules"]["data"] == [{"id": made["id"]}]
    unknown = graphql(client, s.headers, '{ pointsRules(kind: "bonus") { data { id } } }')
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    one = graphql(
        client, s.headers, "query($id: UUID!) { pointsRule(id: $id) { name } }", id=made["id"]
    )
    assert one["data"]["pointsRule"]["name"] == "Bread"
    deleted = graphql(
        client, s.headers, "mutation($id: UUID!) { deletePointsRule(id: $id) }", id=made["id"]
    )
    assert deleted["data"]["deletePointsRule"] is True
    assert client.get(f"{RULES}/{made['id']}", headers=s.headers).status_code == 404

    settings = graphql(
        client,
        s.headers,
        "{ pointsSettings { redeemPoints redeemAmount expireAfterDays version } }",
    )
    assert settings["data"]["pointsSettings"] == {
        "redeemPoints": 100, "redeemAmount": 100, "expireAfterDays": 365, "version": 1,
    }  # fmt: skip
    change = """mutation($input: PointsSettingsUpdateInput!) {
      updatePointsSettings(input: $input) { redeemPoints version } }"""
    changed = graphql(client, s.headers, change, input={"version": 1, "redeemPoints": 50})
    assert changed["data"]["updatePointsSettings"] == {"redeemPoints": 50, "version": 2}
    assert client.get(SETTINGS, headers=s.headers).json()["redeem_points"] == 50
