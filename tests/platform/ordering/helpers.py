"""Helpers shared by the order tests: a store with stock, orders, and the state to compare
before and after a refused request (the order, the stock levels, the ledger, events)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from decimal import Decimal
from typing import Any

import asyncpg
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain

_codes = itertools.count()


def created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def store(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    code = f"ST-{next(_codes)}"
    return created(
        client.post("/v1/stores", json={"code": code, "name": code}, headers=chain.headers)
    )


def product(
    client: TestClient[Any],
    chain: Chain,
    *,
    price: int,
    tax_rate: str = "13",
    unit: str = "each",
    **fields: Any,
) -> dict[str, Any]:
    sku = fields.pop("sku", f"P-{next(_codes)}")
    body = {"sku": sku, "name": f"Product {sku}", "list_price": price, "tax_rate": tax_rate}
    return created(
        client.post("/v1/products", json={**body, "unit": unit, **fields}, headers=chain.headers)
    )


def receive(
    client: TestClient[Any], chain: Chain, store_id: str, product_id: str, quantity: str
) -> None:
    body = {
        "store_id": store_id,
        "kind": "receipt",
        "lines": [{"product_id": product_id, "quantity": quantity}],
    }
    created(client.post("/v1/stock-movements", json=body, headers=chain.headers))


def member(client: TestClient[Any], chain: Chain, **fields: Any) -> dict[str, Any]:
    """A new member of the chain (a fresh phone number each time)."""
    phone = f"+86139{next(_codes):08d}"
    return created(
        client.post("/v1/members", json={"phone": phone, **fields}, headers=chain.headers)
    )


def line(product: dict[str, Any], quantity: Any = 1, **fields: Any) -> dict[str, Any]:
    return {"product_id": product["id"], "quantity": quantity, **fields}


def order(
    client: TestClient[Any],
    chain: Chain,
    store_id: str,
    lines: list[dict[str, Any]],
    *,
    channel: str = "pos",
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body = {"channel": channel, "store_id": store_id, "lines": lines, **fields}
    return created(client.post("/v1/orders", json=body, headers=headers or chain.headers))


def pay(
    client: TestClient[Any],
    chain: Chain,
    order_id: str,
    *payments: dict[str, Any],
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    body = {"payments": list(payments), **fields}
    return client.post(f"/v1/orders/{order_id}/pay", json=body, headers=headers or chain.headers)


def cash(amount: int) -> dict[str, Any]:
    return {"method": "cash", "amount": amount}


def get(client: TestClient[Any], chain: Chain, order_id: str) -> dict[str, Any]:
    return created(client.get(f"/v1/orders/{order_id}", headers=chain.headers), 200)


def on_hand(client: TestClient[Any], chain: Chain, store_id: str, product_id: str) -> Decimal:
    page = created(
        client.get(
            "/v1/stock-levels",
            params={"store_id": store_id, "product_id": product_id},
            headers=chain.headers,
        ),
        200,
    )
    return Decimal(page["data"][0]["on_hand"]) if page["data"] else Decimal(0)


def movements(
    client: TestClient[Any], chain: Chain, source_id: str | None = None, **params: Any
) -> list[dict[str, Any]]:
    query = {"limit": 200, **params, **({"source_id": source_id} if source_id else {})}
    page = created(client.get("/v1/stock-movements", params=query, headers=chain.headers), 200)
    return page["data"]


def events(client: TestClient[Any], chain: Chain, type: str = "order.*") -> list[dict[str, Any]]:
    page = created(
        client.get("/v1/events", params={"type": type, "limit": 200}, headers=chain.headers), 200
    )
    return page["data"]


def ledger(settings: Settings, store_id: str, product_id: str) -> tuple[Decimal, Decimal, int]:
    """As the owner (past RLS): (the level's on hand, the sum of the ledger, movements)."""

    async def read() -> tuple[Decimal, Decimal, int]:
        connection = await asyncpg.connect(settings.database_url)
        try:
            level = await connection.fetchval(
                "SELECT on_hand FROM stock_levels WHERE store_id = $1 AND product_id = $2",
                uuid.UUID(store_id),
                uuid.UUID(product_id),
            )
            total, count = await connection.fetchrow(
                "SELECT coalesce(sum(quantity), 0), count(*) FROM stock_movements"
                " WHERE store_id = $1 AND product_id = $2",
                uuid.UUID(store_id),
                uuid.UUID(product_id),
            )
            return level or Decimal(0), total, count
        finally:
            await connection.close()

    return asyncio.run(read())


def state(
    client: TestClient[Any], chain: Chain, settings: Settings, order_id: str, products: list[str]
) -> dict[str, Any]:
    """What a refused request must leave as it was: the order, the stock of its products in
    its store, the chain's order events and its audit log."""
    current = get(client, chain, order_id)
    audit = client.get("/v1/audit-log", params={"limit": 200}, headers=chain.headers).json()
    return {
        "order": current,
        "stock": [ledger(settings, current["store_id"], p) for p in products],
        "events": [e["id"] for e in events(client, chain)],
        "audit": [e["id"] for e in audit["data"]],
    }
