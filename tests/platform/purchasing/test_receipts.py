"""Goods receipts: over-receipts, lots with expiry, idempotent retries, concurrent deliveries,
and receipt lines that are refused without touching the ledger."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create, walk
from tests.platform.inventory.helpers import ledger, level
from tests.platform.purchasing.helpers import (
    PO,
    draft,
    get_order,
    product,
    receive,
    sent,
    state,
    store_today,
    supplier,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return create(client, chain, "/v1/stores", code="RC-01", name="Riverside")


@pytest.fixture(scope="module")
def distributor(client, chain):
    return supplier(client, chain, "DIST", lead_time_days=1)


def _order(client, chain, shop, distributor, *lines):
    return sent(client, chain, draft(client, chain, shop["id"], distributor["id"], *lines))


def test_more_than_is_open_needs_over_receipt(client, chain, shop, distributor):
    water = product(client, chain, "WATER", cost_price=100)
    order = _order(client, chain, shop, distributor, (water["id"], 18))
    line = order["lines"][0]["id"]
    before = state(client, chain)
    problem = assert_problem(
        receive(client, chain, order["id"], {"line_id": line, "received": 20}), 422
    )
    assert problem["errors"] == [
        {
            "field": "lines[0].received",
            "message": "WATER: 18 still expected (ordered 18, received 0, rejected 0); "
            "send over_receipt: true to accept more",
        }
    ]
    refused = receive(client, chain, order["id"], {"line_id": line, "received": 16, "rejected": 4})
    assert_problem(refused, 422)
    assert state(client, chain) == before

    done = receive(client, chain, order["id"], {"line_id": line, "received": 20}, over_receipt=True)
    assert done.status_code == 201, done.text
    assert (done.json()["over_receipt"], done.json()["order_status"]) == (True, "received")
    order = get_order(client, chain, order["id"])
    assert (order["lines"][0]["received"], order["lines"][0]["open"]) == ("20.000", "0.000")
    assert order["received_value"] == 2000
    assert level(client, chain, shop["id"], water["id"]) == 20


def test_lots_get_their_expiry_from_the_shelf_life(client, chain, shop, distributor):
    today = store_today()
    yogurt = product(client, chain, "YOGURT", shelf_life_days=10, cost_price=300)
    salad = product(client, chain, "SALAD", cost_price=200)
    order = _order(client, chain, shop, distributor, (yogurt["id"], 12), (salad["id"], 10))
    yogurt_line, salad_line = (li["id"] for li in order["lines"])
    expires = str(today + timedelta(days=3))
    receipt = receive(
        client,
        chain,
        order["id"],
        {"line_id": yogurt_line, "received": 12, "lot_code": "Y-0412"},
        {"line_id": salad_line, "received": 10, "expires_on": expires},
    )
    assert receipt.status_code == 201, receipt.text
    lines = receipt.json()["lines"]
    assert [(li["lot_code"], li["expires_on"]) for li in lines] == [
        ("Y-0412", str(today + timedelta(days=10))),
        (expires, expires),
    ]
    lots = walk(client, "/v1/stock-lots", chain.headers, store_id=shop["id"])
    assert {
        (lot["product_id"], lot["code"], lot["expires_on"], lot["on_hand"]) for lot in lots
    } >= {
        (yogurt["id"], "Y-0412", str(today + timedelta(days=10)), "12.000"),
        (salad["id"], expires, expires, "10.000"),
    }
    moves = ledger(client, chain, source_id=receipt.json()["id"])
    assert all(m["lot_id"] for m in moves)


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"lot_code": "L1"}, "lines[0].expires_on", "needed for lot L1: PLAIN has no shelf life"),
        ({"expires_on": "2000-01-01"}, "lines[0].expires_on", "already expired"),
        ({"received": -1}, "lines[0].received", "must not be negative"),
        ({"received": 1.5}, "lines[0].received", "a whole number"),
        ({"received": 0}, "lines[0].received", "nothing received or rejected"),
        ({"rejected": -2}, "lines[0].rejected", "must not be negative"),
        (
            {"line_id": "01937a10-0000-7000-8000-000000000003"},
            "lines[0].line_id",
            "not a line of this purchase order",
        ),
    ],
)
def test_bad_receipt_lines_are_refused_and_change_nothing(
    client, chain, shop, distributor, item, field, message
):
    plain = product(client, chain, f"PLAIN-{abs(hash(field + str(item))) % 10**8}", name="Plain")
    order = _order(client, chain, shop, distributor, (plain["id"], 5))
    before = state(client, chain)
    order_before = get_order(client, chain, order["id"])
    body = {"line_id": order["lines"][0]["id"], "received": 1, **item}
    problem = assert_problem(receive(client, chain, order["id"], body), 422)
    (error,) = [e for e in problem["errors"] if e["field"] == field]
    assert message.replace("PLAIN", plain["sku"]) in error["message"]
    assert state(client, chain) == before
    assert get_order(client, chain, order["id"]) == order_before


def test_a_line_named_twice_is_refused(client, chain, shop, distributor):
    tea = product(client, chain, "TEA")
    order = _order(client, chain, shop, distributor, (tea["id"], 5))
    line = order["lines"][0]["id"]
    before = state(client, chain)
    twice = receive(
        client,
        chain,
        order["id"],
        {"line_id": line, "received": 1},
        {"line_id": line, "received": 1},
    )
    assert assert_problem(twice, 422)["errors"] == [
        {"field": "lines[1].line_id", "message": "on lines[0] already"}
    ]
    assert state(client, chain) == before


def test_a_retried_receipt_writes_its_movements_once(client, chain, shop, distributor):
    """The same Idempotency-Key replays the first answer: one receipt, one movement."""
    coffee = product(client, chain, "COFFEE", cost_price=2500)
    order = _order(client, chain, shop, distributor, (coffee["id"], 10))
    headers = {**chain.headers, "Idempotency-Key": "delivery-2024-0412-coffee"}
    body = {"lines": [{"line_id": order["lines"][0]["id"], "received": 4}]}
    first = client.post(f"{PO}/{order['id']}/receipts", json=body, headers=headers)
    again = client.post(f"{PO}/{order['id']}/receipts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert len(ledger(client, chain, product_id=coffee["id"])) == 1
    assert level(client, chain, shop["id"], coffee["id"]) == 4
    receipts = client.get(f"{PO}/{order['id']}/receipts", headers=chain.headers).json()["data"]
    assert [r["id"] for r in receipts] == [first.json()["id"]]
    assert get_order(client, chain, order["id"])["lines"][0]["received"] == "4.000"


def test_concurrent_deliveries_never_take_more_than_is_open(client, chain, shop, distributor):
    """Two clerks receive the same line at once: the order's row lock makes them take turns,
    so the second sees what the first took and is refused."""
    rice = product(client, chain, "RICE", cost_price=900)
    order = _order(client, chain, shop, distributor, (rice["id"], 10))
    body = {"lines": [{"line_id": order["lines"][0]["id"], "received": 6}]}

    def deliver(_: int) -> int:
        return client.post(
            f"{PO}/{order['id']}/receipts", json=body, headers=chain.headers
        ).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(deliver, range(4)))
    assert statuses == [201, 422, 422, 422]
    assert level(client, chain, shop["id"], rice["id"]) == 6
    assert get_order(client, chain, order["id"])["lines"][0]["open"] == "4.000"


def test_weighed_goods_are_received_by_the_gram(client, chain, shop, distributor):
    ham = product(client, chain, "HAM", unit="kg", cost_price=12990)
    order = _order(client, chain, shop, distributor, (ham["id"], "3.5"))
    line = order["lines"][0]["id"]
    receipt = receive(
        client, chain, order["id"], {"line_id": line, "received": "3.215", "rejected": "0.285"}
    )
    assert receipt.status_code == 201, receipt.text
    assert receipt.json()["total"] == 41763  # 3.215 x 12990 = 41762.85
    assert receipt.json()["lines"][0]["reject_reason"] is None
    assert receipt.json()["order_status"] == "received"
    assert level(client, chain, shop["id"], ham["id"]) == Decimal("3.215")


def test_a_misspelt_field_is_refused_not_ignored(client, chain, shop, distributor):
    soap = product(client, chain, "SOAP")
    order = _order(client, chain, shop, distributor, (soap["id"], 5))
    before = state(client, chain)
    typo = receive(client, chain, order["id"], {"line_id": order["lines"][0]["id"], "recieved": 5})
    problem = assert_problem(typo, 422)
    assert "recieved" in problem["detail"]
    assert state(client, chain) == before
