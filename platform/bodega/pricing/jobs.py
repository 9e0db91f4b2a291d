"""The pricing domain's part of the worker: scheduled price changes take effect.

``queue_due_price_changes`` (periodic, every 30 s, a system task) asks the reviewed SECURITY
DEFINER function ``bodega_price_change_tenants`` which chains have changes due, and queues one
``pricing.apply_price_changes`` job per chain, keyed by the chain: never twice at once.
The job applies the chain's due changes with the job's clock, a batch per transaction;
applying is idempotent, so a job run twice (a worker killed after committing) does nothing
the second time.
"""

from __future__ import annotations

import structlog

from bodega.db import engine as db
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.pricing.price_changes import APPLY_BATCH, apply_due_price_changes
from bodega.settings import Settings

__all__ = [
    "JOB_NAME",
    "SWEEP_SECONDS",
    "apply_price_changes",
    "queue_due_price_changes",
    "register",
]

JOB_NAME = "pricing.apply_price_changes"
SWEEP_SECONDS = 30
SWEEP_TENANTS = 100
_log = structlog.get_logger("bodega.pricing")


async def queue_due_price_changes(ctx: JobContext) -> int:
    """Queue the job of every chain with price changes due; return how many were queued."""
    async with ctx.transaction():
        rows = await db.fetch(
            "SELECT tenant_id FROM bodega_price_change_tenants($1, $2)",
            ctx.clock(),
            SWEEP_TENANTS,
        )
    queued = 0
    for row in rows:
        tenant_id = row["tenant_id"]
        queued += await ctx.queue.enqueue(JOB_NAME, tenant_id=tenant_id, key=str(tenant_id))
    return queued


async def apply_price_changes(ctx: JobContext) -> int:
    """Apply the job's chain's due price changes; return how many were applied."""
    applied = 0
    while True:
        async with ctx.transaction():
            done = await apply_due_price_changes(ctx.actor, now=ctx.clock())
        applied += done
        if done < APPLY_BATCH:
            break
    _log.info("price changes applied", applied=applied)
    return applied


def register(registry: JobRegistry, settings: Settings) -> None:
    registry.periodic(queue_due_price_changes, every_s=SWEEP_SECONDS)
    registry.tenant_job(apply_price_changes, name=JOB_NAME, timeout_s=300)
