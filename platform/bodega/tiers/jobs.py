"""The tiers' part of the worker: members moved between tiers every night.

``queue_nightly_evaluations`` (cron, 02:30 UTC, a system job) asks the reviewed SECURITY
DEFINER function ``bodega_tier_tenants`` which chains have tiers and queues one
``tiers.evaluate`` job per chain, keyed by the chain and the day: one evaluation per chain and
night however many workers run. ``POST /v1/tiers/evaluate`` queues the same job at once. The
job evaluates with the job's clock, in one transaction; evaluating is idempotent.

An erased member's premium plan ends through ``erasure.py``'s event handler and job.
"""

from __future__ import annotations

import uuid

import structlog

from bodega.db import engine as db
from bodega.jobs.queue import JobQueue
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.settings import Settings
from bodega.tiers import erasure
from bodega.tiers.evaluation import evaluate_tiers

__all__ = ["JOB_NAME", "evaluate", "queue_evaluation", "queue_nightly_evaluations", "register"]

JOB_NAME = "tiers.evaluate"
_log = structlog.get_logger("bodega.tiers")


async def evaluate(ctx: JobContext) -> int:
    """Evaluate the job's chain; return how many members changed tier."""
    async with ctx.transaction():
        done = await evaluate_tiers(ctx.actor, now=ctx.clock())
    _log.info("tiers evaluated", members=done.evaluated, changed=done.changed)
    return done.changed


async def queue_evaluation(queue: JobQueue, tenant_id: uuid.UUID) -> bool:
    """Queue an evaluation of the chain now; False when one is queued already."""
    return await queue.enqueue(JOB_NAME, tenant_id=tenant_id, key=f"{tenant_id}:now")


async def queue_nightly_evaluations(ctx: JobContext) -> int:
    """Queue the night's evaluation of every chain with tiers; return how many were queued."""
    async with ctx.transaction():
        rows = await db.fetch("SELECT tenant_id FROM bodega_tier_tenants()")
    day = ctx.clock().date().isoformat()
    queued = 0
    for row in rows:
        tenant_id = row["tenant_id"]
        queued += await ctx.queue.enqueue(JOB_NAME, tenant_id=tenant_id, key=f"{tenant_id}:{day}")
    return queued


def register(registry: JobRegistry, settings: Settings) -> None:
    registry.tenant_job(evaluate, name=JOB_NAME, timeout_s=900)
    erasure.register(registry)
    registry.cron(queue_nightly_evaluations, name="tiers.evaluate_nightly", hour={2}, minute={30})
