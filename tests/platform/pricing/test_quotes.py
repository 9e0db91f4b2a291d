"""Quotes through REST and GraphQL: each promotion type in a real basket, markdowns before and
after closing time and by lot expiry, price lists, "was" prices, the explanations, and the
refusals. The engine's arithmetic is tested in test_engine.py; here the pieces come together
as a till would use them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import assert_problem, graphql
from tests.platform.ordering.helpers import created, product

QUOTES = "/v1/quotes"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def quote(client, chain, store_id: str, *lines: tuple[dict[str, Any], Any], **extra: Any) -> Any:
    body = {
        "store_id": store_id,
        "lines": [{"product_id": p["id"], "quantity": str(q)} for p, q in lines],
        **extra,
    }
    return client.post(QUOTES, json=body, headers=chain.headers)


def quoted(client, chain, store_id: str, *lines: tuple[dict[str, Any], Any], **extra: Any):
    response = quote(client, chain, store_id, *lines, **extra)
    assert response.status_code == 200, response.text
    return response.json()


def promotion(client, chain, name: str, rule: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"name": name, "rule": rule, **fields}
    return created(client.post("/v1/promotions", json=body, headers=chain.headers))


def archive(client, chain, *items: dict[str, Any], path: str = "/v1/promotions") -> None:
    for item in items:
        response = client.delete(f"{path}/{item['id']}", headers=chain.headers)
        assert response.status_code in (200, 204), response.text


def local(hour: int, minute: int = 0, *, days: int = 1, zone: ZoneInfo = SHANGHAI) -> str:
    """Tomorrow (or in ``days``) at hour:minute in ``zone``, as an ISO time with offset."""
    day = datetime.now(zone).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()


@pytest.fixture(scope="module")
def shop(client, chain):
    body = {"code": "Q-1", "name": "Quote St", "timezone": "Asia/Shanghai", "closes_at": "21:00"}
    return created(client.post("/v1/stores", json=body, headers=chain.headers))


@pytest.fixture(scope="module")
def cola(client, chain):
    return product(client, chain, price=350, sku="Q-COLA")


@pytest.fixture(scope="module")
def chips(client, chain):
    return product(client, chain, price=600, sku="Q-CHIPS")


@pytest.fixture(scope="module")
def bread(client, chain):
    return product(client, chain, price=1200, sku="Q-BREAD", tax_rate="9")


def test_a_plain_basket_is_priced_at_list_prices_with_its_taxes(client, chain, shop, cola, bread):
    body = quoted(client, chain, shop["id"], (cola, 2), (bread, 1), at=local(10))
    assert [
        (li["unit_price"], li["gross"], li["discount"], li["total"]) for li in body["lines"]
    ] == [
        (350, 700, 0, 700),
        (1200, 1200, 0, 1200),
    ]
    assert body["lines"][0]["price_source"] == {"type": "list_price", "id": None, "name": None}
    assert (body["subtotal"], body["discount_total"], body["total"], body["savings"]) == (
        1900,
        0,
        1900,
        0,
    )
    # 9 %: 1200 * 9 / 109 = 99.08 -> 99; 13 %: 700 * 13 / 113 = 80.53 -> 81
    assert [(t["rate"], t["gross"], t["tax"]) for t in body["taxes"]] == [
        ("9.00", 1200, 99),
        ("13.00", 700, 81),
    ]
    assert body["adjustments"] == []
    assert body["not_applied"] == []


def test_a_threshold_explains_what_is_missing_then_applies(client, chain, shop, cola, chips):
    """满减: spend 20.00 get 3.00 off, 40.00 get 8.00 off."""
    offer = promotion(
        client,
        chain,
        "Spend and save",
        {"type": "threshold", "steps": [{"spend": 2000, "off": 300}, {"spend": 4000, "off": 800}]},
    )
    try:
        below = quoted(client, chain, shop["id"], (cola, 2), (chips, 1), at=local(10))
        (missing,) = below["not_applied"]
        assert missing["code"] == "below_threshold"
        assert missing["promotion_id"] == offer["id"]
        assert "Spend 7.00 more" in missing["reason"]  # 2000 - 1300
        body = quoted(client, chain, shop["id"], (cola, 4), (chips, 2), at=local(10))
        (adjustment,) = body["adjustments"]
        # 1400 + 1200 = 2600 >= 2000: 300 off in proportion: 300 * 1400 / 2600 = 161.54 -> 161,
        # 300 * 1200 / 2600 = 138.46 -> 138; the cent left goes to the larger remainder (.54)
        assert adjustment["amount"] == 300
        assert [(a["position"], a["amount"]) for a in adjustment["lines"]] == [(1, 162), (2, 138)]
        assert sum(li["discount"] for li in body["lines"]) == 300
        assert body["total"] == 2300
        assert "spent 26.00" in adjustment["reason"]
    finally:
        archive(client, chain, offer)


def test_buy_one_get_one_free_gives_the_cheapest_unit(client, chain, shop, cola, chips):
    offer = promotion(
        client,
        chain,
        "Snacks BOGO",
        {"type": "buy_x_get_y", "buy": 1, "get": 1},
        product_ids=[cola["id"], chips["id"]],
    )
    try:
        alone = quoted(client, chain, shop["id"], (chips, 1), at=local(10))
        assert [n["code"] for n in alone["not_applied"]] == ["not_enough_units"]
        assert "Add 1 more unit" in alone["not_applied"][0]["reason"]
        body = quoted(client, chain, shop["id"], (chips, 1), (cola, 1), at=local(10))
        (adjustment,) = body["adjustments"]
        assert adjustment["amount"] == 350  # the cola, the cheaper one, is free
        assert adjustment["lines"] == [{"position": 2, "amount": 350}]
        assert adjustment["reason"] == "Buy 1 get 1 free"
        assert body["total"] == 600
        assert body["lines"][1]["adjustments"] == [
            {"kind": "promotion", "source_id": offer["id"], "name": "Snacks BOGO", "amount": 350}
        ]
    finally:
        archive(client, chain, offer)


def test_an_exclusive_promotion_says_why_the_other_did_not_apply(client, chain, shop, cola, chips):
    first = promotion(
        client,
        chain,
        "Cola week",
        {"type": "percent_off", "percent": "20"},
        product_ids=[cola["id"]],
        priority=10,
        exclusive=True,
    )
    second = promotion(
        client,
        chain,
        "Drinks 10 %",
        {"type": "percent_off", "percent": "10"},
        product_ids=[cola["id"]],
        priority=1,
    )
    try:
        body = quoted(client, chain, shop["id"], (cola, 1), (chips, 1), at=local(10))
        (adjustment,) = body["adjustments"]
        assert (adjustment["name"], adjustment["lines"]) == (
            "Cola week",
            [{"position": 1, "amount": 70}],
        )
        (refused,) = body["not_applied"]
        assert (refused["promotion_id"], refused["code"]) == (second["id"], "excluded")
        assert "Cola week" in refused["reason"]
        assert body["total"] == 280 + 600
    finally:
        archive(client, chain, first, second)


def test_conditions_are_explained(client, chain, shop, cola):
    members = promotion(
        client,
        chain,
        "Members' cola",
        {"type": "fixed_price", "price": 300},
        product_ids=[cola["id"]],
        members_only=True,
    )
    evening = promotion(
        client,
        chain,
        "Happy hour",
        {"type": "amount_off", "amount": 50},
        product_ids=[cola["id"]],
        happy_hours=[{"days": [], "start": "17:00", "end": "19:00"}],
    )
    try:
        morning = quoted(client, chain, shop["id"], (cola, 1), at=local(10))
        reasons = {n["name"]: n for n in morning["not_applied"]}
        assert reasons["Members' cola"]["code"] == "blocked"
        assert "members only" in reasons["Members' cola"]["reason"].lower()
        assert "17:00" in reasons["Happy hour"]["reason"]
        member = created(
            client.post("/v1/members", json={"phone": "+8613900000001"}, headers=chain.headers)
        )["id"]
        happy = quoted(client, chain, shop["id"], (cola, 1), at=local(18), member_id=member)
        assert {a["name"]: a["amount"] for a in happy["adjustments"]} == {
            "Members' cola": 50,  # 350 -> 300
            "Happy hour": 50,  # then 50 off what is left
        }
        assert happy["total"] == 250
    finally:
        archive(client, chain, members, evening)


@pytest.fixture(scope="module")
def bread_markdown(client, chain, bread):
    body = {
        "name": "Bread before closing",
        "basis": "closing",
        "steps": [{"hours_before": "3", "percent": "20"}, {"hours_before": "1", "percent": "50"}],
        "floor_percent": "40",
        "product_ids": [bread["id"]],
    }
    return created(client.post("/v1/markdown-rules", json=body, headers=chain.headers))


def test_bread_is_marked_down_before_closing_and_the_quote_says_why(
    client, chain, shop, bread, bread_markdown
):
    afternoon = quoted(client, chain, shop["id"], (bread, 1), at=local(17))
    assert afternoon["lines"][0]["unit_price"] == 1200
    assert afternoon["adjustments"] == []
    evening = quoted(client, chain, shop["id"], (bread, 2), at=local(19, 30))
    (line,) = evening["lines"]
    assert (line["regular_price"], line["unit_price"], line["gross"]) == (1200, 960, 1920)
    (markdown,) = evening["adjustments"]
    assert markdown["kind"] == "markdown"
    assert markdown["source_id"] == bread_markdown["id"]
    assert markdown["amount"] == 480
    assert markdown["reason"].startswith("20 % off: 1.5 h to closing at 21:00")
    assert evening["savings"] == 480
    assert line["was_price"] == 1200  # the lowest of the prior 30 days: its regular price
    late = quoted(client, chain, shop["id"], (bread, 1), at=local(20, 30))
    assert late["lines"][0]["unit_price"] == 600  # 50 % off, above the 40 % floor (480)


def test_markdowns_follow_each_stores_own_clock(client, chain, bread, bread_markdown):
    body = {"code": "Q-LDN", "name": "London", "timezone": "Europe/London", "closes_at": "21:00"}
    london = created(client.post("/v1/stores", json=body, headers=chain.headers))
    shanghai = created(
        client.post(
            "/v1/stores",
            json={
                "code": "Q-SH",
                "name": "Shanghai",
                "timezone": "Asia/Shanghai",
                "closes_at": "21:00",
            },
            headers=chain.headers,
        )
    )
    at = local(20, 30)  # 20:30 in Shanghai is early afternoon in London
    assert quoted(client, chain, shanghai["id"], (bread, 1), at=at)["lines"][0]["unit_price"] == 600
    assert quoted(client, chain, london["id"], (bread, 1), at=at)["lines"][0]["unit_price"] == 1200


def test_fresh_goods_are_marked_down_by_the_lots_expiry(client, chain, shop):
    tart = product(client, chain, price=1000, sku="Q-TART")
    rule = created(
        client.post(
            "/v1/markdown-rules",
            json={
                "name": "Tarts near expiry",
                "basis": "expiry",
                "steps": [{"hours_before": "12", "percent": "30"}],
                "product_ids": [tart["id"]],
            },
            headers=chain.headers,
        )
    )
    today = datetime.now(SHANGHAI).date()
    lines = [
        {"product_id": tart["id"], "quantity": "5", "lot_code": "OLD", "expires_on": str(today)},
        {
            "product_id": tart["id"],
            "quantity": "5",
            "lot_code": "NEW",
            "expires_on": str(today + timedelta(days=3)),
        },
    ]
    created(
        client.post(
            "/v1/stock-movements",
            json={"store_id": shop["id"], "kind": "receipt", "lines": lines},
            headers=chain.headers,
        )
    )
    evening = datetime.combine(today, datetime.min.time(), SHANGHAI) + timedelta(hours=18)
    at = evening.isoformat()
    body = quoted(client, chain, shop["id"], (tart, 1), at=at)  # the next to sell: OLD, 6 h left
    assert (body["lines"][0]["unit_price"], body["lines"][0]["lot_code"]) == (700, "OLD")
    labelled = client.post(
        QUOTES,
        json={
            "store_id": shop["id"],
            "at": at,
            "lines": [{"product_id": tart["id"], "quantity": "1", "lot_code": "NEW"}],
        },
        headers=chain.headers,
    ).json()
    assert labelled["lines"][0]["unit_price"] == 1000
    expired = (evening + timedelta(days=1)).isoformat()
    stale = quoted(client, chain, shop["id"], (tart, 1), at=expired)
    assert stale["lines"][0]["unit_price"] == 1000
    assert "expired" in stale["lines"][0]["warnings"][0]
    archive(client, chain, rule, path="/v1/markdown-rules")


def test_a_price_list_sets_the_regular_price(client, chain, shop, chips):
    member_list = created(
        client.post(
            "/v1/price-lists",
            json={"name": "Member prices", "audience": "members"},
            headers=chain.headers,
        )
    )
    items = {"items": [{"product_id": chips["id"], "price": 520}]}
    put = client.put(
        f"/v1/price-lists/{member_list['id']}/items", json=items, headers=chain.headers
    )
    assert put.status_code == 200, put.text
    guest = quoted(client, chain, shop["id"], (chips, 1), at=local(10))
    assert guest["lines"][0]["regular_price"] == 600
    member = created(
        client.post("/v1/members", json={"phone": "+8613900000002"}, headers=chain.headers)
    )["id"]
    body = quoted(client, chain, shop["id"], (chips, 1), at=local(10), member_id=member)
    (line,) = body["lines"]
    assert (line["regular_price"], line["unit_price"], line["list_price"]) == (520, 520, 600)
    assert line["price_source"] == {
        "type": "price_list",
        "id": member_list["id"],
        "name": "Member prices",
    }
    assert body["regular_total"] == 520


def test_graphql_gives_the_same_quote(client, chain, shop, cola):
    at = local(10)
    rest = quoted(client, chain, shop["id"], (cola, 3), at=at)
    answer = graphql(
        client,
        chain.headers,
        """query ($input: QuoteInput!) { quote(input: $input) {
            total subtotal lines { position unitPrice total wasPrice }
            notApplied { code reason } } }""",
        input={
            "storeId": shop["id"],
            "at": at,
            "lines": [{"productId": cola["id"], "quantity": "3"}],
        },
    )
    assert "errors" not in answer, answer
    got = answer["data"]["quote"]
    assert (got["total"], got["subtotal"]) == (rest["total"], rest["subtotal"])
    assert [line["unitPrice"] for line in got["lines"]] == [350]


def test_bad_quotes_are_refused_naming_each_field(client, chain, shop, cola):
    missing = "0195f3a0-0000-7000-8000-00000000ffff"
    body = {
        "store_id": shop["id"],
        "at": "2026-12-01T10:00:00",
        "lines": [
            {"product_id": missing, "quantity": "1"},
            {"product_id": cola["id"], "quantity": "0.5"},
        ],
    }
    problem = assert_problem(client.post(QUOTES, json=body, headers=chain.headers), 422)
    assert [e["field"] for e in problem["errors"]] == [
        "at",
        "lines[0].product_id",
        "lines[1].quantity",
    ]
    unknown_store = quote(client, chain, missing, (cola, 1))
    assert assert_problem(unknown_store, 422)["errors"][0]["field"] == "store_id"
    empty = client.post(QUOTES, json={"store_id": shop["id"], "lines": []}, headers=chain.headers)
    assert assert_problem(empty, 422)["errors"] == [
        {"field": "lines", "message": "Expected `array` of length >= 1"}
    ]
