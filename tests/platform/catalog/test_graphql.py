"""The catalog through GraphQL: same services, same validation, same atomicity as REST."""

from __future__ import annotations

from tests.conftest import api_key, graphql
from tests.platform.catalog.helpers import create, snapshot

PRODUCT_FIELDS = (
    "id sku name listPrice taxRate gtin unit version category { id name } supplier { code }"
)
CREATE = (
    f"mutation($input: ProductInput!) {{ createProduct(input: $input) {{ {PRODUCT_FIELDS} }} }}"
)
UPDATE = (
    "mutation($id: UUID!, $input: ProductUpdateInput!) "
    f"{{ updateProduct(id: $id, input: $input) {{ {PRODUCT_FIELDS} }} }}"
)


def test_create_and_read_a_product_with_its_category_and_supplier(client, chain):
    """createProduct takes a ProductInput (camelCase); category and supplier resolve on read."""
    category = create(client, chain, "/v1/categories", name="Bread")
    supplier = create(client, chain, "/v1/suppliers", code="BAKE", name="Bakery")
    result = graphql(
        client,
        chain.headers,
        CREATE,
        input={
            "sku": "GQL-1",
            "name": "Sourdough",
            "listPrice": 1680,
            "taxRate": "9",
            "gtin": "4006381333931",
            "unit": "each",
            "categoryId": category["id"],
            "supplierId": supplier["id"],
        },
    )
    assert "errors" not in result, result
    made = result["data"]["createProduct"]
    assert made["listPrice"] == 1680
    assert made["taxRate"] == "9.00"
    assert made["version"] == 1
    assert made["category"] == {"id": category["id"], "name": "Bread"}
    assert made["supplier"] == {"code": "BAKE"}
    rest = client.get(f"/v1/products/{made['id']}", headers=chain.headers).json()
    assert (rest["sku"], rest["list_price"], rest["category_id"]) == ("GQL-1", 1680, category["id"])
    read = graphql(
        client,
        chain.headers,
        f"query($id: UUID!) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}",
        id=made["id"],
    )
    assert read["data"]["product"] == made


def test_products_query_searches_and_pages(client, chain):
    """products(q:, first:, after:) pages through matches with nextCursor, like the REST list."""
    for n in range(3):
        assert "errors" not in graphql(
            client,
            chain.headers,
            CREATE,
            input={"sku": f"GQ-PAGE-{n}", "name": f"Paged {n}", "listPrice": 100},
        )
    query = (
        "query($after: String) "
        '{ products(first: 2, after: $after, q: "gq-page") { data { sku } nextCursor } }'
    )
    first = graphql(client, chain.headers, query)["data"]["products"]
    second = graphql(client, chain.headers, query, after=first["nextCursor"])["data"]["products"]
    assert [p["sku"] for p in first["data"] + second["data"]] == [
        "GQ-PAGE-0",
        "GQ-PAGE-1",
        "GQ-PAGE-2",
    ]
    assert first["nextCursor"]
    assert second["nextCursor"] is None


def test_invalid_gtin_and_stale_version_are_problem_errors_and_write_nothing(client, chain):
    """A bad GTIN is BAD_USER_INPUT naming gtin, a stale version a version-conflict; no writes."""
    made = graphql(
        client, chain.headers, CREATE, input={"sku": "GQL-V", "name": "Versioned", "listPrice": 100}
    )["data"]["createProduct"]
    assert "errors" not in graphql(
        client, chain.headers, UPDATE, id=made["id"], input={"version": 1, "name": "Second"}
    )
    before = snapshot(client, chain)
    bad = graphql(
        client,
        chain.headers,
        CREATE,
        input={"sku": "GQL-BAD", "name": "Bad", "listPrice": 100, "gtin": "4006381333932"},
    )
    (error,) = bad["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["status"] == 422
    assert [e["field"] for e in error["extensions"]["errors"]] == ["gtin"]
    stale = graphql(
        client, chain.headers, UPDATE, id=made["id"], input={"version": 1, "name": "Third"}
    )
    assert stale["errors"][0]["extensions"]["type"] == "/problems/version-conflict"
    assert snapshot(client, chain) == before


def test_a_failing_mutation_is_undone_while_its_sibling_commits(client, chain):
    """Two mutations in one request: the valid one is kept, the invalid one leaves nothing."""
    query = """mutation($ok: ProductInput!, $bad: ProductInput!) {
      ok: createProduct(input: $ok) { sku }
      bad: createProduct(input: $bad) { sku }
    }"""
    before = snapshot(client, chain)
    result = graphql(
        client,
        chain.headers,
        query,
        ok={"sku": "GQL-OK", "name": "Fine", "listPrice": 1},
        bad={
            "sku": "GQL-OK2",
            "name": "Bad",
            "listPrice": 1,
            "categoryId": "01937a10-0000-7000-8000-000000000000",
        },
    )
    assert result["errors"][0]["extensions"]["status"] == 422
    skus = [p["sku"] for p in snapshot(client, chain)["/v1/products"]]
    assert skus == [p["sku"] for p in before["/v1/products"]] + ["GQL-OK"]


def test_a_read_only_key_can_query_but_not_mutate(client, chain):
    """A catalog:read key queries products, but createProduct is FORBIDDEN and writes nothing."""
    headers = api_key(client, chain, "catalog:read")
    before = snapshot(client, chain)
    listed = graphql(client, headers, "{ products(first: 5) { data { sku } } }")
    assert "errors" not in listed
    assert listed["data"]["products"]["data"]
    denied = graphql(client, headers, CREATE, input={"sku": "GQL-RO", "name": "No", "listPrice": 1})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert snapshot(client, chain) == before
