"""The worker: runs the registry's jobs with arq, its periodic tasks in-process.

``run_worker`` is ``bodega worker``: it keeps running through Redis outages (it reconnects)
and stops on SIGINT/SIGTERM. ``drain`` runs everything due until nothing is left: tests,
benchmarks and ``bodega worker --burst`` use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from arq import cron
from arq.worker import Function, Worker, func
from redis.exceptions import RedisError

from bodega.db.engine import BodegaEngine, bind_tables, no_session_state
from bodega.db.tables import all_tables
from bodega.db.urls import app_database_url
from bodega.jobs.queue import connect_queue, deserialize, serialize
from bodega.jobs.registry import CronSpec, JobContext, JobRegistry, JobSpec, PeriodicSpec
from bodega.observability import configure_logging
from bodega.plugins import PluginHost, build_plugin_manager
from bodega.settings import Settings

__all__ = ["arq_worker", "build_registry", "drain", "job_context", "run_worker"]


_log = structlog.get_logger("bodega.jobs")
CONTEXT_KEY = "bodega"


def build_registry(settings: Settings, plugins: PluginHost) -> JobRegistry:
    """The registry with every domain's jobs and the installed plugins'."""
    from bodega.api import jobs as api_jobs
    from bodega.events import jobs as events_jobs
    from bodega.points import jobs as points_jobs
    from bodega.pricing import jobs as pricing_jobs
    from bodega.replenishment import jobs as replenishment_jobs
    from bodega.segments import jobs as segments_jobs
    from bodega.tenancy import jobs as tenancy_jobs
    from bodega.tiers import jobs as tiers_jobs
    from bodega.tiers import points_multiplier

    registry = JobRegistry()
    for domain in (
        api_jobs,
        tenancy_jobs,
        events_jobs,
        replenishment_jobs,
        pricing_jobs,
        segments_jobs,
        tiers_jobs,
    ):
        domain.register(registry, settings)
    points_jobs.register(registry, settings, multiplier=points_multiplier)
    plugins.register_jobs(registry)
    return registry


def _utcnow() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def job_context(
    settings: Settings, *, clock: Callable[[], datetime] = _utcnow, pool_size: int | None = None
) -> AsyncIterator[JobContext]:
    """Open what jobs use (database pool, queue, HTTP client, plugins) and close it
    afterwards."""
    assert settings.redis_url is not None, "the worker needs Redis (embedded or REDIS_URL)"
    plugins = build_plugin_manager(settings)
    engine = BodegaEngine(
        config={
            "dsn": app_database_url(settings),
            "server_settings": {"application_name": "bodega-worker"},
        }
    )
    await engine.start_connection_pool(
        min_size=1, max_size=pool_size or settings.pool_size, reset=no_session_state
    )
    bind_tables(engine, all_tables(plugins.piccolo_apps()))
    queue = await connect_queue(settings.redis_url, settings.redis_prefix, retries=5)
    http = httpx.AsyncClient(limits=httpx.Limits(max_connections=settings.worker_concurrency))
    plugins.use(http=http, queue=queue)
    plugins.clock = clock
    try:
        yield JobContext(
            settings=settings, engine=engine, queue=queue, http=http, clock=clock, plugins=plugins
        )
    finally:
        await http.aclose()
        await queue.close()
        await engine.close_connection_pool()


def _scoped(ctx: dict[str, Any], tenant_id: str | None) -> JobContext:
    base: JobContext = ctx[CONTEXT_KEY]
    return dataclasses.replace(
        base,
        tenant_id=uuid.UUID(tenant_id) if tenant_id else None,
        job_id=ctx.get("job_id"),
        attempt=ctx.get("job_try") or 1,
    )


def _job_function(spec: JobSpec) -> Function:
    async def run(ctx: dict[str, Any], tenant_id: str | None, *args: Any) -> Any:
        if spec.tenant and not tenant_id:
            raise ValueError(f"tenant job {spec.name} was enqueued without a tenant")
        if not spec.tenant and tenant_id:
            raise ValueError(f"system job {spec.name} was enqueued for a tenant")
        job = _scoped(ctx, tenant_id)
        with structlog.contextvars.bound_contextvars(
            tenant_id=tenant_id, job=spec.name, job_id=job.job_id
        ):
            return await spec.fn(job, *args)

    return func(run, name=spec.name, timeout=spec.timeout_s, keep_result=0)


def _cron_job(spec: CronSpec, prefix: str) -> Any:
    async def run(ctx: dict[str, Any]) -> Any:
        with structlog.contextvars.bound_contextvars(job=spec.name):
            return await spec.fn(_scoped(ctx, None))

    return cron(
        run,
        name=f"{prefix}:{spec.name}",  # cron job ids are global in Redis: keep deployments apart
        minute=set(spec.minute) if spec.minute is not None else None,
        hour=set(spec.hour) if spec.hour is not None else None,
        run_at_startup=spec.run_at_startup,
        keep_result=0,
    )


def arq_worker(context: JobContext, registry: JobRegistry, *, burst: bool = False) -> Worker:
    """An arq worker for the registry's jobs and cron jobs, sharing ``context``'s connections."""
    settings = context.settings
    return Worker(
        functions=[_job_function(spec) for spec in registry.jobs.values()],
        cron_jobs=[_cron_job(spec, settings.redis_prefix) for spec in registry.crons.values()],
        redis_pool=context.queue.redis,
        queue_name=context.queue.name,
        ctx={CONTEXT_KEY: context},
        burst=burst,
        handle_signals=False,
        max_jobs=settings.worker_concurrency,
        keep_result=0,
        poll_delay=0.05,  # new jobs start only on a poll: a long delay caps throughput
        job_serializer=serialize,
        job_deserializer=deserialize,
        log_results=False,
    )


async def _run_periodic(context: JobContext, spec: PeriodicSpec) -> int:
    with structlog.contextvars.bound_contextvars(job=spec.name):
        return await spec.fn(dataclasses.replace(context, tenant_id=None, job_id=None))


async def drain(context: JobContext, registry: JobRegistry, *, rounds: int = 10_000) -> int:
    """Run the periodic tasks and every queued job until a round finds nothing to do;
    return the number of jobs run. Deterministic: for tests, benchmarks and ``--burst``."""
    total = 0
    for _ in range(rounds):
        found = 0
        for spec in registry.periodics.values():
            found += await _run_periodic(context, spec)
        worker = arq_worker(context, registry, burst=True)
        await worker.async_run()
        total += worker.jobs_complete + worker.jobs_failed
        if not found and not (worker.jobs_complete + worker.jobs_failed):
            return total
    raise RuntimeError(f"work was still being found after {rounds} rounds")


async def _every(context: JobContext, spec: PeriodicSpec) -> None:
    while True:
        try:
            await _run_periodic(context, spec)
        except Exception:  # Redis or the database away: log, wait, go on
            _log.warning("periodic task failed; retrying", task=spec.name, exc_info=True)
        await asyncio.sleep(spec.every_s)


async def _stop_gracefully(worker: Worker, main: asyncio.Task[None], grace_s: float) -> None:
    """Stop picking jobs, give running ones ``grace_s`` to finish, then cancel them (a
    cancelled job runs again later: jobs are idempotent)."""
    main.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await main
    running = list(worker.tasks.values())
    if running:
        _, late = await asyncio.wait(running, timeout=grace_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop``): jobs, cron jobs and periodic tasks. While Redis
    is unreachable the arq loop is restarted every second; the periodic tasks go on."""
    configure_logging(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with job_context(settings) as context:
        registry = build_registry(settings, context.plugins)
        periodic = [asyncio.create_task(_every(context, s)) for s in registry.periodics.values()]
        _log.info("worker started", jobs=sorted(registry.jobs), queue=context.queue.name)
        try:
            while not stop.is_set():
                worker = arq_worker(context, registry)
                main = asyncio.create_task(worker.main())
                stopping = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait({main, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if main not in done:
                    await _stop_gracefully(worker, main, settings.webhook_timeout_seconds + 5)
                    break
                stopping.cancel()
                error = main.exception()
                if not isinstance(error, RedisError | OSError):
                    raise error or RuntimeError("the arq worker stopped by itself")
                _log.warning("Redis is unreachable; retrying in 1 s", error=str(error))
                await asyncio.sleep(1)
        finally:
            for task in periodic:
                task.cancel()
            await asyncio.gather(*periodic, return_exceptions=True)
    _log.info("worker stopped")
