"""The segments domain's part of the worker: the nightly refresh.

Every hour (at minute :20 UTC) ``queue_segment_refreshes`` asks the reviewed SECURITY DEFINER
function ``bodega_segment_tenants`` which chains with members have reached
:data:`REFRESH_HOUR` o'clock in their own time zone, and queues one ``segments.refresh`` job
per chain, keyed by the chain and the hour: queued twice, it runs once. The job scores the
chain's members as of the job's clock in one transaction; a job run twice (a worker killed
after committing) rewrites the same rows and reports no change the second time.
"""

from __future__ import annotations

import structlog

from bodega.db import engine as db
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.segments.refresh import refresh_segments
from bodega.settings import Settings

__all__ = ["JOB_NAME", "REFRESH_HOUR", "queue_segment_refreshes", "refresh", "register"]

JOB_NAME = "segments.refresh"
REFRESH_HOUR = 3
"""Local hour of the nightly refresh: after the day's sales, before the shops open."""
_log = structlog.get_logger("bodega.segments")


async def queue_segment_refreshes(ctx: JobContext) -> int:
    """Queue the refresh of every chain at its refresh hour; return how many were queued."""
    now = ctx.clock()
    async with ctx.transaction():
        rows = await db.fetch(
            "SELECT tenant_id FROM bodega_segment_tenants($1, $2)", now, REFRESH_HOUR
        )
    occurrence = now.strftime("%Y%m%dT%H")
    queued = 0
    for row in rows:
        tenant_id = row["tenant_id"]
        queued += await ctx.queue.enqueue(
            JOB_NAME, tenant_id=tenant_id, key=f"{tenant_id}:{occurrence}"
        )
    return queued


async def refresh(ctx: JobContext) -> int:
    """Refresh the job's chain as of the job's clock; return how many members changed."""
    async with ctx.transaction():
        done = await refresh_segments(ctx.actor, now=ctx.clock())
    _log.info(
        "segments refreshed",
        members=done.members,
        scored=done.scored,
        changed=done.changed,
        removed=done.removed,
    )
    return done.changed


def register(registry: JobRegistry, settings: Settings) -> None:
    registry.cron(queue_segment_refreshes, name="segments.queue_refreshes", minute={20})
    registry.tenant_job(refresh, name=JOB_NAME, timeout_s=900)
