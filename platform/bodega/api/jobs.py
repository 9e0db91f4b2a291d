"""Clean-up of the API machinery's rows: idempotency keys past their 24 hours."""

from __future__ import annotations

from datetime import timedelta

from bodega.api.middleware import IDEMPOTENCY_TTL_HOURS
from bodega.jobs.registry import JobRegistry
from bodega.settings import Settings

__all__ = ["register"]


def register(registry: JobRegistry, settings: Settings) -> None:
    registry.purge(
        "purge_idempotency_keys",
        "bodega_purge_idempotency_keys",
        timedelta(hours=IDEMPOTENCY_TTL_HOURS),
        minute={7},
    )
