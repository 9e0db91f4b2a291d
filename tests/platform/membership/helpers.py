"""Setting up membership tests: members registered through REST, service calls as the chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from tests.conftest import Chain
from tests.platform.catalog.helpers import walk

MEMBERS = "/v1/members"


def member(client: TestClient[Any], chain: Chain, **body: Any) -> dict[str, Any]:
    response = client.post(MEMBERS, json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()


def read(client: TestClient[Any], chain: Chain, member_id: str) -> dict[str, Any]:
    response = client.get(f"{MEMBERS}/{member_id}", headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def state(client: TestClient[Any], chain: Chain) -> dict[str, list[dict[str, Any]]]:
    """What the chain holds on members, with its events and audit log: compare before and
    after a refusal."""
    held = {path: walk(client, path, chain.headers) for path in (MEMBERS, "/v1/events")}
    held["/v1/audit-log"] = walk(client, "/v1/audit-log", chain.headers)
    held["consents"] = [
        c
        for m in held[MEMBERS]
        for c in walk(client, f"{MEMBERS}/{m['id']}/consents", chain.headers)
    ]
    return held


def call_service(
    client: TestClient[Any], chain: Chain, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    """Call a service function as the chain's system actor, in a transaction of its own."""
    actor = system_actor(chain.tenant_id, frozenset({"members:read", "members:write"}))

    async def run() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, *args, **kw)

    return client.blocking_portal.call(run)
