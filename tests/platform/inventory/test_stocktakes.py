"""Stocktakes: counts from handhelds while the store sells, variances against what the books
held at each product's first count, posting exactly those variances, once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from tests.conftest import api_key, assert_problem, graphql, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.inventory.helpers import (
    adjust,
    category,
    ledger,
    ledger_sum,
    level,
    manager,
    product,
    receive,
    state,
    store,
)


def open_count(client, chain, store_id, **body):
    response = client.post(
        "/v1/stocktakes", json={"store_id": store_id, **body}, headers=chain.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def count(client, chain, stocktake_id, *counts, mode="add", status=200):
    body = {"mode": mode, "counts": [{"product_id": p, "quantity": q} for p, q in counts]}
    response = client.post(
        f"/v1/stocktakes/{stocktake_id}/counts", json=body, headers=chain.headers
    )
    assert response.status_code == status, response.text
    return response.json()


def post(client, chain, stocktake_id, status=200, **body):
    response = client.post(f"/v1/stocktakes/{stocktake_id}/post", json=body, headers=chain.headers)
    assert response.status_code == status, response.text
    return response.json()


def variance(client, chain, stocktake_id):
    response = client.get(f"/v1/stocktakes/{stocktake_id}/variance", headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def stocktake_moves(client, chain, stocktake_id):
    return ledger(client, chain, source_id=stocktake_id)


def test_a_sale_after_the_count_stays_sold(client):
    """Counted 10 at 09:00, 2 sold at 09:30, posted at 10:00: the level ends at 8."""
    owner = sign_up(client)
    shop = store(client, owner)
    beer = product(client, owner, "BEER", cost_price=500)
    receive(client, owner, shop["id"], {"product_id": beer["id"], "quantity": 12})
    take = open_count(client, owner, shop["id"])
    assert (take["status"], take["category_ids"], take["products_counted"]) == ("open", [], 0)
    batch = count(client, owner, take["id"], (beer["id"], 10))
    assert [(line["product_id"], line["counted"]) for line in batch["lines"]] == [
        (beer["id"], "10.000")
    ]
    assert "expected" not in batch["lines"][0]  # a blind count
    adjust(client, owner, shop["id"], beer["id"], -2)  # the 09:30 sale
    report = variance(client, owner, take["id"])
    (line,) = report["lines"]
    assert (line["expected"], line["counted"], line["variance"], line["value"]) == (
        "12.000",
        "10.000",
        "-2.000",
        -1000,
    )
    posted = post(client, owner, take["id"])
    assert (posted["status"], posted["closed_by"]) == ("posted", str(owner.owner_id))
    assert posted["totals"] == {
        "products_counted": 1,
        "products_zeroed": 0,
        "products_uncounted": 0,
        "shortage_value": 1000,
        "surplus_value": 0,
        "net_value": -1000,
    }
    (move,) = stocktake_moves(client, owner, take["id"])
    assert (move["kind"], move["quantity"], move["value"]) == ("stocktake", "-2.000", -1000)
    assert level(client, owner, shop["id"], beer["id"]) == 8
    assert ledger_sum(client, owner, shop["id"], beer["id"]) == 8
    assert variance(client, owner, take["id"]) == {**report, "status": "posted"}


def test_expected_is_fixed_at_the_first_count_and_modes_add_or_set(client):
    owner = sign_up(client)
    shop = store(client, owner)
    soda = product(client, owner, "SODA", cost_price=100)
    flour = product(client, owner, "FLOUR", cost_price=2000, unit="kg")
    receive(
        client,
        owner,
        shop["id"],
        {"product_id": soda["id"], "quantity": 20},
        {"product_id": flour["id"], "quantity": "3.5"},
    )
    take = open_count(client, owner, shop["id"])
    count(client, owner, take["id"], (soda["id"], 6))  # the shelf
    adjust(client, owner, shop["id"], soda["id"], -3)
    count(client, owner, take["id"], (soda["id"], 5), (flour["id"], "3.25"))  # the back room
    lines = {line["sku"]: line for line in variance(client, owner, take["id"])["lines"]}
    assert (lines["SODA"]["expected"], lines["SODA"]["counted"]) == ("20.000", "11.000")
    assert (lines["FLOUR"]["variance"], lines["FLOUR"]["value"]) == ("-0.250", -500)
    recount = count(client, owner, take["id"], (soda["id"], 14), mode="set")
    assert recount["lines"][0]["counted"] == "14.000"
    assert recount["mode"] == "set"
    lines = {line["sku"]: line for line in variance(client, owner, take["id"])["lines"]}
    assert (lines["SODA"]["expected"], lines["SODA"]["variance"]) == ("20.000", "-6.000")
    got = client.get(f"/v1/stocktakes/{take['id']}", headers=owner.headers).json()
    assert (got["products_counted"], got["version"]) == (2, take["version"] + 3)
    post(client, owner, take["id"])
    # 17 on hand at posting, -6 written: the 3 sold after the first count stay sold
    assert level(client, owner, shop["id"], soda["id"]) == 11
    assert level(client, owner, shop["id"], flour["id"]) == Decimal("3.25")


def test_scope_is_the_categories_and_their_subcategories(client):
    owner = sign_up(client)
    shop = store(client, owner)
    bakery = category(client, owner, "Bakery")
    bread = category(client, owner, "Bread", bakery["id"])
    rye = category(client, owner, "Rye", bread["id"])
    drinks = category(client, owner, "Drinks")
    loaf = product(client, owner, "LOAF", category_id=rye["id"])
    roll = product(client, owner, "ROLL", category_id=bakery["id"])
    juice = product(client, owner, "JUICE", category_id=drinks["id"])
    loose = product(client, owner, "LOOSE")
    for p in (loaf, roll, juice, loose):
        receive(client, owner, shop["id"], {"product_id": p["id"], "quantity": 5})
    take = open_count(client, owner, shop["id"], category_ids=[bakery["id"]], note="Bakery")
    assert take["category_ids"] == [bakery["id"]]
    count(client, owner, take["id"], (loaf["id"], 5))
    before = state(client, owner)
    body = {
        "counts": [
            {"product_id": roll["id"], "quantity": 1},
            {"product_id": juice["id"], "quantity": 1},
            {"product_id": loose["id"], "quantity": 1},
        ]
    }
    problem = assert_problem(
        client.post(f"/v1/stocktakes/{take['id']}/counts", json=body, headers=owner.headers), 422
    )
    assert [e["field"] for e in problem["errors"]] == [
        "counts[1].product_id",
        "counts[2].product_id",
    ]
    assert state(client, owner) == before
    report = variance(client, owner, take["id"])
    assert [u["sku"] for u in report["uncounted"]] == ["ROLL"]
    assert [line["sku"] for line in report["lines"]] == ["LOAF"]


def test_uncounted_products_are_left_or_written_to_zero(client):
    owner = sign_up(client)
    shop = store(client, owner)
    counted, left, short, gone = (
        product(client, owner, sku, cost_price=100) for sku in ("CNT", "LEFT", "SHORT", "GONE")
    )
    for p, n in ((counted, 4), (left, 3), (short, 2)):
        receive(client, owner, shop["id"], {"product_id": p["id"], "quantity": n})
    adjust(client, owner, shop["id"], short["id"], -5)  # oversold: -3 on hand
    receive(client, owner, shop["id"], {"product_id": gone["id"], "quantity": 1})
    adjust(client, owner, shop["id"], gone["id"], -1)
    archived = client.patch(
        f"/v1/products/{gone['id']}",
        json={"version": gone["version"], "status": "archived"},
        headers=owner.headers,
    )
    assert archived.status_code == 200, archived.text
    take = open_count(client, owner, shop["id"])
    count(client, owner, take["id"], (counted["id"], 4))
    report = variance(client, owner, take["id"])
    assert [(u["sku"], u["on_hand"]) for u in report["uncounted"]] == [
        ("LEFT", "3.000"),
        ("SHORT", "-3.000"),
    ]
    assert report["totals"]["products_uncounted"] == 2
    posted = post(client, owner, take["id"])
    assert posted["totals"]["products_uncounted"] == 2
    assert stocktake_moves(client, owner, take["id"]) == []  # no variance at all
    assert level(client, owner, shop["id"], left["id"]) == 3
    frozen = variance(client, owner, take["id"])
    assert [(u["sku"], u["on_hand"]) for u in frozen["uncounted"]] == [
        ("LEFT", "3.000"),
        ("SHORT", "-3.000"),
    ]
    second = open_count(client, owner, shop["id"])
    count(client, owner, second["id"], (counted["id"], 4))
    posted = post(client, owner, second["id"], zero_uncounted=True)
    assert posted["zero_uncounted"] is True
    assert posted["totals"] == {
        "products_counted": 1,
        "products_zeroed": 2,
        "products_uncounted": 0,
        "shortage_value": 300,
        "surplus_value": 300,
        "net_value": 0,
    }
    moves = {m["product_id"]: m["quantity"] for m in stocktake_moves(client, owner, second["id"])}
    assert moves == {left["id"]: "-3.000", short["id"]: "3.000"}
    for p in (left, short):
        assert level(client, owner, shop["id"], p["id"]) == 0
        assert ledger_sum(client, owner, shop["id"], p["id"]) == 0
    zeroed = variance(client, owner, second["id"])
    assert {line["sku"]: line["first_counted_at"] for line in zeroed["lines"]}["LEFT"] is None
    assert zeroed["uncounted"] == []


def test_one_open_stocktake_per_store_and_the_states(client):
    owner = sign_up(client)
    shop, other = store(client, owner, "A1"), store(client, owner, "A2")
    item = product(client, owner, "ITEM")
    receive(client, owner, shop["id"], {"product_id": item["id"], "quantity": 2})
    take = open_count(client, owner, shop["id"])
    problem = assert_problem(
        client.post("/v1/stocktakes", json={"store_id": shop["id"]}, headers=owner.headers), 409
    )
    assert problem["errors"][0]["field"] == "store_id"
    elsewhere = open_count(client, owner, other["id"])  # another store may count meanwhile
    count(client, owner, take["id"], (item["id"], 1))
    stale = take["version"]
    assert_problem(
        client.post(
            f"/v1/stocktakes/{take['id']}/post", json={"version": stale}, headers=owner.headers
        ),
        409,
        "version-conflict",
    )
    current = client.get(f"/v1/stocktakes/{take['id']}", headers=owner.headers).json()
    post(client, owner, take["id"], version=current["version"])
    before = state(client, owner)
    for action, body in (
        ("post", {}),
        ("cancel", None),
        ("counts", {"counts": [{"product_id": item["id"], "quantity": 1}]}),
    ):
        response = client.post(
            f"/v1/stocktakes/{take['id']}/{action}", json=body, headers=owner.headers
        )
        assert "posted" in assert_problem(response, 409)["detail"]
    assert state(client, owner) == before
    again = open_count(client, owner, shop["id"])  # posted: the store may count again
    cancelled = client.post(f"/v1/stocktakes/{again['id']}/cancel", headers=owner.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"] is not None
    assert_problem(client.post(f"/v1/stocktakes/{again['id']}/post", headers=owner.headers), 409)
    assert stocktake_moves(client, owner, again["id"]) == []
    listed = walk(client, "/v1/stocktakes", owner.headers, store_id=shop["id"])
    assert [(s["id"], s["status"]) for s in listed] == [
        (take["id"], "posted"),
        (again["id"], "cancelled"),
    ]
    assert [s["id"] for s in walk(client, "/v1/stocktakes", owner.headers, status="open")] == [
        elsewhere["id"]
    ]
    events = [
        e["type"] for e in walk(client, "/v1/events", owner.headers) if "stocktake" in e["type"]
    ]
    assert events == [
        "stocktake.opened",
        "stocktake.opened",
        "stocktake.counted",
        "stocktake.posted",
        "stocktake.opened",
        "stocktake.cancelled",
    ]
    (posted_event,) = walk(client, "/v1/events", owner.headers, type="stocktake.posted")
    assert posted_event["data"]["totals"]["shortage_value"] == 300
    missing = "01937a10-0000-7000-8000-000000000009"
    assert_problem(client.get(f"/v1/stocktakes/{missing}", headers=owner.headers), 404)
    assert_problem(client.post(f"/v1/stocktakes/{missing}/post", headers=owner.headers), 404)


@pytest.mark.parametrize(
    ("counts", "mode", "field"),
    [
        ([("each", -1)], "add", "counts[0].quantity"),
        ([("each", "1.5")], "add", "counts[0].quantity"),
        ([("kg", "0.0001")], "add", "counts[0].quantity"),
        ([("each", "NaN")], "set", "counts[0].quantity"),
        ([("unknown", 1)], "add", "counts[0].product_id"),
        ([("each", 1), ("each", 2)], "set", "counts[1].product_id"),
    ],
)
def test_bad_counts_are_refused_and_change_nothing(client, chain, counts, mode, field):
    shop = store(client, chain, f"C{abs(hash(field + str(counts) + mode)) % 10**6}")
    each = product(client, chain, f"E-{shop['code']}")
    kg = product(client, chain, f"K-{shop['code']}", unit="kg")
    receive(client, chain, shop["id"], {"product_id": each["id"], "quantity": 3})
    take = open_count(client, chain, shop["id"])
    ids = {"each": each["id"], "kg": kg["id"], "unknown": "01937a10-0000-7000-8000-000000000009"}
    before = state(client, chain)
    body = {"mode": mode, "counts": [{"product_id": ids[p], "quantity": q} for p, q in counts]}
    problem = assert_problem(
        client.post(f"/v1/stocktakes/{take['id']}/counts", json=body, headers=chain.headers), 422
    )
    assert field in {e["field"] for e in problem["errors"]}, problem
    assert state(client, chain) == before


def test_opening_needs_known_store_and_categories(client, chain):
    shop = store(client, chain, "OPEN-BAD")
    missing = "01937a10-0000-7000-8000-000000000009"
    before = state(client, chain)
    for body, field in (
        ({"store_id": missing}, "store_id"),
        ({"store_id": shop["id"], "category_ids": [missing]}, "category_ids[0]"),
        ({"store_id": shop["id"], "mode": "blind"}, "mode"),
    ):
        problem = assert_problem(
            client.post("/v1/stocktakes", json=body, headers=chain.headers), 422
        )
        assert any(field in e["field"] + e["message"] for e in problem["errors"]), problem
    assert state(client, chain) == before


def test_a_manager_counts_only_their_stores(client):
    owner = sign_up(client)
    mine, other = store(client, owner, "M1"), store(client, owner, "M2")
    item = product(client, owner, "ITEM")
    theirs = open_count(client, owner, other["id"])
    headers = manager(client, owner, [mine["id"]], "count-manager@example.com")
    assert (
        client.post("/v1/stocktakes", json={"store_id": mine["id"]}, headers=headers).status_code
        == 201
    )
    assert_problem(
        client.post("/v1/stocktakes", json={"store_id": other["id"]}, headers=headers), 403
    )
    body = {"counts": [{"product_id": item["id"], "quantity": 1}]}
    for path, payload in (("counts", body), ("post", None), ("cancel", None)):
        assert_problem(
            client.post(f"/v1/stocktakes/{theirs['id']}/{path}", json=payload, headers=headers),
            403,
        )
    reader = api_key(client, owner, "inventory:read")
    assert client.get(f"/v1/stocktakes/{theirs['id']}/variance", headers=reader).status_code == 200
    assert_problem(client.post(f"/v1/stocktakes/{theirs['id']}/cancel", headers=reader), 403)


def test_posting_while_the_tills_sell_keeps_the_ledger_exact(client):
    """Sales and corrections run while the count is posted: every level equals its ledger sum;
    a counted product ends at counted + every sale after its count, whichever committed
    first; an uncounted one written to zero keeps exactly the sales that came after the
    posting locked it."""
    owner = sign_up(client)
    shop = store(client, owner)
    counted = [product(client, owner, f"CNT-{i}", cost_price=50) for i in range(3)]
    zeroed = product(client, owner, "ZERO", cost_price=50)
    for p in [*counted, zeroed]:
        receive(client, owner, shop["id"], {"product_id": p["id"], "quantity": 100})
    take = open_count(client, owner, shop["id"])
    count(client, owner, take["id"], *((p["id"], 90 + i) for i, p in enumerate(counted)))
    writers = 24

    def work(n: int) -> int:
        if n == writers // 2:
            response = client.post(
                f"/v1/stocktakes/{take['id']}/post",
                json={"zero_uncounted": True},
                headers=owner.headers,
            )
            return response.status_code
        target = [*counted, zeroed][n % 4]
        body = {
            "store_id": shop["id"],
            "kind": "adjustment",
            "note": f"till {n}",
            "lines": [{"product_id": target["id"], "quantity": -1}],
        }
        return client.post("/v1/stock-movements", json=body, headers=owner.headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(work, range(writers + 1)))
    assert statuses == [201] * (writers // 2) + [200] + [201] * (writers // 2)
    moves = {m["product_id"]: m for m in stocktake_moves(client, owner, take["id"])}
    for i, p in enumerate(counted):
        sales = sum(1 for n in range(writers + 1) if n != writers // 2 and n % 4 == i)
        assert moves[p["id"]]["quantity"] == f"{90 + i - 100}.000"
        assert level(client, owner, shop["id"], p["id"]) == 90 + i - sales
        assert ledger_sum(client, owner, shop["id"], p["id"]) == 90 + i - sales
    zero_move = moves[zeroed["id"]]
    after = [
        m
        for m in ledger(client, owner, store_id=shop["id"], product_id=zeroed["id"])
        if m["id"] > zero_move["id"]
    ]
    assert level(client, owner, shop["id"], zeroed["id"]) == sum(
        (Decimal(m["quantity"]) for m in after), Decimal(0)
    )
    assert ledger_sum(client, owner, shop["id"], zeroed["id"]) == level(
        client, owner, shop["id"], zeroed["id"]
    )


def test_graphql_runs_a_stocktake(client):
    owner = sign_up(client)
    shop = store(client, owner)
    egg = product(client, owner, "EGG", cost_price=80)
    receive(client, owner, shop["id"], {"product_id": egg["id"], "quantity": 30})
    opened = graphql(
        client,
        owner.headers,
        "mutation($input: StocktakeInput!) { openStocktake(input: $input) { id status } }",
        input={"storeId": shop["id"]},
    )["data"]["openStocktake"]
    counted = graphql(
        client,
        owner.headers,
        """mutation($id: UUID!, $input: StocktakeCountsInput!) {
            recordStocktakeCounts(id: $id, input: $input) { version lines { counted } } }""",
        id=opened["id"],
        input={"mode": "set", "counts": [{"productId": egg["id"], "quantity": "28"}]},
    )["data"]["recordStocktakeCounts"]
    assert counted["lines"] == [{"counted": "28.000"}]
    read = graphql(
        client,
        owner.headers,
        """query($id: UUID!) { stocktake(id: $id) { status productsCounted
            variance { lines { expected counted variance value } uncounted { sku }
                       totals { shortageValue } } } }""",
        id=opened["id"],
    )["data"]["stocktake"]
    assert read["variance"]["lines"] == [
        {"expected": "30.000", "counted": "28.000", "variance": "-2.000", "value": -160}
    ]
    assert read["variance"]["totals"]["shortageValue"] == 160
    posted = graphql(
        client,
        owner.headers,
        """mutation($id: UUID!) { postStocktake(id: $id) { status totals { netValue } } }""",
        id=opened["id"],
    )["data"]["postStocktake"]
    assert posted == {"status": "posted", "totals": {"netValue": -160}}
    again = graphql(
        client,
        owner.headers,
        "mutation($id: UUID!) { cancelStocktake(id: $id) { status } }",
        id=opened["id"],
    )
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    listed = graphql(client, owner.headers, '{ stocktakes(status: "posted") { data { id } } }')[
        "data"
    ]["stocktakes"]["data"]
    assert listed == [{"id": opened["id"]}]
    assert level(client, owner, shop["id"], egg["id"]) == 28


def test_concurrent_posts_and_opens_let_exactly_one_through(client):
    """Four posts of one stocktake at once: one posts, the others get 409 and write nothing;
    four opens in one store at once: one opens."""
    owner = sign_up(client)
    shop, other = store(client, owner, "P1"), store(client, owner, "P2")
    salt = product(client, owner, "SALT", cost_price=10)
    receive(client, owner, shop["id"], {"product_id": salt["id"], "quantity": 10})
    take = open_count(client, owner, shop["id"])
    count(client, owner, take["id"], (salt["id"], 7))

    def post_it(_: int) -> int:
        return client.post(f"/v1/stocktakes/{take['id']}/post", headers=owner.headers).status_code

    def open_it(_: int) -> int:
        body = {"store_id": other["id"]}
        return client.post("/v1/stocktakes", json=body, headers=owner.headers).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        posts = sorted(pool.map(post_it, range(4)))
        opens = sorted(pool.map(open_it, range(4)))
    assert posts == [200, 409, 409, 409]
    assert opens == [201, 409, 409, 409]
    assert [m["quantity"] for m in stocktake_moves(client, owner, take["id"])] == ["-3.000"]
    assert level(client, owner, shop["id"], salt["id"]) == 7


def test_a_retried_batch_with_its_idempotency_key_counts_once(client):
    owner = sign_up(client)
    shop = store(client, owner)
    rice = product(client, owner, "RICE")
    take = open_count(client, owner, shop["id"])
    body = {"counts": [{"product_id": rice["id"], "quantity": 5}]}
    headers = {**owner.headers, "Idempotency-Key": "handheld-7-batch-1"}
    path = f"/v1/stocktakes/{take['id']}/counts"
    first = client.post(path, json=body, headers=headers)
    again = client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    (line,) = variance(client, owner, take["id"])["lines"]
    assert line["counted"] == "5.000"
