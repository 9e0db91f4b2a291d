"""Refunds and returns: parts and the rest, restocked or damaged goods in the ledger, money
back through the payments largest first, amount overrides, and refunds that are refused
with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import assert_problem
from tests.platform.ordering.helpers import (
    cash,
    events,
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
    receive(client, chain, shop["id"], made["id"], "10")
    return made


def _refund(client, chain, order_id: str, body: dict | None = None):
    return client.post(f"/v1/orders/{order_id}/refunds", json=body or {}, headers=chain.headers)


def _paid(client, chain, shop, lines, *payments) -> dict:
    made = order(client, chain, shop["id"], lines)
    response = pay(client, chain, made["id"], *(payments or [cash(made["total"])]))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_part_comes_back_to_the_shelf_then_the_rest(client, chain, settings, shop, cola, cheese):
    """3 colas for 1000 (discounted) and 0.455 kg of cheese (1174): one cola back (333),
    then everything left (667 + 1174); stock and ledger follow."""
    paid = _paid(client, chain, shop, [line(cola, 3, discount_amount=50), line(cheese, "0.455")])
    assert paid["total"] == 1000 + 1174
    cola_line = paid["lines"][0]
    start = on_hand(client, chain, shop["id"], cola["id"])

    first = _refund(client, chain, paid["id"], {
        "lines": [{"line_id": cola_line["id"], "quantity": 1, "restock": True}],
        "reason": "changed mind",
    })  # fmt: skip
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["refunded_total"]) == ("partially_refunded", 333)
    (refund,) = body["refunds"]
    assert (refund["amount"], refund["reason"]) == (333, "changed mind")
    assert [(r["line_id"], r["quantity"], r["amount"], r["restock"]) for r in refund["lines"]] == [
        (cola_line["id"], "1", 333, True)
    ]
    assert refund["payments"] == [
        {"payment_id": paid["payments"][0]["id"], "method": "cash", "amount": 333}
    ]
    assert (body["lines"][0]["refunded_quantity"], body["lines"][0]["refunded_amount"]) == (
        "1",
        333,
    )
    assert body["payments"][0]["refunded"] == 333
    back = movements(client, chain, refund["id"])
    assert [(m["kind"], m["quantity"], m["source_type"]) for m in back] == [
        ("return", "1.000", "order_refund")
    ]
    assert on_hand(client, chain, shop["id"], cola["id"]) == start + 1

    rest = _refund(client, chain, paid["id"])
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert (body["status"], body["refunded_total"]) == ("refunded", 2174)
    assert body["refunds"][1]["amount"] == 667 + 1174
    assert [(r["quantity"], r["amount"]) for r in body["refunds"][1]["lines"]] == [
        ("2", 667),
        ("0.455", 1174),
    ]
    assert [(x["refunded_quantity"], x["refunded_amount"]) for x in body["lines"]] == [
        ("3", 1000),
        ("0.455", 1174),
    ]
    assert on_hand(client, chain, shop["id"], cola["id"]) == start + 3
    for product_id in (cola["id"], cheese["id"]):
        level, total, _ = ledger(settings, shop["id"], product_id)
        assert level == total
    refunded = [e["data"]["status"] for e in events(client, chain, "order.refunded")
                if e["data"]["id"] == paid["id"]]  # fmt: skip
    assert refunded == ["partially_refunded", "refunded"]


def test_damaged_goods_come_back_as_a_return_and_a_loss(client, chain, settings, shop, cola):
    paid = _paid(client, chain, shop, [line(cola, 2)])
    start = on_hand(client, chain, shop["id"], cola["id"])
    body = _refund(client, chain, paid["id"], {
        "lines": [{"line_id": paid["lines"][0]["id"], "quantity": 2, "restock": False}]
    }).json()  # fmt: skip
    refund = body["refunds"][0]
    assert (refund["amount"], refund["lines"][0]["restock"]) == (700, False)
    moved = movements(client, chain, refund["id"])
    assert [(m["kind"], m["quantity"], m["reason"]) for m in moved] == [
        ("return", "2.000", None),
        ("loss", "-2.000", "damaged"),
    ]
    assert [m["value"] for m in moved] == [400, -400]
    assert on_hand(client, chain, shop["id"], cola["id"]) == start
    level, total, _ = ledger(settings, shop["id"], cola["id"])
    assert level == total


def test_money_goes_back_largest_payment_first(client, chain, shop, cola):
    """1050 paid by card 700 and cash 350 (tendered 500): a refund of 800 takes 700 from the
    card and 100 from the cash; then 250 from the cash."""
    paid = _paid(
        client,
        chain,
        shop,
        [line(cola, 3)],
        {"method": "card", "amount": 700, "reference": "T-9"},
        cash(500),
    )
    card, money = paid["payments"]
    assert (money["amount"], paid["change"]) == (350, 150)
    first = _refund(client, chain, paid["id"], {"lines": [], "amount": 800}).json()
    assert first["refunds"][0]["payments"] == [
        {"payment_id": card["id"], "method": "card", "amount": 700},
        {"payment_id": money["id"], "method": "cash", "amount": 100},
    ]
    assert first["refunds"][0]["lines"] == []
    assert first["status"] == "partially_refunded"
    assert [x["refunded_quantity"] for x in first["lines"]] == ["0"]  # money only
    second = _refund(client, chain, paid["id"], {"lines": [], "amount": 250}).json()
    assert second["refunds"][1]["payments"] == [
        {"payment_id": money["id"], "method": "cash", "amount": 250}
    ]
    assert (second["status"], second["refunded_total"]) == ("refunded", 1050)
    assert [p["refunded"] for p in second["payments"]] == [700, 350]


def test_an_amount_replaces_the_value_of_what_comes_back(client, chain, shop, cola):
    paid = _paid(client, chain, shop, [line(cola, 2)])
    body = _refund(client, chain, paid["id"], {
        "lines": [{"line_id": paid["lines"][0]["id"], "quantity": 1}], "amount": 100
    }).json()  # fmt: skip
    assert (body["refunded_total"], body["refunds"][0]["amount"]) == (100, 100)
    assert body["refunds"][0]["lines"][0]["amount"] == 350  # the goods' value, for the record
    assert body["status"] == "partially_refunded"


@pytest.mark.parametrize(
    ("refund", "field", "message"),
    [
        ({"lines": [{"quantity": 3}]}, "lines[0].quantity", "at most 2 of this line"),
        ({"lines": [{"quantity": 2}, {"quantity": 1}]}, "lines[1].quantity", "at most 2"),
        ({"lines": [{"quantity": "0.5"}]}, "lines[0].quantity", "whole number"),
        ({"lines": [{"quantity": -1}]}, "lines[0].quantity", "must not be negative"),
        ({"lines": [{"quantity": 0}]}, "lines[0].quantity", "must not be zero"),
        ({"lines": [{"quantity": 1, "line_id": "01a20000-0000-7000-8000-00000000beef"}]},
         "lines[0].line_id", "not a line of this order"),
        ({"lines": [], "amount": 701}, "amount", "at most 700"),
        ({"amount": 701}, "amount", "at most 700"),
        ({"lines": []}, "amount", "give the amount"),
        ({"lines": [], "amount": 0}, "amount", ""),
    ],
)  # fmt: skip
def test_a_refund_beyond_what_was_sold_writes_nothing(
    client, chain, settings, shop, cola, refund, field, message
):
    paid = _paid(client, chain, shop, [line(cola, 2)])
    lines = [{"line_id": paid["lines"][0]["id"], **x} for x in refund.get("lines", [])]
    body = {**refund, **({"lines": lines} if "lines" in refund else {})}
    before = state(client, chain, settings, paid["id"], [cola["id"]])
    refused = assert_problem(_refund(client, chain, paid["id"], body), 422)
    assert field in [e["field"] for e in refused["errors"]], refused
    assert any(message in e["message"] for e in refused["errors"]), refused
    assert state(client, chain, settings, paid["id"], [cola["id"]]) == before


def test_what_was_refunded_cannot_come_back_twice(client, chain, settings, shop, cola):
    paid = _paid(client, chain, shop, [line(cola, 2)])
    one = {"lines": [{"line_id": paid["lines"][0]["id"], "quantity": 1}]}
    assert _refund(client, chain, paid["id"], one).status_code == 200
    assert _refund(client, chain, paid["id"], {"lines": [], "amount": 350}).status_code == 200
    before = state(client, chain, settings, paid["id"], [cola["id"]])
    assert before["order"]["status"] == "refunded"
    assert_problem(_refund(client, chain, paid["id"], one), 409, "order-state")
    assert state(client, chain, settings, paid["id"], [cola["id"]]) == before


def test_all_goods_back_for_less_money_leaves_the_rest_refundable(client, chain, shop, cola):
    paid = _paid(client, chain, shop, [line(cola, 2)])
    body = _refund(client, chain, paid["id"], {"amount": 500}).json()
    assert (body["status"], body["refunded_total"]) == ("partially_refunded", 500)
    nothing_left = _refund(client, chain, paid["id"])
    problem = assert_problem(nothing_left, 422)
    assert problem["errors"][0]["field"] == "lines"
    rest = _refund(client, chain, paid["id"], {"amount": 200}).json()
    assert (rest["status"], rest["refunded_total"]) == ("refunded", 700)
    assert Decimal(rest["lines"][0]["refunded_quantity"]) == 2
