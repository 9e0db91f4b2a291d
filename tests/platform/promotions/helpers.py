"""Setting up promotion tests: stores, categories, products; promotions and markdown rules
made through REST; calling the services that have no route as the chain's system actor."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from tests.conftest import Chain
from tests.platform.catalog.helpers import create, walk

PROMOTIONS = "/v1/promotions"
RULES = "/v1/markdown-rules"


def product(client: TestClient[Any], chain: Chain, sku: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Product {sku}", "list_price": 1000, **fields}
    return create(client, chain, "/v1/products", sku=sku, **body)


def percent_off(percent: Any = "10", **fields: Any) -> dict[str, Any]:
    """A body for ``percent`` off every product, with ``fields`` on top."""
    return {
        "name": f"{percent} % off",
        "rule": {"type": "percent_off", "percent": percent},
        **fields,
    }


def promotion(client: TestClient[Any], chain: Chain, **body: Any) -> dict[str, Any]:
    response = client.post(PROMOTIONS, json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def act(client: TestClient[Any], chain: Chain, promo: dict[str, Any], action: str) -> Any:
    """POST ``pause`` or ``resume`` with the promotion's version."""
    return client.post(
        f"{PROMOTIONS}/{promo['id']}/{action}",
        json={"version": promo["version"]},
        headers=chain.headers,
    )


def state(client: TestClient[Any], chain: Chain) -> dict[str, list[dict[str, Any]]]:
    """What the chain holds of promotions and markdown rules, with its audit log and events:
    compare before and after a refusal."""
    paths = (PROMOTIONS, RULES, "/v1/audit-log", "/v1/events")
    return {path: walk(client, path, chain.headers) for path in paths}


def events(client: TestClient[Any], chain: Chain, pattern: str) -> list[dict[str, Any]]:
    return walk(client, "/v1/events", chain.headers, type=pattern)


def call_service(
    client: TestClient[Any], chain: Chain, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    """Call a service as the chain's system actor, in a transaction of its own (committed
    unless it raises)."""
    actor = system_actor(chain.tenant_id, frozenset({"pricing:read", "pricing:write"}))

    async def run() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, *args, **kw)

    return client.blocking_portal.call(run)


def ids(*items: dict[str, Any]) -> list[uuid.UUID]:
    return [uuid.UUID(item["id"]) for item in items]
