"""The job registry and worker: tenant jobs run in their tenant's scope (RLS set), system jobs
in none; the same job key is queued once; events exist exactly when their change commits."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.catalog.schemas import StoreIn
from bodega.catalog.service import create_store
from bodega.db import engine as db
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.jobs.worker import arq_worker, drain, job_context
from bodega.settings import Settings
from tests.conftest import Chain, sign_up


def _product(client: TestClient[Any], chain: Chain, sku: str) -> None:
    made = client.post(
        "/v1/products", json={"sku": sku, "name": "Loaf", "list_price": 1}, headers=chain.headers
    )
    assert made.status_code == 201, made.text


def test_a_tenant_job_sees_only_its_tenant(client: TestClient[Any], settings: Settings) -> None:
    """Jobs for A and for B, queued together, each see their own chain's rows and scope only;
    a system job sees no tenant's rows at all."""
    a, b = sign_up(client), sign_up(client)
    for sku in ("A1", "A2"):
        _product(client, a, sku)
    _product(client, b, "B1")
    seen: dict[str, Any] = {}

    async def look(ctx: JobContext, label: str) -> None:
        async with ctx.transaction():
            seen[label] = (
                await db.fetchval("SELECT current_setting('app.tenant_id', true)"),
                [r["sku"] for r in await db.fetch("SELECT sku FROM products ORDER BY sku")],
            )

    async def look_as_system(ctx: JobContext) -> None:
        await look(ctx, "system")

    registry = JobRegistry()
    registry.tenant_job(look)
    registry.system_job(look_as_system)

    async def main() -> int:
        async with job_context(settings, pool_size=2) as context:
            await context.queue.enqueue("look", "a", tenant_id=a.tenant_id)
            await context.queue.enqueue("look", "b", tenant_id=b.tenant_id)
            await context.queue.enqueue("look_as_system")
            return await drain(context, registry)

    assert asyncio.run(main()) == 3
    assert seen["a"] == (str(a.tenant_id), ["A1", "A2"])
    assert seen["b"] == (str(b.tenant_id), ["B1"])
    assert seen["system"][1] == []
    assert seen["system"][0] in (None, "")


def test_a_tenant_job_needs_a_tenant_and_a_key_queues_once(settings: Settings) -> None:
    runs: list[str] = []

    async def count(ctx: JobContext, label: str) -> None:
        runs.append(label)

    registry = JobRegistry()
    registry.tenant_job(count)
    tenant = uuid.uuid4()

    async def main() -> tuple[bool, bool, int]:
        async with job_context(settings, pool_size=2) as context:
            first = await context.queue.enqueue("count", "x", tenant_id=tenant, key="k1")
            second = await context.queue.enqueue("count", "x", tenant_id=tenant, key="k1")
            await context.queue.enqueue("count", "no tenant")  # refused by the worker
            worker = arq_worker(context, registry, burst=True)
            await worker.async_run()
            return first, second, worker.jobs_failed

    assert asyncio.run(main()) == (True, False, 1)
    assert runs == ["x"]


def test_the_registry_refuses_a_name_twice() -> None:
    async def job(ctx: JobContext) -> int:
        return 0

    registry = JobRegistry()
    registry.cron(job, minute={0}, hour={3})
    with pytest.raises(ValueError, match="registered already"):
        registry.tenant_job(job)
    with pytest.raises(ValueError, match="registered already"):
        registry.periodic(job, every_s=1)


def test_cron_jobs_become_arq_cron_jobs_per_deployment(settings: Settings) -> None:
    """A cron job runs at its minutes; its arq name carries the deployment's Redis prefix, so
    two deployments sharing a Redis each run their own."""

    async def purge(ctx: JobContext) -> None:
        pass

    registry = JobRegistry()
    registry.cron(purge, minute={5}, hour={3})

    async def main() -> Any:
        async with job_context(settings, pool_size=1) as context:
            return arq_worker(context, registry).cron_jobs

    (cron,) = asyncio.run(main())
    assert cron.name == f"{settings.redis_prefix}:purge"
    assert (cron.minute, cron.hour) == ({5}, {3})


def test_an_event_exists_exactly_when_its_change_commits(
    client: TestClient[Any], settings: Settings
) -> None:
    """A change rolled back leaves no event (nor audit entry); committed, it has both."""
    chain = sign_up(client)

    class Boom(Exception):
        pass

    async def main() -> None:
        async with job_context(settings, pool_size=1) as context:
            scoped = context.for_tenant(chain.tenant_id)

            async def fail_after_the_change() -> None:
                async with scoped.transaction():
                    await create_store(scoped.actor, StoreIn(code="GONE", name="Rolled back"))
                    raise Boom

            with pytest.raises(Boom):
                await fail_after_the_change()
            async with scoped.transaction():
                await create_store(scoped.actor, StoreIn(code="KEPT", name="Committed"))

    asyncio.run(main())
    events = client.get("/v1/events", params={"type": "store.created"}, headers=chain.headers)
    assert [e["data"]["code"] for e in events.json()["data"]] == ["KEPT"]
    audit = client.get("/v1/audit-log", params={"resource": "store"}, headers=chain.headers)
    assert [e["after"]["code"] for e in audit.json()["data"]] == ["KEPT"]


def test_a_running_worker_runs_cron_jobs(settings: Settings) -> None:
    """A cron job due at start-up runs once in a running (not burst) worker, as a system job."""
    runs: list[Any] = []

    async def tick(ctx: JobContext) -> None:
        runs.append(ctx.tenant_id)

    registry = JobRegistry()
    registry.cron(tick, minute={0}, run_at_startup=True)

    async def main() -> None:
        async with job_context(settings, pool_size=1) as context:
            worker = arq_worker(context, registry)
            running = asyncio.create_task(worker.main())
            for _ in range(50):
                if runs:
                    break
                await asyncio.sleep(0.1)
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)

    asyncio.run(main())
    assert runs == [None]
