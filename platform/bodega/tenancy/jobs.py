"""Tenancy's jobs: clean-up of sessions a week after they ended (expired or revoked)."""

from __future__ import annotations

from datetime import timedelta

from bodega.jobs.registry import JobRegistry
from bodega.settings import Settings

__all__ = ["register"]

SESSION_KEEP = timedelta(days=7)


def register(registry: JobRegistry, settings: Settings) -> None:
    registry.purge("purge_sessions", "bodega_purge_sessions", SESSION_KEEP, minute={17})
