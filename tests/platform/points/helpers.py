"""Setting up points tests: a chain with a store, products, rules and members; orders paid and
refunded through REST; the member's points as the API shows them; the worker's clock."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from tests.conftest import Chain, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.ordering.helpers import created, product, receive, store

RULES = "/v1/points-rules"
SETTINGS = "/v1/points-settings"
_phones = itertools.count(13800000000)


class Clock:
    """The worker's clock: starts now, moves only when the test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Shop:
    """A chain with a store and two products (one in a category), stocked."""

    chain: Chain
    store: str
    bread: dict[str, Any]
    """1000 (¥10), in the category ``bakery``."""
    milk: dict[str, Any]
    """500 (¥5), no category."""
    bakery: str

    @property
    def headers(self) -> dict[str, str]:
        return self.chain.headers


def shop(client: TestClient[Any]) -> Shop:
    chain = sign_up(client)
    bakery = created(client.post("/v1/categories", json={"name": "Bakery"}, headers=chain.headers))
    where = store(client, chain)["id"]
    bread = product(client, chain, price=1000, category_id=bakery["id"])
    milk = product(client, chain, price=500)
    for item in (bread, milk):
        receive(client, chain, where, item["id"], "1000")
    return Shop(chain, where, bread, milk, bakery["id"])


def member(client: TestClient[Any], chain: Chain) -> str:
    body = {"phone": f"+86{next(_phones)}", "name": "Ming"}
    return created(client.post("/v1/members", json=body, headers=chain.headers))["id"]


def rule(client: TestClient[Any], chain: Chain, **body: Any) -> dict[str, Any]:
    body = {"name": f"Rule {body.get('kind', 'spend')}", "kind": "spend", **body}
    return created(client.post(RULES, json=body, headers=chain.headers))


def sell(
    client: TestClient[Any],
    s: Shop,
    member_id: str | None,
    lines: list[tuple[dict[str, Any], Any]],
    *payments: dict[str, Any],
) -> dict[str, Any]:
    """Create and pay an order of ``(product, quantity)`` lines (cash for the total when no
    payments are given); assert it is paid."""
    body = {
        "channel": "pos",
        "store_id": s.store,
        "lines": [{"product_id": p["id"], "quantity": q} for p, q in lines],
        **({"member_id": member_id} if member_id else {}),
    }
    made = created(client.post("/v1/orders", json=body, headers=s.headers))
    paid = pay(client, s, made["id"], *(payments or [cash(made["total"])]))
    assert paid.status_code == 200, paid.text
    return paid.json()


def pay(client: TestClient[Any], s: Shop, order_id: str, *payments: dict[str, Any]) -> Any:
    return client.post(
        f"/v1/orders/{order_id}/pay", json={"payments": list(payments)}, headers=s.headers
    )


def cash(amount: int) -> dict[str, Any]:
    return {"method": "cash", "amount": amount}


def in_points(amount: int) -> dict[str, Any]:
    return {"method": "points", "amount": amount}


def refund(client: TestClient[Any], s: Shop, order_id: str, **body: Any) -> dict[str, Any]:
    return created(client.post(f"/v1/orders/{order_id}/refunds", json=body, headers=s.headers), 200)


def account(client: TestClient[Any], chain: Chain, member_id: str) -> dict[str, Any]:
    """Balance, expiring and the whole ledger (every page)."""
    first = created(client.get(f"/v1/members/{member_id}/points", headers=chain.headers), 200)
    first["data"] = walk(client, f"/v1/members/{member_id}/points", chain.headers)
    first.pop("next_cursor")
    return first


def ledger(client: TestClient[Any], chain: Chain, member_id: str) -> list[tuple[str, int, int]]:
    """The member's entries as (kind, points, remaining), oldest first."""
    return [
        (e["kind"], e["points"], e["remaining"]) for e in account(client, chain, member_id)["data"]
    ]


def balance(client: TestClient[Any], chain: Chain, member_id: str) -> int:
    return account(client, chain, member_id)["balance"]


def adjust(client: TestClient[Any], chain: Chain, member_id: str, points: int, **body: Any) -> Any:
    body = {"points": points, "reason": "Welcome gift", **body}
    return client.post(
        f"/v1/members/{member_id}/points/adjustments", json=body, headers=chain.headers
    )


def events(client: TestClient[Any], chain: Chain, type: str = "points.*") -> list[dict[str, Any]]:
    return walk(client, "/v1/events", chain.headers, type=type)


def state(client: TestClient[Any], chain: Chain, member_id: str) -> dict[str, Any]:
    """What a refused request must leave as it was: the member's points, the chain's events
    and audit log."""
    return {
        "points": account(client, chain, member_id),
        "events": [e["id"] for e in walk(client, "/v1/events", chain.headers)],
        "audit": [e["id"] for e in walk(client, "/v1/audit-log", chain.headers)],
    }


def call_service(
    client: TestClient[Any], chain: Chain, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    """Call a service function as the chain's system actor, in a transaction of its own."""
    actor = system_actor(chain.tenant_id, frozenset())

    async def run() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, *args, **kw)

    return client.blocking_portal.call(run)


def as_uuid(ident: str) -> uuid.UUID:
    return uuid.UUID(ident)
