"""Setting up stock for inventory tests: a store, products, deliveries; reading it back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar.testing import TestClient

from tests.conftest import Chain
from tests.platform.catalog.helpers import create, walk


def store(client: TestClient[Any], chain: Chain, code: str = "S1") -> dict[str, Any]:
    return create(client, chain, "/v1/stores", code=code, name=f"Store {code}")


def product(client: TestClient[Any], chain: Chain, sku: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Product {sku}", "list_price": 500, "cost_price": 300, **fields}
    return create(client, chain, "/v1/products", sku=sku, **body)


def receive(
    client: TestClient[Any], chain: Chain, store_id: str, *lines: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A delivery without a purchase order; ``lines`` as the API takes them."""
    body = {"store_id": store_id, "kind": "receipt", "lines": list(lines), **extra}
    response = client.post("/v1/stock-movements", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def level(client: TestClient[Any], chain: Chain, store_id: str, product_id: str) -> Decimal:
    page = client.get(
        "/v1/stock-levels",
        params={"store_id": store_id, "product_id": product_id},
        headers=chain.headers,
    ).json()
    return Decimal(page["data"][0]["on_hand"]) if page["data"] else Decimal(0)


def ledger(client: TestClient[Any], chain: Chain, **params: Any) -> list[dict[str, Any]]:
    return walk(client, "/v1/stock-movements", chain.headers, **params)


def ledger_sum(client: TestClient[Any], chain: Chain, store_id: str, product_id: str) -> Decimal:
    moves = ledger(client, chain, store_id=store_id, product_id=product_id)
    return sum((Decimal(m["quantity"]) for m in moves), Decimal(0))
