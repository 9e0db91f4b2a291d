"""Setting up purchasing tests: a store, suppliers, products; orders driven through REST."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from tests.conftest import Chain
from tests.platform.catalog.helpers import create, walk

PO = "/v1/purchase-orders"


def store_today(timezone: str = "Asia/Shanghai") -> date:
    """Today where the test chains' stores are (signed up with Asia/Shanghai)."""
    return datetime.now(ZoneInfo(timezone)).date()


def supplier(client: TestClient[Any], chain: Chain, code: str, **fields: Any) -> dict[str, Any]:
    return create(client, chain, "/v1/suppliers", code=code, name=f"Supplier {code}", **fields)


def product(client: TestClient[Any], chain: Chain, sku: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Product {sku}", "list_price": 900, "cost_price": 450, **fields}
    return create(client, chain, "/v1/products", sku=sku, **body)


def draft(
    client: TestClient[Any],
    chain: Chain,
    store_id: str,
    supplier_id: str,
    *lines: tuple[str, Any] | dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """A new draft; a line is ``(product_id, quantity)`` or the API's dict."""
    body = {
        "store_id": store_id,
        "supplier_id": supplier_id,
        "lines": [
            line if isinstance(line, dict) else {"product_id": line[0], "quantity": line[1]}
            for line in lines
        ],
        **extra,
    }
    response = client.post(PO, json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def act(
    client: TestClient[Any], chain: Chain, order: dict[str, Any], action: str, **body: Any
) -> Any:
    """POST an action (send, cancel, close) with the order's version."""
    return client.post(
        f"{PO}/{order['id']}/{action}",
        json={"version": order["version"], **body},
        headers=chain.headers,
    )


def sent(client: TestClient[Any], chain: Chain, order: dict[str, Any]) -> dict[str, Any]:
    response = act(client, chain, order, "send")
    assert response.status_code == 200, response.text
    return response.json()


def receive(
    client: TestClient[Any], chain: Chain, order_id: str, *lines: dict[str, Any], **extra: Any
) -> Any:
    return client.post(
        f"{PO}/{order_id}/receipts", json={"lines": list(lines), **extra}, headers=chain.headers
    )


def get_order(client: TestClient[Any], chain: Chain, order_id: str) -> dict[str, Any]:
    response = client.get(f"{PO}/{order_id}", headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def state(client: TestClient[Any], chain: Chain) -> dict[str, list[dict[str, Any]]]:
    """What purchasing and stock hold for the chain: compare before and after a refusal."""
    return {
        path: walk(client, path, chain.headers)
        for path in (PO, "/v1/stock-movements", "/v1/stock-levels", "/v1/stock-lots", "/v1/events")
    }


def call_service(
    client: TestClient[Any], chain: Chain, fn: Callable[..., Awaitable[Any]], *args: Any
) -> Any:
    """Call a service function as the chain's system actor, in a transaction of its own."""
    actor = system_actor(chain.tenant_id, frozenset({"purchasing:read", "purchasing:write"}))

    async def run() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, *args)

    return client.blocking_portal.call(run)


def coming(
    client: TestClient[Any], chain: Chain, store_id: str, product_ids: list[str] | None = None
) -> dict[str, Any]:
    """``on_order`` for the store, keyed by the products' ids as the API shows them."""
    from bodega.purchasing import on_order

    wanted = None if product_ids is None else [uuid.UUID(p) for p in product_ids]
    found = call_service(client, chain, on_order, uuid.UUID(store_id), wanted)
    return {str(k): v for k, v in found.items()}
