"""Every route that takes a body refuses bad input with a 4xx problem and writes nothing.

Routes are read from the app, so a new write route is covered without touching this file.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.conftest import assert_problem, sign_up

BAD_BODIES = {
    "empty object": {},
    "wrong types": {"version": "one", "name": 7, "code": [], "email": False},
    "NUL in text": {"name": "Bread\u0000", "code": "A\u0000", "version": 1},
}
EVERY_FIELD_OPTIONAL = {("POST", "/v1/stores/{store_id:uuid}/suggestions")}
"""Routes whose every body field has a default: ``{}`` is a good request there."""


def _body_routes(app: Any) -> list[tuple[str, str]]:
    routes = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "data" in handler.parsed_fn_signature.parameters:
                routes.extend((method, route.path) for method in handler.http_methods)
    return sorted(routes)


@pytest.fixture(scope="module")
def world(client):
    """A chain with one object of every kind, and what it holds before any bad request."""
    chain = sign_up(client)
    h = chain.headers
    ids = {"user_id": str(chain.owner_id), "tenant": ""}
    for path, body, key in [
        ("/v1/stores", {"code": "S1", "name": "Store"}, "store_id"),
        ("/v1/categories", {"name": "Bread"}, "category_id"),
        ("/v1/suppliers", {"code": "SUP", "name": "Mill"}, "supplier_id"),
        ("/v1/products", {"sku": "P1", "name": "Loaf", "list_price": 100}, "product_id"),
    ]:
        ids[key] = client.post(path, json=body, headers=h).json()["id"]
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": "https://example.com/hooks"}, headers=h
    )
    ids["endpoint_id"] = endpoint.json()["endpoint"]["id"]
    return chain, ids


def _state(client, chain) -> list[Any]:
    paths = ["/v1/audit-log", "/v1/stores", "/v1/categories", "/v1/suppliers", "/v1/products"]
    paths += ["/v1/users", "/v1/invitations", "/v1/api-keys", "/v1/events"]
    paths += ["/v1/webhook-endpoints", "/v1/webhook-deliveries", "/v1/stock-movements"]
    return [client.get(p, params={"limit": 200}, headers=chain.headers).json() for p in paths]


def test_every_body_route_is_found(client):
    routes = _body_routes(client.app)
    assert ("POST", "/v1/products") in routes
    assert ("PATCH", "/v1/stores/{store_id:uuid}") in routes
    assert len(routes) >= 15, routes


@pytest.mark.parametrize("kind", list(BAD_BODIES))
def test_bad_bodies_get_a_problem_and_change_nothing(client, world, kind):
    chain, ids = world
    before = _state(client, chain)
    for method, path in _body_routes(client.app):
        if kind == "empty object" and (method, path) in EVERY_FIELD_OPTIONAL:
            continue
        # a bad body is refused before any look-up, so ids of other objects can be random
        url = re.sub(r"\{(\w+):uuid\}", lambda m: ids.get(m[1], str(uuid.uuid4())), path)
        response = client.request(method, url, json=BAD_BODIES[kind], headers=chain.headers)
        assert 400 <= response.status_code < 500, (method, path, response.text)
        assert_problem(response, response.status_code)
    assert _state(client, chain) == before
