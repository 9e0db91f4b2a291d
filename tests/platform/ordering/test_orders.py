"""Creating and reading orders: prices, discounts, weighed goods, totals and tax by rate
(computed by hand), promised times by channel, bad input that writes nothing, lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.ordering.helpers import created, events, line, member, order, product, store


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


@pytest.fixture(scope="module")
def goods(client, chain):
    return {
        "cola": product(client, chain, price=350, tax_rate="13"),
        "bread": product(client, chain, price=1200, tax_rate="9"),
        "cheese": product(client, chain, price=2580, tax_rate="9", unit="kg"),
        "stamp": product(client, chain, price=500, tax_rate="0"),
    }


def _post(client, chain, body: dict[str, Any]) -> Any:
    return client.post("/v1/orders", json=body, headers=chain.headers)


def _count(client, chain) -> int:
    return len(walk(client, "/v1/orders", chain.headers))


def test_totals_and_tax_by_rate(client, chain, shop, goods):
    """Every amount by hand: lines, discounts (amount, percent), an overridden price, weighed
    goods, and the tax each rate contains."""
    made = order(
        client,
        chain,
        shop["id"],
        [
            line(goods["cola"], 2),  # 700 at 13 %
            line(goods["bread"], 1, discount_amount=200),  # 1200 - 200 = 1000 at 9 %
            line(goods["cheese"], "0.455", discount_percent="10"),  # 1174 - 117 = 1057 at 9 %
            line(goods["stamp"], 1),  # 500 at 0 %
            line(goods["cola"], 1, unit_price=99),  # overridden: 99 at 13 %
        ],
        note="no bag",
        member_id=(buyer := member(client, chain))["id"],
    )
    assert made["status"] == "open"
    assert made["currency"] == "CNY"
    assert (made["number"], made["channel"], made["note"]) == (1, "pos", "no bag")
    assert made["member_id"] == buyer["id"]
    assert [
        (x["quantity"], x["unit_price"], x["gross"], x["discount"], x["total"])
        for x in made["lines"]
    ] == [
        ("2", 350, 700, 0, 700),
        ("1", 1200, 1200, 200, 1000),
        ("0.455", 2580, 1174, 117, 1057),
        ("1", 500, 500, 0, 500),
        ("1", 99, 99, 0, 99),
    ]
    assert [x["price_overridden"] for x in made["lines"]] == [False] * 4 + [True]
    assert made["lines"][4]["list_price"] == 350
    assert made["lines"][2]["discount_percent"] == "10.00"
    assert made["lines"][2]["unit"] == "kg"
    assert (made["subtotal"], made["discount_total"], made["total"]) == (3673, 317, 3356)
    # 0 %: 500 -> 0; 9 %: 2057 * 9 / 109 = 169.84 -> 170; 13 %: 799 * 13 / 113 = 91.92 -> 92
    assert made["taxes"] == [
        {"rate": "0.00", "gross": 500, "tax": 0, "net": 500},
        {"rate": "9.00", "gross": 2057, "tax": 170, "net": 1887},
        {"rate": "13.00", "gross": 799, "tax": 92, "net": 707},
    ]
    assert made["tax_total"] == 262
    assert (made["paid_total"], made["payments"], made["refunds"]) == (0, [], [])
    read = client.get(f"/v1/orders/{made['id']}", headers=chain.headers)
    assert read.status_code == 200
    assert read.json() == made
    kinds = [(e["type"], e["data"]["id"]) for e in events(client, chain)]
    assert ("order.created", made["id"]) in kinds


def test_order_numbers_count_up_per_store(client, chain, goods):
    first, second = store(client, chain), store(client, chain)
    numbers = [
        order(client, chain, s["id"], [line(goods["cola"])])["number"]
        for s in (first, first, second, first)
    ]
    assert numbers == [1, 2, 1, 3]


def test_promised_time_by_channel(client, chain, shop, goods):
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    pickup = order(client, chain, shop["id"], [line(goods["cola"])], channel="pickup",
                   promised_at=soon)  # fmt: skip
    assert datetime.fromisoformat(pickup["promised_at"]) == datetime.fromisoformat(soon)
    base = {"store_id": shop["id"], "lines": [line(goods["cola"])]}
    cases = [
        ({"channel": "pickup"}, "required for pickup orders"),
        ({"channel": "delivery"}, "required for delivery orders"),
        ({"channel": "pos", "promised_at": soon}, "a till sale has no promised time"),
        ({"channel": "pickup", "promised_at": "2030-01-01T10:00:00"}, "UTC offset"),
        ({"channel": "delivery", "promised_at": "2020-01-01T10:00:00Z"}, "in the past"),
    ]
    before = _count(client, chain)
    for fields, message in cases:
        body = assert_problem(_post(client, chain, {**base, **fields}), 422, "validation-error")
        assert body["errors"][0]["field"] == "promised_at"
        assert message in body["errors"][0]["message"], body
    assert _count(client, chain) == before
    for channel in ("vending", "online"):
        assert order(client, chain, shop["id"], [line(goods["cola"])], channel=channel)


def test_bad_lines_are_refused_with_their_fields_and_nothing_is_written(client, chain, shop, goods):
    archived = product(client, chain, price=100, status="archived")
    other = sign_up(client)
    foreign = product(client, other, price=100)
    cola, cheese = goods["cola"], goods["cheese"]
    cases = [
        ([line(cola, -1)], "lines[0].quantity", "must not be negative"),
        ([line(cola, 0)], "lines[0].quantity", "must not be zero"),
        ([line(cola, "1.5")], "lines[0].quantity", "whole number"),
        ([line(cheese, "0.4555")], "lines[0].quantity", "at most 3 decimals"),
        ([line(cola), line(cola, "2000000")], "lines[1].quantity", "at most"),
        ([line(cola), {**line(cola), "product_id": foreign["id"]}], "lines[1].product_id",
         "unknown product"),
        ([line(archived)], "lines[0].product_id", "archived"),
        ([line(cola, discount_amount=10, discount_percent="5")], "lines[0].discount_percent",
         "not both"),
        ([line(cola, 1, discount_amount=351)], "lines[0].discount_amount", "more than"),
        ([line(cola, discount_percent="101")], "lines[0].discount_percent", ""),
        ([line(cola, unit_price=-1)], "lines[0].unit_price", ""),
        ([{**line(cola), "price": 1}], "lines[0]", "unknown field `price`"),
        ([], "lines", ""),
    ]  # fmt: skip
    before = (_count(client, chain), len(events(client, chain)))
    for lines, field, message in cases:
        response = _post(client, chain, {"channel": "pos", "store_id": shop["id"], "lines": lines})
        body = assert_problem(response, 422)
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, body
        assert any(message in e["message"] for e in body["errors"]), body
    assert (_count(client, chain), len(events(client, chain))) == before


def test_a_store_of_another_chain_is_unknown(client, chain, goods):
    other = sign_up(client)
    theirs = store(client, other)
    body = {"channel": "pos", "store_id": theirs["id"], "lines": [line(goods["cola"])]}
    problem = assert_problem(_post(client, chain, body), 422)
    assert problem["errors"] == [{"field": "store_id", "message": "unknown store"}]
    bad_channel = {**body, "channel": "kiosk"}
    assert_problem(_post(client, chain, bad_channel), 422)


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_managers_and_staff_sell_only_in_their_stores(client, chain, goods, role):
    mine, elsewhere = store(client, chain), store(client, chain)
    invite = created(
        client.post(
            "/v1/invitations",
            json={"email": f"till-{role}@example.com", "role": role, "store_ids": [mine["id"]]},
            headers=chain.headers,
        )
    )
    accepted = created(
        client.post(
            "/v1/invitations/accept",
            json={"token": invite["token"], "name": "Till", "password": "correct horse battery"},
        )
    )
    manager = {"Authorization": f"Bearer {accepted['access_token']}"}
    made = order(client, chain, mine["id"], [line(goods["cola"])], headers=manager)
    assert made["created_by"] == accepted["user"]["id"]
    body = {"channel": "pos", "store_id": elsewhere["id"], "lines": [line(goods["cola"])]}
    assert_problem(client.post("/v1/orders", json=body, headers=manager), 403, "forbidden")
    theirs = order(client, chain, elsewhere["id"], [line(goods["cola"])])
    for action in ("pay", "cancel", "refunds"):
        refused = client.post(
            f"/v1/orders/{theirs['id']}/{action}",
            json={"payments": [{"method": "cash", "amount": 350}]} if action == "pay" else {},
            headers=manager,
        )
        assert_problem(refused, 403, "forbidden")
    reader = {"channel": "pos", "store_id": mine["id"], "lines": [line(goods["cola"])]}
    key = created(
        client.post(
            "/v1/api-keys", json={"name": "dash", "scopes": ["orders:read"]}, headers=chain.headers
        )
    )
    bearer = {"Authorization": f"Bearer {key['secret']}"}
    assert_problem(client.post("/v1/orders", json=reader, headers=bearer), 403, "forbidden")
    assert client.get(f"/v1/orders/{made['id']}", headers=bearer).status_code == 200


def test_lists_filter_and_page(client, chain, goods):
    shop = store(client, chain)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    made = [
        order(client, chain, shop["id"], [line(goods["cola"])]),
        order(
            client, chain, shop["id"], [line(goods["bread"])], channel="pickup", promised_at=soon
        ),
        order(client, chain, shop["id"], [line(goods["cola"], 3)]),
    ]
    cancelled = client.post(f"/v1/orders/{made[2]['id']}/cancel", json={}, headers=chain.headers)
    assert cancelled.status_code == 200, cancelled.text
    ids = [o["id"] for o in made]
    listed = walk(client, "/v1/orders", chain.headers, limit=1, store_id=shop["id"])
    assert [o["id"] for o in listed] == ids
    assert listed[1]["lines"][0]["product_id"] == goods["bread"]["id"]

    def ids_of(**params: Any) -> list[str]:
        return [o["id"] for o in walk(client, "/v1/orders", chain.headers, **params)]

    assert ids_of(store_id=shop["id"], channel="pickup") == [ids[1]]
    assert ids_of(store_id=shop["id"], status="cancelled") == [ids[2]]
    assert ids_of(store_id=shop["id"], status="open") == ids[:2]
    assert ids_of(store_id=shop["id"], since=made[1]["created_at"]) == ids[1:]
    assert ids_of(store_id=shop["id"], until=made[1]["created_at"]) == ids[:1]
    assert_problem(client.get("/v1/orders", params={"status": "lost"}, headers=chain.headers), 422)


def test_an_unknown_order_is_404(client, chain):
    missing = "01a20000-0000-7000-8000-00000000dead"
    assert_problem(client.get(f"/v1/orders/{missing}", headers=chain.headers), 404, "not-found")
