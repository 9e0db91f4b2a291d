"""Cross-tenant isolation of points: chain B (an owner with every scope) never reads, changes
or learns of chain A's members' points, earning rules or points settings, through REST,
GraphQL or the services other domains call; B cannot name A's products or categories in its
rules, nor spend or earn on A's member through its own orders.

Naming A's object answers exactly as naming one that never existed; A's points, rules and
settings stay as they were."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from bodega.api.errors import InvalidInput, NotFound
from bodega.points import member_export, points_balance, redeem_points
from bodega.points.earning import PaidOrder, earn_for_order
from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import MARK, World, new_uuid, without_id
from tests.isolation.test_rest import CHECKS, Resource, _routes
from tests.platform.catalog.helpers import walk
from tests.platform.points.helpers import call_service

RULES, SETTINGS = "/v1/points-rules", "/v1/points-settings"
_NOW = datetime.now(UTC)

POINTS_RULE = Resource(
    "points_rule",
    RULES,
    change={"name": "Taken over", "points": 9},
    create=lambda w: {
        "name": "Second",
        "kind": "product",
        "points": 1,
        "product_id": w.b.ids["product"],
    },
    refs=(("product", lambda i: {"product_id": i}),),
)
POINTS_RULE_TO_DELETE = Resource("points_rule_to_delete", RULES)

REST_CASES: dict[tuple[str, str], tuple[str, Resource]] = {
    ("GET", RULES): ("list", POINTS_RULE),
    ("POST", RULES): ("create", POINTS_RULE),
    ("GET", f"{RULES}/{{rule_id}}"): ("read", POINTS_RULE),
    ("PATCH", f"{RULES}/{{rule_id}}"): ("update", POINTS_RULE),
    ("DELETE", f"{RULES}/{{rule_id}}"): ("delete", POINTS_RULE_TO_DELETE),
}
"""Cross-tenant checks of the rules' routes, as ``test_rest.CASES`` takes them; the member's
points and the settings have their own tests below."""


def _points(client: TestClient[Any], world: World) -> dict[str, Any]:
    """A's points member's account (every page), rules, settings and points events."""
    a, member = world.a.headers, world.a.ids["points_member"]
    return {
        "account": client.get(f"/v1/members/{member}/points", headers=a).json(),
        "ledger": walk(client, f"/v1/members/{member}/points", a),
        "rules": walk(client, RULES, a),
        "settings": client.get(SETTINGS, headers=a).json(),
        "events": [e for e in walk(client, "/v1/events", a) if e["type"].startswith("points")],
    }


def _like_missing(theirs: Any, ident: str, missing: Any, missing_id: str) -> None:
    assert without_id(theirs, ident) == without_id(missing, missing_id)


@pytest.mark.parametrize("case", sorted(REST_CASES), ids=" ".join)
def test_cross_tenant_rest(client: TestClient[Any], world: World, case: tuple[str, str]) -> None:
    """B's call of this route on A's rule: 404 like a missing id, nothing of A's changed; B's
    list shows none of A's rules; B's rules cannot name A's products."""
    kind, res = REST_CASES[case]
    CHECKS[kind](client, world, case[1], res)


def test_reading_another_chains_members_points_is_like_reading_nothing(
    client: TestClient[Any], world: World
) -> None:
    url = "/v1/members/{}/points"
    a_id, missing, b = world.a.ids["points_member"], new_uuid(), world.b.headers
    theirs = client.get(url.format(a_id), headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.get(url.format(missing), headers=b), missing)
    mine = client.get(url.format(world.b.ids["points_member"]), headers=b)
    assert mine.status_code == 200, mine.text
    assert [s for s in world.a_secrets() if s in mine.text] == []


@pytest.mark.parametrize("points", [10, -10])
def test_adjusting_another_chains_member_is_like_adjusting_nobody(
    client: TestClient[Any], world: World, points: int
) -> None:
    before = _points(client, world)
    url = "/v1/members/{}/points/adjustments"
    body = {"points": points, "reason": "Taken over"}
    a_id, missing, b = world.a.ids["points_member"], new_uuid(), world.b.headers
    theirs = client.post(url.format(a_id), json=body, headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.post(url.format(missing), json=body, headers=b), missing)
    assert _points(client, world) == before
    mine = client.post(url.format(world.b.ids["points_member"]), json=body, headers=b)
    assert mine.status_code == 201, mine.text


def test_naming_another_chains_category_in_a_rule_is_like_naming_none(
    client: TestClient[Any], world: World
) -> None:
    b = world.b.headers
    body = {"name": "Cat", "kind": "category", "points": 1}
    a_ref, missing = world.a.ids["category"], new_uuid()
    theirs = client.post(RULES, json={**body, "category_id": a_ref}, headers=b)
    assert_problem(theirs, 422)
    _like_missing(
        theirs, a_ref, client.post(RULES, json={**body, "category_id": missing}, headers=b), missing
    )
    own = client.post(RULES, json={**body, "category_id": world.b.ids["category"]}, headers=b)
    assert own.status_code == 201, own.text
    path = f"{RULES}/{own.json()['id']}"
    theirs = client.patch(path, json={"version": 1, "category_id": a_ref}, headers=b)
    assert_problem(theirs, 422)
    _like_missing(
        theirs,
        a_ref,
        client.patch(path, json={"version": 1, "category_id": missing}, headers=b),
        missing,
    )


def test_each_chain_has_its_own_settings(client: TestClient[Any], world: World) -> None:
    """A changed its settings in the seed (version 2); B's own are changed with B's version and
    leave A's as they were."""
    before = _points(client, world)
    b = world.b.headers
    mine = client.get(SETTINGS, headers=b).json()
    changed = client.patch(
        SETTINGS, json={"version": mine["version"], "redeem_points": 7}, headers=b
    )
    assert changed.status_code == 200, changed.text
    assert _points(client, world) == before
    assert before["settings"]["redeem_points"] == 100


def test_b_cannot_spend_or_earn_on_as_member(client: TestClient[Any], world: World) -> None:
    """The services ordering and the relay call, as B naming A's member: spending is refused
    exactly as for a member that never existed, earning on an order naming A's member (as an
    event of B's could) writes nothing; A's points stay as they were."""
    before = _points(client, world)
    a_member, missing = uuid.UUID(world.a.ids["points_member"]), uuid.uuid4()
    order = (uuid.uuid4(), 1)

    def refusal(member_id: uuid.UUID) -> tuple[str, list[Any]]:
        with pytest.raises(InvalidInput) as refused:
            call_service(client, world.b.chain, redeem_points, member_id, order, [("x", 100)], _NOW)
        return refused.value.detail.replace(str(member_id), "<id>"), refused.value.errors

    assert refusal(a_member) == refusal(missing)
    event_data = {
        "id": str(uuid.uuid4()),
        "number": 1,
        "member_id": str(a_member),
        "paid_total": 10_000,
        "paid_at": _NOW.isoformat(),
        "lines": [{"product_id": world.b.ids["product"], "quantity": "1"}],
        "payments": [{"method": "cash", "amount": 10_000}],
    }
    paid = msgspec.convert(event_data, PaidOrder, strict=False)
    call_service(client, world.b.chain, earn_for_order, paid, _NOW)
    assert _points(client, world) == before


def test_the_services_see_only_the_callers_members(client: TestClient[Any], world: World) -> None:
    a_member = uuid.UUID(world.a.ids["points_member"])
    with pytest.raises(NotFound):
        call_service(client, world.b.chain, points_balance, a_member)
    exported = call_service(client, world.b.chain, member_export, [a_member])
    assert (exported["balance"], exported["entries"], exported["expiring"]) == (0, [], [])
    own = call_service(client, world.a.chain, member_export, [a_member])
    assert own["entries"]


def test_every_points_route_has_a_case(client: TestClient[Any]) -> None:
    mine = {r for r in _routes(client) if r[1].startswith((RULES, SETTINGS)) or "/points" in r[1]}
    assert mine == REST_CASES.keys() | {
        ("GET", "/v1/members/{member_id}/points"),
        ("POST", "/v1/members/{member_id}/points/adjustments"),
        ("GET", SETTINGS),
        ("PATCH", SETTINGS),
    }


# GraphQL ---------------------------------------------------------------------------------


def _not_found(result: dict[str, Any]) -> dict[str, Any]:
    data = result["data"]
    assert data is None or all(value is None for value in data.values()), result
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND", result
    return result


def _blank(result: dict[str, Any], ident: str) -> dict[str, Any]:
    return json.loads(json.dumps(result).replace(ident, "<id>"))


MEMBER_POINTS = """query($id: UUID!) { memberPoints(memberId: $id) {
  memberId balance expiring { points } ledger(first: 50) { data { id reason } } } }"""
ADJUST = """mutation($id: UUID!, $input: PointsAdjustmentInput!) {
  adjustPoints(memberId: $id, input: $input) { balance } }"""
RULE = "query($id: UUID!) { pointsRule(id: $id) { id name productId } }"
UPDATE_RULE = """mutation($id: UUID!, $input: PointsRuleUpdateInput!) {
  updatePointsRule(id: $id, input: $input) { id } }"""
DELETE_RULE = "mutation($id: UUID!) { deletePointsRule(id: $id) }"
CREATE_RULE = "mutation($input: PointsRuleInput!) { createPointsRule(input: $input) { id } }"


@pytest.mark.parametrize(
    ("query", "key", "variables"),
    [
        (MEMBER_POINTS, "points_member", {}),
        (ADJUST, "points_member", {"input": {"points": 1, "reason": "x"}}),
        (RULE, "points_rule", {}),
        (UPDATE_RULE, "points_rule", {"input": {"version": 1, "name": "Taken over"}}),
        (DELETE_RULE, "points_rule_to_delete", {}),
    ],
)
def test_graphql_fields_by_id(
    client: TestClient[Any], world: World, query: str, key: str, variables: dict[str, Any]
) -> None:
    """A's member or rule through B: NOT_FOUND exactly like a missing id; A's unchanged."""
    before = _points(client, world)
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    theirs = _not_found(graphql(client, b, query, id=a_id, **variables))
    assert _blank(theirs, a_id) == _blank(
        graphql(client, b, query, id=missing, **variables), missing
    )
    assert _points(client, world) == before


def test_graphql_lists_and_own_chain_fields(client: TestClient[Any], world: World) -> None:
    b = world.b.headers
    rules = graphql(client, b, "{ pointsRules(first: 200) { data { id name productId } } }")
    assert world.b.ids["points_rule"] in json.dumps(rules)
    settings = graphql(client, b, "{ pointsSettings { redeemPoints expireAfterDays version } }")
    mine = graphql(client, b, MEMBER_POINTS, id=world.b.ids["points_member"])
    for result in (rules, settings, mine):
        assert "errors" not in result, result
        assert [s for s in world.a_secrets() if s in json.dumps(result)] == []
    for input_ in (
        {"name": "x", "kind": "product", "points": 1, "productId": world.a.ids["product"]},
        {"name": "x", "kind": "category", "points": 1, "categoryId": world.a.ids["category"]},
    ):
        ref = input_.get("productId") or input_["categoryId"]
        missing = new_uuid()
        theirs = graphql(client, b, CREATE_RULE, input=input_)
        assert theirs["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        named_missing = {k: (missing if v == ref else v) for k, v in input_.items()}
        assert _blank(theirs, ref) == _blank(
            graphql(client, b, CREATE_RULE, input=named_missing), missing
        )
    before = _points(client, world)
    change = """mutation($input: PointsSettingsUpdateInput!) {
      updatePointsSettings(input: $input) { version } }"""
    version = settings["data"]["pointsSettings"]["version"]
    changed = graphql(client, b, change, input={"version": version, "expireAfterDays": 9})
    assert "errors" not in changed, changed
    assert _points(client, world) == before
    assert MARK not in json.dumps(changed)


INTROSPECTION = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"


def test_every_points_field_has_a_case(client: TestClient[Any], world: World) -> None:
    schema = graphql(client, world.b.headers, INTROSPECTION)["data"]["__schema"]
    served = {f["name"] for kind in ("queryType", "mutationType") for f in schema[kind]["fields"]}
    ours = {f for f in served if "pointsrule" in f.lower() or "pointssettings" in f.lower()}
    assert ours | ({"memberPoints", "adjustPoints"} & served) == {
        "memberPoints",
        "pointsRules",
        "pointsRule",
        "pointsSettings",
        "adjustPoints",
        "createPointsRule",
        "updatePointsRule",
        "deletePointsRule",
        "updatePointsSettings",
    }
