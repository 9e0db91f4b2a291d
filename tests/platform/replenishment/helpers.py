"""Setting up replenishment tests: a store's past days of sales, written into the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.inventory import MovementIn, post_movements
from bodega.tenancy import SCOPES
from tests.conftest import Chain
from tests.platform.catalog.helpers import create

ZONE = ZoneInfo("Asia/Shanghai")
"""The test chains' stores' time zone (``sign_up`` chooses it)."""


def store_today() -> date:
    return datetime.now(ZONE).date()


def call_service(
    client: TestClient[Any], chain: Chain, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    """Call a service function as the chain's system actor, in a transaction of its own."""
    actor = system_actor(chain.tenant_id, frozenset(SCOPES))

    async def run() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, *args, **kw)

    return client.blocking_portal.call(run)


def supplier(client: TestClient[Any], chain: Chain, code: str, **fields: Any) -> dict[str, Any]:
    return create(client, chain, "/v1/suppliers", code=code, name=f"Supplier {code}", **fields)


def product(client: TestClient[Any], chain: Chain, sku: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Product {sku}", "list_price": 500, "cost_price": 300, **fields}
    return create(client, chain, "/v1/products", sku=sku, **body)


def write_history(
    client: TestClient[Any],
    chain: Chain,
    store_id: str,
    product_id: str,
    *,
    start: date,
    sales: Sequence[float],
    receipts: dict[int, float],
) -> None:
    """Day ``i`` from ``start``: ``receipts[i]`` arrives at 07:00, ``sales[i]`` sells by 19:00
    (store time). Closing stock of day i = receipts up to i - sales up to i."""
    moves = []
    for i, sold in enumerate(sales):
        day = start + timedelta(days=i)
        if receipts.get(i):
            moves.append(_move(store_id, product_id, "receipt", receipts[i], day, time(7)))
        if sold:
            moves.append(_move(store_id, product_id, "sale", -sold, day, time(19)))
    call_service(client, chain, post_movements, moves, source_type="test", source_id=None)


def _move(store_id: str, product_id: str, kind: str, quantity: float, day: date, at: time) -> Any:
    return MovementIn(
        store_id=uuid.UUID(store_id),
        product_id=uuid.UUID(product_id),
        kind=kind,  # type: ignore[arg-type]
        quantity=Decimal(str(quantity)),
        occurred_at=datetime.combine(day, at, ZONE),
    )
