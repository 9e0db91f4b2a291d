"""Markdown rules through REST: created with their steps, refused when the steps do not go
deeper as time runs out (every field named, nothing written), changed and paused with the
version, archived; and the active rules of a store, as quotes read them."""

from __future__ import annotations

import uuid

import pytest

from bodega.promotions import markdown_rules_for
from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create, walk
from tests.platform.promotions.helpers import RULES, call_service, events, product, state


@pytest.fixture(scope="module")
def shops(client, chain):
    return [create(client, chain, "/v1/stores", code=f"M-{n}", name=f"Deli {n}") for n in (1, 2)]


@pytest.fixture(scope="module")
def salad(client, chain):
    return product(client, chain, "M-SALAD", list_price=1500)


def rule(client, chain, **body):
    response = client.post(RULES, json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def closing_rule(**fields):
    return {
        "name": "Evening",
        "basis": "closing",
        "steps": [{"hours_before": 3, "percent": 20}, {"hours_before": "1", "percent": "50"}],
        **fields,
    }


def test_a_rule_is_kept_as_sent(client, chain, shops, salad):
    made = rule(
        client,
        chain,
        **closing_rule(floor_percent="40", product_ids=[salad["id"]], store_ids=[shops[0]["id"]]),
    )
    assert made["steps"] == [
        {"hours_before": "3.00", "percent": "20.00"},
        {"hours_before": "1.00", "percent": "50.00"},
    ]
    assert (made["basis"], made["floor_percent"], made["status"], made["version"]) == (
        "closing",
        "40.00",
        "active",
        1,
    )
    assert made["product_ids"] == [salad["id"]]
    assert client.get(f"{RULES}/{made['id']}", headers=chain.headers).json() == made
    assert made["id"] in {e["data"]["id"] for e in events(client, chain, "markdown_rule.created")}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            closing_rule(
                steps=[
                    {"hours_before": 1, "percent": 50},
                    {"hours_before": 3, "percent": 20},
                ]
            ),
            {
                "steps[1].hours_before": "fewer than the step before (1)",
                "steps[1].percent": "more than the step before (50)",
            },
        ),
        (
            closing_rule(
                steps=[
                    {"hours_before": 25, "percent": 100},
                    {"hours_before": "0.125", "percent": 0},
                ]
            ),
            {
                "steps[0].hours_before": "more than 0 and at most 24",
                "steps[0].percent": "more than 0 and less than 100",
                "steps[1].hours_before": "more than 0 and at most 24",
                "steps[1].percent": "more than 0 and less than 100",
            },
        ),
        (closing_rule(floor_percent=100), {"floor_percent": "at least 0 and less than 100"}),
        (
            closing_rule(basis="expiry", steps=[{"hours_before": 721, "percent": 10}]),
            {"steps[0].hours_before": "more than 0 and at most 720"},
        ),
        (
            closing_rule(
                product_ids=[str(uuid.uuid4())],
                category_ids=[str(uuid.uuid4())],
                store_ids=[str(uuid.uuid4())],
            ),
            {
                "product_ids[0]": "unknown product",
                "category_ids[0]": "unknown category",
                "store_ids[0]": "unknown store",
            },
        ),
        (closing_rule(steps=[]), {"steps": "length >= 1"}),
    ],
    ids=["order", "ranges", "floor", "expiry", "ids", "no-steps"],
)
def test_bad_rules_are_refused_naming_each_field(client, chain, body, expected):
    before = state(client, chain)
    problem = assert_problem(client.post(RULES, json=body, headers=chain.headers), 422)
    found = {e["field"]: e["message"] for e in problem["errors"]}
    assert found.keys() == expected.keys(), problem
    for field, start in expected.items():
        assert start in found[field], (field, found[field])
    assert state(client, chain) == before


def test_change_pause_and_archive(client, chain, shops):
    """PATCH with the version (stale: 409) changes the rule or pauses it, checked as a whole;
    DELETE archives it, after which it cannot be changed."""
    h = chain.headers
    made = rule(client, chain, **closing_rule(name="Bakery close"))
    url = f"{RULES}/{made['id']}"
    changed = client.patch(
        url,
        json={"version": 1, "steps": [{"hours_before": 2, "percent": 30}], "status": "paused"},
        headers=h,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["version"]) == ("paused", 2)
    assert changed.json()["steps"] == [{"hours_before": "2.00", "percent": "30.00"}]
    assert_problem(
        client.patch(url, json={"version": 1, "name": "x"}, headers=h), 409, "version-conflict"
    )
    before = state(client, chain)
    too_long = client.patch(
        url,
        json={"version": 2, "basis": "closing", "steps": [{"hours_before": 30, "percent": 5}]},
        headers=h,
    )
    assert_problem(too_long, 422)
    assert state(client, chain) == before
    assert client.delete(url, headers=h).status_code == 204
    assert client.get(url, headers=h).json()["status"] == "archived"
    body = assert_problem(client.patch(url, json={"version": 3, "name": "y"}, headers=h), 409)
    assert body["current_status"] == "archived"
    assert client.delete(url, headers=h).status_code == 204
    mine = [
        e["type"] for e in events(client, chain, "markdown_rule.*") if e["data"]["id"] == made["id"]
    ]
    assert mine == ["markdown_rule.created", "markdown_rule.updated", "markdown_rule.archived"]


def test_the_rules_of_a_store(client, chain, shops):
    """A store's active rules: its own and those for every store; paused and archived ones
    and other stores' are left out. The list filters the same way."""
    tag = uuid.uuid4().hex[:6]
    everywhere = rule(client, chain, **closing_rule(name=f"{tag} all"))
    first_only = rule(client, chain, **closing_rule(name=f"{tag} one", store_ids=[shops[0]["id"]]))
    second_only = rule(
        client, chain, **closing_rule(name=f"{tag} two", basis="expiry", store_ids=[shops[1]["id"]])
    )
    paused = rule(client, chain, **closing_rule(name=f"{tag} paused", status="paused"))
    mine = {r["id"] for r in (everywhere, first_only, second_only, paused)}
    found = call_service(client, chain, markdown_rules_for, store_id=uuid.UUID(shops[0]["id"]))
    assert {str(r.id) for r in found} & mine == {everywhere["id"], first_only["id"]}

    def listed(**params):
        return {r["id"] for r in walk(client, RULES, chain.headers, limit=1, **params)} & mine

    assert listed(store_id=shops[1]["id"]) == {everywhere["id"], second_only["id"], paused["id"]}
    assert listed(basis="expiry") == {second_only["id"]}
    assert listed(status="paused") == {paused["id"]}
