"""Cross-tenant isolation of quotes and of orders priced by them: chain B naming A's store or
products answers exactly as naming ones that never existed, and nothing of A's pricing (its
price lists, store prices, promotions, markdown rules, history) reaches B's baskets."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import World, new_uuid, without_id

QUOTES = "/v1/quotes"


@pytest.fixture(scope="module")
def a_everywhere(client: TestClient[Any], world: World) -> dict[str, str]:
    """A's pricing that would touch any basket if it leaked: a promotion and a markdown rule
    for every product, and a member price list for every store."""
    h = world.a.headers
    promotion = client.post(
        "/v1/promotions",
        json={"name": "A everything", "rule": {"type": "percent_off", "percent": "50"}},
        headers=h,
    )
    assert promotion.status_code == 201, promotion.text
    rule = client.post(
        "/v1/markdown-rules",
        json={
            "name": "A all day",
            "basis": "closing",
            "steps": [{"hours_before": "24", "percent": "40"}],
        },
        headers=h,
    )
    assert rule.status_code == 201, rule.text
    return {"promotion": promotion.json()["id"], "markdown_rule": rule.json()["id"]}


def _quote(client: TestClient[Any], world: World, store: str, product: str, **extra: Any) -> Any:
    body = {"store_id": store, "lines": [{"product_id": product, "quantity": 1}], **extra}
    return client.post(QUOTES, json=body, headers=world.b.headers)


def test_quoting_another_chains_store_or_product_is_like_naming_none(
    client: TestClient[Any], world: World, a_everywhere: dict[str, str]
) -> None:
    a, b = world.a.ids, world.b.ids
    missing = new_uuid()
    theirs = _quote(client, world, a["store"], b["product"])
    assert assert_problem(theirs, 422)["errors"][0]["field"] == "store_id"
    assert without_id(theirs, a["store"]) == without_id(
        _quote(client, world, missing, b["product"]), missing
    )
    theirs = _quote(client, world, b["store"], a["product"])
    assert assert_problem(theirs, 422)["errors"] == [
        {"field": "lines[0].product_id", "message": "unknown product"}
    ]
    assert without_id(theirs, a["product"]) == without_id(
        _quote(client, world, b["store"], missing), missing
    )


def test_another_chains_pricing_never_reaches_a_basket(
    client: TestClient[Any], world: World, a_everywhere: dict[str, str]
) -> None:
    """B's basket with none of A's adjustments, ids or names; A's own basket does get A's
    promotion (the pricing is live, not missing)."""
    b = world.b.ids
    for extra in ({}, {"member_id": world.b.ids["member"]}):
        response = _quote(client, world, b["store"], b["product"], **extra)
        assert response.status_code == 200, response.text
        body = response.json()
        assert all(a["source_id"] not in a_everywhere.values() for a in body["adjustments"])
        leaked = [s for s in [*world.a_secrets(), *a_everywhere.values()] if s in response.text]
        assert leaked == []
        assert "A everything" not in response.text
    own = client.post(
        QUOTES,
        json={
            "store_id": world.a.ids["store"],
            "lines": [{"product_id": world.a.ids["product"], "quantity": 1}],
        },
        headers=world.a.headers,
    ).json()
    assert a_everywhere["promotion"] in {a["source_id"] for a in own["adjustments"]}


def test_a_quote_for_another_chains_member_is_like_one_for_no_member(
    client: TestClient[Any], world: World
) -> None:
    a, b = world.a.ids, world.b.ids
    missing = new_uuid()
    theirs = _quote(client, world, b["store"], b["product"], member_id=a["member"])
    assert assert_problem(theirs, 422)["errors"] == [
        {"field": "member_id", "message": "unknown member"}
    ]
    again = _quote(client, world, b["store"], b["product"], member_id=missing)
    assert without_id(theirs, a["member"]) == without_id(again, missing)


def test_graphql_quotes_stay_in_the_chain(
    client: TestClient[Any], world: World, a_everywhere: dict[str, str]
) -> None:
    query = """query ($input: QuoteInput!) { quote(input: $input) {
        total adjustments { sourceId } notApplied { promotionId } } }"""
    a, b = world.a.ids, world.b.ids
    theirs = graphql(
        client,
        world.b.headers,
        query,
        input={"storeId": a["store"], "lines": [{"productId": b["product"], "quantity": "1"}]},
    )
    assert theirs["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    own = graphql(
        client,
        world.b.headers,
        query,
        input={"storeId": b["store"], "lines": [{"productId": b["product"], "quantity": "1"}]},
    )
    assert "errors" not in own, own
    assert [s for s in [*world.a_secrets(), *a_everywhere.values()] if s in str(own)] == []
