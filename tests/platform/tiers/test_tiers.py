"""Defining a chain's tiers: the rules every change is checked against, refusals that write
nothing, paid tiers in the chain's Stripe, deleting tiers, and the chain's Stripe settings."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain, api_key, assert_problem, run_jobs, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.tiers.helpers import (
    TIERS,
    changes,
    created,
    member,
    member_tier,
    shop,
    spend,
    stripe_call,
    stripe_settings,
    tier,
)


@pytest.fixture(scope="module")
def ladder(client: TestClient[Any], chain: Chain) -> dict[str, dict[str, Any]]:
    return {
        "bronze": tier(client, chain, "Bronze", 10, threshold=0),
        "silver": tier(client, chain, "Silver", 20, threshold=5_000),
        "gold": tier(client, chain, "Gold", 30, threshold=20_000),
    }


def _tier_list_price(client: TestClient[Any], chain: Chain, **body: Any) -> dict[str, Any]:
    made = client.post(
        "/v1/price-lists",
        json={"name": "Tier prices", "audience": "tier", **body},
        headers=chain.headers,
    )
    return created(made)


def state(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    return {
        "tiers": walk(client, TIERS, chain.headers),
        "events": walk(client, "/v1/events", chain.headers, type="tier.*"),
    }


def test_tiers_are_listed_by_rank_and_read_one_by_one(
    client: TestClient[Any], chain: Chain, ladder: Any
) -> None:
    listed = walk(client, TIERS, chain.headers, limit=1)
    assert [t["name"] for t in listed][:3] == ["Bronze", "Silver", "Gold"]
    silver = ladder["silver"]
    assert (silver["kind"], silver["basis"], silver["points_multiplier"]) == (
        "earned",
        "spend_12m",
        "1.00",
    )
    read = client.get(f"{TIERS}/{silver['id']}", headers=chain.headers)
    assert read.json() == silver
    paid = client.get(TIERS, params={"kind": "paid"}, headers=chain.headers).json()
    assert paid["data"] == []
    created_events = walk(client, "/v1/events", chain.headers, type="tier.created")
    assert {e["data"]["id"] for e in created_events} >= {t["id"] for t in ladder.values()}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"rank": 15, "threshold": 30_000}, [("threshold", "must be below 5000")]),
        ({"rank": 25, "threshold": 5_000}, [("threshold", "must be above 5000")]),
        ({"rank": 40, "threshold": 1}, [("threshold", "must be above 20000")]),
        ({"rank": 40}, [("threshold", "required")]),
        ({"rank": 40, "threshold": 30_000, "monthly_price": 900}, [("monthly_price", "only")]),
        ({"rank": 40, "kind": "paid"}, [("monthly_price", "required")]),
        (
            {"rank": 40, "kind": "paid", "monthly_price": 900, "threshold": 3},
            [("threshold", "a paid tier")],
        ),
        ({"rank": 40, "threshold": 30_000, "points_multiplier": "0"}, [("points_multiplier", "")]),
        (
            {"rank": 40, "threshold": 30_000, "points_multiplier": "1.555"},
            [("points_multiplier", "at most 2 decimals")],
        ),
        (
            {"rank": 40, "threshold": 30_000, "price_list_id": str(uuid.uuid4())},
            [("price_list_id", "no such price list")],
        ),
        ({"rank": 0, "threshold": 30_000}, [("rank", "")]),
        ({"rank": 40, "threshold": -1}, [("threshold", "")]),
        ({"rank": 40, "threshold": 30_000, "colour": "red"}, [("data", "colour")]),
    ],
)
def test_a_tier_that_breaks_a_rule_is_refused_and_nothing_is_written(
    client: TestClient[Any],
    chain: Chain,
    ladder: Any,
    body: dict[str, Any],
    errors: list[tuple[str, str]],
) -> None:
    before = state(client, chain)
    response = client.post(TIERS, json={"name": "Platinum", **body}, headers=chain.headers)
    problem = assert_problem(response, 422)
    found = [(e["field"], e["message"]) for e in problem["errors"]]
    assert len(found) == len(errors), found
    for (field, message), (want_field, want_text) in zip(found, errors, strict=True):
        assert field == want_field, found
        assert want_text in message, found
    assert state(client, chain) == before


def test_every_field_in_error_is_named_at_once(
    client: TestClient[Any], chain: Chain, ladder: Any
) -> None:
    body = {
        "name": "Odd",
        "rank": 40,
        "threshold": 10,
        "monthly_price": 5,
        "points_multiplier": "11",
        "price_list_id": str(uuid.uuid4()),
    }
    problem = assert_problem(client.post(TIERS, json=body, headers=chain.headers), 422)
    assert {e["field"] for e in problem["errors"]} == {
        "monthly_price",
        "threshold",
        "points_multiplier",
        "price_list_id",
    }


def test_a_name_or_rank_in_use_is_a_conflict(
    client: TestClient[Any], chain: Chain, ladder: Any
) -> None:
    before = state(client, chain)
    same_name = client.post(
        TIERS, json={"name": "gold", "rank": 40, "threshold": 90_000}, headers=chain.headers
    )
    assert assert_problem(same_name, 409)["errors"][0]["field"] == "name"
    same_rank = client.post(
        TIERS, json={"name": "Else", "rank": 30, "threshold": 20_000}, headers=chain.headers
    )
    assert [e["field"] for e in assert_problem(same_rank, 409)["errors"]] == ["rank"]
    assert state(client, chain) == before


def test_a_tier_names_a_price_list_for_its_members(
    client: TestClient[Any], chain: Chain, ladder: Any
) -> None:
    prices = _tier_list_price(client, chain)
    everyone = created(client.post("/v1/price-lists", json={"name": "All"}, headers=chain.headers))
    gold = ladder["gold"]
    path = f"{TIERS}/{gold['id']}"
    wrong = client.patch(
        path,
        json={"version": gold["version"], "price_list_id": everyone["id"]},
        headers=chain.headers,
    )
    assert assert_problem(wrong, 422)["errors"][0]["field"] == "price_list_id"
    changed = client.patch(
        path,
        json={"version": gold["version"], "price_list_id": prices["id"], "points_multiplier": 2},
        headers=chain.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["price_list_id"], body["points_multiplier"], body["version"]) == (
        prices["id"],
        "2.00",
        gold["version"] + 1,
    )
    stale = client.patch(
        path, json={"version": gold["version"], "name": "G"}, headers=chain.headers
    )
    assert_problem(stale, 409, "version-conflict")
    ladder["gold"] = body


def test_thresholds_keep_rising_when_a_tier_changes(
    client: TestClient[Any], chain: Chain, ladder: Any
) -> None:
    silver = client.get(f"{TIERS}/{ladder['silver']['id']}", headers=chain.headers).json()
    too_high = client.patch(
        f"{TIERS}/{silver['id']}",
        json={"version": silver["version"], "threshold": 25_000},
        headers=chain.headers,
    )
    assert assert_problem(too_high, 422)["errors"][0]["message"].startswith("must be below 20000")


def test_deleting_an_earned_tier_steps_its_members_down(
    client: TestClient[Any], settings: Settings
) -> None:
    own = sign_up(client, "Steps Down")
    low = tier(client, own, "Low", 1, threshold=0)
    mid = tier(client, own, "Mid", 2, threshold=1_000)
    who = member(client, own)["id"]
    spend(client, own, shop(client, own, "STEP"), who, 1_000)
    assert client.post(f"{TIERS}/evaluate", headers=own.headers).status_code == 202
    run_jobs(settings)
    assert member_tier(client, own, who)["tier"]["id"] == mid["id"]

    assert client.delete(f"{TIERS}/{mid['id']}", headers=own.headers).status_code == 204
    standing = member_tier(client, own, who)
    assert (standing["tier"]["id"], standing["earned_tier_id"]) == (low["id"], low["id"])
    moved = changes(client, own, who)[-1]
    assert (moved["from_tier_id"], moved["to_tier_id"], moved["reason"]) == (
        mid["id"],
        low["id"],
        "tier_deleted",
    )
    assert client.get(f"{TIERS}/{mid['id']}", headers=own.headers).status_code == 404
    gone = walk(client, "/v1/events", own.headers, type="tier.deleted")
    assert [e["data"]["id"] for e in gone] == [mid["id"]]
    assert client.delete(f"{TIERS}/{low['id']}", headers=own.headers).status_code == 204
    assert member_tier(client, own, who)["tier"] is None
    assert client.delete(f"{TIERS}/{low['id']}", headers=own.headers).status_code == 404


def test_a_paid_tier_needs_the_chains_stripe_account(
    client: TestClient[Any], localstripe: str
) -> None:
    own = sign_up(client, "No Stripe Yet")
    paid = {"name": "Club", "rank": 9, "kind": "paid", "monthly_price": 2_000}
    refused = client.post(TIERS, json=paid, headers=own.headers)
    assert_problem(refused, 409, "stripe-not-configured")
    assert walk(client, TIERS, own.headers) == []

    stripe_settings(client, own, f"whsec_{uuid.uuid4().hex}")
    club = created(client.post(TIERS, json=paid, headers=own.headers))
    plan = club["stripe_plan_id"]
    repriced = client.patch(
        f"{TIERS}/{club['id']}",
        json={"version": 1, "monthly_price": 2_500, "name": "Club+"},
        headers=own.headers,
    )
    assert repriced.status_code == 200, repriced.text
    new_plan = repriced.json()["stripe_plan_id"]
    assert new_plan != plan
    assert stripe_call(localstripe, "GET", f"/v1/plans/{new_plan}")["amount"] == 2_500
    product = stripe_call(localstripe, "GET", f"/v1/products/{club['stripe_product_id']}")
    assert product["name"] == "Club+"
    assert client.delete(f"{TIERS}/{club['id']}", headers=own.headers).status_code == 204
    retired = stripe_call(localstripe, "GET", f"/v1/plans/{new_plan}")
    assert str(retired["active"]).lower() == "false"  # localstripe keeps the form's "false"


def test_stripe_settings_are_masked_versioned_and_for_owners(
    client: TestClient[Any], chain: Chain
) -> None:
    path = f"{TIERS}/stripe"
    empty = client.get(path, headers=chain.headers).json()
    assert (empty["configured"], empty["secret_key"]) == (False, None)
    assert empty["webhook_path"] == f"/v1/stripe/webhooks/{chain.tenant_id}"
    secret = "sk_test_" + "a" * 20 + "WXYZ"
    body = {"secret_key": secret, "webhook_secret": "whsec_" + "b" * 20 + "1234"}
    made = created(client.put(path, json=body, headers=chain.headers), 200)
    assert (made["secret_key"], made["webhook_secret"], made["version"]) == (
        "sk_test_…WXYZ",
        "whsec_…1234",
        1,
    )
    assert_problem(client.put(path, json=body, headers=chain.headers), 409)
    assert_problem(client.put(path, json={**body, "version": 7}, headers=chain.headers), 409)
    bad = client.put(
        path, json={"secret_key": "pk_live_x", "webhook_secret": "x"}, headers=chain.headers
    )
    assert {e["field"] for e in assert_problem(bad, 422)["errors"]} >= {"secret_key"}
    again = created(client.put(path, json={**body, "version": 1}, headers=chain.headers), 200)
    assert again["version"] == 2
    recorded = walk(client, "/v1/audit-log", chain.headers, action="stripe_settings.updated")
    assert recorded
    assert all(secret not in str(entry) for entry in recorded)
    reader = api_key(client, chain, "members:read", "members:write", "pricing:write")
    assert_problem(client.get(path, headers=reader), 403, "forbidden")
    assert_problem(client.put(path, json=body, headers=reader), 403, "forbidden")
