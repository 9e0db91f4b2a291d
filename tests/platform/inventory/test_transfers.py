"""Transfers: stock leaves the origin when sent, arrives at the destination when received,
a shortfall is a transit loss at the destination, and a cancelled transfer goes back."""

from __future__ import annotations

import pytest

from tests.conftest import api_key, assert_problem, graphql, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.inventory.helpers import (
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
def stores(client, chain):
    return store(client, chain, "FROM"), store(client, chain, "TO")


def send(client, chain, origin, destination, *lines, status=201, **extra):
    body = {
        "from_store_id": origin["id"],
        "to_store_id": destination["id"],
        "lines": [{"product_id": p["id"], "quantity": q} for p, q in lines],
        **extra,
    }
    response = client.post("/v1/transfers", json=body, headers=chain.headers)
    assert response.status_code == status, response.text
    return response.json()


def act(client, chain, transfer, action, body=None, headers=None):
    return client.post(
        f"/v1/transfers/{transfer['id']}/{action}", json=body, headers=headers or chain.headers
    )


def test_sent_then_received_in_full(client, chain, stores):
    origin, destination = stores
    pie = product(client, chain, "PIE", cost_price=900)
    receive(client, chain, origin["id"], {"product_id": pie["id"], "quantity": 10})
    sent = send(client, chain, origin, destination, (pie, 4), note="For the weekend")
    assert (sent["status"], sent["value"], sent["note"]) == ("in_transit", 3600, "For the weekend")
    assert sent["lines"] == [
        {"product_id": pie["id"], "quantity": "4.000", "received": None, "unit_cost": 900}
    ]
    assert level(client, chain, origin["id"], pie["id"]) == 6
    assert level(client, chain, destination["id"], pie["id"]) == 0
    (out,) = ledger(client, chain, source_id=sent["id"])
    assert (out["kind"], out["store_id"], out["quantity"], out["value"]) == (
        "transfer_out",
        origin["id"],
        "-4.000",
        -3600,
    )
    received = act(client, chain, sent, "receive")
    assert received.status_code == 200, received.text
    done = received.json()
    assert (done["status"], done["loss_id"], done["received_by"]) == (
        "received",
        None,
        str(chain.owner_id),
    )
    assert done["lines"][0]["received"] == "4.000"
    assert level(client, chain, destination["id"], pie["id"]) == 4
    moves = ledger(client, chain, source_id=sent["id"])
    assert [(m["kind"], m["quantity"], m["value"]) for m in moves] == [
        ("transfer_out", "-4.000", -3600),
        ("transfer_in", "4.000", 3600),
    ]
    assert client.get(f"/v1/transfers/{sent['id']}", headers=chain.headers).json() == done
    types = [
        e["type"] for e in walk(client, "/v1/events", chain.headers) if "transfer" in e["type"]
    ]
    assert types[-2:] == ["transfer.sent", "transfer.received"]


def test_a_shortfall_is_a_transit_loss_at_the_destination(client, chain, stores):
    origin, destination = stores
    cream = product(client, chain, "CREAM", cost_price=250)
    butter = product(client, chain, "BUTTER", cost_price=1000, unit="kg")
    receive(
        client,
        chain,
        origin["id"],
        {"product_id": cream["id"], "quantity": 10},
        {"product_id": butter["id"], "quantity": 2},
    )
    sent = send(client, chain, origin, destination, (cream, 10), (butter, "1.5"))
    body = {
        "lines": [
            {"product_id": butter["id"], "quantity": "1.25"},
            {"product_id": cream["id"], "quantity": 7},
        ]
    }
    response = act(client, chain, sent, "receive", body)
    assert response.status_code == 200, response.text
    done = response.json()
    assert {line["product_id"]: line["received"] for line in done["lines"]} == {
        cream["id"]: "7.000",
        butter["id"]: "1.250",
    }
    loss = client.get(f"/v1/losses/{done['loss_id']}", headers=chain.headers).json()
    assert (loss["reason"], loss["store_id"], loss["transfer_id"], loss["value"]) == (
        "transit",
        destination["id"],
        sent["id"],
        3 * 250 + 250,
    )
    assert sorted((m["product_id"], m["quantity"]) for m in loss["movements"]) == sorted(
        [(cream["id"], "-3.000"), (butter["id"], "-0.250")]
    )
    assert level(client, chain, destination["id"], cream["id"]) == 7
    assert ledger_sum(client, chain, destination["id"], cream["id"]) == 7
    assert ledger_sum(client, chain, origin["id"], cream["id"]) == 0
    chain_moves = [
        m
        for m in ledger(client, chain, product_id=cream["id"])
        if m["kind"] in ("transfer_out", "transfer_in")
    ]
    assert sum(m["value"] for m in chain_moves) == 0  # what left one store arrived in the other


def test_cancelling_brings_the_goods_back(client, chain, stores):
    origin, destination = stores
    jam = product(client, chain, "JAR", cost_price=300)
    receive(client, chain, origin["id"], {"product_id": jam["id"], "quantity": 5})
    sent = send(client, chain, origin, destination, (jam, 5))
    assert level(client, chain, origin["id"], jam["id"]) == 0
    cancelled = act(client, chain, sent, "cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert level(client, chain, origin["id"], jam["id"]) == 5
    assert level(client, chain, destination["id"], jam["id"]) == 0
    before = state(client, chain)
    for action in ("cancel", "receive"):
        assert "cancelled" in assert_problem(act(client, chain, sent, action), 409)["detail"]
    assert state(client, chain) == before
    listed = walk(client, "/v1/transfers", chain.headers, store_id=destination["id"])
    assert sent["id"] in {t["id"] for t in listed}
    assert sent["id"] in {
        t["id"] for t in walk(client, "/v1/transfers", chain.headers, status="cancelled")
    }
    assert sent["id"] not in {
        t["id"] for t in walk(client, "/v1/transfers", chain.headers, status="in_transit")
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": "same"}, "to_store_id"),
        ({"to": "missing"}, "to_store_id"),
        ({"from": "missing"}, "from_store_id"),
        ({"quantity": -1}, "lines[0].quantity"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"quantity": "2.5"}, "lines[0].quantity"),
        ({"product": "missing"}, "lines[0].product_id"),
        ({"twice": True}, "lines[1].product_id"),
        ({"lines": []}, "lines"),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(client, chain, stores, change, field):
    origin, destination = stores
    item = product(client, chain, f"T-{abs(hash(field + str(change))) % 10**8}")
    missing = "01937a10-0000-7000-8000-000000000009"
    line = {
        "product_id": missing if change.get("product") else item["id"],
        "quantity": change.get("quantity", 1),
    }
    body = {
        "from_store_id": missing if change.get("from") else origin["id"],
        "to_store_id": {"same": origin["id"], "missing": missing}.get(
            change.get("to", ""), destination["id"]
        ),
        "lines": change.get("lines", [line, line] if change.get("twice") else [line]),
    }
    before = state(client, chain)
    problem = assert_problem(client.post("/v1/transfers", json=body, headers=chain.headers), 422)
    assert any(field in e["field"] + e["message"] for e in problem["errors"]), problem
    assert state(client, chain) == before


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([("a", 4)], "lines[0].quantity"),
        ([("a", -1)], "lines[0].quantity"),
        ([("a", "0.5")], "lines[0].quantity"),
        ([("a", 1), ("stranger", 1)], "lines[1].product_id"),
        ([("a", 1), ("a", 1)], "lines[1].product_id"),
        ([("a", 1)], "lines"),
    ],
)
def test_bad_receipts_are_refused_and_change_nothing(client, chain, stores, lines, field):
    origin, destination = stores
    tag = abs(hash(field + str(lines))) % 10**8
    a, b = product(client, chain, f"RA-{tag}"), product(client, chain, f"RB-{tag}")
    stranger = product(client, chain, f"RS-{tag}")
    sent = send(client, chain, origin, destination, (a, 3), (b, 2))
    ids = {"a": a["id"], "stranger": stranger["id"]}
    body = {"lines": [{"product_id": ids[p], "quantity": q} for p, q in lines]}
    before = state(client, chain)
    problem = assert_problem(act(client, chain, sent, "receive", body), 422)
    assert field in {e["field"] for e in problem["errors"]}, problem
    assert state(client, chain) == before


def test_each_side_acts_in_its_own_store(client):
    owner = sign_up(client)
    origin, destination = store(client, owner, "O1"), store(client, owner, "D1")
    item = product(client, owner, "ITEM")
    at_origin = manager(client, owner, [origin["id"]], "origin@example.com")
    at_destination = manager(client, owner, [destination["id"]], "destination@example.com")
    body = {
        "from_store_id": origin["id"],
        "to_store_id": destination["id"],
        "lines": [{"product_id": item["id"], "quantity": 1}],
    }
    assert_problem(client.post("/v1/transfers", json=body, headers=at_destination), 403)
    made = client.post("/v1/transfers", json=body, headers=at_origin)
    assert made.status_code == 201, made.text
    sent = made.json()
    assert_problem(act(client, owner, sent, "receive", headers=at_origin), 403)
    assert_problem(act(client, owner, sent, "cancel", headers=at_destination), 403)
    assert act(client, owner, sent, "receive", headers=at_destination).status_code == 200
    reader = api_key(client, owner, "inventory:read")
    assert client.get(f"/v1/transfers/{sent['id']}", headers=reader).status_code == 200
    assert_problem(client.post("/v1/transfers", json=body, headers=reader), 403)
    missing = "01937a10-0000-7000-8000-000000000009"
    assert_problem(client.get(f"/v1/transfers/{missing}", headers=owner.headers), 404)


def test_graphql_sends_receives_and_cancels(client):
    owner = sign_up(client)
    origin, destination = store(client, owner, "G1"), store(client, owner, "G2")
    tart = product(client, owner, "TART", cost_price=400)
    receive(client, owner, origin["id"], {"product_id": tart["id"], "quantity": 9})
    make = """mutation($input: TransferInput!) { sendTransfer(input: $input) {
        id status value lines { productId quantity received unitCost } } }"""
    payload = {
        "fromStoreId": origin["id"],
        "toStoreId": destination["id"],
        "lines": [{"productId": tart["id"], "quantity": "3"}],
    }
    first = graphql(client, owner.headers, make, input=payload)["data"]["sendTransfer"]
    assert (first["status"], first["value"]) == ("in_transit", 1200)
    received = graphql(
        client,
        owner.headers,
        """mutation($id: UUID!, $input: TransferReceiptInput) {
            receiveTransfer(id: $id, input: $input) { status lossId lines { received } } }""",
        id=first["id"],
        input={"lines": [{"productId": tart["id"], "quantity": "2"}]},
    )["data"]["receiveTransfer"]
    assert received["status"] == "received"
    assert received["lossId"] is not None
    assert received["lines"] == [{"received": "2.000"}]
    second = graphql(client, owner.headers, make, input=payload)["data"]["sendTransfer"]
    cancelled = graphql(
        client,
        owner.headers,
        "mutation($id: UUID!) { cancelTransfer(id: $id) { status } }",
        id=second["id"],
    )["data"]["cancelTransfer"]
    assert cancelled == {"status": "cancelled"}
    read = graphql(
        client,
        owner.headers,
        """query($id: UUID!, $store: UUID!) { transfer(id: $id) { id status }
            transfers(storeId: $store) { data { id status } } }""",
        id=first["id"],
        store=destination["id"],
    )["data"]
    assert read["transfer"] == {"id": first["id"], "status": "received"}
    assert read["transfers"]["data"] == [
        {"id": first["id"], "status": "received"},
        {"id": second["id"], "status": "cancelled"},
    ]
    bad = graphql(client, owner.headers, make, input={**payload, "toStoreId": origin["id"]})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert level(client, owner, origin["id"], tart["id"]) == 6
    assert level(client, owner, destination["id"], tart["id"]) == 2
