"""The replenishment domain's part of the worker: a store's suggested order as a job.

Enqueue ``replenishment.suggest_for_store`` with the store's id and the store's date, for its
tenant, keyed by both (``key=f"{store_id}:{day}"``): a second enqueue of the same day does
nothing while the first is queued, and a job that finds that day's run already made (a worker
killed after committing) does nothing either.
"""

from __future__ import annotations

import uuid
from datetime import date

import structlog

from bodega.jobs.registry import JobContext, JobRegistry
from bodega.replenishment.service import run_exists, run_suggestions
from bodega.settings import Settings

__all__ = ["JOB_NAME", "register", "suggest_for_store"]

JOB_NAME = "replenishment.suggest_for_store"
_log = structlog.get_logger("bodega.replenishment")


async def suggest_for_store(ctx: JobContext, store_id: str, day: str) -> str | None:
    """Run the suggestions of ``store_id`` for ``day`` (ISO date) unless that run exists;
    returns the run's id."""
    store, today = uuid.UUID(store_id), date.fromisoformat(day)
    async with ctx.transaction():
        if await run_exists(ctx.actor, store, today):
            _log.info("suggestions exist already", store_id=store_id, day=day)
            return None
        run = await run_suggestions(ctx.actor, store, today=today)
    _log.info("suggestions made", store_id=store_id, day=day, lines=run.line_count)
    return str(run.id)


def register(registry: JobRegistry, settings: Settings) -> None:
    # 2,000 products take a few seconds; the timeout leaves room for a slow disk
    registry.tenant_job(suggest_for_store, name=JOB_NAME, timeout_s=300)
