"""The job registry: how domains (and plugins) declare background jobs and cron jobs.

A job is ``async def job(ctx: JobContext, *args)``. A tenant job always runs for one tenant:
``ctx.transaction()`` opens a transaction scoped to it (RLS set), and the job's log lines
carry its ``tenant_id``; it cannot open an unscoped one through ``ctx``. A system job (the
relay's sweeps, clean-ups) has no tenant: its transactions see no tenant's rows, only what
reviewed SECURITY DEFINER functions return. Jobs must be idempotent: one may run twice when
a worker dies mid-run.

arq runs the jobs (``bodega.jobs.worker``); nothing outside this package names it, so the
queue could be swapped.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from bodega.api.auth import Actor, system_actor
from bodega.db import engine as db

if TYPE_CHECKING:
    import httpx
    from piccolo.engine.postgres import PostgresEngine

    from bodega.jobs.queue import JobQueue
    from bodega.plugins import PluginHost
    from bodega.settings import Settings

__all__ = [
    "CronSpec",
    "EventHandler",
    "EventHandlerSpec",
    "JobContext",
    "JobFunction",
    "JobRegistry",
    "JobSpec",
    "PeriodicSpec",
]

JobFunction = Callable[..., Awaitable[Any]]
EventHandler = Callable[["JobContext", Any], Awaitable[None]]
"""``handler(ctx, event)``: ``event`` is a ``bodega.events.EventOut``."""
_log = structlog.get_logger("bodega.jobs")


@dataclass
class JobContext:
    """What a running job gets: its tenant, the database, the queue, an HTTP client, a clock,
    and the plugin host."""

    settings: Settings
    engine: PostgresEngine
    queue: JobQueue
    http: httpx.AsyncClient
    clock: Callable[[], datetime]
    plugins: PluginHost
    tenant_id: uuid.UUID | None = None
    job_id: str | None = None
    attempt: int = 1
    """Which try of the job this is (a job raising ``arq.Retry`` runs again)."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A transaction in the job's tenant scope (no tenant: a system job's, seeing none)."""
        async with db.transaction(self.engine, self.tenant_id) as tx:
            yield tx

    def for_tenant(self, tenant_id: uuid.UUID) -> JobContext:
        """The same context scoped to ``tenant_id`` (a system job handing out tenants' work)."""
        return dataclasses.replace(self, tenant_id=tenant_id)

    @property
    def actor(self) -> Actor:
        """Who the job's changes are recorded as: ``system`` of the job's tenant."""
        if self.tenant_id is None:
            raise RuntimeError("a system job acts for no tenant")
        return system_actor(self.tenant_id, frozenset())


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: JobFunction
    tenant: bool
    """A tenant job: enqueued with a tenant id and run in its scope."""
    timeout_s: float


@dataclass(frozen=True)
class CronSpec:
    name: str
    fn: JobFunction
    minute: frozenset[int] | None
    hour: frozenset[int] | None
    run_at_startup: bool


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    fn: Callable[[JobContext], Awaitable[int]]
    every_s: float


@dataclass(frozen=True)
class EventHandlerSpec:
    pattern: str
    """The event types handled: "order.paid", "order.*"."""
    fn: EventHandler


@dataclass
class JobRegistry:
    """Every job, cron job and periodic task the worker runs, by name, and the core's event
    handlers."""

    jobs: dict[str, JobSpec] = field(default_factory=dict)
    crons: dict[str, CronSpec] = field(default_factory=dict)
    periodics: dict[str, PeriodicSpec] = field(default_factory=dict)
    event_handlers: list[EventHandlerSpec] = field(default_factory=list)

    def tenant_job(
        self, fn: JobFunction, *, name: str | None = None, timeout_s: float = 60
    ) -> JobFunction:
        """Register ``fn(ctx, *args)``, run in the scope of the tenant it is enqueued for."""
        return self._add(JobSpec(name or fn.__name__, fn, True, timeout_s))

    def system_job(
        self, fn: JobFunction, *, name: str | None = None, timeout_s: float = 300
    ) -> JobFunction:
        """Register ``fn(ctx, *args)``, run for no tenant (it finds its work through reviewed
        SECURITY DEFINER functions and hands each tenant's part to a tenant job)."""
        return self._add(JobSpec(name or fn.__name__, fn, False, timeout_s))

    def cron(
        self,
        fn: JobFunction,
        *,
        name: str | None = None,
        minute: set[int] | None = None,
        hour: set[int] | None = None,
        run_at_startup: bool = False,
    ) -> JobFunction:
        """Run the system job ``fn(ctx)`` at these minutes/hours (``None``: every one);
        one worker runs each occurrence even when several are running."""
        name = name or fn.__name__
        self._check_free(name)
        self.crons[name] = CronSpec(
            name,
            fn,
            frozenset(minute) if minute is not None else None,
            frozenset(hour) if hour is not None else None,
            run_at_startup,
        )
        return fn

    def purge(
        self,
        name: str,
        function: str,
        keep: timedelta,
        *,
        minute: set[int],
        hour: set[int] | None = None,
    ) -> JobFunction:
        """A cron job calling the reviewed clean-up function ``function(p_before)`` (see
        ``bodega.db.rls.purge_function_sql``) with "now minus ``keep``"."""

        async def purge(ctx: JobContext) -> int:
            async with ctx.transaction():
                deleted = await db.fetchval(f"SELECT {function}($1)", ctx.clock() - keep)
            _log.info("purged", rows=deleted)
            return deleted

        return self.cron(purge, name=name, minute=minute, hour=hour)

    def periodic(
        self,
        fn: Callable[[JobContext], Awaitable[int]],
        *,
        every_s: float,
        name: str | None = None,
    ) -> Callable[[JobContext], Awaitable[int]]:
        """Run the system task ``fn(ctx) -> work done`` every ``every_s`` seconds in every
        worker process, without the queue (the outbox relay: it must work while Redis is
        down). It must be safe to run in several workers at once."""
        name = name or fn.__name__
        self._check_free(name)
        self.periodics[name] = PeriodicSpec(name, fn, every_s)
        return fn

    def event_handler(self, pattern: str, fn: EventHandler) -> EventHandler:
        """Run ``fn(ctx, event)`` for each new event whose type matches ``pattern``, when the
        events relay relays it: in the relay's transaction of the event's chain (``ctx`` is
        scoped to it), before webhooks and plugins get the event, so what ``fn`` writes
        commits with the event marked relayed. If it raises, its writes are undone and the
        event (with the chain's later ones) waits for the relay's next round: ``fn`` must be
        idempotent. For the core's domains; plugins use ``bodega_handle_event``."""
        self.event_handlers.append(EventHandlerSpec(pattern, fn))
        return fn

    def _add(self, spec: JobSpec) -> JobFunction:
        self._check_free(spec.name)
        self.jobs[spec.name] = spec
        return spec.fn

    def _check_free(self, name: str) -> None:
        if name in self.jobs or name in self.crons or name in self.periodics:
            raise ValueError(f"a job named {name!r} is registered already")
