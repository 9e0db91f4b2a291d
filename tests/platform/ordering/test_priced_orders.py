"""Orders are priced as quotes are: price lists, markdowns, promotions and plugins' discounts
become the lines' prices and discounts, the order keeps the adjustments with their reasons,
promotions' usage limits are counted when an order is made and given back when it is
cancelled, and the cashier's own discounts come off what is left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.ordering.helpers import (
    cash,
    created,
    line,
    member,
    order,
    pay,
    product,
    store,
)
from tests.plugins import price_match


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


def promotion(client, chain, name, rule, **fields):
    body = {"name": name, "rule": rule, **fields}
    return created(client.post("/v1/promotions", json=body, headers=chain.headers))


def quote_of(client, chain, shop, lines, **fields):
    body = {"store_id": shop["id"], "lines": lines, **fields}
    return created(client.post("/v1/quotes", json=body, headers=chain.headers), 200)


def test_an_order_is_priced_like_its_quote(client, chain, shop):
    juice = product(client, chain, price=500, sku="PO-JUICE")
    water = product(client, chain, price=200, sku="PO-WATER")
    offer = promotion(
        client,
        chain,
        "Juice 2 for 8",
        {"type": "multi_buy", "quantity": 2, "price": 800},
        product_ids=[juice["id"]],
    )
    lines = [line(juice, 2), line(water, 3)]
    quoted = quote_of(client, chain, shop, lines)
    made = order(client, chain, shop["id"], lines)
    assert made["total"] == quoted["total"] == 800 + 600
    assert [(li["unit_price"], li["gross"], li["discount"]) for li in made["lines"]] == [
        (500, 1000, 200),
        (200, 600, 0),
    ]
    assert made["adjustments"] == quoted["adjustments"]
    assert made["adjustments"][0]["source_id"] == offer["id"]
    assert made["lines"][0]["adjustments"] == [
        {"kind": "promotion", "source_id": offer["id"], "name": "Juice 2 for 8", "amount": 200}
    ]
    fetched = created(client.get(f"/v1/orders/{made['id']}", headers=chain.headers), 200)
    assert fetched["adjustments"] == made["adjustments"]


def test_the_cashiers_discount_comes_off_what_the_promotion_left(client, chain, shop):
    tea = product(client, chain, price=1000, sku="PO-TEA")
    promotion(
        client, chain, "Tea 20 %", {"type": "percent_off", "percent": "20"}, product_ids=[tea["id"]]
    )
    made = order(client, chain, shop["id"], [line(tea, 1, discount_percent="10")])
    (priced,) = made["lines"]
    # 1000 - 20 % = 800, then the cashier's 10 % of 800 = 80
    assert (priced["gross"], priced["discount"], priced["total"]) == (1000, 280, 720)
    overridden = order(client, chain, shop["id"], [line(tea, 1, unit_price=900)])
    (priced,) = overridden["lines"]
    assert priced["price_overridden"] is True
    # an override is still promoted by non-exclusive promotions: 900 - 20 % = 720
    assert (priced["unit_price"], priced["discount"], priced["total"]) == (900, 180, 720)


def test_usage_limits_are_counted_by_orders_and_given_back_on_cancel(client, chain, shop):
    cake = product(client, chain, price=3000, sku="PO-CAKE")
    once = promotion(
        client,
        chain,
        "First cake half price",
        {"type": "percent_off", "percent": "50"},
        product_ids=[cake["id"]],
        usage_limit=1,
    )
    first = order(client, chain, shop["id"], [line(cake, 1)])
    assert first["total"] == 1500
    second = order(client, chain, shop["id"], [line(cake, 1)])
    assert second["total"] == 3000
    again = quote_of(client, chain, shop, [line(cake, 1)])
    (used_up,) = again["not_applied"]
    assert used_up["promotion_id"] == once["id"]
    assert "used up" in used_up["reason"]
    cancelled = client.post(
        f"/v1/orders/{first['id']}/cancel",
        json={"version": first["version"]},
        headers=chain.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    third = order(client, chain, shop["id"], [line(cake, 1)])
    assert third["total"] == 1500
    fetched = created(client.get(f"/v1/promotions/{once['id']}", headers=chain.headers), 200)
    assert fetched["uses"] == 1


def test_per_member_limits_count_each_members_orders(client, chain, shop):
    pie = product(client, chain, price=2000, sku="PO-PIE")
    promotion(
        client,
        chain,
        "A pie for members",
        {"type": "amount_off", "amount": 500},
        product_ids=[pie["id"]],
        members_only=True,
        per_member_limit=1,
    )
    first, other = member(client, chain)["id"], member(client, chain)["id"]
    assert order(client, chain, shop["id"], [line(pie, 1)], member_id=first)["total"] == 1500
    assert order(client, chain, shop["id"], [line(pie, 1)], member_id=first)["total"] == 2000
    assert order(client, chain, shop["id"], [line(pie, 1)], member_id=other)["total"] == 1500
    unknown = "0195f3a0-0000-7000-8000-0000000000bb"
    refused = client.post(
        "/v1/orders",
        json={
            "channel": "pos",
            "store_id": shop["id"],
            "lines": [line(pie, 1)],
            "member_id": unknown,
        },
        headers=chain.headers,
    )
    assert assert_problem(refused, 422)["errors"] == [
        {"field": "member_id", "message": "unknown member"}
    ]


@pytest.fixture
def behaviour() -> Iterator[dict[str, str]]:
    price_match.BEHAVIOUR["mode"] = "ok"
    yield price_match.BEHAVIOUR
    price_match.BEHAVIOUR["mode"] = "ok"


def test_a_plugin_adds_its_discount_and_a_failing_one_is_left_out(client, behaviour):
    chain = sign_up(client)
    shop = store(client, chain)
    milk = product(client, chain, price=1500, sku="PM-MILK")
    enabled = client.put(
        "/v1/plugins/price_match",
        json={"settings": {"prices": {"PM-MILK": 1290}}},
        headers=chain.headers,
    )
    assert enabled.status_code == 200, enabled.text
    quoted = quote_of(client, chain, shop, [line(milk, 2)])
    (adjustment,) = quoted["adjustments"]
    assert (adjustment["kind"], adjustment["plugin"], adjustment["amount"]) == (
        "plugin",
        "price_match",
        420,
    )
    assert quoted["total"] == 2580
    made = order(client, chain, shop["id"], [line(milk, 2)])
    assert made["total"] == 2580
    paid = pay(client, chain, made["id"], cash(3000))
    assert paid.status_code == 200, paid.text
    behaviour["mode"] = "raise"
    failed = quote_of(client, chain, shop, [line(milk, 2)])
    assert failed["total"] == 3000
    (left_out,) = failed["not_applied"]
    assert (left_out["code"], left_out["plugin"]) == ("plugin_failed", "price_match")
    behaviour["mode"] = "garbage"
    assert quote_of(client, chain, shop, [line(milk, 2)])["total"] == 3000


def test_a_cashiers_discount_beyond_what_promotions_left_is_refused(client, chain, shop):
    soup = product(client, chain, price=800, sku="PO-SOUP")
    promotion(
        client,
        chain,
        "Soup 50 %",
        {"type": "percent_off", "percent": "50"},
        product_ids=[soup["id"]],
    )
    body = {
        "channel": "pos",
        "store_id": shop["id"],
        "lines": [line(soup, 1, discount_amount=500)],
    }
    refused = client.post("/v1/orders", json=body, headers=chain.headers)
    problem = assert_problem(refused, 422)
    assert problem["errors"][0]["field"] == "lines[0].discount_amount"
    assert "more than the line's amount (400)" in problem["errors"][0]["message"]
