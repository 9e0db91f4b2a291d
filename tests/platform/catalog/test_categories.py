"""Categories: a tree without cycles, names unique among siblings, deletable only when empty."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create, snapshot, walk


@pytest.fixture(scope="module")
def tree(client, chain):
    """Food > Bakery > Bread."""
    food = create(client, chain, "/v1/categories", name="Food")
    bakery = create(client, chain, "/v1/categories", name="Bakery", parent_id=food["id"])
    bread = create(client, chain, "/v1/categories", name="Bread", parent_id=bakery["id"])
    return food, bakery, bread


def test_category_round_trip(client, chain, tree):
    """A category is created (201), read, listed, renamed with its version and deleted."""
    food, bakery, bread = tree
    assert bakery["parent_id"] == food["id"]
    assert bread["parent_id"] == bakery["id"]
    assert food["parent_id"] is None
    assert client.get(f"/v1/categories/{bread['id']}", headers=chain.headers).json() == bread
    assert [c["id"] for c in walk(client, "/v1/categories", chain.headers, limit=1)][:3] == [
        food["id"],
        bakery["id"],
        bread["id"],
    ]
    leaf = create(client, chain, "/v1/categories", name="Leaf", parent_id=food["id"])
    path = f"/v1/categories/{leaf['id']}"
    renamed = client.patch(path, json={"version": 1, "name": "Greens"}, headers=chain.headers)
    assert renamed.status_code == 200
    assert renamed.json() == {**leaf, "name": "Greens", "version": 2}
    assert_problem(
        client.patch(path, json={"version": 1, "name": "Stale"}, headers=chain.headers),
        409,
        "version-conflict",
    )
    assert client.delete(path, headers=chain.headers).status_code == 204
    assert_problem(client.get(path, headers=chain.headers), 404)


@pytest.mark.parametrize("move", ["self", "child", "grandchild"])
def test_category_cycles_are_refused_and_change_nothing(client, chain, tree, move):
    """Moving a category under itself or a descendant is a 422 on parent_id; the tree stays."""
    food, bakery, bread = tree
    target = {"self": food, "child": bakery, "grandchild": bread}[move]
    before = snapshot(client, chain)
    response = client.patch(
        f"/v1/categories/{food['id']}",
        json={"version": food["version"], "parent_id": target["id"]},
        headers=chain.headers,
    )
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["parent_id"]
    assert snapshot(client, chain) == before


def test_moving_a_category_to_another_branch_or_the_root_works(client, chain):
    """A legal move (under a sibling, then back to the root with parent_id null) is accepted."""
    a = create(client, chain, "/v1/categories", name="Move A")
    b = create(client, chain, "/v1/categories", name="Move B")
    moved = client.patch(
        f"/v1/categories/{b['id']}",
        json={"version": 1, "parent_id": a["id"]},
        headers=chain.headers,
    )
    assert moved.status_code == 200
    assert moved.json()["parent_id"] == a["id"]
    back = client.patch(
        f"/v1/categories/{b['id']}", json={"version": 2, "parent_id": None}, headers=chain.headers
    )
    assert back.status_code == 200
    assert back.json()["parent_id"] is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "Bakery"}, 409, "name"),  # sibling of Bakery under Food, see below
        ({"name": "bakery"}, 409, "name"),  # names compare without case
        ({"name": " Bakery "}, 409, "name"),  # nor surrounding blanks
        ({"name": "X", "parent_id": str(uuid.uuid4())}, 422, "parent_id"),
        ({"name": ""}, 422, "name"),
        ({"name": "   "}, 422, "name"),
        ({"name": "x" * 201}, 422, "name"),
    ],
)
def test_bad_category_input_is_refused_and_writes_nothing(client, chain, tree, body, status, field):
    """Duplicate sibling names, unknown parents, blank names: 4xx problems naming the field."""
    food = tree[0]
    before = snapshot(client, chain)
    body = {"parent_id": food["id"], **body}
    problem = assert_problem(
        client.post("/v1/categories", json=body, headers=chain.headers), status
    )
    assert field in [e["field"] for e in problem["errors"]]
    assert snapshot(client, chain) == before


def test_same_name_under_another_parent_is_fine(client, chain, tree):
    """Names are unique among siblings only: a root 'Bread' may exist beside Bakery > Bread."""
    assert create(client, chain, "/v1/categories", name="Bread")["parent_id"] is None


def test_category_with_products_or_children_cannot_be_deleted(client, chain):
    """Deleting a category that holds products or subcategories is a 409; once emptied it can go."""
    parent = create(client, chain, "/v1/categories", name="Snacks")
    child = create(client, chain, "/v1/categories", name="Chips", parent_id=parent["id"])
    item = create(
        client,
        chain,
        "/v1/products",
        sku="CHIPS-1",
        name="Chips",
        list_price=750,
        category_id=child["id"],
    )
    before = snapshot(client, chain)
    assert_problem(
        client.delete(f"/v1/categories/{child['id']}", headers=chain.headers), 409, "conflict"
    )
    assert_problem(
        client.delete(f"/v1/categories/{parent['id']}", headers=chain.headers), 409, "conflict"
    )
    assert snapshot(client, chain) == before
    assert client.delete(f"/v1/products/{item['id']}", headers=chain.headers).status_code == 204
    assert client.delete(f"/v1/categories/{child['id']}", headers=chain.headers).status_code == 204
    assert client.delete(f"/v1/categories/{parent['id']}", headers=chain.headers).status_code == 204
