"""Losses: written off at cost through the ledger, from a named lot or first-expiry-first-out;
listed and reported by store, category, reason and product, with every loss movement of the
period, whoever wrote it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.conftest import api_key, assert_problem, graphql, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.inventory.helpers import (
    category,
    chain_today,
    ledger,
    ledger_sum,
    level,
    manager,
    product,
    receive,
    state,
    store,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


def post_loss(client, chain, **body):
    response = client.post("/v1/losses", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_loss_leaves_stock_at_cost_and_is_recorded(client, chain, shop):
    cake = product(client, chain, "CAKE", cost_price=1250)
    receive(client, chain, shop["id"], {"product_id": cake["id"], "quantity": 10})
    loss = post_loss(
        client,
        chain,
        store_id=shop["id"],
        reason="damaged",
        note="Dropped the tray",
        lines=[{"product_id": cake["id"], "quantity": 3}],
    )
    assert (loss["reason"], loss["note"], loss["value"]) == ("damaged", "Dropped the tray", 3750)
    assert loss["recorded_by"] == str(chain.owner_id)
    assert loss["transfer_id"] is None
    (move,) = loss["movements"]
    assert (move["kind"], move["quantity"], move["reason"], move["value"]) == (
        "loss",
        "-3.000",
        "damaged",
        -3750,
    )
    assert (move["source_type"], move["source_id"]) == ("loss", loss["id"])
    assert level(client, chain, shop["id"], cake["id"]) == 7
    assert ledger_sum(client, chain, shop["id"], cake["id"]) == 7
    assert client.get(f"/v1/losses/{loss['id']}", headers=chain.headers).json() == loss
    events = walk(client, "/v1/events", chain.headers, type="loss.recorded")
    assert [e["data"]["id"] for e in events if e["data"]["id"] == loss["id"]] == [loss["id"]]
    audit = walk(client, "/v1/audit-log", chain.headers, resource_id=loss["id"])
    assert [e["action"] for e in audit] == ["loss.recorded"]


def test_a_named_lot_is_taken_from_else_first_expiry_first_out(client, chain, shop):
    today = date.today()
    milk = product(client, chain, "FRESH-MILK", cost_price=400, shelf_life_days=7)
    receive(
        client,
        chain,
        shop["id"],
        {"product_id": milk["id"], "quantity": 5, "lot_code": "OLD", "expires_on": str(today)},
        {
            "product_id": milk["id"],
            "quantity": 5,
            "lot_code": "NEW",
            "expires_on": str(today + timedelta(days=6)),
        },
    )
    lots = {
        lot["code"]: lot["id"]
        for lot in walk(client, "/v1/stock-lots", chain.headers, product_id=milk["id"])
    }
    spoiled = post_loss(
        client,
        chain,
        store_id=shop["id"],
        reason="spoiled",
        lines=[{"product_id": milk["id"], "quantity": 2, "lot_id": lots["NEW"]}],
    )
    assert [(m["lot_id"], m["quantity"]) for m in spoiled["movements"]] == [(lots["NEW"], "-2.000")]
    expired = post_loss(
        client,
        chain,
        store_id=shop["id"],
        reason="expired",
        lines=[{"product_id": milk["id"], "quantity": 6}],
    )
    assert [(m["lot_id"], m["quantity"]) for m in expired["movements"]] == [
        (lots["OLD"], "-5.000"),
        (lots["NEW"], "-1.000"),
    ]
    assert expired["value"] == 2400
    left = walk(client, "/v1/stock-lots", chain.headers, product_id=milk["id"])
    assert [(lot["code"], lot["on_hand"]) for lot in left] == [("NEW", "2.000")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": -1}, "lines[0].quantity"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"quantity": "0.5"}, "lines[0].quantity"),
        ({"quantity": "Infinity"}, "lines[0].quantity"),
        ({"product_id": "01937a10-0000-7000-8000-000000000009"}, "lines[0].product_id"),
        ({"lot_id": "01937a10-0000-7000-8000-000000000009"}, "lines[0].lot_id"),
        ({"lot_id": "other-product"}, "lines[0].lot_id"),
        ({"quantity": 4, "lot_id": "own"}, "lines[0].quantity"),
    ],
)
def test_bad_losses_are_refused_and_change_nothing(client, chain, shop, change, field):
    today = date.today()
    bun = product(client, chain, f"BUN-{abs(hash(field + str(change))) % 10**8}")
    other = product(client, chain, f"OTHER-{abs(hash(field + str(change))) % 10**8}")
    receive(
        client,
        chain,
        shop["id"],
        {"product_id": bun["id"], "quantity": 3, "lot_code": "B1", "expires_on": str(today)},
        {"product_id": other["id"], "quantity": 3, "lot_code": "O1", "expires_on": str(today)},
    )
    lot_of = {
        lot["product_id"]: lot["id"]
        for lot in walk(client, "/v1/stock-lots", chain.headers, store_id=shop["id"])
    }
    line = {"product_id": bun["id"], "quantity": 1, **change}
    if line.get("lot_id") == "own":
        line["lot_id"] = lot_of[bun["id"]]
    elif line.get("lot_id") == "other-product":
        line["lot_id"] = lot_of[other["id"]]
    before = state(client, chain)
    body = {"store_id": shop["id"], "reason": "damaged", "lines": [line]}
    problem = assert_problem(client.post("/v1/losses", json=body, headers=chain.headers), 422)
    assert field in {e["field"] for e in problem["errors"]}, problem
    assert state(client, chain) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "lost"}, "reason"),
        ({"reason": "transit"}, "reason"),
        ({"reason": "other"}, "note"),
        ({"reason": "other", "note": "   "}, "note"),
        ({"lines": []}, "lines"),
        ({"store_id": "01937a10-0000-7000-8000-000000000009"}, "store_id"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_loss_documents_are_refused(client, chain, shop, body, field):
    crumb = product(client, chain, f"CRUMB-{abs(hash(field + str(body))) % 10**8}")
    full = {
        "store_id": shop["id"],
        "reason": "damaged",
        "lines": [{"product_id": crumb["id"], "quantity": 1}],
        **body,
    }
    before = state(client, chain)
    problem = assert_problem(client.post("/v1/losses", json=full, headers=chain.headers), 422)
    assert any(field in e["field"] + e["message"] for e in problem["errors"]), problem
    assert state(client, chain) == before


def test_losses_are_listed_by_store_reason_and_time(client, chain):
    north, south = store(client, chain, "NORTH"), store(client, chain, "SOUTH")
    tea = product(client, chain, "TEA", cost_price=100)
    first = post_loss(
        client,
        chain,
        store_id=north["id"],
        reason="theft",
        lines=[{"product_id": tea["id"], "quantity": 1}],
    )
    second = post_loss(
        client,
        chain,
        store_id=south["id"],
        reason="expired",
        lines=[{"product_id": tea["id"], "quantity": 2}],
    )
    ids = [x["id"] for x in walk(client, "/v1/losses", chain.headers, limit=1)]
    assert ids.index(first["id"]) < ids.index(second["id"])
    by_store = walk(client, "/v1/losses", chain.headers, store_id=north["id"])
    assert [x["id"] for x in by_store] == [first["id"]]
    assert by_store[0]["movements"] == first["movements"]
    by_reason = walk(client, "/v1/losses", chain.headers, reason="expired", store_id=south["id"])
    assert [x["id"] for x in by_reason] == [second["id"]]
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert walk(client, "/v1/losses", chain.headers, since=later) == []
    assert len(walk(client, "/v1/losses", chain.headers, until=later)) >= 2
    assert len(walk(client, "/v1/losses", chain.headers, since="2000-01-01T00:00:00")) >= 2
    missing = "01937a10-0000-7000-8000-000000000009"
    assert_problem(client.get(f"/v1/losses/{missing}", headers=chain.headers), 404, "not-found")


def test_the_report_sums_every_loss_movement_by_group_with_shares(client):
    owner = sign_up(client)
    east, west = store(client, owner, "EAST"), store(client, owner, "WEST")
    bakery = category(client, owner, "Bakery")
    drinks = category(client, owner, "Drinks")
    bread = product(client, owner, "BREAD", cost_price=200, category_id=bakery["id"])
    cola = product(client, owner, "COLA", cost_price=300, category_id=drinks["id"])
    cheese = product(client, owner, "CHEESE", cost_price=1000, unit="kg")
    for where in (east, west):
        receive(
            client,
            owner,
            where["id"],
            {"product_id": bread["id"], "quantity": 50},
            {"product_id": cola["id"], "quantity": 50},
            {"product_id": cheese["id"], "quantity": 5},
        )
    post_loss(
        client,
        owner,
        store_id=east["id"],
        reason="expired",
        lines=[{"product_id": bread["id"], "quantity": 10}],  # 2000
    )
    post_loss(
        client,
        owner,
        store_id=west["id"],
        reason="theft",
        lines=[
            {"product_id": cola["id"], "quantity": 4},  # 1200
            {"product_id": cheese["id"], "quantity": "0.5"},  # 500
        ],
    )
    # a transfer that arrives short writes a transit loss at its destination
    sent = client.post(
        "/v1/transfers",
        json={
            "from_store_id": east["id"],
            "to_store_id": west["id"],
            "lines": [{"product_id": cola["id"], "quantity": 10}],
        },
        headers=owner.headers,
    ).json()
    received = client.post(
        f"/v1/transfers/{sent['id']}/receive",
        json={"lines": [{"product_id": cola["id"], "quantity": 9}]},
        headers=owner.headers,
    )
    assert received.status_code == 200, received.text  # 1 cola lost in transit: 300
    today = chain_today(client, owner).isoformat()

    def report(**params):
        response = client.get(
            "/v1/loss-report", params={"since": today, "until": today, **params},
            headers=owner.headers,
        )  # fmt: skip
        assert response.status_code == 200, response.text
        return response.json()

    by_reason = report(group_by="reason")
    assert (by_reason["quantity"], by_reason["value"]) == ("15.500", 4000)
    assert [(g["key"], g["quantity"], g["value"], g["share"]) for g in by_reason["groups"]] == [
        ("expired", "10.000", 2000, "50.00"),
        ("theft", "4.500", 1700, "42.50"),
        ("transit", "1.000", 300, "7.50"),
    ]
    by_store = report(group_by="store")
    assert [(g["key"], g["label"], g["value"]) for g in by_store["groups"]] == [
        (east["id"], "EAST Store EAST", 2000),
        (west["id"], "WEST Store WEST", 2000),
    ]
    by_category = report(group_by="category")
    assert [(g["key"], g["label"], g["value"]) for g in by_category["groups"]] == [
        (bakery["id"], "Bakery", 2000),
        (drinks["id"], "Drinks", 1500),
        (None, "No category", 500),
    ]
    by_product = report(group_by="product", store_id=west["id"])
    assert [(g["key"], g["label"], g["quantity"]) for g in by_product["groups"]] == [
        (cola["id"], "Product COLA (COLA)", "5.000"),
        (cheese["id"], "Product CHEESE (CHEESE)", "0.500"),
    ]
    assert by_product["value"] == 2000
    tomorrow = (chain_today(client, owner) + timedelta(days=1)).isoformat()
    empty = report(since=tomorrow, until=tomorrow)
    assert (empty["quantity"], empty["value"], empty["groups"]) == ("0", 0, [])
    moment = report(since=f"{today}T00:00:00", until=datetime.now(UTC).isoformat())
    assert moment["value"] <= 4000


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-13-01", "until": "2026-12-01"},
        {"since": "yesterday", "until": "2026-12-01"},
        {"since": "2026-12-02", "until": "2026-12-01"},
        {"since": "2026-12-01", "until": "2026-12-01", "group_by": "colour"},
        {"until": "2026-12-01"},
        {"since": "0001-01-01", "until": "9999-12-31"},
        {"since": "2026-12-01T00:00:00+25:00", "until": "2026-12-02"},
        {"since": "2026-12-01", "until": "2026-12-02", "store_id": "not-an-id"},
    ],
)
def test_bad_report_periods_are_refused(client, chain, params):
    response = client.get("/v1/loss-report", params=params, headers=chain.headers)
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code)


def test_losses_need_the_scopes_and_a_managed_store(client):
    owner = sign_up(client)
    mine, other = store(client, owner, "M1"), store(client, owner, "M2")
    item = product(client, owner, "ITEM")
    headers = manager(client, owner, [mine["id"]], "loss-manager@example.com")
    for target, status in ((mine, 201), (other, 403)):
        body = {
            "store_id": target["id"],
            "reason": "damaged",
            "lines": [{"product_id": item["id"], "quantity": 1}],
        }
        assert client.post("/v1/losses", json=body, headers=headers).status_code == status
    reader = api_key(client, owner, "inventory:read")
    body = {
        "store_id": mine["id"],
        "reason": "damaged",
        "lines": [{"product_id": item["id"], "quantity": 1}],
    }
    assert_problem(client.post("/v1/losses", json=body, headers=reader), 403)
    assert client.get("/v1/losses", headers=reader).status_code == 200
    assert (
        client.get(
            "/v1/loss-report", params={"since": "2026-01-01", "until": "2026-01-31"}, headers=reader
        ).status_code
        == 200
    )
    catalog_only = api_key(client, owner, "catalog:read")
    assert_problem(client.get("/v1/losses", headers=catalog_only), 403)
    assert len(ledger(client, owner, store_id=other["id"])) == 0


def test_graphql_records_lists_and_reports_losses(client, chain, shop):
    jam = product(client, chain, "JAM", cost_price=700)
    receive(client, chain, shop["id"], {"product_id": jam["id"], "quantity": 4})
    made = graphql(
        client,
        chain.headers,
        """mutation($input: LossInput!) { recordLoss(input: $input) {
            id value reason movements { quantity lotId } } }""",
        input={
            "storeId": shop["id"],
            "reason": "damaged",
            "lines": [{"productId": jam["id"], "quantity": "2"}],
        },
    )
    loss = made["data"]["recordLoss"]
    assert (loss["value"], loss["reason"], loss["movements"]) == (
        1400,
        "damaged",
        [{"quantity": "-2.000", "lotId": None}],
    )
    assert level(client, chain, shop["id"], jam["id"]) == Decimal(2)
    read = graphql(
        client,
        chain.headers,
        """query($id: UUID!, $store: UUID!, $day: String!) {
            loss(id: $id) { id storeId }
            losses(storeId: $store, reason: "damaged") { data { id } }
            lossReport(since: $day, until: $day, groupBy: "product") {
                value groups { key value share } } }""",
        id=loss["id"],
        store=shop["id"],
        day=chain_today(client, chain).isoformat(),
    )
    assert "errors" not in read, read
    assert read["data"]["loss"] == {"id": loss["id"], "storeId": shop["id"]}
    assert loss["id"] in {x["id"] for x in read["data"]["losses"]["data"]}
    groups = {g["key"]: g for g in read["data"]["lossReport"]["groups"]}
    assert groups[jam["id"]]["value"] == 1400
    bad = graphql(
        client,
        chain.headers,
        """mutation($input: LossInput!) { recordLoss(input: $input) { id } }""",
        input={
            "storeId": shop["id"],
            "reason": "damaged",
            "lines": [{"productId": jam["id"], "quantity": "-1"}],
        },
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert level(client, chain, shop["id"], jam["id"]) == Decimal(2)
