"""Setting up segment tests: members registered through the API, their join dates and paid
orders written as the database owner (any moment in the past), and refreshes run through the
worker's job with a clock the test chooses."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar.testing import TestClient

from bodega.jobs.worker import job_context
from bodega.segments.jobs import refresh
from bodega.settings import Settings
from tests.conftest import Chain, as_owner

DAY = timedelta(days=1)
_numbers = itertools.count(100_000)
_emails = itertools.count()


@dataclass(frozen=True)
class Paid:
    """A paid order: ``days`` before the test's moment, ``amount`` paid, ``refunded`` back."""

    days: float
    amount: int
    refunded: int = 0


def store(client: TestClient[Any], chain: Chain) -> str:
    code = f"SEG-{next(_numbers)}"
    body = {"code": code, "name": code}
    response = client.post("/v1/stores", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def member(client: TestClient[Any], chain: Chain, **fields: Any) -> str:
    body = {"email": f"member-{next(_emails)}@segments.example", **fields}
    response = client.post("/v1/members", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def joined(settings: Settings, member_id: str, at: datetime) -> None:
    as_owner(settings, "UPDATE members SET joined_at = $2 WHERE id = $1", uuid.UUID(member_id), at)


def paid_orders(
    settings: Settings,
    chain: Chain,
    store_id: str,
    member_id: str,
    orders: Sequence[Paid],
    *,
    now: datetime,
) -> None:
    """Insert ``orders`` of the member as paid (partly refunded if ``refunded``) at their
    moments before ``now``; an order's lines do not matter to segments."""
    rows = []
    for order in orders:
        at = now - order.days * DAY
        status = "partially_refunded" if order.refunded else "paid"
        rows.append(
            (
                uuid.uuid4(),
                chain.tenant_id,
                uuid.UUID(store_id),
                next(_numbers),
                status,
                uuid.UUID(member_id),
                order.amount,
                order.refunded,
                chain.owner_id,
                at,
            )
        )

    async def main() -> None:
        connection = await asyncpg.connect(settings.database_url)
        try:
            await connection.executemany(
                "INSERT INTO orders (id, tenant_id, store_id, number, channel, status, member_id,"
                " currency, subtotal, discount_total, total, tax_total, paid_total,"
                " refunded_total, created_by, created_at, paid_at)"
                " VALUES ($1, $2, $3, $4, 'pos', $5, $6, 'CNY', $7, 0, $7, 0, $7, $8, $9,"
                " $10, $10)",
                rows,
            )
        finally:
            await connection.close()

    asyncio.run(main())


def refresh_at(settings: Settings, chain: Chain, at: datetime) -> int:
    """Run the ``segments.refresh`` job for the chain with the worker's clock at ``at``;
    returns how many members changed."""

    async def main() -> int:
        async with job_context(settings, pool_size=1, clock=lambda: at) as context:
            return await refresh(context.for_tenant(chain.tenant_id))

    return asyncio.run(main())


def segment(client: TestClient[Any], chain: Chain, member_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/members/{member_id}/segment", headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def changes(client: TestClient[Any], chain: Chain) -> list[dict[str, Any]]:
    """Every change the chain's ``member.segment_changed`` events reported, oldest first."""
    page = client.get(
        "/v1/events",
        params={"type": "member.segment_changed", "limit": 200},
        headers=chain.headers,
    )
    assert page.status_code == 200, page.text
    return [change for event in page.json()["data"] for change in event["data"]["changes"]]


def utcnow() -> datetime:
    return datetime.now(UTC)
