"""``PluginJobs``: how a plugin registers its jobs (the ``bodega_jobs`` hook).

A plugin's job names are prefixed with the plugin's name, so plugins never collide. Its
jobs run only for chains that have the plugin enabled; a job queued before a chain
disabled the plugin is skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import structlog

from bodega.db import engine as db
from bodega.jobs.registry import JobContext, JobRegistry

if TYPE_CHECKING:
    from bodega.plugins.context import PluginContext
    from bodega.plugins.manager import PluginHost

__all__ = ["PluginJobs"]

PluginJob = Callable[..., Awaitable[Any]]
_log = structlog.get_logger("bodega.plugins")


class PluginJobs:
    def __init__(self, registry: JobRegistry, host: PluginHost, plugin: str) -> None:
        self._registry = registry
        self._host = host
        self.plugin = plugin

    def tenant_job(self, fn: PluginJob, *, timeout_s: float = 60) -> PluginJob:
        """Register ``async def fn(ctx: PluginContext, *args)``, queued with
        ``ctx.enqueue(fn, *args)`` and run for that chain (as ``<plugin>.<fn name>``)."""
        host, plugin = self._host, self.plugin

        async def run(job: JobContext, *args: Any) -> Any:
            assert job.tenant_id is not None
            async with job.transaction():
                tenant = await host.for_tenant(job.tenant_id)
            if plugin not in tenant.settings:
                _log.info("plugin job skipped: the chain has not enabled the plugin")
                return None
            ctx: PluginContext = host.context(plugin, tenant, job.engine, attempt=job.attempt)
            with structlog.contextvars.bound_contextvars(plugin=plugin):
                return await fn(ctx, *args)

        self._registry.tenant_job(run, name=f"{plugin}.{fn.__name__}", timeout_s=timeout_s)
        return fn

    def cron(
        self,
        fn: PluginJob,
        *,
        minute: set[int] | None = None,
        hour: set[int] | None = None,
        timeout_s: float = 300,
    ) -> PluginJob:
        """Run ``async def fn(ctx: PluginContext)`` at these minutes and hours (UTC) for
        every chain that has the plugin enabled, each chain in a job of its own."""
        self.tenant_job(fn, timeout_s=timeout_s)
        job_name = f"{self.plugin}.{fn.__name__}"
        plugin = self.plugin

        async def fan_out(job: JobContext) -> int:
            occurrence = job.clock().strftime("%Y%m%dT%H%M")
            async with job.transaction():
                rows = await db.fetch("SELECT * FROM bodega_plugin_tenants($1)", plugin)
            for row in rows:
                await job.queue.enqueue(
                    job_name, tenant_id=row["tenant_id"], key=f"{row['tenant_id']}:{occurrence}"
                )
            return len(rows)

        self._registry.cron(fan_out, name=f"{job_name}.cron", minute=minute, hour=hour)
        return fn
