"""CSV product import: counts, updates by SKU, dry runs, and all-or-nothing row errors."""

from __future__ import annotations

import pytest

from tests.conftest import api_key, assert_problem, sign_up
from tests.platform.catalog.helpers import create, snapshot, walk

HEADER = (
    "sku,name,price,gtin,plu,unit,category,supplier,tax_rate,shelf_life_days,case_pack,status\n"
)
GOOD = (
    "\ufeffSKU, Name ,Price,gtin,plu,unit,category,supplier,tax_rate,shelf_life_days,case_pack,"
    "status\n"
    "BRD-1,Sourdough loaf,16.80,,,each,Bakery > Bread,BAKE,9,2,,\n"
    'PST-1,"Croissant, butter",7.5,,,,Bakery > Pastry,BAKE,9%,2,,\n'
    "WGT-1,Cookies by weight,98,,1001,kg,bakery>BREAD,,9,14,,\n"
    "DRK-1,Cola 330ml,3.50,4006381333931,,,Drinks,,13,365,24,archived\n"
)


def post_csv(client, headers, text, dry_run=False):
    body = text.encode() if isinstance(text, str) else text
    params = {"dry_run": "true"} if dry_run else {}
    return client.post(
        "/v1/products/import",
        content=body,
        params=params,
        headers={**headers, "Content-Type": "text/csv"},
    )


@pytest.fixture(scope="module")
def supplier(client, chain):
    return create(client, chain, "/v1/suppliers", code="BAKE", name="Central Kitchen")


@pytest.fixture(scope="module")
def imported(client, chain, supplier):
    """The chain after importing GOOD once: the import's answer."""
    response = post_csv(client, chain.headers, GOOD)
    assert response.status_code == 200, response.text
    return response.json()


def by_sku(client, chain):
    return {p["sku"]: p for p in walk(client, "/v1/products", chain.headers)}


def test_dry_run_counts_everything_and_writes_nothing(client):
    """?dry_run=true answers what an import would do, without a product, category or audit entry."""
    chain = sign_up(client)
    create(client, chain, "/v1/suppliers", code="BAKE", name="Central Kitchen")
    before = snapshot(client, chain)
    response = post_csv(client, chain.headers, GOOD, dry_run=True)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "categories_created": 4,
        "dry_run": True,
    }
    assert snapshot(client, chain) == before


def test_import_creates_products_categories_and_links_suppliers(client, chain, supplier, imported):
    """Prices become minor units, category paths a tree (any case), suppliers link by code."""
    assert imported == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "categories_created": 4,
        "dry_run": False,
    }
    products = by_sku(client, chain)
    categories = {c["id"]: c for c in walk(client, "/v1/categories", chain.headers)}
    bread = categories[products["BRD-1"]["category_id"]]
    assert bread["name"] == "Bread"
    assert categories[bread["parent_id"]]["name"] == "Bakery"
    assert products["WGT-1"]["category_id"] == bread["id"]
    assert categories[products["PST-1"]["category_id"]]["parent_id"] == bread["parent_id"]
    assert {c["name"] for c in categories.values()} == {"Bakery", "Bread", "Pastry", "Drinks"}
    assert [products[s]["list_price"] for s in ("BRD-1", "PST-1", "WGT-1", "DRK-1")] == [
        1680,
        750,
        9800,
        350,
    ]
    assert products["BRD-1"]["supplier_id"] == supplier["id"]
    assert products["DRK-1"]["supplier_id"] is None
    assert products["PST-1"]["name"] == "Croissant, butter"
    assert products["PST-1"]["tax_rate"] == "9.00"
    events = client.get("/v1/events", params={"type": "product.created"}, headers=chain.headers)
    # each import's event carries the product exactly as the API answers it
    created = {e["data"]["sku"]: e["data"] for e in events.json()["data"]}
    assert created == {sku: products[sku] for sku in created}
    assert set(created) >= {"BRD-1", "PST-1", "WGT-1", "DRK-1"}
    assert (products["WGT-1"]["unit"], products["WGT-1"]["plu"]) == ("kg", "1001")
    assert (
        products["DRK-1"]["gtin"],
        products["DRK-1"]["case_pack"],
        products["DRK-1"]["status"],
    ) == ("4006381333931", 24, "archived")
    created = walk(client, "/v1/audit-log", chain.headers, resource="product")
    assert sorted(e["after"]["sku"] for e in created if e["action"] == "product.created") == [
        "BRD-1",
        "DRK-1",
        "PST-1",
        "WGT-1",
    ]


def test_reimport_updates_by_sku_and_skips_unchanged_rows(client, chain, imported):
    """The same file changes nothing; a new price updates (new version), a new SKU is added."""
    assert post_csv(client, chain.headers, GOOD).json() == {
        "rows": 4,
        "created": 0,
        "updated": 0,
        "categories_created": 0,
        "dry_run": False,
    }
    before = by_sku(client, chain)
    changed = (
        GOOD.replace("Sourdough loaf,16.80", "Sourdough loaf,17.20")
        + 'BRD-2,Rye bread hamper,"1,018.50",,,,Bakery > Bread > Rye,BAKE,9,4,,\n'
    )
    assert post_csv(client, chain.headers, changed).json() == {
        "rows": 5,
        "created": 1,
        "updated": 1,
        "categories_created": 1,
        "dry_run": False,
    }
    after = by_sku(client, chain)
    assert after["BRD-1"] == {**before["BRD-1"], "list_price": 1720, "version": 2}
    assert {s: after[s] for s in ("PST-1", "WGT-1", "DRK-1")} == {
        s: before[s] for s in ("PST-1", "WGT-1", "DRK-1")
    }
    assert after["BRD-2"]["list_price"] == 101850
    (update,) = walk(client, "/v1/audit-log", chain.headers, resource_id=after["BRD-1"]["id"])[1:]
    assert update["action"] == "product.updated"
    assert (update["before"]["list_price"], update["after"]["list_price"]) == (1680, 1720)


def test_bad_rows_are_all_reported_and_nothing_is_written(client, chain, imported):
    """Each problem is one error with its line (header = 1) and column; nothing is created."""
    text = (
        HEADER
        + "\n".join(
            [
                "NEW-1,Fine row,1.00,,,,Brand new > Category,BAKE,,,,",  # 2: valid, not written
                "NEW-2,Too precise,3.505,,,,,,,,,",  # 3: CNY has 2 decimals
                "NEW-3,Bad check digit,1,4006381333932,,,,,,,,",  # 4
                "NEW-4,Unknown supplier,1,,,,,NOPE,,,,",  # 5
                "NEW-5,Bad unit and tax,1,,,box,,,9.999,,,",  # 6: two problems, two errors
                "NEW-1,Same SKU as row 2,1,,,,,,,,,",  # 7
                "NEW-6,Not a price,abc,,,,,,,,,",  # 8
                "NEW-7,Infinite price,Infinity,,,,,,,,,",  # 9
                "NEW-8,Price too large,99999999999,,,,,,,,,",  # 10
                ",No SKU,1,,,,,,,,,",  # 11
                "NEW-9,Bad shelf life,1,,,,,,,two,,",  # 12
                "NEW-10,Taken GTIN,1,4006381333931,,,,,,,,",  # 13: DRK-1 has it
                'NEW-11,Decimal comma,"3,50",,,,,,,,,',  # 14: never 350 yuan
            ]
        )
        + "\n"
    )
    before = snapshot(client, chain)
    for dry_run in (False, True):
        problem = assert_problem(
            post_csv(client, chain.headers, text, dry_run=dry_run), 422, "validation-error"
        )
        found = sorted((e["row"], e["field"]) for e in problem["errors"])
        assert found == [
            (3, "price"),
            (4, "gtin"),
            (5, "supplier"),
            (6, "tax_rate"),
            (6, "unit"),
            (7, "sku"),
            (8, "price"),
            (9, "price"),
            (10, "price"),
            (11, "sku"),
            (12, "shelf_life_days"),
            (13, "gtin"),
            (14, "price"),
        ], problem["errors"]
        assert all(e["message"] for e in problem["errors"])
    assert snapshot(client, chain) == before


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("sku,name,price,colour\nX-1,Thing,1,red\n", "colour"),
        ("sku,name\nX-1,Thing\n", "price"),
        ("", "sku"),
    ],
)
def test_header_problems_are_reported_on_row_1(client, chain, text, field):
    """An unknown or missing column is a 422 at row 1 naming the column; nothing is written."""
    before = snapshot(client, chain)
    problem = assert_problem(post_csv(client, chain.headers, text), 422, "validation-error")
    assert {"row": 1, "field": field} in [
        {"row": e["row"], "field": e["field"]} for e in problem["errors"]
    ]
    assert snapshot(client, chain) == before


def test_non_utf8_body_is_a_400_and_writes_nothing(client, chain):
    """A file saved in a legacy encoding (GBK) is refused with 400 telling to save as UTF-8."""
    before = snapshot(client, chain)
    problem = assert_problem(
        post_csv(client, chain.headers, (HEADER + "GBK-1,面包,1\n").encode("gbk")), 400
    )
    assert "UTF-8" in problem["detail"]
    assert snapshot(client, chain) == before


def test_import_needs_catalog_write(client, chain):
    """A key with catalog:read only is refused (403) before anything is read or written."""
    before = snapshot(client, chain)
    headers = api_key(client, chain, "catalog:read")
    after_key = snapshot(client, chain)
    assert_problem(post_csv(client, headers, HEADER + "RO-1,Read only,1\n"), 403, "forbidden")
    assert snapshot(client, chain) == after_key
    assert after_key["/v1/products"] == before["/v1/products"]


def test_old_mac_line_endings_and_broken_csv_are_handled(client, chain):
    """Lone \\r line ends import; a file the csv module cannot read is a 422, never a 500."""
    mac = "sku,name,price\rMAC-1,Bagel,2.00\rMAC-2,Scone,3.00\r"
    response = post_csv(client, chain.headers, mac.encode(), dry_run=True)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    garbage = "$\u008aðÐ볁\ri\x15\U000f35ec\x8bÄ;\U000f2363\x0eW®\u009c"
    problem = assert_problem(post_csv(client, chain.headers, garbage.encode(), dry_run=True), 422)
    assert problem["errors"]
