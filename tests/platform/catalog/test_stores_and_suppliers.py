"""Stores and suppliers: CRUD, codes unique per chain, validation that writes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import create, snapshot, walk


def test_store_round_trip_defaults_to_the_chains_time_zone(client, chain):
    """A store gets the chain's time zone, reads back, changes with its version, is deleted."""
    store = create(
        client, chain, "/v1/stores", code="SH-01", name="Jing'an", address="188 Yuyuan Road"
    )
    assert store["timezone"] == "Asia/Shanghai"
    assert store["status"] == "open"
    assert store["version"] == 1
    path = f"/v1/stores/{store['id']}"
    assert client.get(path, headers=chain.headers).json() == store
    changed = client.patch(
        path,
        json={"version": 1, "status": "closed", "timezone": "Europe/Berlin"},
        headers=chain.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **store,
        "status": "closed",
        "timezone": "Europe/Berlin",
        "version": 2,
    }
    assert_problem(
        client.patch(path, json={"version": 1, "name": "Stale"}, headers=chain.headers),
        409,
        "version-conflict",
    )
    assert client.get(path, headers=chain.headers).json() == changed.json()
    assert client.delete(path, headers=chain.headers).status_code == 204
    assert_problem(client.get(path, headers=chain.headers), 404, "not-found")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "DUP"}, 409, "code"),
        ({"code": "has space"}, 422, "code"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"status": "burning"}, 422, "status"),
        ({"name": ""}, 422, "name"),
    ],
)
def test_bad_store_input_is_refused_and_writes_nothing(client, chain, body, status, field):
    """Taken or bad codes, unknown time zones and statuses: 4xx problems; nothing written."""
    if not any(s["code"] == "DUP" for s in walk(client, "/v1/stores", chain.headers)):
        create(client, chain, "/v1/stores", code="DUP", name="Existing")
    before = snapshot(client, chain)
    problem = assert_problem(
        client.post(
            "/v1/stores", json={"code": "NEW", "name": "New", **body}, headers=chain.headers
        ),
        status,
    )
    assert field in [e["field"] for e in problem["errors"]]
    assert snapshot(client, chain) == before


def test_store_update_refuses_a_taken_code_or_unknown_time_zone(client, chain, other_chain):
    """A taken code is a 409, an unknown time zone a 422; other chains' codes are free."""
    a = create(client, chain, "/v1/stores", code="UPD-A", name="A")
    create(client, chain, "/v1/stores", code="UPD-B", name="B")
    before = snapshot(client, chain)
    taken = client.patch(
        f"/v1/stores/{a['id']}", json={"version": 1, "code": "UPD-B"}, headers=chain.headers
    )
    assert [e["field"] for e in assert_problem(taken, 409)["errors"]] == ["code"]
    zone = client.patch(
        f"/v1/stores/{a['id']}",
        json={"version": 1, "timezone": "Nowhere/Town"},
        headers=chain.headers,
    )
    assert [e["field"] for e in assert_problem(zone, 422)["errors"]] == ["timezone"]
    assert snapshot(client, chain) == before
    assert (
        create(client, other_chain, "/v1/stores", code="UPD-B", name="Other chain's B")["code"]
        == "UPD-B"
    )


def test_stores_paginate_without_duplicates(client, chain):
    """Walking stores two at a time returns each store once, in the order of a single page."""
    for n in range(5):
        create(client, chain, "/v1/stores", code=f"PG-{n}", name=f"Page {n}")
    paged = walk(client, "/v1/stores", chain.headers, limit=2)
    assert paged == walk(client, "/v1/stores", chain.headers)
    assert len({s["id"] for s in paged}) == len(paged)
    assert [s["code"] for s in paged if s["code"].startswith("PG-")] == [
        f"PG-{n}" for n in range(5)
    ]


def test_supplier_round_trip_normalises_order_days(client, chain):
    """A supplier keeps lead time, min order (minor units), order days sorted and unique."""
    supplier = create(
        client,
        chain,
        "/v1/suppliers",
        code="BAKE",
        name="Central Kitchen",
        lead_time_days=2,
        order_days=[5, 1, 5, 3],
        min_order=50000,
    )
    assert supplier["order_days"] == [1, 3, 5]
    assert supplier["min_order"] == 50000
    assert supplier["lead_time_days"] == 2
    path = f"/v1/suppliers/{supplier['id']}"
    assert client.get(path, headers=chain.headers).json() == supplier
    changed = client.patch(
        path, json={"version": 1, "order_days": [7, 7, 2], "min_order": 0}, headers=chain.headers
    )
    assert changed.status_code == 200
    assert changed.json() == {**supplier, "order_days": [2, 7], "min_order": 0, "version": 2}
    assert_problem(
        client.patch(path, json={"version": 1, "name": "Stale"}, headers=chain.headers),
        409,
        "version-conflict",
    )
    assert client.delete(path, headers=chain.headers).status_code == 204
    assert_problem(client.get(path, headers=chain.headers), 404)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "DIST"}, 409, "code"),
        ({"min_order": 3.5}, 422, "min_order"),
        ({"min_order": -1}, 422, "min_order"),
        ({"order_days": [0]}, 422, "order_days"),
        ({"order_days": [8]}, 422, "order_days"),
        ({"lead_time_days": 366}, 422, "lead_time_days"),
    ],
)
def test_bad_supplier_input_is_refused_and_writes_nothing(client, chain, body, status, field):
    """Taken codes, fractional or negative money, bad weekdays: 4xx problems; no writes."""
    if not any(s["code"] == "DIST" for s in walk(client, "/v1/suppliers", chain.headers)):
        create(client, chain, "/v1/suppliers", code="DIST", name="Existing")
    before = snapshot(client, chain)
    problem = assert_problem(
        client.post(
            "/v1/suppliers", json={"code": "NEW", "name": "New", **body}, headers=chain.headers
        ),
        status,
    )
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    assert snapshot(client, chain) == before


def test_supplier_with_products_cannot_be_deleted(client, chain):
    """Deleting a supplier a product uses is a 409 changing nothing; after unlinking it works."""
    supplier = create(client, chain, "/v1/suppliers", code="USED", name="Used")
    item = create(
        client,
        chain,
        "/v1/products",
        sku="USED-1",
        name="Used",
        list_price=100,
        supplier_id=supplier["id"],
    )
    before = snapshot(client, chain)
    assert_problem(
        client.delete(f"/v1/suppliers/{supplier['id']}", headers=chain.headers), 409, "conflict"
    )
    assert snapshot(client, chain) == before
    unlinked = client.patch(
        f"/v1/products/{item['id']}",
        json={"version": 1, "supplier_id": None},
        headers=chain.headers,
    )
    assert unlinked.status_code == 200
    assert unlinked.json()["supplier_id"] is None
    assert (
        client.delete(f"/v1/suppliers/{supplier['id']}", headers=chain.headers).status_code == 204
    )


def test_a_store_that_managers_manage_cannot_be_deleted(client):
    """Deleting a store someone works in would leave them pointing at nothing: 409 until they
    are given other stores (staff keep their stores when demoted, so those are taken too)."""
    chain = sign_up(client)
    store = client.post("/v1/stores", json={"code": "M1", "name": "Managed"}, headers=chain.headers)
    store_id = store.json()["id"]
    invite = client.post(
        "/v1/invitations",
        json={"email": "mgr@example.com", "role": "manager", "store_ids": [store_id]},
        headers=chain.headers,
    ).json()
    accepted = client.post(
        "/v1/invitations/accept", json={"token": invite["token"], "password": "manager pass 1"}
    ).json()
    body = assert_problem(client.delete(f"/v1/stores/{store_id}", headers=chain.headers), 409)
    assert "mgr@example.com" in body["detail"]
    manager = accepted["user"]
    client.patch(
        f"/v1/users/{manager['id']}",
        json={"version": manager["version"], "role": "staff"},
        headers=chain.headers,
    )
    assert_problem(client.delete(f"/v1/stores/{store_id}", headers=chain.headers), 409)
    demoted = client.get(f"/v1/users/{manager['id']}", headers=chain.headers).json()
    assert demoted["store_ids"] == [store_id]
    client.patch(
        f"/v1/users/{manager['id']}",
        json={"version": demoted["version"], "store_ids": []},
        headers=chain.headers,
    )
    assert client.delete(f"/v1/stores/{store_id}", headers=chain.headers).status_code == 204
