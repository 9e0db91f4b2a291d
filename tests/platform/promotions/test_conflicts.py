"""Exclusive promotions that would compete: the same priority with overlapping dates, stores,
channels and items is refused (409 ``promotion-conflict`` naming the other one), on create,
change and resume; a different priority, or anything apart, is fine. Each test uses its own
priority, so the promotions of one test never meet another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create
from tests.platform.promotions.helpers import (
    PROMOTIONS,
    act,
    percent_off,
    product,
    promotion,
    state,
)


@pytest.fixture(scope="module")
def shops(client, chain):
    return [create(client, chain, "/v1/stores", code=f"X-{n}", name=f"Shop {n}") for n in (1, 2)]


@pytest.fixture(scope="module")
def dairy(client, chain):
    return create(client, chain, "/v1/categories", name="Dairy")


@pytest.fixture(scope="module")
def milk(client, chain, dairy):
    return product(client, chain, "X-MILK", category_id=dairy["id"])


@pytest.fixture(scope="module")
def bread(client, chain):
    return product(client, chain, "X-BREAD")


def _exclusive(priority: int, **fields):
    return {**percent_off("10"), "exclusive": True, "priority": priority, **fields}


def _days(n: int) -> str:
    return (datetime.now(UTC) + timedelta(days=n)).isoformat()


def _refused(client, chain, body, first):
    before = state(client, chain)
    problem = assert_problem(
        client.post(PROMOTIONS, json=body, headers=chain.headers), 409, "promotion-conflict"
    )
    assert problem["conflicts_with"] == {"id": first["id"], "name": first["name"]}
    assert first["id"] in problem["detail"]
    assert state(client, chain) == before
    return problem


def test_overlapping_exclusives_of_one_priority_are_refused(client, chain, milk, shops):
    first = promotion(client, chain, **_exclusive(10, name="Milk week"), product_ids=[milk["id"]])
    _refused(client, chain, _exclusive(10, product_ids=[milk["id"]]), first)
    # a store or channel of its own, the other's being every store and channel: still shared
    _refused(
        client,
        chain,
        _exclusive(10, product_ids=[milk["id"]], store_ids=[shops[0]["id"]], channels=["pos"]),
        first,
    )


def test_a_different_priority_or_something_apart_is_fine(client, chain, milk, bread, shops):
    first = promotion(
        client,
        chain,
        **_exclusive(20, name="Shop one"),
        product_ids=[milk["id"]],
        store_ids=[shops[0]["id"]],
        channels=["pos"],
        ends_at=_days(3),
    )
    for apart in (
        {"priority": 21},
        {"store_ids": [shops[1]["id"]]},
        {"channels": ["delivery", "online"]},
        {"product_ids": [bread["id"]]},
        {"starts_at": _days(3), "ends_at": _days(5)},  # starts as the other ends
        {"exclusive": False},
    ):
        shared = {"product_ids": [milk["id"]], "store_ids": [shops[0]["id"]], "channels": ["pos"]}
        body = {**_exclusive(20, **shared), **apart}
        made = client.post(PROMOTIONS, json=body, headers=chain.headers)
        assert made.status_code == 201, (apart, made.text)
        assert (
            client.delete(f"{PROMOTIONS}/{made.json()['id']}", headers=chain.headers).status_code
            == 204
        )
    assert first["status"] == "active"


def test_items_overlap_through_categories_and_every_product(client, chain, dairy, milk, bread):
    by_category = promotion(
        client, chain, **_exclusive(30, name="Dairy"), category_ids=[dairy["id"]]
    )
    _refused(client, chain, _exclusive(30, product_ids=[milk["id"]]), by_category)
    _refused(client, chain, _exclusive(30), by_category)  # every product
    bundle = {
        "name": "Breakfast",
        "rule": {
            "type": "bundle",
            "items": [{"product_id": bread["id"]}, {"product_id": milk["id"]}],
            "price": 900,
        },
        "exclusive": True,
        "priority": 30,
    }
    _refused(client, chain, bundle, by_category)


def test_a_change_or_a_resume_that_would_compete_is_refused(client, chain, milk, bread):
    first = promotion(client, chain, **_exclusive(40, name="Milk first"), product_ids=[milk["id"]])
    second = promotion(client, chain, **_exclusive(40, name="Bread"), product_ids=[bread["id"]])
    url = f"{PROMOTIONS}/{second['id']}"
    moved = client.patch(
        url, json={"version": 1, "product_ids": [milk["id"]]}, headers=chain.headers
    )
    assert_problem(moved, 409, "promotion-conflict")
    assert client.get(url, headers=chain.headers).json() == second

    paused = act(client, chain, first, "pause").json()
    moved = client.patch(
        url, json={"version": 1, "product_ids": [milk["id"]]}, headers=chain.headers
    )
    assert moved.status_code == 200, moved.text  # the paused one does not compete
    problem = assert_problem(act(client, chain, paused, "resume"), 409, "promotion-conflict")
    assert problem["conflicts_with"]["id"] == second["id"]
    assert (
        client.get(f"{PROMOTIONS}/{first['id']}", headers=chain.headers).json()["status"]
        == "paused"
    )
