"""Cross-tenant isolation of promotions and markdown rules: chain B (an owner with every scope)
never reads, changes or learns of chain A's, through REST or GraphQL, and cannot name A's
products, categories or stores in its own (refused word for word as an id that never existed).

``REST_CASES`` uses the checks of ``test_rest.py``, one per route, in the form of its ``CASES``;
the ``GRAPHQL_*`` tables have the shapes of ``test_graphql.py``'s and the checks mirror its.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import graphql
from tests.isolation.conftest import COLLECTIONS, World, a_view, new_uuid
from tests.isolation.test_rest import CHECKS, Resource, _routes

Body = dict[str, Any]
Ref = tuple[str, Callable[[str], Body]]

PROMOTION_REFS: tuple[Ref, ...] = (
    ("product", lambda i: {"product_ids": [i]}),
    ("category", lambda i: {"category_ids": [i]}),
    ("store", lambda i: {"store_ids": [i]}),
    (
        "product",
        lambda i: {
            "rule": {"type": "bundle", "items": [{"product_id": i, "quantity": 2}], "price": 1},
            "product_ids": [],
        },
    ),
    (
        "category",
        lambda i: {"rule": {"type": "buy_x_get_y", "buy": 1, "get": 1, "get_category_ids": [i]}},
    ),
)
RULE_REFS: tuple[Ref, ...] = (
    ("product", lambda i: {"product_ids": [i]}),
    ("category", lambda i: {"category_ids": [i]}),
    ("store", lambda i: {"store_ids": [i]}),
)

PROMOTION = Resource(
    "promotion",
    "/v1/promotions",
    change={"name": "Taken over", "priority": 1},
    create=lambda w: {
        "name": "Second",
        "rule": {"type": "percent_off", "percent": "5"},
        "product_ids": [w.b.ids["product"]],
    },
    refs=PROMOTION_REFS,
    filters=lambda w: [
        {"product_id": w.a.ids["product"]},
        {"product_id": w.a.ids["product"], "status": "active"},
    ],
)
# One promotion per action, in the state it needs (seed_promotions); versions as seeded.
PROMOTION_TO_PAUSE = Resource("promotion_to_pause", "/v1/promotions", action={"version": 1})
PROMOTION_TO_RESUME = Resource("promotion_to_resume", "/v1/promotions", action={"version": 2})
MARKDOWN_RULE = Resource(
    "markdown_rule",
    "/v1/markdown-rules",
    change={"name": "Taken over", "status": "paused"},
    create=lambda _: {
        "name": "Second",
        "basis": "expiry",
        "steps": [{"hours_before": 24, "percent": 20}],
    },
    refs=RULE_REFS,
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"store_id": w.a.ids["store"], "status": "active"},
    ],
)

REST_CASES: dict[tuple[str, str], tuple[str, Resource]] = {
    ("GET", "/v1/promotions"): ("list", PROMOTION),
    ("POST", "/v1/promotions"): ("create", PROMOTION),
    ("GET", "/v1/promotions/{promotion_id}"): ("read", PROMOTION),
    ("PATCH", "/v1/promotions/{promotion_id}"): ("update", PROMOTION),
    ("DELETE", "/v1/promotions/{promotion_id}"): ("delete", PROMOTION),
    ("POST", "/v1/promotions/{promotion_id}/pause"): ("action", PROMOTION_TO_PAUSE),
    ("POST", "/v1/promotions/{promotion_id}/resume"): ("action", PROMOTION_TO_RESUME),
    ("GET", "/v1/markdown-rules"): ("list", MARKDOWN_RULE),
    ("POST", "/v1/markdown-rules"): ("create", MARKDOWN_RULE),
    ("GET", "/v1/markdown-rules/{rule_id}"): ("read", MARKDOWN_RULE),
    ("PATCH", "/v1/markdown-rules/{rule_id}"): ("update", MARKDOWN_RULE),
    ("DELETE", "/v1/markdown-rules/{rule_id}"): ("delete", MARKDOWN_RULE),
}
"""Cross-tenant checks of every promotions route, as ``test_rest.CASES`` takes them."""


@pytest.mark.parametrize("case", sorted(REST_CASES), ids=" ".join)
def test_cross_tenant_rest(client: TestClient[Any], world: World, case: tuple[str, str]) -> None:
    """B's call of this route on A's object: 404 like a missing id, nothing of A's changed;
    lists and filters show none of A's objects; creates stay in B's chain and cannot name
    A's products, categories or stores."""
    kind, res = REST_CASES[case]
    CHECKS[kind](client, world, case[1], res)


def test_every_promotions_route_has_a_case(client: TestClient[Any]) -> None:
    mine = {r for r in _routes(client) if r[1].startswith(("/v1/promotions", "/v1/markdown-rules"))}
    assert mine == REST_CASES.keys()


# GraphQL ---------------------------------------------------------------------------------
# The tables below have the shapes of test_graphql.py's (BY_ID, SELECT, LISTS, UPDATES,
# DELETES, CREATES, ACTIONS), so they can be merged into its coverage check.

GRAPHQL_SELECT = {
    "Promotion": "id name description productIds categoryIds storeIds createdBy "
    "rule { getProductIds getCategoryIds items { productId } }",
    "MarkdownRule": "id name productIds categoryIds storeIds",
}
GRAPHQL_BY_ID = {"promotion": "Promotion", "markdownRule": "MarkdownRule"}
"""Query fields taking an ``id`` -> their type (the resource key is the snake_case name)."""
GRAPHQL_LISTS: dict[str, tuple[str, str, Callable[[World], list[Body]]]] = {
    "promotions": (
        "Promotion",
        "promotion",
        lambda w: [
            {"productId": w.a.ids["product"]},
            {"productId": w.a.ids["product"], "status": "active"},
        ],
    ),
    "markdownRules": (
        "MarkdownRule",
        "markdown_rule",
        lambda w: [{"storeId": w.a.ids["store"]}],
    ),
}
"""List field -> (type, which of B's ids it must show, arguments matching only A's objects)."""
FILTER_TYPES = {"productId": "UUID", "storeId": "UUID", "status": "String"}
GRAPHQL_RULE_REFS: tuple[Ref, ...] = (
    ("product", lambda i: {"productIds": [i]}),
    ("category", lambda i: {"categoryIds": [i]}),
    ("store", lambda i: {"storeIds": [i]}),
)
GRAPHQL_PROMOTION_REFS: tuple[Ref, ...] = (
    *GRAPHQL_RULE_REFS,
    (
        "product",
        lambda i: {
            "rule": {"type": "bundle", "items": [{"productId": i, "quantity": 2}], "price": 1},
            "productIds": [],
        },
    ),
)
GRAPHQL_UPDATES: dict[str, tuple[str, Body, tuple[Ref, ...]]] = {
    "updatePromotion": ("promotion", {"name": "Taken over"}, GRAPHQL_PROMOTION_REFS),
    "updateMarkdownRule": ("markdown_rule", {"name": "Taken over"}, GRAPHQL_RULE_REFS),
}
"""Mutation -> (resource, a valid input without the version, inputs naming another object)."""
GRAPHQL_DELETES = {"archivePromotion": "promotion", "archiveMarkdownRule": "markdown_rule"}
GRAPHQL_CREATES: dict[str, tuple[str, str, Callable[[World], Body], tuple[Ref, ...]]] = {
    "createPromotion": (
        "promotion",
        "Promotion",
        lambda w: {
            "name": "Two",
            "rule": {"type": "percent_off", "percent": "5"},
            "productIds": [w.b.ids["product"]],
        },
        GRAPHQL_PROMOTION_REFS,
    ),
    "createMarkdownRule": (
        "markdown_rule",
        "MarkdownRule",
        lambda _: {
            "name": "Two",
            "basis": "closing",
            "steps": [{"hoursBefore": "1", "percent": "50"}],
        },
        GRAPHQL_RULE_REFS,
    ),
}
"""Mutation -> (resource, type, valid input, inputs naming another object)."""
GRAPHQL_ACTIONS: dict[str, tuple[str, str, Body]] = {
    "pausePromotion": ("promotion_to_pause", "PausePromotionInput", {"version": 1}),
    "resumePromotion": ("promotion_to_resume", "ResumePromotionInput", {"version": 2}),
}
"""Mutations acting on one promotion by id -> (resource, input type, input for B's own)."""
_INPUT_TYPES = {
    "updatePromotion": "PromotionUpdateInput",
    "updateMarkdownRule": "MarkdownRuleUpdateInput",
    "createPromotion": "PromotionInput",
    "createMarkdownRule": "MarkdownRuleInput",
}


def _key(field: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in field)


def _blank(result: Body, ident: str) -> Body:
    return json.loads(json.dumps(result).replace(ident, "<id>"))


def _not_found(result: Body) -> Body:
    data = result["data"]
    assert data is None or all(value is None for value in data.values()), result
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND", result
    return result


def _bad_input(result: Body) -> Body:
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", result
    return result


def _mutate(
    client: TestClient[Any], headers: dict[str, str], mutation: str, input_type: str, **args: Any
) -> Body:
    params = ", ".join(f"${k}: {'UUID!' if k == 'id' else input_type + '!'}" for k in args)
    passed = ", ".join(f"{k}: ${k}" for k in args)
    query = f"mutation({params}) {{ {mutation}({passed}) {{ id }} }}"
    return graphql(client, headers, query, **args)


def _b_view(client: TestClient[Any], world: World, key: str) -> Body:
    """B's own object of ``key`` as B reads it."""
    response = client.get(f"{COLLECTIONS[key]}/{world.b.ids[key]}", headers=world.b.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("field", sorted(GRAPHQL_BY_ID))
def test_query_by_id(client: TestClient[Any], world: World, field: str) -> None:
    key = _key(field)
    query = f"query($id: UUID!) {{ {field}(id: $id) {{ {GRAPHQL_SELECT[GRAPHQL_BY_ID[field]]} }} }}"
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    theirs = _not_found(graphql(client, b, query, id=a_id))
    assert _blank(theirs, a_id) == _blank(graphql(client, b, query, id=missing), missing)
    assert graphql(client, b, query, id=world.b.ids[key])["data"][field]["id"] == world.b.ids[key]


@pytest.mark.parametrize("field", sorted(GRAPHQL_LISTS))
def test_list_field(client: TestClient[Any], world: World, field: str) -> None:
    type_name, own, filters = GRAPHQL_LISTS[field]
    query = f"{{ {field}(first: 200) {{ data {{ {GRAPHQL_SELECT[type_name]} }} }} }}"
    result = graphql(client, world.b.headers, query)
    text = json.dumps(result)
    assert "errors" not in result, result
    assert world.b.ids[own] in text
    assert [s for s in world.a_secrets() if s in text] == []
    for args in filters(world):
        params = ", ".join(f"${k}: {FILTER_TYPES[k]}" for k in args)
        passed = ", ".join(f"{k}: ${k}" for k in args)
        filtered = f"query({params}) {{ {field}(first: 200, {passed}) {{ data {{ id }} }} }}"
        assert graphql(client, world.b.headers, filtered, **args) == {"data": {field: {"data": []}}}


@pytest.mark.parametrize("mutation", sorted(GRAPHQL_UPDATES))
def test_update_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    key, change, refs = GRAPHQL_UPDATES[mutation]
    input_type = _INPUT_TYPES[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    before = a_view(client, world, key, a_id)
    data = {**change, "version": before["version"]}
    theirs = _not_found(_mutate(client, b, mutation, input_type, id=a_id, input=data))
    assert _blank(theirs, a_id) == _blank(
        _mutate(client, b, mutation, input_type, id=missing, input=data), missing
    )
    assert a_view(client, world, key, a_id) == before
    own = world.b.ids[key]
    version = {"version": _b_view(client, world, key)["version"]}
    for ref_key, ref in refs:
        a_ref, missing_ref = world.a.ids[ref_key], new_uuid()
        theirs = _bad_input(
            _mutate(client, b, mutation, input_type, id=own, input={**ref(a_ref), **version})
        )
        assert _blank(theirs, a_ref) == _blank(
            _mutate(client, b, mutation, input_type, id=own, input={**ref(missing_ref), **version}),
            missing_ref,
        )
    mine = _mutate(client, b, mutation, input_type, id=own, input={**change, **version})
    assert mine["data"][mutation]["id"] == own, mine


@pytest.mark.parametrize("mutation", sorted(GRAPHQL_CREATES))
def test_create_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    key, _, make, refs = GRAPHQL_CREATES[mutation]
    input_type = _INPUT_TYPES[mutation]
    data, b = make(world), world.b.headers
    for ref_key, ref in refs:
        a_ref, missing = world.a.ids[ref_key], new_uuid()
        theirs = _bad_input(_mutate(client, b, mutation, input_type, input={**data, **ref(a_ref)}))
        assert _blank(theirs, a_ref) == _blank(
            _mutate(client, b, mutation, input_type, input={**data, **ref(missing)}), missing
        )
    made = _mutate(client, b, mutation, input_type, input=data)
    assert "errors" not in made, made
    new_id = made["data"][mutation]["id"]
    field = next(f for f in GRAPHQL_BY_ID if _key(f) == key)
    _not_found(
        graphql(
            client, world.a.headers, f"query($id: UUID!) {{ {field}(id: $id) {{ id }} }}", id=new_id
        )
    )
    listed = client.get(COLLECTIONS[key], params={"limit": 200}, headers=world.a.headers)
    assert world.a.ids[key] in listed.text
    assert new_id not in listed.text


@pytest.mark.parametrize("mutation", sorted(GRAPHQL_DELETES))
def test_archive_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    key = GRAPHQL_DELETES[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    query = f"mutation($id: UUID!) {{ {mutation}(id: $id) }}"
    before = a_view(client, world, key, a_id)
    theirs = _not_found(graphql(client, b, query, id=a_id))
    assert _blank(theirs, a_id) == _blank(graphql(client, b, query, id=missing), missing)
    assert a_view(client, world, key, a_id) == before


@pytest.mark.parametrize("mutation", sorted(GRAPHQL_ACTIONS))
def test_action_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B pausing or resuming A's promotion: NOT_FOUND like a missing id, A's unchanged. B's
    own works: a fresh one in the state the action needs (the REST checks of this module act
    on B's seeded ones)."""
    key, input_type, data = GRAPHQL_ACTIONS[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    before = a_view(client, world, key, a_id)
    theirs = _not_found(_mutate(client, b, mutation, input_type, id=a_id, input=data))
    assert _blank(theirs, a_id) == _blank(
        _mutate(client, b, mutation, input_type, id=missing, input=data), missing
    )
    assert a_view(client, world, key, a_id) == before
    body = {"name": "Own", "rule": {"type": "percent_off", "percent": "1"}}
    own = client.post("/v1/promotions", json=body, headers=b).json()
    if key == "promotion_to_resume":
        own = client.post(
            f"/v1/promotions/{own['id']}/pause", json={"version": 1}, headers=b
        ).json()
    mine = _mutate(client, b, mutation, input_type, id=own["id"], input={"version": own["version"]})
    assert mine["data"][mutation]["id"] == own["id"], mine


INTROSPECTION = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"


def test_every_promotions_field_has_a_case(client: TestClient[Any], world: World) -> None:
    schema = graphql(client, world.b.headers, INTROSPECTION)["data"]["__schema"]
    served = {f["name"] for kind in ("queryType", "mutationType") for f in schema[kind]["fields"]}
    mine = {f for f in served if "romotion" in f or "arkdownRule" in f}
    cases = (
        GRAPHQL_BY_ID.keys()
        | GRAPHQL_LISTS.keys()
        | GRAPHQL_UPDATES.keys()
        | GRAPHQL_DELETES.keys()
        | GRAPHQL_CREATES.keys()
        | GRAPHQL_ACTIONS.keys()
    )
    assert mine == cases
