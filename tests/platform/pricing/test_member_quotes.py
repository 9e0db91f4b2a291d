"""Quotes for members: the member must be the chain's, their tier's price list gives the
regular price, and promotions limited to segments match their segments."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, run_jobs
from tests.platform.ordering.helpers import created, member, product

QUOTES = "/v1/quotes"


@pytest.fixture(scope="module")
def shop(client, chain):
    body = {"code": "MQ-1", "name": "Member St", "timezone": "Asia/Shanghai"}
    return created(client.post("/v1/stores", json=body, headers=chain.headers))


def _quote(client, chain, shop, item, member_id):
    body = {
        "store_id": shop["id"],
        "member_id": member_id,
        "lines": [{"product_id": item["id"], "quantity": 1}],
    }
    return created(client.post(QUOTES, json=body, headers=chain.headers), 200)


def test_a_tier_price_list_prices_for_the_tiers_members(client, chain, shop, settings):
    milk = product(client, chain, price=1000, sku="MQ-MILK")
    gold_list = created(
        client.post(
            "/v1/price-lists",
            json={"name": "Gold prices", "audience": "tier"},
            headers=chain.headers,
        )
    )
    items = {"items": [{"product_id": milk["id"], "price": 850}]}
    put = client.put(f"/v1/price-lists/{gold_list['id']}/items", json=items, headers=chain.headers)
    assert put.status_code == 200, put.text
    body = {"name": "Gold", "rank": 1, "threshold": 0, "price_list_id": gold_list["id"]}
    created(client.post("/v1/tiers", json=body, headers=chain.headers))
    buyer = member(client, chain)
    queued = client.post("/v1/tiers/evaluate", headers=chain.headers)
    assert queued.status_code == 202, queued.text
    run_jobs(settings)
    line = _quote(client, chain, shop, milk, buyer["id"])["lines"][0]
    assert (line["regular_price"], line["price_source"]["name"]) == (850, "Gold prices")
    assert _quote(client, chain, shop, milk, None)["lines"][0]["regular_price"] == 1000


def test_a_segment_promotion_waits_for_the_members_segment(client, chain, shop):
    bun = product(client, chain, price=500, sku="MQ-BUN")
    offer = created(
        client.post(
            "/v1/promotions",
            json={
                "name": "Welcome bun",
                "rule": {"type": "percent_off", "percent": "50"},
                "product_ids": [bun["id"]],
                "segments": ["new"],
            },
            headers=chain.headers,
        )
    )
    newcomer = member(client, chain)
    waiting = _quote(client, chain, shop, bun, newcomer["id"])
    (blocked,) = waiting["not_applied"]
    assert (blocked["promotion_id"], blocked["code"]) == (offer["id"], "blocked")
    refreshed = client.post("/v1/segments/refresh", headers=chain.headers)
    assert refreshed.status_code in (200, 201), refreshed.text
    welcomed = _quote(client, chain, shop, bun, newcomer["id"])
    assert [a["source_id"] for a in welcomed["adjustments"]] == [offer["id"]]
    assert welcomed["total"] == 250


def test_an_erased_member_cannot_be_quoted_for(client, chain, shop):
    tea = product(client, chain, price=300, sku="MQ-TEA")
    gone = member(client, chain)
    erased = client.post(
        f"/v1/members/{gone['id']}/erase", json={"version": gone["version"]}, headers=chain.headers
    )
    assert erased.status_code == 200, erased.text
    body = {
        "store_id": shop["id"],
        "member_id": gone["id"],
        "lines": [{"product_id": tea["id"], "quantity": 1}],
    }
    refused = client.post(QUOTES, json=body, headers=chain.headers)
    assert assert_problem(refused, 422)["errors"][0]["field"] == "member_id"
