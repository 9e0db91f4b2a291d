"""Retries and concurrency: an Idempotency-Key makes a retried create or pay answer the first
result (and write once), even when the retries arrive together; many tills selling the same
SKU at once leave the level equal to the ledger and to what was sold."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import walk
from tests.platform.ordering.helpers import (
    cash,
    ledger,
    line,
    movements,
    on_hand,
    order,
    pay,
    product,
    receive,
    store,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


@pytest.fixture(scope="module")
def cola(client, chain, shop):
    made = product(client, chain, price=350)
    receive(client, chain, shop["id"], made["id"], "1000")
    return made


def _keyed(chain, key: str) -> dict[str, str]:
    return {**chain.headers, "Idempotency-Key": key}


def _orders_of(client, chain, shop) -> list[str]:
    return [o["id"] for o in walk(client, "/v1/orders", chain.headers, store_id=shop["id"])]


def _together(client, requests: list[tuple[str, str, dict, dict]]) -> list[httpx.Response]:
    """Send ``(method, path, headers, body)`` requests at once to the app, in its own loop."""

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bodega") as http:
            return await asyncio.gather(
                *(http.request(m, p, headers=h, json=b) for m, p, h, b in requests)
            )

    return client.blocking_portal.call(send)


def test_a_retried_create_returns_the_same_order_and_creates_one(client, chain, shop, cola):
    key = f"create-{uuid.uuid4()}"
    body = {"channel": "pos", "store_id": shop["id"], "lines": [line(cola, 2)]}
    before = _orders_of(client, chain, shop)
    first = client.post("/v1/orders", json=body, headers=_keyed(chain, key))
    again = client.post("/v1/orders", json=body, headers=_keyed(chain, key))
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert _orders_of(client, chain, shop) == [*before, first.json()["id"]]
    other = client.post("/v1/orders", json={**body, "note": "x"}, headers=_keyed(chain, key))
    assert_problem(other, 422, "idempotency-key-reused")
    assert _orders_of(client, chain, shop) == [*before, first.json()["id"]]


def test_a_retried_pay_answers_the_same_and_sells_once(client, chain, settings, shop, cola):
    made = order(client, chain, shop["id"], [line(cola, 2)])
    key = f"pay-{uuid.uuid4()}"
    start = on_hand(client, chain, shop["id"], cola["id"])
    first = pay(client, chain, made["id"], cash(1000), headers=_keyed(chain, key))
    again = pay(client, chain, made["id"], cash(1000), headers=_keyed(chain, key))
    assert first.status_code == again.status_code == 200, first.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert first.json()["change"] == 300
    assert len(movements(client, chain, made["id"])) == 1
    assert on_hand(client, chain, shop["id"], cola["id"]) == start - 2
    assert_problem(
        pay(client, chain, made["id"], cash(700), headers=_keyed(chain, key)),
        422,
        "idempotency-key-reused",
    )
    # without the key, a second pay is refused: never a second charge
    assert_problem(pay(client, chain, made["id"], cash(1000)), 409, "order-state")
    level, total, _ = ledger(settings, shop["id"], cola["id"])
    assert level == total


def test_concurrent_retries_create_one_order_and_sell_once(client, chain, settings, shop, cola):
    key = f"together-{uuid.uuid4()}"
    body = {"channel": "pos", "store_id": shop["id"], "lines": [line(cola, 3)]}
    before = _orders_of(client, chain, shop)
    created = _together(client, [("POST", "/v1/orders", _keyed(chain, key), body)] * 8)
    assert {r.status_code for r in created} == {201}, [r.text for r in created]
    assert len({r.json()["id"] for r in created}) == 1
    order_id = created[0].json()["id"]
    assert _orders_of(client, chain, shop) == [*before, order_id]
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in created) == 7

    start = on_hand(client, chain, shop["id"], cola["id"])
    pay_key = f"together-pay-{uuid.uuid4()}"
    path = f"/v1/orders/{order_id}/pay"
    paid = _together(
        client, [("POST", path, _keyed(chain, pay_key), {"payments": [cash(1050)]})] * 8
    )
    assert {r.status_code for r in paid} == {200}, [r.text for r in paid]
    assert len({r.text for r in paid}) == 1
    assert len(movements(client, chain, order_id)) == 1
    assert on_hand(client, chain, shop["id"], cola["id"]) == start - 3
    # the same pay without a key, at once: one succeeds, the others find it paid
    again = order(client, chain, shop["id"], [line(cola)])
    racing = _together(
        client,
        [("POST", f"/v1/orders/{again['id']}/pay", chain.headers, {"payments": [cash(350)]})] * 6,
    )
    assert sorted(r.status_code for r in racing) == [200] + [409] * 5
    assert len(movements(client, chain, again["id"])) == 1
    level, total, _ = ledger(settings, shop["id"], cola["id"])
    assert level == total


def test_many_tills_selling_one_sku_keep_the_level_exact(client, chain, settings, shop):
    """40 orders of the same SKU created and paid at once: the level equals the ledger sum and
    the stock it started with minus what was sold."""
    buns = product(client, chain, price=150, unit="kg")
    receive(client, chain, shop["id"], buns["id"], "500")
    quantities = [Decimal(1 + i % 4) + Decimal("0.125") for i in range(40)]

    async def sell(http: httpx.AsyncClient, quantity: Decimal) -> Any:
        body = {"channel": "pos", "store_id": shop["id"], "lines": [line(buns, str(quantity))]}
        made = await http.post("/v1/orders", json=body, headers=chain.headers)
        assert made.status_code == 201, made.text
        total = made.json()["total"]
        paid = await http.post(
            f"/v1/orders/{made.json()['id']}/pay",
            json={"payments": [cash(total)]},
            headers=chain.headers,
        )
        assert paid.status_code == 200, paid.text
        return paid.json()

    async def all_at_once() -> list[Any]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bodega") as http:
            return await asyncio.gather(*(sell(http, q) for q in quantities))

    paid = client.blocking_portal.call(all_at_once)
    assert {p["status"] for p in paid} == {"paid"}
    sold = sum(quantities, Decimal(0))
    level, total, count = ledger(settings, shop["id"], buns["id"])
    assert level == total == Decimal(500) - sold
    assert count == 1 + len(quantities)
    assert on_hand(client, chain, shop["id"], buns["id"]) == Decimal(500) - sold
