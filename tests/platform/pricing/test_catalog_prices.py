"""What pricing needs from the catalog: stores' closing times (REST, GraphQL, manifests) and
the history of list prices, written by every way a list price is set."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bodega.catalog import list_price_history, set_list_price
from bodega.manifest import load_manifest
from tests.conftest import assert_problem, graphql, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.pricing.helpers import call_service, product, store

DEMO = Path(__file__).parents[3] / "tenants" / "demo.toml"


@pytest.fixture(scope="module")
def owner(client):
    return sign_up(client, "Catalog Corner")


def test_a_store_has_an_optional_closing_time(client, owner):
    h = owner.headers
    shop = store(client, owner, "CL-1", closes_at="21:30")
    assert shop["closes_at"] == "21:30"
    assert store(client, owner, "CL-2")["closes_at"] is None
    changed = client.patch(
        f"/v1/stores/{shop['id']}", json={"version": 1, "closes_at": "00:00"}, headers=h
    )
    assert changed.json()["closes_at"] == "00:00"
    cleared = client.patch(
        f"/v1/stores/{shop['id']}", json={"version": 2, "closes_at": None}, headers=h
    )
    assert cleared.json()["closes_at"] is None
    for bad in ("24:00", "9:00", "21:60", "21:30:00", ""):
        refused = client.post(
            "/v1/stores", json={"code": "CL-X", "name": "x", "closes_at": bad}, headers=h
        )
        assert "closes_at" in assert_problem(refused, 422)["detail"]
    assert [s["code"] for s in walk(client, "/v1/stores", h)] == ["CL-1", "CL-2"]


def test_closing_time_through_graphql(client, owner):
    made = graphql(
        client,
        owner.headers,
        "mutation($input: StoreInput!) { createStore(input: $input) { id closesAt } }",
        input={"code": "CL-G", "name": "Night owl", "closesAt": "23:45"},
    )
    store_id = made["data"]["createStore"]["id"]
    read = graphql(
        client, owner.headers, "query($id: UUID!) { store(id: $id) { closesAt } }", id=store_id
    )
    assert read["data"]["store"]["closesAt"] == "23:45"


def test_manifests_take_a_closing_time(tmp_path):
    """The demo chain's stores close at 22:00, 23:00 and 20:00; a store without the key has
    none."""
    assert [s.closes_at for s in load_manifest(DEMO).stores] == ["22:00", "23:00", "20:00"]
    path = tmp_path / "chain.toml"
    path.write_text(DEMO.read_text().replace('closes_at = "22:00"\n', "", 1))
    assert load_manifest(path).stores[0].closes_at is None


def _history(client, owner, product_id, since):
    found = call_service(client, owner, list_price_history, [uuid.UUID(product_id)], since=since)
    return [price for _, price in found.get(uuid.UUID(product_id), [])]


def test_every_way_of_setting_a_list_price_is_recorded(client, owner):
    """Created, changed by PATCH (a change of another field records nothing), imported, and
    set by ``set_list_price`` (version, audit entry, ``product.updated``; the same price
    changes nothing)."""
    start = datetime.now(UTC) - timedelta(seconds=1)
    h = owner.headers
    loaf = product(client, owner, "LP-LOAF", list_price=350)
    assert _history(client, owner, loaf["id"], start) == [350]
    client.patch(f"/v1/products/{loaf['id']}", json={"version": 1, "name": "Loaf"}, headers=h)
    client.patch(f"/v1/products/{loaf['id']}", json={"version": 2, "list_price": 380}, headers=h)
    assert _history(client, owner, loaf["id"], start) == [350, 380]

    csv = "sku,name,price\nLP-LOAF,Loaf,4.10\nLP-BUN,Bun,1.20\n"
    imported = client.post(
        "/v1/products/import", content=csv.encode(), headers={**h, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    bun = client.get("/v1/products", params={"q": "LP-BUN"}, headers=h).json()["data"][0]
    assert _history(client, owner, loaf["id"], start) == [350, 380, 410]
    assert _history(client, owner, bun["id"], start) == [120]
    assert _history(client, owner, loaf["id"], datetime.now(UTC)) == [410]  # in force now

    before = client.get(f"/v1/products/{loaf['id']}", headers=h).json()
    out = call_service(client, owner, set_list_price, uuid.UUID(loaf["id"]), 400)
    assert (out.list_price, out.version) == (400, before["version"] + 1)
    assert _history(client, owner, loaf["id"], start) == [350, 380, 410, 400]
    same = call_service(client, owner, set_list_price, uuid.UUID(loaf["id"]), 400)
    assert same.version == out.version
    assert _history(client, owner, loaf["id"], start) == [350, 380, 410, 400]
    audit = walk(client, "/v1/audit-log", h, resource_id=loaf["id"])
    assert audit[-1]["action"] == "product.updated"
    assert audit[-1]["after"]["list_price"] == 400
    updated = walk(client, "/v1/events", h, type="product.updated")
    assert updated[-1]["data"]["list_price"] == 400

    other = sign_up(client)
    assert (
        call_service(client, other, list_price_history, [uuid.UUID(loaf["id"])], since=start) == {}
    )
    assert client.delete(f"/v1/products/{bun['id']}", headers=h).status_code == 204
