"""The events domain's part of the worker: the relay (with the core's event handlers), the
sweep, the delivery job, and the clean-up of events past their retention."""

from __future__ import annotations

from datetime import timedelta

from bodega.events.relay import deliver_webhook, queue_due_deliveries, relay_outbox
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.settings import Settings

__all__ = ["register"]


def register(registry: JobRegistry, settings: Settings) -> None:

    async def relay(ctx: JobContext) -> int:
        return await relay_outbox(ctx, registry.event_handlers)  # those registered by then

    registry.periodic(relay, name="relay_outbox", every_s=settings.relay_interval_seconds)
    registry.periodic(queue_due_deliveries, every_s=settings.relay_interval_seconds)
    # a little over the HTTP timeout, which bounds one attempt
    registry.tenant_job(deliver_webhook, timeout_s=settings.webhook_timeout_seconds + 5)
    registry.purge(
        "purge_events",
        "bodega_purge_events",
        timedelta(days=settings.event_retention_days),
        minute={27},
    )
