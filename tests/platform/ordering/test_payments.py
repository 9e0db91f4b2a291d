"""Paying orders: cash with change, card and stripe references, split tender, the sale
movements written with the payment, events, and payments refused with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import assert_problem
from tests.platform.ordering.helpers import (
    cash,
    events,
    get,
    ledger,
    line,
    movements,
    on_hand,
    order,
    pay,
    product,
    receive,
    state,
    store,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


@pytest.fixture(scope="module")
def cola(client, chain, shop):
    made = product(client, chain, price=350, cost_price=200)
    receive(client, chain, shop["id"], made["id"], "100")
    return made


@pytest.fixture(scope="module")
def cheese(client, chain, shop):
    made = product(client, chain, price=2580, unit="kg", tax_rate="9", cost_price=1500)
    receive(client, chain, shop["id"], made["id"], "5.000")
    return made


def test_cash_gives_change_and_the_sale_leaves_the_stock(
    client, chain, settings, shop, cola, cheese
):
    """700 + 1174 = 1874 paid with 2000 in cash: 126 change; the sale movements are written
    with the payment, valued at cost, and the levels equal the ledger."""
    made = order(client, chain, shop["id"], [line(cola, 2), line(cheese, "0.455")])
    assert made["total"] == 1874
    start = (
        on_hand(client, chain, shop["id"], cola["id"]),
        on_hand(client, chain, shop["id"], cheese["id"]),
    )
    assert movements(client, chain, made["id"]) == []  # an open order moves no stock

    paid = pay(client, chain, made["id"], cash(2000))
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert (body["status"], body["paid_total"], body["change"]) == ("paid", 1874, 126)
    assert [
        (p["method"], p["amount"], p["tendered"], p["reference"]) for p in body["payments"]
    ] == [("cash", 1874, 2000, None)]
    assert body["paid_at"] is not None
    assert body["version"] == made["version"] + 1
    assert get(client, chain, made["id"]) == body

    sold = movements(client, chain, made["id"])
    assert [(m["product_id"], m["kind"], m["quantity"], m["source_type"]) for m in sold] == [
        (cola["id"], "sale", "-2.000", "order"),
        (cheese["id"], "sale", "-0.455", "order"),
    ]
    assert [m["value"] for m in sold] == [-400, -683]  # at cost: 2 x 200, 0.455 x 1500 = 682.5
    assert on_hand(client, chain, shop["id"], cola["id"]) == start[0] - 2
    assert on_hand(client, chain, shop["id"], cheese["id"]) == start[1] - Decimal("0.455")
    for product_id in (cola["id"], cheese["id"]):
        level, total, _ = ledger(settings, shop["id"], product_id)
        assert level == total

    paid_events = [e for e in events(client, chain, "order.paid") if e["data"]["id"] == made["id"]]
    assert len(paid_events) == 1
    assert paid_events[0]["data"]["change"] == 126
    assert paid_events[0]["data"]["status"] == "paid"


def test_split_tender_card_and_stripe_references_are_kept(client, chain, shop, cola):
    made = order(client, chain, shop["id"], [line(cola, 3)])  # 1050
    paid = pay(
        client,
        chain,
        made["id"],
        {"method": "card", "amount": 500, "reference": "TERM-7-000123"},
        {"method": "stripe", "amount": 300, "reference": "pi_3Nabc"},
        cash(500),
    )
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert [
        (p["method"], p["amount"], p["tendered"], p["reference"]) for p in body["payments"]
    ] == [
        ("card", 500, 500, "TERM-7-000123"),
        ("stripe", 300, 300, "pi_3Nabc"),
        ("cash", 250, 500, None),
    ]
    assert body["change"] == 250


def test_pay_and_hand_over_at_once(client, chain, shop, cola):
    made = order(client, chain, shop["id"], [line(cola)])
    paid = pay(client, chain, made["id"], {"method": "card", "amount": 350, "reference": "T1"},
               fulfil=True)  # fmt: skip
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "fulfilled"
    assert paid.json()["fulfilled_at"] == paid.json()["paid_at"]
    kinds = [e["type"] for e in events(client, chain) if e["data"]["id"] == made["id"]]
    assert kinds == ["order.created", "order.paid", "order.fulfilled"]


def test_a_free_order_is_paid_with_nothing(client, chain, shop, cola):
    made = order(client, chain, shop["id"], [line(cola, discount_percent="100")])
    assert made["total"] == 0
    paid = pay(client, chain, made["id"])
    assert paid.status_code == 200, paid.text
    assert (paid.json()["status"], paid.json()["payments"]) == ("paid", [])


@pytest.mark.parametrize(
    ("payments", "status", "slug", "field", "message"),
    [
        ([cash(349)], 422, "validation-error", "payments", "do not cover the total (350)"),
        ([{"method": "card", "amount": 400, "reference": "T"}], 422, "validation-error",
         "payments", "only cash"),
        ([{"method": "card", "amount": 350}], 422, "validation-error", "payments[0].reference",
         "terminal"),
        ([{"method": "stripe", "amount": 350}], 422, "validation-error",
         "payments[0].reference", "PaymentIntent"),
        ([{"method": "wallet", "amount": 350}], 422, "payment-method-unavailable",
         "payments[0].method", "membership"),
        ([cash(100), {"method": "points", "amount": 250}], 422, "payment-method-unavailable",
         "payments[1].method", "membership"),
        ([cash(0)], 422, "validation-error", "payments[0].amount", ""),
        ([cash(-5)], 422, "validation-error", "payments[0].amount", ""),
        ([{"method": "iou", "amount": 350}], 422, "validation-error", "payments[0].method", ""),
    ],
)  # fmt: skip
def test_a_refused_payment_writes_nothing(
    client, chain, settings, shop, cola, payments, status, slug, field, message
):
    made = order(client, chain, shop["id"], [line(cola)])
    before = state(client, chain, settings, made["id"], [cola["id"]])
    refused = assert_problem(pay(client, chain, made["id"], *payments), status, slug)
    assert field in [e["field"] for e in refused["errors"]], refused
    assert any(message in e["message"] for e in refused["errors"]), refused
    assert state(client, chain, settings, made["id"], [cola["id"]]) == before
    assert before["order"]["status"] == "open"


def test_paying_twice_is_a_conflict_never_a_second_charge(client, chain, settings, shop, cola):
    made = order(client, chain, shop["id"], [line(cola)])
    assert pay(client, chain, made["id"], cash(350)).status_code == 200
    before = state(client, chain, settings, made["id"], [cola["id"]])
    again = assert_problem(pay(client, chain, made["id"], cash(350)), 409, "order-state")
    assert "paid already" in again["detail"]
    assert again["order_status"] == "paid"
    assert state(client, chain, settings, made["id"], [cola["id"]]) == before
    assert len(movements(client, chain, made["id"])) == 1


def test_a_cancelled_order_cannot_be_paid(client, chain, settings, shop, cola):
    made = order(client, chain, shop["id"], [line(cola)])
    cancelled = client.post(f"/v1/orders/{made['id']}/cancel", json={}, headers=chain.headers)
    assert cancelled.status_code == 200, cancelled.text
    before = state(client, chain, settings, made["id"], [cola["id"]])
    refused = assert_problem(pay(client, chain, made["id"], cash(350)), 409, "order-state")
    assert "cancelled" in refused["detail"]
    assert state(client, chain, settings, made["id"], [cola["id"]]) == before


def test_a_stale_version_is_refused(client, chain, settings, shop, cola):
    made = order(client, chain, shop["id"], [line(cola)])
    refused = pay(client, chain, made["id"], cash(350), version=made["version"] + 1)
    assert_problem(refused, 409, "version-conflict")
    fresh = pay(client, chain, made["id"], cash(350), version=made["version"])
    assert fresh.status_code == 200, fresh.text


def test_an_unknown_order_is_404(client, chain):
    missing = "01a20000-0000-7000-8000-00000000dead"
    assert_problem(pay(client, chain, missing, cash(1)), 404, "not-found")
