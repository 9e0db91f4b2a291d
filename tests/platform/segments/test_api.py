"""The segments API: a refresh on demand after a sale made and paid through the API, reading
a member's segment, the thresholds with their version, scopes, and refusals (a clear 4xx
naming the fields, nothing changed)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.segments import member_export, member_segments, segment_of
from tests.conftest import Chain, api_key, assert_problem, sign_up
from tests.platform.ordering.helpers import cash, line, order, pay, product, receive
from tests.platform.segments.helpers import member, store

SETTINGS = "/v1/segments/settings"
DEFAULTS = {
    "new_days": 30,
    "active_days": 60,
    "lapsed_days": 120,
    "won_back_days": 30,
    "won_back_gap_days": 120,
}


@pytest.fixture(scope="module")
def shop(client: TestClient[Any]) -> tuple[Chain, str, str]:
    """A chain with a member who bought once (through the API) and a member who never did;
    refreshed once through the API."""
    chain = sign_up(client, "Corner Shop")
    store_id = store(client, chain)
    bread = product(client, chain, price=450)
    receive(client, chain, store_id, bread["id"], "10")
    buyer = member(client, chain, tags=["vip", "vegan"])
    member(client, chain)
    sale = order(client, chain, store_id, [line(bread, 2)], member_id=buyer)
    paid = pay(client, chain, sale["id"], cash(sale["total"]))
    assert paid.status_code == 200, paid.text
    refreshed = client.post("/v1/segments/refresh", headers=chain.headers)
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert (body["members"], body["scored"], body["changed"], body["removed"]) == (2, 1, 2, 0)
    assert body["events"] == 1
    return chain, buyer, sale["id"]


def test_a_sale_through_the_api_scores_the_member(
    client: TestClient[Any], shop: tuple[Chain, str, str]
) -> None:
    chain, buyer, sale_id = shop
    got = client.get(f"/v1/members/{buyer}/segment", headers=chain.headers).json()
    sale = client.get(f"/v1/orders/{sale_id}", headers=chain.headers).json()
    assert (got["frequency"], got["monetary"], got["recency_days"]) == (1, sale["total"], 0)
    assert (got["stage"], got["rfm_code"], got["segment"]) == ("new", "111", "lost")


def test_events_and_audit_carry_ids_and_stages_only(
    client: TestClient[Any], shop: tuple[Chain, str, str]
) -> None:
    chain, buyer, _ = shop
    events = client.get(
        "/v1/events", params={"type": "member.segment_changed"}, headers=chain.headers
    ).json()["data"]
    (event,) = events
    assert event["data"]["batch"] == event["data"]["batches"] == 1
    assert {c["member_id"] for c in event["data"]["changes"]} >= {buyer}
    assert set(event["data"]["changes"][0]) == {
        "member_id",
        "stage",
        "previous_stage",
        "segment",
        "previous_segment",
    }
    (refreshed,) = client.get(
        "/v1/events", params={"type": "segments.refreshed"}, headers=chain.headers
    ).json()["data"]
    assert refreshed["data"]["members"] == 2
    audit = client.get("/v1/audit-log", params={"limit": 200}, headers=chain.headers).json()
    actions = [e["action"] for e in audit["data"]]
    assert {"member.segment_changed", "segments.refreshed"} <= set(actions)
    assert "@segments.example" not in str(events) + str(audit)  # no member email


def test_what_other_parts_call(client: TestClient[Any], shop: tuple[Chain, str, str]) -> None:
    """``member_segments`` (promotions), ``segment_of`` (member 360) and ``member_export``."""
    chain, buyer, _ = shop
    actor = system_actor(chain.tenant_id, frozenset())
    buyer_id, stranger = uuid.UUID(buyer), uuid.uuid4()

    async def ask() -> tuple[Any, ...]:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return (
                await member_segments(actor, buyer_id),
                await member_segments(actor, stranger),
                await segment_of(actor, buyer_id),
                await segment_of(actor, stranger),
                await member_export(actor, [buyer_id, stranger]),
            )

    names, none, found, missing, export = client.blocking_portal.call(ask)
    assert names == frozenset({"new", "lost", "111", "vip", "vegan"})
    assert none == frozenset()
    assert (found.member_id, found.stage) == (buyer_id, "new")
    assert missing is None
    assert [row["member_id"] for row in export["member_segments"]] == [buyer]
    assert export["member_segments"][0]["rfm_code"] == "111"


def test_a_member_not_scored_yet_and_a_stranger_are_404(
    client: TestClient[Any], shop: tuple[Chain, str, str]
) -> None:
    chain, _, _ = shop
    late = member(client, chain)
    body = assert_problem(
        client.get(f"/v1/members/{late}/segment", headers=chain.headers), 404, "not-found"
    )
    assert "no segment yet" in body["detail"]
    stranger = str(uuid.uuid4())
    body = assert_problem(
        client.get(f"/v1/members/{stranger}/segment", headers=chain.headers), 404, "not-found"
    )
    assert body["detail"] == f"No member with id {stranger}."
    assert_problem(client.get("/v1/members/not-a-uuid/segment", headers=chain.headers), 404)


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"stage": "sleepy"}, {"stage"}),
        ({"segment": "whales"}, {"segment"}),
        ({"limit": 0}, {"limit"}),
        ({"limit": 201}, {"limit"}),
        ({"cursor": "not-a-cursor!"}, {"cursor"}),
    ],
)
def test_bad_list_parameters_are_422(
    client: TestClient[Any], shop: tuple[Chain, str, str], params: dict[str, Any], fields: set[str]
) -> None:
    chain, _, _ = shop
    response = client.get("/v1/segments/members", params=params, headers=chain.headers)
    body = assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} == fields


def _state(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    return {
        "settings": client.get(SETTINGS, headers=chain.headers).json(),
        "audit": client.get("/v1/audit-log", params={"limit": 200}, headers=chain.headers).json(),
        "events": client.get("/v1/events", params={"limit": 200}, headers=chain.headers).json(),
    }


def test_thresholds_start_at_the_defaults_and_change_with_their_version(
    client: TestClient[Any],
) -> None:
    chain = sign_up(client)
    first = client.get(SETTINGS, headers=chain.headers).json()
    assert first == {**DEFAULTS, "updated_at": None, "version": 1}
    changed = client.patch(SETTINGS, json={"version": 1, "new_days": 14}, headers=chain.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **DEFAULTS,
        "new_days": 14,
        "updated_at": changed.json()["updated_at"],
        "version": 2,
    }
    again = client.patch(
        SETTINGS, json={"version": 2, "won_back_gap_days": 180}, headers=chain.headers
    )
    assert (again.json()["version"], again.json()["new_days"]) == (3, 14)
    assert client.get(SETTINGS, headers=chain.headers).json() == again.json()
    events = client.get(
        "/v1/events", params={"type": "segment_settings.updated"}, headers=chain.headers
    ).json()["data"]
    assert [e["data"]["version"] for e in events] == [2, 3]


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"version": 1, "active_days": 0, "lapsed_days": 9999}, 422, {"active_days"}),
        ({"version": 1, "new_days": "thirty"}, 422, {"new_days"}),
        ({"version": 1, "colour": "red"}, 422, {"data"}),  # "unknown field `colour`"
        ({"new_days": 10}, 422, {"version"}),
        ({"version": 1, "active_days": 120}, 422, {"active_days"}),
        ({"version": 1, "lapsed_days": 60}, 422, {"lapsed_days"}),
        (
            {"version": 1, "active_days": 90, "lapsed_days": 80, "won_back_gap_days": 10},
            422,
            {"lapsed_days", "won_back_gap_days"},
        ),
        ({"version": 7, "new_days": 10}, 409, None),
    ],
)
def test_refused_threshold_changes_change_nothing(
    client: TestClient[Any],
    shop: tuple[Chain, str, str],
    body: dict[str, Any],
    status: int,
    fields: set[str] | None,
) -> None:
    chain, _, _ = shop
    before = _state(client, chain)
    response = client.patch(SETTINGS, json=body, headers=chain.headers)
    problem = assert_problem(response, status)
    if fields is not None:
        assert {e["field"] for e in problem["errors"]} >= fields
    assert _state(client, chain) == before


def test_scopes(client: TestClient[Any], shop: tuple[Chain, str, str]) -> None:
    """``members:read`` reads; refreshing needs ``members:write``; changing the thresholds,
    which decide who segment promotions reach, needs ``pricing:write`` (owners), not the
    ``members:write`` staff hold."""
    chain, buyer, _ = shop
    reader = api_key(client, chain, "members:read")
    for path in ("/v1/segments", "/v1/segments/members", SETTINGS, f"/v1/members/{buyer}/segment"):
        assert client.get(path, headers=reader).status_code == 200, path
    assert_problem(client.post("/v1/segments/refresh", headers=reader), 403)
    assert_problem(client.patch(SETTINGS, json={"version": 1}, headers=reader), 403)
    till = api_key(client, chain, "members:read", "members:write")
    assert client.post("/v1/segments/refresh", headers=till).status_code == 200
    assert_problem(client.patch(SETTINGS, json={"version": 1}, headers=till), 403)
    owner = api_key(client, chain, "pricing:write")
    assert client.patch(SETTINGS, json={"version": 1}, headers=owner).status_code == 200
    nobody = api_key(client, chain, "catalog:read")
    assert_problem(client.get("/v1/segments", headers=nobody), 403)
    assert_problem(client.get("/v1/segments"), 401)
