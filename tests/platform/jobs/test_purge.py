"""The hourly clean-up jobs: idempotency keys after 24 hours, sessions a week after they end,
events after their retention (unless a delivery of theirs is still pending)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar.testing import TestClient

from bodega.jobs.worker import build_registry, job_context
from bodega.settings import Settings
from tests.conftest import Chain, run_jobs, sign_up

TABLES = ("idempotency_keys", "sessions", "events", "webhook_deliveries")


def _counts(settings: Settings, chain: Chain) -> dict[str, int]:
    async def main() -> dict[str, int]:
        connection = await asyncpg.connect(settings.database_url)
        try:
            return {
                table: await connection.fetchval(
                    f"SELECT count(*) FROM {table} WHERE tenant_id = $1",  # noqa: S608 (fixed names)
                    chain.tenant_id,
                )
                for table in TABLES
            }
        finally:
            await connection.close()

    return asyncio.run(main())


def _purge_all(settings: Settings, at: datetime) -> dict[str, int]:
    async def main() -> dict[str, int]:
        async with job_context(settings, pool_size=1, clock=lambda: at) as context:
            registry = build_registry(settings, context.plugins)
            return {name: await spec.fn(context) for name, spec in registry.crons.items()}

    return asyncio.run(main())


def test_purges_keep_what_is_recent_or_still_needed(
    client: TestClient[Any], settings: Settings
) -> None:
    chain = sign_up(client)
    h = chain.headers
    made = client.post(
        "/v1/stores",
        json={"code": "S1", "name": "Main"},
        headers={**h, "Idempotency-Key": "purge-1"},
    )
    assert made.status_code == 201
    client.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/", "event_types": ["product.*"]},
        headers=h,
    )
    client.post("/v1/products", json={"sku": "P1", "name": "Loaf", "list_price": 1}, headers=h)
    run_jobs(settings)  # the delivery fails (nothing listens on port 9) and stays pending
    before = _counts(settings, chain)
    assert before == {
        "idempotency_keys": 1,
        "sessions": 1,
        "events": before["events"],
        "webhook_deliveries": 1,
    }
    assert before["events"] >= 5  # tenant, user, store, endpoint, product

    now = datetime.now(UTC)
    assert set(_purge_all(settings, now).values()) == {0}  # nothing is old yet
    assert _counts(settings, chain) == before

    later = now + timedelta(days=settings.event_retention_days + 1)
    purged = _purge_all(settings, later)
    assert purged["purge_idempotency_keys"] >= 1
    assert purged["purge_sessions"] >= 1
    after = _counts(settings, chain)
    # the product's event has a pending delivery: it stays, with its delivery
    assert after == {"idempotency_keys": 0, "sessions": 0, "events": 1, "webhook_deliveries": 1}
