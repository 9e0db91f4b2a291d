"""Setting up pricing tests: stores, products, price lists and price changes through REST;
the pricing services called directly; history written in the past as the database owner."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from tests.conftest import Chain
from tests.platform.catalog.helpers import create, walk

LISTS = "/v1/price-lists"
CHANGES = "/v1/price-changes"
HISTORY = "/v1/price-history"


class Clock:
    """The worker's clock: starts now, moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def store(client: TestClient[Any], chain: Chain, code: str, **fields: Any) -> dict[str, Any]:
    return create(client, chain, "/v1/stores", code=code, name=f"Store {code}", **fields)


def product(
    client: TestClient[Any], chain: Chain, sku: str, list_price: int = 1000, **fields: Any
) -> dict[str, Any]:
    body = {"name": f"Product {sku}", "list_price": list_price, **fields}
    return create(client, chain, "/v1/products", sku=sku, **body)


def price_list(
    client: TestClient[Any],
    chain: Chain,
    name: str,
    items: dict[str, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A new price list with ``items`` (product id -> price); returns it as last answered."""
    made = create(client, chain, LISTS, name=name, **fields)
    if not items:
        return made
    body = {"items": [{"product_id": p, "price": price} for p, price in items.items()]}
    response = client.put(f"{LISTS}/{made['id']}/items", json=body, headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def schedule(client: TestClient[Any], chain: Chain, **body: Any) -> dict[str, Any]:
    response = client.post(CHANGES, json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def events(client: TestClient[Any], chain: Chain, type: str) -> list[dict[str, Any]]:
    return walk(client, "/v1/events", chain.headers, type=type)


def state(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    """What pricing holds for the chain, with its products, events and audit log: compare
    before and after a refusal."""
    lists = walk(client, LISTS, chain.headers)
    return {
        "lists": lists,
        "items": {
            pl["id"]: walk(client, f"{LISTS}/{pl['id']}/items", chain.headers) for pl in lists
        },
        "changes": walk(client, CHANGES, chain.headers),
        "products": walk(client, "/v1/products", chain.headers),
        "events": walk(client, "/v1/events", chain.headers),
        "audit": walk(client, "/v1/audit-log", chain.headers),
    }


def call_service(
    client: TestClient[Any], chain: Chain, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    """Call a service function as the chain's system actor, in a transaction of its own."""
    actor = system_actor(chain.tenant_id, frozenset({"pricing:read", "pricing:write"}))

    async def run() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, *args, **kw)

    return client.blocking_portal.call(run)


def regular(
    client: TestClient[Any],
    chain: Chain,
    store_id: str,
    *product_ids: str,
    channel: str = "pos",
    member: bool = False,
    at: datetime | None = None,
    tier_lists: tuple[str, ...] = (),
) -> dict[str, tuple[int, str, str | None]]:
    """``regular_prices`` as ``{product id: (price, source, source name)}``."""
    from bodega.pricing import regular_prices

    found = call_service(
        client,
        chain,
        regular_prices,
        store_id=uuid.UUID(store_id),
        channel=channel,
        member=member,
        at=at or datetime.now(UTC),
        product_ids=[uuid.UUID(p) for p in product_ids],
        tier_lists=[uuid.UUID(t) for t in tier_lists],
    )
    return {str(k): (v.price, v.source, v.source_name) for k, v in found.items()}
