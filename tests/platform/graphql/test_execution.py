"""How GraphQL runs: dataloaders batch relations, limits hold, errors carry codes, each
mutation is atomic on its own."""

from __future__ import annotations

import uuid

import pytest

from bodega.db.engine import BodegaEngine
from bodega.settings import Settings
from tests.conftest import api_key, graphql, sign_up

PRODUCTS_WITH_RELATIONS = """
query ($first: Int!) {
  products(first: $first) { data { sku listPrice category { name } supplier { code } } nextCursor }
}
"""


@pytest.fixture(scope="module")
def stocked(client):
    """A chain with 30 products across 3 categories and 2 suppliers."""
    chain = sign_up(client)
    rows = ["sku,name,price,category,supplier"]
    for code in ("BAKE", "DIST"):
        client.post("/v1/suppliers", json={"code": code, "name": code}, headers=chain.headers)
    for n in range(30):
        rows.append(f"P{n:02},Product {n},{n}.50,Cat {n % 3},{'BAKE' if n % 2 else 'DIST'}")
    response = client.post(
        "/v1/products/import",
        content="\n".join(rows).encode(),
        headers={**chain.headers, "content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    return chain


def test_product_relations_load_in_batches_not_per_product(client, stocked, monkeypatch):
    statements = []
    original = BodegaEngine.run_querystring

    async def counting(self, querystring, in_pool=True):
        statements.append(str(querystring))
        return await original(self, querystring, in_pool)

    monkeypatch.setattr(BodegaEngine, "run_querystring", counting)
    result = graphql(client, stocked.headers, PRODUCTS_WITH_RELATIONS, first=30)
    assert "errors" not in result, result
    products = result["data"]["products"]["data"]
    assert len(products) == 30
    assert {p["category"]["name"] for p in products} == {"Cat 0", "Cat 1", "Cat 2"}
    assert products[3]["listPrice"] == 350
    # one page query + one category batch + one supplier batch (+ at most the tenant look-ups)
    assert len(statements) <= 5, statements


def test_depth_limit_refuses_deep_queries(client, stocked):
    deep = "{ me { tenant { id } user { id } apiKey { id } } }"
    assert "errors" not in graphql(client, stocked.headers, deep)
    nested = "{ products { data { category { id } } } }"
    from bodega.graphql import build_schema
    from bodega.plugins import build_plugin_manager

    result = build_schema(build_plugin_manager(Settings()), max_depth=2).execute_sync(nested)
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message


def test_errors_carry_codes(client, stocked):
    anonymous = graphql(client, {}, "{ tenant { id } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    reader = api_key(client, stocked, "catalog:read")
    denied = graphql(
        client, reader, 'mutation { createStore(input: {code: "X", name: "X"}) { id } }'
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    invalid = graphql(
        client,
        stocked.headers,
        'mutation { createProduct(input: {sku: "G1", name: "G", listPrice: 1, '
        'gtin: "4006381333932"}) { id } }',
    )
    error = invalid["errors"][0]["extensions"]
    assert error["code"] == "BAD_USER_INPUT"
    assert error["errors"][0]["field"] == "gtin"


def test_a_failing_mutation_leaves_nothing_while_its_sibling_commits(client):
    chain = sign_up(client)
    both = """
    mutation {
      good: createStore(input: {code: "OK", name: "Kept"}) { id }
      bad: createCategory(input: {name: "Orphan", parentId: "%s"}) { id }
    }
    """
    result = graphql(client, chain.headers, both % uuid.uuid4())
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["data"]["good"]["id"]
    assert result["data"]["bad"] is None
    stores = client.get("/v1/stores", headers=chain.headers).json()["data"]
    assert [s["code"] for s in stores] == ["OK"]
    assert client.get("/v1/categories", headers=chain.headers).json()["data"] == []
