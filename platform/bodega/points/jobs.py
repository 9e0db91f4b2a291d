"""The points part of the worker: earning and taking back as orders are paid and refunded,
and the expiry of awards.

``order.paid`` and ``order.refunded`` are handled by event handlers, which the events relay
runs in the chain's transaction as it relays each event (see ``JobRegistry.event_handler``).

``queue_points_expiry`` (periodic, every minute, a system task) asks the reviewed SECURITY
DEFINER function ``bodega_points_expiry_tenants`` which chains have awards past their expiry
with points left, and queues one ``points.expire`` job per chain, keyed by the chain. The job
writes the ``expire`` entries with the job's clock, a batch of members per transaction;
running it twice expires nothing the second time.
"""

from __future__ import annotations

from typing import Any

import msgspec
import structlog

from bodega.db import engine as db
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.points.earning import MultiplierSource, PaidOrder, earn_for_order, reverse_for_refund
from bodega.points.service import EXPIRY_BATCH, expire_due_points
from bodega.settings import Settings

__all__ = ["JOB_NAME", "SWEEP_SECONDS", "expire_points", "queue_points_expiry", "register"]

JOB_NAME = "points.expire"
SWEEP_SECONDS = 60
SWEEP_TENANTS = 100
_log = structlog.get_logger("bodega.points")


def _order(event: Any) -> PaidOrder:
    return msgspec.convert(event.data, PaidOrder, strict=False)


async def queue_points_expiry(ctx: JobContext) -> int:
    """Queue the expiry job of every chain with points due to expire; return how many."""
    async with ctx.transaction():
        rows = await db.fetch(
            "SELECT tenant_id FROM bodega_points_expiry_tenants($1, $2)",
            ctx.clock(),
            SWEEP_TENANTS,
        )
    queued = 0
    for row in rows:
        tenant_id = row["tenant_id"]
        queued += await ctx.queue.enqueue(JOB_NAME, tenant_id=tenant_id, key=str(tenant_id))
    return queued


async def expire_points(ctx: JobContext) -> int:
    """Expire the job's chain's due points; return for how many members."""
    members = 0
    while True:
        async with ctx.transaction():
            done = await expire_due_points(ctx.actor, now=ctx.clock())
        members += done
        if done < EXPIRY_BATCH:
            break
    _log.info("points expired", members=members)
    return members


def register(
    registry: JobRegistry, settings: Settings, *, multiplier: MultiplierSource | None = None
) -> None:
    """``multiplier`` gives a member's own earning multiplier (their tier's), if any."""

    async def earn(ctx: JobContext, event: Any) -> None:
        await earn_for_order(ctx.actor, _order(event), ctx.clock(), multiplier=multiplier)

    async def take_back(ctx: JobContext, event: Any) -> None:
        await reverse_for_refund(ctx.actor, _order(event), ctx.clock())

    registry.event_handler("order.paid", earn)
    registry.event_handler("order.refunded", take_back)
    registry.periodic(queue_points_expiry, every_s=SWEEP_SECONDS)
    registry.tenant_job(expire_points, name=JOB_NAME, timeout_s=300)
