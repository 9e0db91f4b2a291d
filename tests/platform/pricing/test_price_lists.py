"""Price lists through REST: create, read, filter, change with versions, archive; items set in
batches, paged, removed; events and audit entries; and bad input refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.pricing.helpers import LISTS, events, price_list, product, state, store


@pytest.fixture(scope="module")
def owner(client):
    return sign_up(client, "Lists Bakery")


@pytest.fixture(scope="module")
def shop(client, owner):
    return store(client, owner, "PL-1")


@pytest.fixture(scope="module")
def goods(client, owner):
    return [product(client, owner, f"PL-{n}", list_price=1000 + n) for n in range(3)]


def test_a_price_list_from_creation_to_archive(client, owner, shop, goods):
    """Created with its fields, read, listed, changed with its version, archived: each change
    is an event and an audit entry; an archived list can no longer change."""
    h = owner.headers
    body = {
        "name": " Weekend ",
        "store_ids": [shop["id"], shop["id"]],
        "channels": ["pos", "delivery", "pos"],
        "valid_from": "2030-01-05T00:00:00+08:00",
        "valid_until": "2030-01-07T00:00:00+08:00",
        "priority": 5,
    }
    made = client.post(LISTS, json=body, headers=h)
    assert made.status_code == 201, made.text
    pl = made.json()
    assert pl["name"] == "Weekend"
    assert pl["store_ids"] == [shop["id"]]
    assert pl["channels"] == ["delivery", "pos"]
    assert (pl["audience"], pl["status"], pl["priority"], pl["version"]) == (
        "everyone",
        "active",
        5,
        1,
    )
    assert datetime.fromisoformat(pl["valid_from"]) == datetime(2030, 1, 4, 16, tzinfo=UTC)
    assert (pl["item_count"], pl["items_changed"]) == (0, None)
    assert client.get(f"{LISTS}/{pl['id']}", headers=h).json() == pl

    stale = client.patch(f"{LISTS}/{pl['id']}", json={"version": 2, "name": "x"}, headers=h)
    assert_problem(stale, 409, "version-conflict")
    changed = client.patch(
        f"{LISTS}/{pl['id']}",
        json={"version": 1, "name": "Long weekend", "valid_until": None, "audience": "members"},
        headers=h,
    )
    assert changed.status_code == 200, changed.text
    pl = changed.json()
    assert (pl["name"], pl["valid_until"], pl["audience"], pl["version"]) == (
        "Long weekend",
        None,
        "members",
        2,
    )
    too_early = client.patch(
        f"{LISTS}/{pl['id']}", json={"version": 2, "valid_until": "2030-01-01T00:00:00Z"}, headers=h
    )
    assert assert_problem(too_early, 422)["errors"] == [
        {"field": "valid_until", "message": "must be after valid_from"}
    ]

    assert client.delete(f"{LISTS}/{pl['id']}", headers=h).status_code == 204
    archived = client.get(f"{LISTS}/{pl['id']}", headers=h).json()
    assert (archived["status"], archived["version"]) == ("archived", 3)
    assert client.delete(f"{LISTS}/{pl['id']}", headers=h).status_code == 204  # changes nothing
    for refused in (
        client.patch(f"{LISTS}/{pl['id']}", json={"version": 3, "name": "Back"}, headers=h),
        client.put(
            f"{LISTS}/{pl['id']}/items",
            json={"items": [{"product_id": goods[0]["id"], "price": 1}]},
            headers=h,
        ),
    ):
        assert assert_problem(refused, 409, "conflict")["current_status"] == "archived"
    assert client.get(f"{LISTS}/{pl['id']}", headers=h).json() == archived

    types = [
        e["type"] for e in events(client, owner, "price_list.*") if e["data"]["id"] == pl["id"]
    ]
    assert types == ["price_list.created", "price_list.updated", "price_list.archived"]
    audit = walk(client, "/v1/audit-log", h, resource_id=pl["id"])
    assert [a["action"] for a in audit] == [
        "price_list.created",
        "price_list.updated",
        "price_list.archived",
    ]


def test_items_are_set_in_batches_paged_and_removed(client, owner, goods):
    """A PUT adds and replaces prices (others stay), the counts come back and go out as
    ``price_list.updated``; unchanged prices record nothing; a removed item is gone."""
    h = owner.headers
    pl = price_list(client, owner, "Items", {goods[0]["id"]: 900, goods[1]["id"]: 950})
    assert pl["item_count"] == 2
    assert pl["items_changed"] == {"created": 2, "updated": 0, "removed": 0}
    assert pl["version"] == 1  # items do not make the list's version stale

    body = {
        "items": [
            {"product_id": goods[1]["id"], "price": 940},
            {"product_id": goods[2]["id"], "price": 0},
            {"product_id": goods[0]["id"], "price": 900},
        ]
    }
    answer = client.put(f"{LISTS}/{pl['id']}/items", json=body, headers=h)
    assert answer.status_code == 200, answer.text
    assert answer.json()["items_changed"] == {"created": 1, "updated": 1, "removed": 0}
    assert answer.json()["item_count"] == 3
    before = len(events(client, owner, "price_list.updated"))
    same = client.put(f"{LISTS}/{pl['id']}/items", json=body, headers=h)
    assert same.json()["items_changed"] is None
    assert len(events(client, owner, "price_list.updated")) == before

    items = walk(client, f"{LISTS}/{pl['id']}/items", h, limit=1)
    assert sorted((i["product_id"], i["price"]) for i in items) == sorted(
        [(goods[0]["id"], 900), (goods[1]["id"], 940), (goods[2]["id"], 0)]
    )
    assert {i["price_list_id"] for i in items} == {pl["id"]}

    gone = client.delete(f"{LISTS}/{pl['id']}/items/{goods[1]['id']}", headers=h)
    assert gone.status_code == 204
    assert_problem(client.delete(f"{LISTS}/{pl['id']}/items/{goods[1]['id']}", headers=h), 404)
    assert len(walk(client, f"{LISTS}/{pl['id']}/items", h)) == 2
    last = events(client, owner, "price_list.updated")[-1]["data"]
    assert (last["id"], last["items_changed"], last["item_count"]) == (
        pl["id"],
        {"created": 0, "updated": 0, "removed": 1},
        2,
    )
    audit = walk(client, "/v1/audit-log", h, resource_id=pl["id"])[-1]
    assert audit["before"] == {"items": {goods[1]["id"]: 940}}
    assert audit["after"] == {"items": {}}


def test_lists_are_filtered_by_status_store_product_and_moment(client, owner, goods):
    """``store_id``: lists for that store or every store; ``product_id``: lists pricing it;
    ``active_at``: active lists in force then; ``status``."""
    h = owner.headers
    here, there = store(client, owner, "PL-F1"), store(client, owner, "PL-F2")
    now = datetime.now(UTC)
    chain_wide = price_list(client, owner, "Chain", {goods[0]["id"]: 1})
    local = price_list(client, owner, "Here", {goods[1]["id"]: 1}, store_ids=[here["id"]])
    later = price_list(
        client, owner, "Later", store_ids=[there["id"]], valid_from=str(now + timedelta(days=3))
    )
    gone = price_list(client, owner, "Gone")
    client.delete(f"{LISTS}/{gone['id']}", headers=h)

    def names(**params):
        return {pl["name"] for pl in walk(client, LISTS, h, **params)} & {
            "Chain",
            "Here",
            "Later",
            "Gone",
        }

    assert names() == {"Chain", "Here", "Later", "Gone"}
    assert names(store_id=here["id"]) == {"Chain", "Here", "Gone"}
    assert names(store_id=there["id"]) == {"Chain", "Later", "Gone"}
    assert names(product_id=goods[1]["id"]) == {"Here"}
    assert names(active_at=str(now)) == {"Chain", "Here"}
    assert names(active_at=str(now + timedelta(days=4))) == {"Chain", "Here", "Later"}
    assert names(status="archived") == {"Gone"}
    assert names(status="active", store_id=here["id"]) == {"Chain", "Here"}
    assert {chain_wide["id"], local["id"], later["id"]} <= {
        pl["id"] for pl in walk(client, LISTS, h)
    }
    assert_problem(client.get(LISTS, params={"status": "gone"}, headers=h), 422)
    year_one = client.get(LISTS, params={"active_at": "0001-01-01T00:00:00+14:00"}, headers=h)
    assert assert_problem(year_one, 422)["errors"][0]["field"] == "active_at"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {
                "name": "x",
                "valid_from": "2030-01-02T00:00:00Z",
                "valid_until": "2030-01-01T00:00:00Z",
            },
            [{"field": "valid_until", "message": "must be after valid_from"}],
        ),
        (
            {
                "name": "x",
                "valid_from": "2030-01-02T00:00:00Z",
                "valid_until": "2030-01-02T00:00:00Z",
            },
            [{"field": "valid_until", "message": "must be after valid_from"}],
        ),
        ({"name": "   "}, [{"field": "name", "message": "blank"}]),
        (
            {"name": "x", "valid_from": "0001-01-01T00:00:00+14:00"},
            [{"field": "valid_from", "message": "between 1970 and 9999"}],
        ),
    ],
    ids=["until-before-from", "until-equals-from", "blank-name", "year-one"],
)
def test_bad_lists_are_refused_with_nothing_written(client, owner, body, errors):
    before = state(client, owner)
    problem = assert_problem(client.post(LISTS, json=body, headers=owner.headers), 422)
    assert problem["errors"] == errors
    assert state(client, owner) == before


def test_unknown_stores_are_refused_by_position(client, owner, shop):
    """Another chain's store is unknown, like one that never existed; on a change too."""
    elsewhere = store(client, sign_up(client), "ELSEWHERE")["id"]
    missing = "0190c0de-0000-7000-8000-0000000000ff"
    pl = price_list(client, owner, "Stores")
    before = state(client, owner)
    made = client.post(
        LISTS,
        json={"name": "x", "store_ids": [shop["id"], elsewhere, missing]},
        headers=owner.headers,
    )
    assert assert_problem(made, 422)["errors"] == [
        {"field": "store_ids[1]", "message": "unknown store"},
        {"field": "store_ids[2]", "message": "unknown store"},
    ]
    changed = client.patch(
        f"{LISTS}/{pl['id']}", json={"version": 1, "store_ids": [elsewhere]}, headers=owner.headers
    )
    assert assert_problem(changed, 422)["errors"] == [
        {"field": "store_ids[0]", "message": "unknown store"}
    ]
    assert state(client, owner) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "valid_from": "2030-01-02T00:00:00"}, "valid_from"),
        ({"name": "x", "channels": ["pos", "fax"]}, "channels[1]"),
        ({"name": "x", "audience": "vip"}, "audience"),
        ({"name": "x", "priority": 10_001}, "priority"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_values_out_of_shape_are_refused(client, owner, body, field):
    before = state(client, owner)
    problem = assert_problem(client.post(LISTS, json=body, headers=owner.headers), 422)
    assert field in problem["detail"], problem
    assert state(client, owner) == before


def test_bad_items_are_refused_naming_each_with_nothing_written(client, owner, goods):
    """Unknown (or another chain's) products, repeats, negative prices, more than 1,000 items:
    422 naming each item; the list keeps its items."""
    h = owner.headers
    pl = price_list(client, owner, "Strict", {goods[0]["id"]: 500})
    foreign = product(client, sign_up(client), "FOREIGN")["id"]
    before = state(client, owner)
    url = f"{LISTS}/{pl['id']}/items"
    body = {
        "items": [
            {"product_id": goods[0]["id"], "price": 400},
            {"product_id": foreign, "price": 1},
            {"product_id": goods[1]["id"], "price": 2},
            {"product_id": goods[0]["id"], "price": 3},
            {"product_id": "0190c0de-0000-7000-8000-000000000000", "price": 4},
        ]
    }
    problem = assert_problem(client.put(url, json=body, headers=h), 422)
    assert problem["errors"] == [
        {"field": "items[1].product_id", "message": "unknown product"},
        {"field": "items[3].product_id", "message": "listed twice (also at index 0)"},
        {"field": "items[4].product_id", "message": "unknown product"},
    ]
    negative = client.put(
        url, json={"items": [{"product_id": goods[1]["id"], "price": -1}]}, headers=h
    )
    assert assert_problem(negative, 422)["errors"][0]["field"] == "items[0].price"
    many = [{"product_id": goods[1]["id"], "price": 1}] * 1001
    assert_problem(client.put(url, json={"items": many}, headers=h), 422)
    assert_problem(client.put(url, json={"items": []}, headers=h), 422)
    assert state(client, owner) == before


def test_missing_lists_answer_404(client, owner, goods):
    missing = "0190c0de-0000-7000-8000-000000000001"
    h = owner.headers
    assert_problem(client.get(f"{LISTS}/{missing}", headers=h), 404, "not-found")
    assert_problem(client.get(f"{LISTS}/{missing}/items", headers=h), 404, "not-found")
    assert_problem(client.delete(f"{LISTS}/{missing}", headers=h), 404, "not-found")
    assert_problem(
        client.patch(f"{LISTS}/{missing}", json={"version": 1}, headers=h), 404, "not-found"
    )
    body = {"items": [{"product_id": goods[0]["id"], "price": 1}]}
    assert_problem(client.put(f"{LISTS}/{missing}/items", json=body, headers=h), 404)


def test_only_owners_write_and_staff_read(client, owner):
    """``pricing:write`` is the owner's; an API key with only ``pricing:read`` reads."""
    key = client.post(
        "/v1/api-keys", json={"name": "shelf", "scopes": ["pricing:read"]}, headers=owner.headers
    ).json()["secret"]
    reader = {"Authorization": f"Bearer {key}"}
    assert client.get(LISTS, headers=reader).status_code == 200
    assert_problem(client.post(LISTS, json={"name": "x"}, headers=reader), 403)
