"""Setting up stock for inventory tests: a store, products, deliveries; reading it back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

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


def adjust(
    client: TestClient[Any], chain: Chain, store_id: str, product_id: str, quantity: Any
) -> dict[str, Any]:
    """A correction of ``quantity`` (signed): the same ledger path a till's sale takes."""
    body = {
        "store_id": store_id,
        "kind": "adjustment",
        "note": "shelf correction",
        "lines": [{"product_id": product_id, "quantity": quantity}],
    }
    response = client.post("/v1/stock-movements", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def category(
    client: TestClient[Any], chain: Chain, name: str, parent_id: str | None = None
) -> dict[str, Any]:
    return create(client, chain, "/v1/categories", name=name, parent_id=parent_id)


def state(client: TestClient[Any], chain: Chain) -> dict[str, list[dict[str, Any]]]:
    """Everything inventory holds for the chain, and its audit log and events: compare it
    before and after a refused request."""
    paths = (
        "/v1/stock-movements",
        "/v1/stock-levels",
        "/v1/stock-lots",
        "/v1/losses",
        "/v1/stocktakes",
        "/v1/transfers",
        "/v1/audit-log",
        "/v1/events",
    )
    return {path: walk(client, path, chain.headers) for path in paths}


def manager(
    client: TestClient[Any], owner: Chain, store_ids: list[str], email: str
) -> dict[str, str]:
    """Headers of a new manager of ``store_ids`` in the owner's chain."""
    invite = client.post(
        "/v1/invitations",
        json={"email": email, "role": "manager", "store_ids": store_ids},
        headers=owner.headers,
    )
    assert invite.status_code == 201, invite.text
    accepted = client.post(
        "/v1/invitations/accept",
        json={"token": invite.json()["token"], "password": "manager-pass-1", "name": "M"},
    )
    assert accepted.status_code in (200, 201), accepted.text
    return {"Authorization": f"Bearer {accepted.json()['access_token']}"}


def chain_today(client: TestClient[Any], chain: Chain) -> date:
    """Today in the chain's time zone (the loss report's calendar)."""
    zone = ZoneInfo(client.get("/v1/tenant", headers=chain.headers).json()["timezone"])
    return datetime.now(zone).date()
