"""Cross-tenant isolation of inventory beyond the route table: the loss report, a loss naming
another chain's lot, and a transfer received naming another chain's product.

Naming A's object answers exactly as naming one that never existed, and A's stock, losses and
transfers stay as they were."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient

from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import World, new_uuid, without_id

PERIOD = {"since": "2000-01-01", "until": "2100-01-01"}


def _a_state(client: TestClient[Any], world: World) -> dict[str, Any]:
    a = world.a.headers
    paths = ("/v1/stock-levels", "/v1/stock-lots", "/v1/losses", "/v1/transfers")
    return {path: client.get(path, params={"limit": 200}, headers=a).json() for path in paths}


def test_the_loss_report_is_the_callers_own(client: TestClient[Any], world: World) -> None:
    """B's report, grouped any way, holds B's losses and nothing of A's; naming A's store
    matches nothing, word for word as a store that never existed."""
    b = world.b.headers
    for group_by in ("store", "category", "reason", "product"):
        report = client.get("/v1/loss-report", params={**PERIOD, "group_by": group_by}, headers=b)
        assert report.status_code == 200, report.text
        assert report.json()["value"] >= 0
        assert report.json()["groups"], group_by  # B's own seeded loss is there
        assert [s for s in world.a_secrets() if s in report.text] == []
    a_store, missing = world.a.ids["store"], new_uuid()

    def report_of(store: str) -> Any:
        return client.get("/v1/loss-report", params={**PERIOD, "store_id": store}, headers=b)

    theirs = report_of(a_store)
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["groups"] == []
    assert without_id(theirs, a_store) == without_id(report_of(missing), missing)
    query = """query($store: UUID) { lossReport(since: "2000-01-01", until: "2100-01-01",
        groupBy: "product", storeId: $store) { value groups { key label value } } }"""
    mine = graphql(client, b, query, store=None)
    assert mine["data"]["lossReport"]["groups"], mine
    assert [s for s in world.a_secrets() if s in json.dumps(mine)] == []
    assert graphql(client, b, query, store=a_store) == graphql(client, b, query, store=missing)


def test_a_loss_naming_another_chains_lot_is_like_a_missing_lot(
    client: TestClient[Any], world: World
) -> None:
    """B writing off its own product from A's lot: 422 like a lot that never existed; A's lot
    and losses are unchanged."""
    before = _a_state(client, world)

    def loss(lot: str) -> Any:
        line = {"product_id": world.b.ids["product"], "quantity": 1, "lot_id": lot}
        body = {"store_id": world.b.ids["store"], "reason": "expired", "lines": [line]}
        return client.post("/v1/losses", json=body, headers=world.b.headers)

    a_lot, missing = world.a.ids["stock_lot"], new_uuid()
    theirs = loss(a_lot)
    assert assert_problem(theirs, 422)["errors"][0]["field"] == "lines[0].lot_id"
    assert without_id(theirs, a_lot) == without_id(loss(missing), missing)
    assert _a_state(client, world) == before


def test_receiving_naming_another_chains_product_is_like_a_missing_one(
    client: TestClient[Any], world: World
) -> None:
    """B receiving its own transfer naming A's product: 422 like a product that never
    existed; A's stock and transfers are unchanged, and B's transfer is still in transit."""
    b = world.b.headers
    body = {
        "from_store_id": world.b.ids["store"],
        "to_store_id": world.b.ids["store2"],
        "lines": [{"product_id": world.b.ids["product"], "quantity": 1}],
    }
    sent = client.post("/v1/transfers", json=body, headers=b)
    assert sent.status_code == 201, sent.text
    path = f"/v1/transfers/{sent.json()['id']}/receive"
    before = _a_state(client, world)

    def receive(product: str) -> Any:
        return client.post(
            path, json={"lines": [{"product_id": product, "quantity": 1}]}, headers=b
        )

    a_product, missing = world.a.ids["product"], new_uuid()
    theirs = receive(a_product)
    assert_problem(theirs, 422)
    assert without_id(theirs, a_product) == without_id(receive(missing), missing)
    assert _a_state(client, world) == before
    assert client.get(path.removesuffix("/receive"), headers=b).json()["status"] == "in_transit"
