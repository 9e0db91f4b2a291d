"""The stock ledger: receipts and corrections, levels equal to the ledger sum under concurrent
writes, lots taken first-expiry-first-out, reorder points and ``inventory.low``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.inventory.helpers import ledger, ledger_sum, level, product, receive, store


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


def test_a_delivery_adds_to_the_level_and_is_valued_at_cost(client, chain, shop):
    water = product(client, chain, "WATER", cost_price=120)
    batch = receive(
        client,
        chain,
        shop["id"],
        {"product_id": water["id"], "quantity": 24},
        {"product_id": water["id"], "quantity": "6", "unit_cost": 110},
        note="Morning delivery",
    )
    assert [(m["kind"], m["quantity"], m["unit_cost"], m["value"]) for m in batch["movements"]] == [
        ("receipt", "24.000", 120, 2880),
        ("receipt", "6.000", 110, 660),
    ]
    assert level(client, chain, shop["id"], water["id"]) == 30
    moves = ledger(client, chain, source_id=batch["id"])
    assert {m["source_type"] for m in moves} == {"manual"}
    assert len(moves) == 2
    audit = walk(client, "/v1/audit-log", chain.headers)
    assert any(e["action"] == "stock.received" for e in audit)


def test_weighed_goods_take_three_decimals_and_values_round_half_up(client, chain, shop):
    cheese = product(client, chain, "CHEESE", unit="kg", cost_price=8001)
    batch = receive(client, chain, shop["id"], {"product_id": cheese["id"], "quantity": 0.125})
    # 0.125 kg x 8001 = 1000.125 -> 1000
    assert batch["movements"][0]["value"] == 1000
    assert level(client, chain, shop["id"], cheese["id"]) == Decimal("0.125")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": -3}, "lines[0].quantity"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"quantity": 1.5}, "lines[0].quantity"),
        ({"quantity": "NaN"}, "lines[0].quantity"),
        ({"quantity": "1e9"}, "lines[0].quantity"),
        (
            {"quantity": 2, "product_id": "01937a10-0000-7000-8000-000000000001"},
            "lines[0].product_id",
        ),
        ({"quantity": 2, "lot_code": "L1"}, "lines[0].expires_on"),
    ],
)
def test_bad_deliveries_are_refused_and_change_nothing(client, chain, shop, line, field):
    bread = product(client, chain, f"BREAD-{abs(hash(field + str(line))) % 10**8}")
    before = ledger(client, chain)
    body = {
        "store_id": shop["id"],
        "kind": "receipt",
        "lines": [{"product_id": bread["id"], **line}],
    }
    problem = assert_problem(
        client.post("/v1/stock-movements", json=body, headers=chain.headers), 422
    )
    assert field in {e["field"] for e in problem["errors"]}
    assert ledger(client, chain) == before


def test_a_correction_needs_its_reason_and_may_go_down(client, chain, shop):
    soap = product(client, chain, "SOAP")
    receive(client, chain, shop["id"], {"product_id": soap["id"], "quantity": 5})
    body = {
        "store_id": shop["id"],
        "kind": "adjustment",
        "lines": [{"product_id": soap["id"], "quantity": -2}],
    }
    problem = assert_problem(
        client.post("/v1/stock-movements", json=body, headers=chain.headers), 422
    )
    assert problem["errors"][0]["field"] == "note"
    body["note"] = "Two found broken in the back room"
    response = client.post("/v1/stock-movements", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    assert (
        level(client, chain, shop["id"], soap["id"])
        == 3
        == ledger_sum(client, chain, shop["id"], soap["id"])
    )


def test_another_chains_store_or_product_is_unknown(client, chain, other_chain, shop):
    theirs = store(client, other_chain, "THEIRS")
    their_product = product(client, other_chain, "THEIR-P")
    mine = product(client, chain, "MINE-P")
    body = {
        "store_id": theirs["id"],
        "kind": "receipt",
        "lines": [{"product_id": mine["id"], "quantity": 1}],
    }
    problem = assert_problem(
        client.post("/v1/stock-movements", json=body, headers=chain.headers), 422
    )
    assert problem["errors"][0]["field"] == "store_id"
    body = {
        "store_id": shop["id"],
        "kind": "receipt",
        "lines": [{"product_id": their_product["id"], "quantity": 1}],
    }
    problem = assert_problem(
        client.post("/v1/stock-movements", json=body, headers=chain.headers), 422
    )
    assert problem["errors"][0]["field"] == "lines[0].product_id"
    assert ledger(client, other_chain) == []


def test_concurrent_receipts_and_corrections_of_one_sku_lose_no_update(client, chain, shop):
    """40 writers at once on one level: it ends at the exact sum, equal to the ledger's."""
    milk = product(client, chain, "MILK")
    receive(client, chain, shop["id"], {"product_id": milk["id"], "quantity": 100})

    def write(n: int) -> int:
        line = {"product_id": milk["id"], "quantity": 3 if n % 2 else -2}
        body = {
            "store_id": shop["id"],
            "kind": "adjustment",
            "note": f"writer {n}",
            "lines": [line],
        }
        if n % 2:
            body = {"store_id": shop["id"], "kind": "receipt", "lines": [line]}
        return client.post("/v1/stock-movements", json=body, headers=chain.headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(write, range(40)))
    assert statuses == [201] * 40
    expected = 100 + 20 * 3 - 20 * 2
    assert level(client, chain, shop["id"], milk["id"]) == expected
    assert ledger_sum(client, chain, shop["id"], milk["id"]) == expected


def test_lots_are_taken_first_expiry_first_out(client, chain, shop):
    today = date.today()
    yogurt = product(client, chain, "YOGURT", shelf_life_days=10)
    receive(
        client,
        chain,
        shop["id"],
        {
            "product_id": yogurt["id"],
            "quantity": 5,
            "lot_code": "LATE",
            "expires_on": str(today + timedelta(days=9)),
        },
        {
            "product_id": yogurt["id"],
            "quantity": 4,
            "lot_code": "SOON",
            "expires_on": str(today + timedelta(days=2)),
        },
        {"product_id": yogurt["id"], "quantity": 3, "lot_code": "DEFAULT"},
    )
    lots = walk(client, "/v1/stock-lots", chain.headers, product_id=yogurt["id"])
    assert {(lot["code"], lot["expires_on"]) for lot in lots} >= {
        ("DEFAULT", str(today + timedelta(days=10)))
    }
    body = {
        "store_id": shop["id"],
        "kind": "adjustment",
        "note": "Sold off the books at the fair",
        "lines": [{"product_id": yogurt["id"], "quantity": -6}],
    }
    batch = client.post("/v1/stock-movements", json=body, headers=chain.headers).json()
    by_lot = {lot["id"]: lot["code"] for lot in lots}
    assert [(by_lot[m["lot_id"]], m["quantity"]) for m in batch["movements"]] == [
        ("SOON", "-4.000"),
        ("LATE", "-2.000"),
    ]
    left = {
        lot["code"]: Decimal(lot["on_hand"])
        for lot in walk(client, "/v1/stock-lots", chain.headers, product_id=yogurt["id"])
    }
    assert left == {"LATE": 3, "DEFAULT": 3}
    assert level(client, chain, shop["id"], yogurt["id"]) == 6


def test_falling_below_the_reorder_point_emits_inventory_low_once(client, chain, shop):
    chips = product(client, chain, "CHIPS")
    receive(client, chain, shop["id"], {"product_id": chips["id"], "quantity": 10})
    response = client.put(
        f"/v1/stores/{shop['id']}/reorder-points",
        json={"points": [{"product_id": chips["id"], "reorder_point": 6}]},
        headers=chain.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()[0]["low"] is False

    def take(n: int) -> None:
        body = {
            "store_id": shop["id"],
            "kind": "adjustment",
            "note": "shrink",
            "lines": [{"product_id": chips["id"], "quantity": -n}],
        }
        assert (
            client.post("/v1/stock-movements", json=body, headers=chain.headers).status_code == 201
        )

    take(3)  # 7: not low
    take(2)  # 5: low now
    take(1)  # 4: still low, no second event
    events = [
        e
        for e in walk(client, "/v1/events", chain.headers, type="inventory.low")
        if e["data"]["product_id"] == chips["id"]
    ]
    assert len(events) == 1
    assert events[0]["data"]["on_hand"] == "5.000"
    low = walk(client, "/v1/stock-levels", chain.headers, low="true")
    assert chips["id"] in {row["product_id"] for row in low}


def test_a_manager_corrects_stock_only_in_their_stores(client):
    from tests.conftest import api_key  # noqa: F401  (the same chain, other credentials)

    owner = sign_up(client)
    mine, other = store(client, owner, "M1"), store(client, owner, "M2")
    item = product(client, owner, "ITEM")
    invite = client.post(
        "/v1/invitations",
        json={"email": "m@example.com", "role": "manager", "store_ids": [mine["id"]]},
        headers=owner.headers,
    )
    assert invite.status_code == 201, invite.text
    token = invite.json()["token"]
    accepted = client.post(
        "/v1/invitations/accept", json={"token": token, "password": "manager-pass-1", "name": "M"}
    )
    assert accepted.status_code in (200, 201), accepted.text
    manager = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    for target, status in ((mine, 201), (other, 403)):
        body = {
            "store_id": target["id"],
            "kind": "receipt",
            "lines": [{"product_id": item["id"], "quantity": 1}],
        }
        assert client.post("/v1/stock-movements", json=body, headers=manager).status_code == status
