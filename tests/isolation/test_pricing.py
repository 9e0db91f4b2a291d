"""Cross-tenant isolation of pricing: chain B (an owner with every scope) never reads, changes
or learns of chain A's price lists, their items, price changes or price history, through REST,
GraphQL or the services quotes and orders call.

Naming A's object answers exactly as naming one that never existed, and A's pricing stays as
it was."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.pricing import prior_lowest_prices, regular_prices
from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import World, a_view, new_uuid, without_id
from tests.platform.catalog.helpers import walk

LISTS, CHANGES, HISTORY = "/v1/price-lists", "/v1/price-changes", "/v1/price-history"


def _a_state(client: TestClient[Any], world: World) -> dict[str, Any]:
    a, ids = world.a.headers, world.a.ids
    return {
        key: a_view(client, world, key, ids[key])
        for key in ("price_list", "price_list_to_archive", "price_change", "price_change_to_cancel")
    } | {
        "items": client.get(f"{LISTS}/{ids['price_list']}/items", headers=a).json(),
        "history": client.get(HISTORY, params={"store_id": ids["store"]}, headers=a).json(),
        "events": [e for e in walk(client, "/v1/events", a) if e["type"].startswith("price")],
    }


def _like_missing(theirs: Any, ident: str, missing: Any, missing_id: str) -> None:
    assert without_id(theirs, ident) == without_id(missing, missing_id)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (LISTS + "/{}", "price_list"),
        (LISTS + "/{}/items", "price_list"),
        (CHANGES + "/{}", "price_change"),
    ],
)
def test_reading_another_chains_pricing_is_like_reading_nothing(
    client: TestClient[Any], world: World, path: str, key: str
) -> None:
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    theirs = client.get(path.format(a_id), headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.get(path.format(missing), headers=b), missing)
    assert client.get(path.format(world.b.ids[key]), headers=b).status_code == 200


def test_lists_never_show_another_chains_pricing(client: TestClient[Any], world: World) -> None:
    """B's pages hold B's own objects only; filters naming A's store or product match nothing;
    A's store has no history for B."""
    b, a_ids = world.b.headers, world.a.ids
    for path, own in ((LISTS, "price_list"), (CHANGES, "price_change")):
        page = client.get(path, params={"limit": 200}, headers=b)
        assert world.b.ids[own] in page.text
        assert [s for s in world.a_secrets() if s in page.text] == []
    for path, params in (
        (LISTS, {"store_id": a_ids["store"]}),
        (LISTS, {"product_id": a_ids["product"]}),
        (LISTS, {"store_id": a_ids["store"], "status": "active"}),
        (CHANGES, {"store_id": a_ids["store"]}),
        (CHANGES, {"product_id": a_ids["product"]}),
        (HISTORY, {"store_id": a_ids["store"]}),
        (HISTORY, {"store_id": world.b.ids["store"], "product_id": a_ids["product"]}),
    ):
        page = client.get(path, params=params, headers=b)
        assert page.status_code == 200, page.text
        assert page.json()["data"] == [], (path, params)
    own = client.get(HISTORY, params={"store_id": world.b.ids["store"]}, headers=b).json()
    assert [r["id"] for r in own["data"]] == [world.b.ids["price_history"]]


def test_changing_another_chains_pricing_is_like_changing_nothing(
    client: TestClient[Any], world: World
) -> None:
    """Update, archive, set or remove items of A's list, cancel A's change (with A's current
    versions, naming B's product or A's): 404 like a missing id; A's pricing unchanged."""
    before = _a_state(client, world)
    a, b = world.a.ids, world.b.headers
    version = before["price_list"]["version"]
    item = {"items": [{"product_id": world.b.ids["product"], "price": 1}]}
    a_item = {"items": [{"product_id": a["product"], "price": 1}]}
    calls = [
        ("PATCH", LISTS + "/{}", {"version": version, "name": "Taken over"}),
        ("DELETE", LISTS + "/{}", None),
        ("PUT", LISTS + "/{}/items", item),
        ("PUT", LISTS + "/{}/items", a_item),
        ("DELETE", LISTS + "/{}/items/" + a["product"], None),
        ("POST", CHANGES + "/{}/cancel", {"version": before["price_change_to_cancel"]["version"]}),
    ]
    for method, path, body in calls:
        key = "price_change_to_cancel" if path.startswith(CHANGES) else "price_list"
        missing = new_uuid()
        theirs = client.request(method, path.format(a[key]), json=body, headers=b)
        assert_problem(theirs, 404, "not-found")
        again = client.request(method, path.format(missing), json=body, headers=b)
        _like_missing(theirs, a[key], again, missing)
    assert _a_state(client, world) == before


def test_naming_another_chains_store_or_product_is_like_naming_none(
    client: TestClient[Any], world: World
) -> None:
    """In B's own bodies, A's store or product is unknown exactly like a made-up id."""
    before = _a_state(client, world)
    a, b, own = world.a.ids, world.b.headers, world.b.ids
    version = client.get(f"{LISTS}/{own['price_list']}", headers=b).json()["version"]
    cases = [
        ("POST", LISTS, lambda i: {"name": "Mine", "store_ids": [i]}, "store"),
        (
            "PATCH",
            f"{LISTS}/{own['price_list']}",
            lambda i: {"version": version, "store_ids": [i]},
            "store",
        ),
        (
            "PUT",
            f"{LISTS}/{own['price_list']}/items",
            lambda i: {"items": [{"product_id": i, "price": 1}]},
            "product",
        ),
        ("POST", CHANGES, lambda i: {"product_id": i, "price": 1}, "product"),
        (
            "POST",
            CHANGES,
            lambda i: {"product_id": own["product"], "price": 1, "store_ids": [i]},
            "store",
        ),
    ]
    for method, path, body, ref in cases:
        missing = new_uuid()
        theirs = client.request(method, path, json=body(a[ref]), headers=b)
        assert_problem(theirs, 422)
        _like_missing(
            theirs, a[ref], client.request(method, path, json=body(missing), headers=b), missing
        )
    gone = client.delete(f"{LISTS}/{own['price_list']}/items/{a['product']}", headers=b)
    assert_problem(gone, 404)
    missing = new_uuid()
    _like_missing(
        gone,
        a["product"],
        client.delete(f"{LISTS}/{own['price_list']}/items/{missing}", headers=b),
        missing,
    )
    assert _a_state(client, world) == before


GQL_BY_ID = {
    "priceList": "query($id: UUID!) { priceList(id: $id) { id name storeIds } }",
    "priceChange": "query($id: UUID!) { priceChange(id: $id) { id note productId } }",
    "priceListItems": "query($id: UUID!) { priceListItems(priceListId: $id) { data { id } } }",
}
GQL_MUTATIONS = {
    "updatePriceList": (
        'mutation($id: UUID!) { updatePriceList(id: $id, input: {version: 1, name: "x"}) { id } }',
        "price_list",
    ),
    "archivePriceList": ("mutation($id: UUID!) { archivePriceList(id: $id) { id } }", "price_list"),
    "setPriceListItems": (
        "mutation($id: UUID!, $p: UUID!) { setPriceListItems(id: $id, input: "
        "{items: [{productId: $p, price: 1}]}) { id } }",
        "price_list",
    ),
    "removePriceListItem": (
        "mutation($id: UUID!, $p: UUID!) { removePriceListItem(id: $id, productId: $p) { id } }",
        "price_list",
    ),
    "cancelPriceChange": (
        "mutation($id: UUID!) { cancelPriceChange(id: $id, input: {version: 1}) { id } }",
        "price_change_to_cancel",
    ),
}


def _blank(result: dict[str, Any], ident: str) -> str:
    return str(result).replace(ident, "<id>")


@pytest.mark.parametrize("field", sorted(GQL_BY_ID))
def test_graphql_reads_of_another_chains_pricing(
    client: TestClient[Any], world: World, field: str
) -> None:
    key = "price_change" if field == "priceChange" else "price_list"
    a_id, missing = world.a.ids[key], new_uuid()
    theirs = graphql(client, world.b.headers, GQL_BY_ID[field], id=a_id)
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert _blank(theirs, a_id) == _blank(
        graphql(client, world.b.headers, GQL_BY_ID[field], id=missing), missing
    )
    assert "errors" not in graphql(client, world.b.headers, GQL_BY_ID[field], id=world.b.ids[key])


@pytest.mark.parametrize("mutation", sorted(GQL_MUTATIONS))
def test_graphql_changes_of_another_chains_pricing(
    client: TestClient[Any], world: World, mutation: str
) -> None:
    query, key = GQL_MUTATIONS[mutation]
    before = _a_state(client, world)
    a_id, missing = world.a.ids[key], new_uuid()
    extra = {"p": world.a.ids["product"]} if "$p" in query else {}
    theirs = graphql(client, world.b.headers, query, id=a_id, **extra)
    assert theirs["data"] == {mutation: None}
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    again = graphql(client, world.b.headers, query, id=missing, **extra)
    assert _blank(theirs, a_id) == _blank(again, missing)
    assert _a_state(client, world) == before


def test_graphql_lists_and_creates_stay_in_the_chain(client: TestClient[Any], world: World) -> None:
    a, b = world.a.ids, world.b.headers
    lists = graphql(
        client,
        b,
        "query($s: UUID!, $p: UUID!) { byStore: priceLists(storeId: $s) { data { id } } "
        "byProduct: priceLists(productId: $p) { data { id } } "
        "changes: priceChanges(storeId: $s) { data { id } } "
        "history: priceHistory(storeId: $s) { data { id } } }",
        s=a["store"],
        p=a["product"],
    )
    assert lists == {
        "data": {
            "byStore": {"data": []},
            "byProduct": {"data": []},
            "changes": {"data": []},
            "history": {"data": []},
        }
    }
    everything = graphql(
        client,
        b,
        "{ priceLists(first: 200) { data { id name } } "
        "priceChanges(first: 200) { data { id note } } }",
    )
    assert [s for s in world.a_secrets() if s in str(everything)] == []
    create = 'mutation($s: UUID!) { createPriceList(input: {name: "x", storeIds: [$s]}) { id } }'
    missing = new_uuid()
    theirs = graphql(client, b, create, s=a["store"])
    assert theirs["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert _blank(theirs, a["store"]) == _blank(graphql(client, b, create, s=missing), missing)
    before = _a_state(client, world)
    schedule = (
        "mutation($p: UUID!) { schedulePriceChange(input: {productId: $p, price: 1, "
        'effectiveAt: "2030-01-01T08:00:00+08:00"}) { id } }'
    )
    theirs = graphql(client, b, schedule, p=a["product"])
    assert theirs["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert _blank(theirs, a["product"]) == _blank(graphql(client, b, schedule, p=missing), missing)
    assert _a_state(client, world) == before


def test_the_services_never_price_with_another_chains_rows(
    client: TestClient[Any], world: World
) -> None:
    """``regular_prices`` and ``prior_lowest_prices`` for B: A's products are absent, and A's
    store's lists, store prices and history never reach B's answer (A's product, priced 320
    by its lists and 330 at its store, would otherwise show)."""
    actor = system_actor(world.b.chain.tenant_id, frozenset())
    a, b = world.a.ids, world.b.ids
    products = [uuid.UUID(a["product"]), uuid.UUID(b["product"])]

    async def run() -> tuple[Any, Any, Any]:
        async with db.transaction(client.app.state.engine, world.b.chain.tenant_id):
            at = datetime.now(UTC)
            regular = await regular_prices(
                actor,
                store_id=uuid.UUID(a["store"]),
                channel="pos",
                member=False,
                at=at,
                product_ids=products,
            )
            lowest_a = await prior_lowest_prices(
                actor, store_id=uuid.UUID(a["store"]), product_ids=products, at=at
            )
            lowest_b = await prior_lowest_prices(
                actor, store_id=uuid.UUID(b["store"]), product_ids=products, at=at
            )
            return regular, lowest_a, lowest_b

    regular, lowest_a, lowest_b = client.blocking_portal.call(run)
    b_product = uuid.UUID(b["product"])
    assert list(regular) == [b_product]
    assert (regular[b_product].price, regular[b_product].source) == (350, "list_price")
    assert lowest_a == {b_product: 350}
    assert lowest_b == {b_product: 320}
