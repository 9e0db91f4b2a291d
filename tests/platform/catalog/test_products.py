"""Products through REST: CRUD, optimistic concurrency, validation that writes nothing, search."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create, snapshot, walk

VALID_GTIN = "4006381333931"


@pytest.fixture(scope="module")
def category(client, chain):
    return create(client, chain, "/v1/categories", name="Drinks")


@pytest.fixture(scope="module")
def supplier(client, chain):
    return create(client, chain, "/v1/suppliers", code="DIST", name="Distribution")


def product(client, chain, sku, **fields):
    return create(
        client,
        chain,
        "/v1/products",
        sku=sku,
        name=fields.pop("name", f"Product {sku}"),
        list_price=fields.pop("list_price", 350),
        **fields,
    )


def test_product_round_trip_create_get_update_delete(client, chain, category, supplier):
    """A product is created (201) as stored, read back, updated with its version, deleted."""
    created = product(
        client,
        chain,
        "COLA-330",
        name="Cola 330ml",
        list_price=350,
        gtin=VALID_GTIN,
        plu="1234",
        unit="each",
        category_id=category["id"],
        supplier_id=supplier["id"],
        tax_rate="13",
        shelf_life_days=365,
        case_pack=24,
    )
    assert created["version"] == 1
    assert created["list_price"] == 350
    assert created["status"] == "active"
    assert created["category_id"] == category["id"]
    assert created["supplier_id"] == supplier["id"]
    path = f"/v1/products/{created['id']}"
    assert client.get(path, headers=chain.headers).json() == created

    updated = client.patch(
        path,
        json={"version": 1, "name": "Cola 330 ml", "list_price": 380, "unit": "kg"},
        headers=chain.headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json() == {
        **created,
        "name": "Cola 330 ml",
        "list_price": 380,
        "unit": "kg",
        "version": 2,
    }
    assert client.get(path, headers=chain.headers).json() == updated.json()

    assert client.delete(path, headers=chain.headers).status_code == 204
    assert_problem(client.get(path, headers=chain.headers), 404, "not-found")
    assert_problem(client.delete(path, headers=chain.headers), 404, "not-found")
    actions = [
        e["action"] for e in walk(client, "/v1/audit-log", chain.headers, resource_id=created["id"])
    ]
    assert actions == ["product.created", "product.updated", "product.deleted"]


def test_stale_version_is_a_409_version_conflict_and_changes_nothing(client, chain):
    """An update with an old version is a /problems/version-conflict; the product is unchanged."""
    created = product(client, chain, "STALE-1")
    path = f"/v1/products/{created['id']}"
    assert (
        client.patch(
            path, json={"version": 1, "name": "First writer"}, headers=chain.headers
        ).status_code
        == 200
    )
    before = snapshot(client, chain)
    body = assert_problem(
        client.patch(path, json={"version": 1, "name": "Second writer"}, headers=chain.headers),
        409,
        "version-conflict",
    )
    assert body["current_version"] == 2
    assert_problem(
        client.patch(path, json={"version": 7, "name": "From the future"}, headers=chain.headers),
        409,
        "version-conflict",
    )
    assert snapshot(client, chain) == before
    assert client.get(path, headers=chain.headers).json()["name"] == "First writer"


def test_tax_rate_is_a_decimal_string_normalised_to_two_places(client, chain):
    """Tax rates are decimal strings; the create answer already shows the stored value ("9.50")."""
    created = product(client, chain, "TAX-1", tax_rate="9.5")
    assert created["tax_rate"] == "9.50"
    assert (
        client.get(f"/v1/products/{created['id']}", headers=chain.headers).json()["tax_rate"]
        == "9.50"
    )
    patched = client.patch(
        f"/v1/products/{created['id']}",
        json={"version": 1, "tax_rate": "13"},
        headers=chain.headers,
    )
    assert patched.json()["tax_rate"] == "13.00"


BAD_PRODUCTS = [
    ({"gtin": "4006381333932"}, 422, "gtin"),
    ({"gtin": "400638133393"}, 422, "gtin"),  # 12 digits: UPC-A whose check digit is wrong
    ({"gtin": "123456789"}, 422, "gtin"),  # 9 digits is no GTIN length
    ({"gtin": "40063813339X"}, 422, "gtin"),
    ({"list_price": 3.5}, 422, "list_price"),
    ({"list_price": -1}, 422, "list_price"),
    ({"tax_rate": "9.505"}, None, "tax_rate"),  # None: 400 or 422, the brief leaves it open
    ({"tax_rate": "100.01"}, None, "tax_rate"),
    ({"tax_rate": "-1"}, None, "tax_rate"),
    ({"tax_rate": "NaN"}, None, "tax_rate"),
    ({"tax_rate": "1e2"}, None, "tax_rate"),
    ({"unit": "box"}, 422, "unit"),
    ({"sku": "has space"}, 422, "sku"),
    ({"name": ""}, 422, "name"),
    ({"case_pack": 0}, 422, "case_pack"),
    ({"category_id": str(uuid.uuid4())}, 422, "category_id"),
    ({"supplier_id": str(uuid.uuid4())}, 422, "supplier_id"),
]


@pytest.mark.parametrize(("override", "status", "field"), BAD_PRODUCTS)
def test_bad_product_input_is_a_problem_naming_the_field_and_writes_nothing(
    client, chain, override, status, field
):
    """Invalid input is a 4xx problem naming the field; no product and no audit entry appear."""
    before = snapshot(client, chain)
    body = {"sku": "BAD-1", "name": "Bad", "list_price": 100, **override}
    response = client.post("/v1/products", json=body, headers=chain.headers)
    problem = assert_problem(response, status or response.status_code)
    assert response.status_code in (400, 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert snapshot(client, chain) == before


def test_bad_update_is_refused_and_leaves_the_product_unchanged(client, chain):
    """A PATCH with an invalid GTIN or unknown category is refused; version and values stay."""
    created = product(client, chain, "UPD-1")
    path = f"/v1/products/{created['id']}"
    before = snapshot(client, chain)
    for change, field in (
        ({"gtin": "4006381333932"}, "gtin"),
        ({"category_id": str(uuid.uuid4())}, "category_id"),
    ):
        problem = assert_problem(
            client.patch(
                path, json={"version": 1, "name": "Renamed", **change}, headers=chain.headers
            ),
            422,
        )
        assert [e["field"] for e in problem["errors"]] == [field]
    missing = assert_problem(
        client.patch(path, json={"name": "No version"}, headers=chain.headers), 422
    )
    assert [e["field"] for e in missing["errors"]] == ["version"]
    assert snapshot(client, chain) == before


def test_sku_and_gtin_are_unique_per_chain_but_not_across_chains(client, chain, other_chain):
    """A second product with the same SKU or GTIN is a 409; another chain may use them."""
    first = product(client, chain, "UNIQ-1", gtin="96385074")
    before = snapshot(client, chain)
    dup_sku = assert_problem(
        client.post(
            "/v1/products",
            json={"sku": "UNIQ-1", "name": "x", "list_price": 1},
            headers=chain.headers,
        ),
        409,
    )
    assert [e["field"] for e in dup_sku["errors"]] == ["sku"]
    dup_gtin = client.post(
        "/v1/products",
        json={"sku": "UNIQ-2", "name": "x", "list_price": 1, "gtin": "96385074"},
        headers=chain.headers,
    )
    assert [e["field"] for e in assert_problem(dup_gtin, 409)["errors"]] == ["gtin"]
    second = product(client, chain, "UNIQ-3")
    renamed = client.patch(
        f"/v1/products/{second['id']}", json={"version": 1, "sku": "UNIQ-1"}, headers=chain.headers
    )
    assert [e["field"] for e in assert_problem(renamed, 409)["errors"]] == ["sku"]
    assert (
        client.patch(
            f"/v1/products/{first['id']}",
            json={"version": 1, "sku": "UNIQ-1"},
            headers=chain.headers,
        ).status_code
        == 200
    )
    elsewhere = product(client, other_chain, "UNIQ-1", gtin="96385074")
    assert elsewhere["id"] != first["id"]
    assert_problem(client.get(f"/v1/products/{first['id']}", headers=other_chain.headers), 404)
    after = snapshot(client, chain)
    assert [p["sku"] for p in after["/v1/products"]].count("UNIQ-1") == 1
    assert (
        len(after["/v1/audit-log"]) == len(before["/v1/audit-log"]) + 2
    )  # UNIQ-3 created, UNIQ-1 re-saved


def test_cursor_pagination_walks_every_product_once_in_a_stable_order(client, chain):
    """Pages cover all products exactly once, in creation order, the same on every walk."""
    for n in range(7):
        product(client, chain, f"PAGE-{n}")
    everything = walk(client, "/v1/products", chain.headers)
    paged = walk(client, "/v1/products", chain.headers, limit=3)
    ids = [p["id"] for p in paged]
    assert len(ids) == len(set(ids)) == len(everything) >= 7
    assert paged == everything == walk(client, "/v1/products", chain.headers, limit=1)
    assert ids == sorted(ids, key=lambda i: uuid.UUID(i).bytes)
    page_skus = [p["sku"] for p in paged if p["sku"].startswith("PAGE-")]
    assert page_skus == [f"PAGE-{n}" for n in range(7)]
    first = client.get("/v1/products", params={"limit": 3}, headers=chain.headers).json()
    assert len(first["data"]) == 3
    assert first["next_cursor"]
    assert {"data", "next_cursor"} == set(first)


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor!"}, {"status": "deleted"}]
)
def test_bad_list_parameters_are_422_problems_naming_the_parameter(client, chain, query):
    """Out-of-range limits, foreign cursors, unknown statuses: 422 naming the parameter."""
    problem = assert_problem(client.get("/v1/products", params=query, headers=chain.headers), 422)
    assert [e["field"] for e in problem["errors"]] == list(query)


def test_search_by_name_sku_gtin_category_and_status(client, chain):
    """?q= matches part of a name or SKU (any case) or a whole GTIN; category/status filter."""
    category = create(client, chain, "/v1/categories", name="Tea")
    tea = product(client, chain, "SRCH-TEA", name="Green Tea 500ml", category_id=category["id"])
    coffee = product(client, chain, "SRCH-COF", name="Cold brew coffee", gtin="5901234123457")
    old = product(client, chain, "SRCH_OLD", name="Discontinued 100% juice", status="archived")

    def skus(**params):
        return {p["sku"] for p in walk(client, "/v1/products", chain.headers, limit=2, **params)}

    assert skus(q="green tea") == {"SRCH-TEA"}
    assert skus(q="srch-c") == {"SRCH-COF"}
    assert skus(q="5901234123457") == {"SRCH-COF"}
    assert skus(q="590123412345") == set()  # a GTIN matches whole, not in part
    assert skus(q="100%") == {"SRCH_OLD"}  # % and _ are literal, not wildcards
    assert skus(q="SRCH_") == {"SRCH_OLD"}
    assert skus(category_id=category["id"]) == {"SRCH-TEA"}
    assert "SRCH_OLD" in skus(status="archived")
    assert skus(status="archived") <= {
        p["sku"] for p in walk(client, "/v1/products", chain.headers) if p["status"] == "archived"
    }
    assert "SRCH_OLD" not in skus(status="active")
    assert {"SRCH-TEA", "SRCH-COF"} <= skus(status="active")
    assert skus(q="srch", status="active") == {"SRCH-TEA", "SRCH-COF"}
    assert skus(q="srch", category_id=category["id"], status="archived") == set()
    assert {tea["id"], coffee["id"], old["id"]} <= {
        p["id"] for p in walk(client, "/v1/products", chain.headers)
    }
