"""Cross-tenant isolation of tiers: chain B (an owner with every scope) never reads, changes or
learns of chain A's tiers, members' standing, premium plans or Stripe settings, through REST,
GraphQL, Stripe's webhooks or the services quotes, points and the data export call.

Naming A's object answers exactly as naming one that never existed, and A's tiers stay as they
were."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.tiers import member_benefits, member_export
from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import World, a_view, new_uuid, stripe_signature, without_id
from tests.platform.catalog.helpers import walk

TIERS, MEMBERS = "/v1/tiers", "/v1/members"


def _a_state(client: TestClient[Any], world: World) -> dict[str, Any]:
    a, ids = world.a.headers, world.a.ids
    return {
        "tiers": walk(client, TIERS, a),
        "standing": client.get(f"{MEMBERS}/{ids['tier_member']}/tier", headers=a).json(),
        "changes": walk(client, f"{MEMBERS}/{ids['tier_member']}/tier/changes", a),
        "stripe": client.get(f"{TIERS}/stripe", headers=a).json(),
        "events": [
            e for e in walk(client, "/v1/events", a) if e["type"].startswith(("tier", "member"))
        ],
    }


def _like_missing(theirs: Any, ident: str, missing: Any, missing_id: str) -> None:
    assert without_id(theirs, ident) == without_id(missing, missing_id)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (TIERS + "/{}", "tier"),
        (MEMBERS + "/{}/tier", "tier_member"),
        (MEMBERS + "/{}/tier/changes", "tier_member"),
    ],
)
def test_reading_another_chains_tiers_is_like_reading_nothing(
    client: TestClient[Any], world: World, path: str, key: str
) -> None:
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    theirs = client.get(path.format(a_id), headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.get(path.format(missing), headers=b), missing)
    assert client.get(path.format(world.b.ids[key]), headers=b).status_code == 200


def test_lists_and_settings_never_show_another_chains(
    client: TestClient[Any], world: World
) -> None:
    b = world.b.headers
    page = client.get(TIERS, params={"limit": 200}, headers=b)
    assert {t["id"] for t in page.json()["data"]} == {world.b.ids["tier"], world.b.ids["paid_tier"]}
    stripe = client.get(f"{TIERS}/stripe", headers=b)
    standing = client.get(f"{MEMBERS}/{world.b.ids['tier_member']}/tier", headers=b)
    for response in (page, stripe, standing):
        assert [s for s in world.a_secrets() if s in response.text] == []
    assert stripe.json()["webhook_path"].endswith(world.b.ids["tenant"])
    assert world.a.values["stripe_webhook_secret"][-4:] not in stripe.text


def test_changing_another_chains_tiers_is_like_changing_nothing(
    client: TestClient[Any], world: World
) -> None:
    """Update or delete A's tier, subscribe or cancel A's member (naming B's paid tier):
    404 like a missing id; A's tiers unchanged."""
    before = _a_state(client, world)
    a, b, own = world.a.ids, world.b.headers, world.b.ids
    version = before["standing"]["premium"]["version"]
    calls = [
        ("PATCH", TIERS + "/{}", "tier", {"version": 1, "name": "Taken over"}),
        ("DELETE", TIERS + "/{}", "tier", None),
        ("DELETE", TIERS + "/{}", "paid_tier", None),
        (
            "POST",
            MEMBERS + "/{}/premium",
            "tier_member",
            {"tier_id": own["paid_tier"], "payment_method": "pm_card_visa"},
        ),
        ("POST", MEMBERS + "/{}/premium/cancel", "tier_member", {"version": version}),
    ]
    for method, path, key, body in calls:
        missing = new_uuid()
        theirs = client.request(method, path.format(a[key]), json=body, headers=b)
        assert_problem(theirs, 404, "not-found")
        again = client.request(method, path.format(missing), json=body, headers=b)
        _like_missing(theirs, a[key], again, missing)
    assert _a_state(client, world) == before


def test_naming_another_chains_tier_or_price_list_is_like_naming_none(
    client: TestClient[Any], world: World
) -> None:
    """In B's own bodies, A's paid tier or price list is unknown exactly like a made-up id."""
    before = _a_state(client, world)
    a, b, own = world.a.ids, world.b.headers, world.b.ids
    tier_version = client.get(f"{TIERS}/{own['tier']}", headers=b).json()["version"]
    member = own["member"]
    cases = [
        (
            "PATCH",
            f"{TIERS}/{own['tier']}",
            {"version": tier_version},
            "price_list_id",
            a["price_list"],
        ),
        (
            "POST",
            TIERS,
            {"name": "Copy", "rank": 9, "threshold": 99_000},
            "price_list_id",
            a["price_list"],
        ),
        (
            "POST",
            f"{MEMBERS}/{member}/premium",
            {"payment_method": "pm_card_visa"},
            "tier_id",
            a["paid_tier"],
        ),
    ]
    for method, path, body, field, a_id in cases:
        missing = new_uuid()
        theirs = client.request(method, path, json={**body, field: a_id}, headers=b)
        assert_problem(theirs, 422)
        again = client.request(method, path, json={**body, field: missing}, headers=b)
        _like_missing(theirs, a_id, again, missing)
    assert _a_state(client, world) == before


def test_webhooks_of_one_chain_never_reach_another(client: TestClient[Any], world: World) -> None:
    """An event signed with A's secret, posted to B's endpoint: 400 like any bad signature;
    one signed with B's secret about A's subscription: B knows no such subscription."""
    before = _a_state(client, world)
    subscription = before["standing"]["premium"]["stripe_subscription_id"]
    event = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "customer.subscription.deleted",
            "data": {"object": {"id": subscription, "status": "canceled"}},
        }
    )

    def post(tenant: str, secret: str) -> Any:
        return client.post(
            f"/v1/stripe/webhooks/{tenant}",
            content=event,
            headers={"Stripe-Signature": stripe_signature(event, secret)},
        )

    a_secret, b_secret = (s.values["stripe_webhook_secret"] for s in (world.a, world.b))
    refused = post(world.b.ids["tenant"], a_secret)
    nowhere = post(new_uuid(), a_secret)
    for response in (refused, nowhere):
        assert_problem(response, 400, "invalid-signature")
    assert refused.json()["detail"] == nowhere.json()["detail"]
    assert post(world.b.ids["tenant"], b_secret).json()["outcome"] == "ignored"
    assert_problem(post(world.a.ids["tenant"], b_secret), 400, "invalid-signature")
    assert _a_state(client, world) == before


def test_graphql_is_isolated_like_rest(client: TestClient[Any], world: World) -> None:
    before = _a_state(client, world)
    a, b = world.a.ids, world.b.headers
    missing = new_uuid()
    queries = [
        ("query($id: UUID!) { tier(id: $id) { id } }", {"id": a["tier"]}),
        ("query($id: UUID!) { memberTier(memberId: $id) { source } }", {"id": a["tier_member"]}),
        (
            "query($id: UUID!) { memberTierChanges(memberId: $id) { data { id } } }",
            {"id": a["tier_member"]},
        ),
        ("mutation($id: UUID!) { deleteTier(id: $id) }", {"id": a["paid_tier"]}),
        (
            'mutation($id: UUID!) { updateTier(id: $id, input: {version: 1, name: "X"}) { id } }',
            {"id": a["tier"]},
        ),
        (
            "mutation($id: UUID!) { cancelPremium(memberId: $id, input: {version: 1}) { source } }",
            {"id": a["tier_member"]},
        ),
    ]
    for query, variables in queries:
        theirs = graphql(client, b, query, **variables)
        again = graphql(client, b, query, id=missing)
        assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND", theirs
        assert json.dumps(theirs).replace(variables["id"], "<id>") == json.dumps(again).replace(
            missing, "<id>"
        )
    listed = graphql(client, b, "{ tiers(first: 200) { data { id name } } }")
    assert [s for s in world.a_secrets() if s in json.dumps(listed)] == []
    assert _a_state(client, world) == before


def test_the_services_other_domains_call_see_only_the_callers_chain(
    client: TestClient[Any], world: World
) -> None:
    """Quotes' and points' ``member_benefits`` and the export's ``member_export``, called by B
    about A's member, find nothing."""
    a_member = uuid.UUID(world.a.ids["tier_member"])
    b = world.b.chain.tenant_id
    actor = system_actor(b, frozenset())

    async def ask() -> Any:
        async with db.transaction(client.app.state.engine, b):
            return await member_benefits(actor, a_member), await member_export(actor, [a_member])

    benefits, export = client.blocking_portal.call(ask)
    assert benefits is None
    assert (export["standing"], export["tier_changes"], export["premium_plans"]) == ([], [], [])
    assert [s for s in world.a_secrets() if s in json.dumps(export)] == []
    assert a_view(client, world, "tier", world.a.ids["tier"])["id"] == world.a.ids["tier"]
