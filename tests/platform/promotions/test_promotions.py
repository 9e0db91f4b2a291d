"""Promotions through REST: every rule type as sent, the refusals that name every offending
field (with nothing written), the life of a promotion (change, pause, resume, archive) with
its events, and the list's filters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create, walk
from tests.platform.promotions.helpers import (
    PROMOTIONS,
    act,
    events,
    percent_off,
    product,
    promotion,
    state,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return create(client, chain, "/v1/stores", code="P-01", name="Corner")


@pytest.fixture(scope="module")
def drinks(client, chain):
    return create(client, chain, "/v1/categories", name="Drinks")


@pytest.fixture(scope="module")
def cola(client, chain, drinks):
    return product(client, chain, "COLA", list_price=350, category_id=drinks["id"])


@pytest.fixture(scope="module")
def chips(client, chain):
    return product(client, chain, "CHIPS", list_price=800)


@pytest.fixture(scope="module")
def salsa(client, chain):
    return product(client, chain, "SALSA", list_price=650)


def _soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def test_every_rule_type_is_kept_as_sent(client, chain, shop, drinks, cola, chips, salsa):
    """One promotion of each type: its rule comes back with the fields it uses (a buy X get Y
    without a percent gives the units free), conditions as sent, and a promotion.created
    event and audit entry each."""
    bodies = {
        "percent_off": {"percent": "12.5"},
        "amount_off": {"amount": 50},
        "fixed_price": {"price": 299},
        "buy_x_get_y": {"buy": 2, "get": 1, "get_product_ids": [salsa["id"]]},
        "bundle": {
            "items": [{"product_id": chips["id"]}, {"product_id": salsa["id"]}],
            "price": 1200,
        },
        "multi_buy": {"quantity": 3, "price": 900},
        "threshold": {"steps": [{"spend": 10000, "off": 2000}, {"spend": 20000, "off": 5000}]},
    }
    made = {}
    for kind, rule in bodies.items():
        targets = {} if kind in ("bundle", "threshold") else {"category_ids": [drinks["id"]]}
        made[kind] = promotion(
            client,
            chain,
            name=f"Every {kind}",
            rule={"type": kind, **rule},
            store_ids=[shop["id"]],
            channels=["pos", "pickup"],
            **targets,
        )
    assert made["percent_off"]["rule"]["percent"] == "12.50"
    assert made["amount_off"]["rule"]["amount"] == 50
    assert made["fixed_price"]["rule"]["price"] == 299
    bogo = made["buy_x_get_y"]["rule"]
    assert (bogo["buy"], bogo["get"], bogo["percent"]) == (2, 1, "100.00")
    assert bogo["get_product_ids"] == [salsa["id"]]
    assert made["bundle"]["rule"]["items"] == [
        {"product_id": chips["id"], "quantity": 1},
        {"product_id": salsa["id"], "quantity": 1},
    ]
    assert (made["multi_buy"]["rule"]["quantity"], made["multi_buy"]["rule"]["price"]) == (3, 900)
    assert made["threshold"]["rule"]["steps"][1] == {"spend": 20000, "off": 5000}
    unused = made["percent_off"]["rule"]
    assert (unused["amount"], unused["steps"], unused["items"], unused["repeat"]) == (
        None,
        [],
        [],
        False,
    )
    first = made["percent_off"]
    assert (first["status"], first["version"], first["uses"], first["exclusive"]) == (
        "active",
        1,
        0,
        False,
    )
    assert first["store_ids"] == [shop["id"]]
    assert first["channels"] == ["pos", "pickup"]
    assert first["ends_at"] is None
    assert datetime.fromisoformat(first["starts_at"]) <= datetime.now(UTC)
    created = {e["data"]["id"] for e in events(client, chain, "promotion.created")}
    assert {p["id"] for p in made.values()} <= created
    audit = walk(client, "/v1/audit-log", chain.headers, resource_id=first["id"])
    assert [e["action"] for e in audit] == ["promotion.created"]
    assert client.get(f"{PROMOTIONS}/{first['id']}", headers=chain.headers).json() == first


def test_segments_imply_members_only_and_repeats_are_dropped(client, chain, cola):
    made = promotion(
        client,
        chain,
        **percent_off("5"),
        product_ids=[cola["id"], cola["id"]],
        segments=["vip", "vip", "at-risk"],
        channels=["pos", "pos"],
        per_member_limit=1,
    )
    assert made["members_only"] is True
    assert made["segments"] == ["vip", "at-risk"]
    assert made["product_ids"] == [cola["id"]]
    assert made["channels"] == ["pos"]


REFUSED = [
    (
        "unused-and-missing",
        {"rule": {"type": "percent_off", "amount": 5, "steps": [{"spend": 10, "off": 1}]}},
        {
            "rule.percent": "required for a percent_off rule",
            "rule.amount": "not used by a percent_off rule",
            "rule.steps": "not used by a percent_off rule",
        },
    ),
    (
        "percent-too-high",
        {"rule": {"type": "percent_off", "percent": "100.5"}},
        {"rule.percent": "more than 0 and at most 100"},
    ),
    (
        "percent-3-decimals",
        {"rule": {"type": "percent_off", "percent": "12.345"}},
        {"rule.percent": "at most 2 decimals"},
    ),
    (
        "reward-percent-zero",
        {"rule": {"type": "buy_x_get_y", "buy": 1, "get": 1, "percent": 0}, "product_ids": "P"},
        {"rule.percent": "more than 0 and at most 100"},
    ),
    (
        "fixed-price-everywhere",
        {"rule": {"type": "fixed_price", "price": 100}},
        {"product_ids": "name the products or categories a fixed_price promotion is for"},
    ),
    (
        "multi-buy-everywhere",
        {"rule": {"type": "multi_buy", "quantity": 2, "price": 500}},
        {"product_ids": "name the products or categories a multi_buy promotion is for"},
    ),
    (
        "bundle-of-one",
        {
            "rule": {"type": "bundle", "items": [{"product_id": "P"}], "price": 100},
            "product_ids": "P",
        },
        {
            "rule.items": "a bundle has at least 2 units in all",
            "product_ids": "not used by a bundle: its products are rule.items",
        },
    ),
    (
        "bundle-twice",
        {
            "rule": {
                "type": "bundle",
                "items": [{"product_id": "P"}, {"product_id": "P", "quantity": 2}],
                "price": 100,
            }
        },
        {"rule.items[1].product_id": "in rule.items[0] already: give all its units there"},
    ),
    (
        "threshold-steps",
        {
            "rule": {
                "type": "threshold",
                "steps": [{"spend": 10000, "off": 3000}, {"spend": 9000, "off": 9500}],
                "repeat": True,
            }
        },
        {
            "rule.steps[1].off": "less than its spend (9000)",
            "rule.steps[1].spend": "more than the step before (10000)",
            "rule.repeat": "a repeating threshold has exactly one step",
        },
    ),
    (
        "window-and-member-limit",
        {
            "rule": {"type": "percent_off", "percent": 10},
            "starts_at": "2031-05-02T10:00:00+08:00",
            "ends_at": "2031-05-01T10:00:00+08:00",
            "per_member_limit": 2,
        },
        {
            "ends_at": "after starts_at (2031-05-02T10:00:00+08:00)",
            "per_member_limit": "needs members_only: only a member's uses can be counted",
        },
    ),
    (
        "member-limit-above-total",
        {
            "rule": {"type": "percent_off", "percent": 10},
            "members_only": True,
            "per_member_limit": 2,
            "usage_limit": 1,
        },
        {"per_member_limit": "more than usage_limit (1)"},
    ),
    (
        "end-in-the-past",
        {
            "rule": {"type": "percent_off", "percent": 10},
            "ends_at": "2020-01-01T00:00:00Z",
        },
        {"ends_at": "in the past: pause or archive the promotion instead"},
    ),
    (
        "happy-hours",
        {
            "rule": {"type": "percent_off", "percent": 10},
            "happy_hours": [
                {"days": [1, 1], "start": "22:00", "end": "02:00"},
                {"start": "24:00", "end": "24:00"},
            ],
        },
        {
            "happy_hours[0].end": "after start (22:00); an overnight window is two windows",
            "happy_hours[0].days": "a day listed twice",
            "happy_hours[1].start": "at most 23:59",
        },
    ),
    (
        "foreign-ids",
        {
            "rule": {"type": "buy_x_get_y", "buy": 1, "get": 1, "get_category_ids": ["X"]},
            "product_ids": "X",
            "store_ids": ["X"],
        },
        {
            "product_ids[0]": "unknown product",
            "rule.get_category_ids[0]": "unknown category",
            "store_ids[0]": "unknown store",
        },
    ),
    (
        "negative-price",
        {"rule": {"type": "fixed_price", "price": -1}, "product_ids": "P"},
        {"rule.price": ">= 0"},
    ),
    (
        "naive-time",
        {"rule": {"type": "percent_off", "percent": 1}, "starts_at": "2031-01-01T10:00:00"},
        {"starts_at": "timezone"},
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"), [(b, e) for _, b, e in REFUSED], ids=[i for i, _, _ in REFUSED]
)
def test_contradictions_are_refused_naming_each_field(client, chain, cola, body, expected):
    """Each body is refused with a 422 whose errors name exactly the offending fields (the
    message starts as expected), and nothing is written."""
    real, unknown = cola["id"], str(uuid.uuid4())

    def filled(value, key=""):
        """ "P" names a product of the chain, "X" an unknown id (a list of one in ``*_ids``)."""
        if value in ("P", "X"):
            one = real if value == "P" else unknown
            return [one] if key.endswith("_ids") else one
        if isinstance(value, dict):
            return {k: filled(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        return value

    before = state(client, chain)
    response = client.post(PROMOTIONS, json={"name": "Bad", **filled(body)}, headers=chain.headers)
    problem = assert_problem(response, 422, "validation-error")
    found = {e["field"]: e["message"] for e in problem["errors"]}
    assert found.keys() == expected.keys(), problem
    for field, start in expected.items():
        assert start in found[field], (field, found[field])
    assert state(client, chain) == before


def test_a_promotions_life(client, chain, cola, chips):
    """Change with the version read (stale: 409), pause, resume, archive; each change bumps
    the version and has its event with the promotion before and after; an archived promotion
    cannot be changed or resumed, and archiving it again changes nothing."""
    h = chain.headers
    made = promotion(client, chain, **percent_off("10"), product_ids=[cola["id"]], priority=3)
    url = f"{PROMOTIONS}/{made['id']}"
    changed = client.patch(
        url,
        json={
            "version": 1,
            "rule": {"type": "amount_off", "amount": 30},
            "product_ids": [cola["id"], chips["id"]],
            "usage_limit": 100,
        },
        headers=h,
    )
    assert changed.status_code == 200, changed.text
    promo = changed.json()
    assert (promo["version"], promo["rule"]["type"], promo["rule"]["amount"]) == (
        2,
        "amount_off",
        30,
    )
    assert promo["rule"]["percent"] is None
    assert (promo["priority"], promo["usage_limit"], promo["name"]) == (3, 100, "10 % off")
    assert_problem(
        client.patch(url, json={"version": 1, "name": "x"}, headers=h), 409, "version-conflict"
    )

    paused = act(client, chain, promo, "pause")
    assert paused.status_code == 200, paused.text
    promo = paused.json()
    assert (promo["status"], promo["version"]) == ("paused", 3)
    assert_problem(act(client, chain, promo, "pause"), 409, "conflict")
    renamed = client.patch(url, json={"version": 3, "name": "Cola deal"}, headers=h)
    assert renamed.status_code == 200, renamed.text  # a paused promotion can be changed
    promo = renamed.json()
    resumed = act(client, chain, promo, "resume")
    assert resumed.status_code == 200, resumed.text
    promo = resumed.json()
    assert (promo["status"], promo["version"], promo["name"]) == ("active", 5, "Cola deal")
    assert_problem(act(client, chain, {**promo, "version": 4}, "pause"), 409, "version-conflict")

    assert client.delete(url, headers=h).status_code == 204
    archived = client.get(url, headers=h).json()
    assert (archived["status"], archived["version"]) == ("archived", 6)
    before = state(client, chain)
    assert client.delete(url, headers=h).status_code == 204
    for refused in (
        client.patch(url, json={"version": 6, "name": "again"}, headers=h),
        act(client, chain, archived, "resume"),
        act(client, chain, archived, "pause"),
    ):
        body = assert_problem(refused, 409, "conflict")
        assert body["current_status"] == "archived"
    assert state(client, chain) == before

    mine = [e for e in events(client, chain, "promotion.*") if e["data"]["id"] == made["id"]]
    assert [e["type"] for e in mine] == [
        "promotion.created",
        "promotion.updated",
        "promotion.paused",
        "promotion.updated",
        "promotion.resumed",
        "promotion.archived",
    ]
    audit = walk(client, "/v1/audit-log", h, resource_id=made["id"])
    update = next(e for e in audit if e["action"] == "promotion.updated")
    assert update["before"]["rule"]["type"] == "percent_off"
    assert update["after"]["rule"]["type"] == "amount_off"


def test_a_change_is_checked_against_the_whole_promotion(client, chain, cola):
    """A change that makes the promotion contradict itself is refused though each field is
    fine on its own: an amount off for every product; a per-member limit without members."""
    made = promotion(client, chain, **percent_off("10"))
    url = f"{PROMOTIONS}/{made['id']}"
    before = state(client, chain)
    refused = client.patch(
        url,
        json={"version": 1, "rule": {"type": "amount_off", "amount": 10}, "per_member_limit": 1},
        headers=chain.headers,
    )
    body = assert_problem(refused, 422)
    assert {e["field"] for e in body["errors"]} == {"product_ids", "per_member_limit"}
    assert state(client, chain) == before
    still_every_product = client.patch(
        url,
        json={"version": 1, "rule": {"type": "amount_off", "amount": 10}, "category_ids": []},
        headers=chain.headers,
    )
    assert_problem(still_every_product, 422)
    ends = client.patch(url, json={"version": 1, "ends_at": _soon(2)}, headers=chain.headers)
    assert ends.status_code == 200, ends.text


def test_lists_filter_by_status_kind_time_and_product(client, chain, drinks, cola, chips, salsa):
    """``product_id`` finds the promotions naming the product, its category, its bundle or
    its reward, and those for every product; an unknown product finds none."""
    h = chain.headers
    mark = uuid.uuid4().hex[:6]
    by_product = promotion(
        client, chain, **percent_off("1", name=f"{mark} p"), product_ids=[cola["id"]]
    )
    by_category = promotion(
        client, chain, **percent_off("2", name=f"{mark} c"), category_ids=[drinks["id"]]
    )
    bundle = promotion(
        client,
        chain,
        name=f"{mark} b",
        rule={
            "type": "bundle",
            "items": [{"product_id": chips["id"]}, {"product_id": cola["id"]}],
            "price": 1000,
        },
    )
    reward = promotion(
        client,
        chain,
        name=f"{mark} r",
        rule={"type": "buy_x_get_y", "buy": 1, "get": 1, "get_product_ids": [cola["id"]]},
        product_ids=[chips["id"]],
    )
    everything = promotion(client, chain, **percent_off("3", name=f"{mark} e"))
    later = promotion(
        client, chain, **percent_off("4", name=f"{mark} l"), starts_at=_soon(48), ends_at=_soon(72)
    )
    paused = act(
        client, chain, promotion(client, chain, **percent_off("5", name=f"{mark} x")), "pause"
    )
    mine = {p["id"] for p in (by_product, by_category, bundle, reward, everything, later)}
    mine.add(paused.json()["id"])

    def listed(**params):
        return {p["id"] for p in walk(client, PROMOTIONS, h, limit=2, **params)} & mine

    assert listed(product_id=cola["id"]) == {
        by_product["id"],
        by_category["id"],
        bundle["id"],
        reward["id"],
        everything["id"],
        later["id"],
        paused.json()["id"],
    }
    assert listed(product_id=salsa["id"]) == {everything["id"], later["id"], paused.json()["id"]}
    assert listed(product_id=str(uuid.uuid4())) == set()
    assert listed(status="paused") == {paused.json()["id"]}
    assert listed(kind="bundle") == {bundle["id"]}
    now = listed(active_at=datetime.now(UTC).isoformat())
    assert later["id"] not in now
    assert paused.json()["id"] not in now
    assert by_product["id"] in now
    assert listed(active_at=_soon(60)) >= {later["id"], by_product["id"]}
    assert_problem(client.get(PROMOTIONS, params={"kind": "half_off"}, headers=h), 422)
