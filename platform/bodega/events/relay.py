"""From the outbox to the receivers: the relay, the sweep of due deliveries, the delivery job.

PostgreSQL holds every delivery's state (pending, when next, how often tried); Redis only
carries the job that makes the next attempt. So Redis may be down or lose its data: writes
go on, and once it is back the sweep queues every due delivery again.

1. ``relay_outbox`` (periodic) runs the core's event handlers on each new event, turns it
   into one delivery per enabled endpoint whose filter matches it, and marks the event
   relayed, in one transaction per tenant; then the chain's plugins get it.
2. ``queue_due_deliveries`` (periodic) queues a ``deliver_webhook`` job for each due delivery
   (the job id is the delivery's, so a delivery is never queued twice at once).
3. ``deliver_webhook`` (a tenant job) leases the delivery, POSTs it, records the attempt and
   schedules the next one or ends it. A worker killed mid-POST leaves the lease to expire;
   the sweep then queues the attempt again, and it is sent again (at least once: receivers
   deduplicate by event id).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import msgspec
import structlog

from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import to_struct
from bodega.events.delivery import RETRY_WINDOW, AttemptResult, next_attempt_at, post, retryable
from bodega.events.outbox import matches
from bodega.events.schemas import EventOut, WebhookEndpointOut
from bodega.events.signing import signature_header
from bodega.jobs.registry import EventHandlerSpec, JobContext

_log = structlog.get_logger("bodega.events")

__all__ = [
    "DISABLE_AFTER",
    "deliver_webhook",
    "queue_due_deliveries",
    "relay_outbox",
]

RELAY_BATCH = 500
"""Events relayed per tenant and transaction."""
SWEEP_BATCH = 1000
ERROR_CHARS = 500
LEASE_MARGIN = timedelta(seconds=10)
"""A lease outlives the whole attempt (at most the HTTP timeout) by this much."""
DISABLE_AFTER = timedelta(days=2)
"""An endpoint is disabled when a delivery's retries run out and it has failed this long."""


async def relay_outbox(ctx: JobContext, handlers: Sequence[EventHandlerSpec] = ()) -> int:
    """Run ``handlers`` on new events and turn them into deliveries; return how many events
    were relayed."""
    async with ctx.transaction():
        tenants = [
            r["tenant_id"] for r in await db.fetch("SELECT * FROM bodega_outbox_tenants(100)")
        ]
    relayed = 0
    for tenant_id in tenants:
        async with ctx.for_tenant(tenant_id).transaction():
            relayed += await _relay_tenant(ctx, tenant_id, ctx.clock(), handlers)
    return relayed


async def _relay_tenant(
    ctx: JobContext, tenant_id: uuid.UUID, now: datetime, handlers: Sequence[EventHandlerSpec]
) -> int:
    events = await db.fetch(
        "SELECT id, type, created_at FROM events WHERE tenant_id = $1 AND relayed_at IS NULL"
        " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
        tenant_id,
        RELAY_BATCH,
    )
    events = await _to_handlers(ctx.for_tenant(tenant_id), handlers, events)
    if not events:
        return 0
    endpoints = await db.fetch(
        "SELECT id, event_types, created_at FROM webhook_endpoints"
        " WHERE tenant_id = $1 AND enabled",
        tenant_id,
    )
    pairs = [
        (event, endpoint)
        for event in events
        for endpoint in endpoints
        if matches(endpoint["event_types"], event["type"])
        and endpoint["created_at"] <= event["created_at"]  # no events from before it existed
    ]
    if pairs:
        await db.execute(
            "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type,"
            " next_attempt_at, retry_until, created_at)"
            " SELECT d.id, $1, d.endpoint_id, d.event_id, d.event_type, $6, $7, $6"
            " FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[])"
            " AS d(id, endpoint_id, event_id, event_type)"
            " ON CONFLICT DO NOTHING",
            tenant_id,
            [new_id() for _ in pairs],
            [endpoint["id"] for _, endpoint in pairs],
            [event["id"] for event, _ in pairs],
            [event["type"] for event, _ in pairs],
            now,
            now + RETRY_WINDOW,
        )
    ids = [event["id"] for event in events]
    await db.execute(
        "UPDATE events SET relayed_at = $2 WHERE tenant_id = $1 AND id = ANY($3::uuid[])",
        tenant_id,
        now,
        ids,
    )
    await _to_plugins(ctx, tenant_id, ids)
    return len(events)


async def _to_handlers(
    ctx: JobContext, handlers: Sequence[EventHandlerSpec], events: list[Any]
) -> list[Any]:
    """Run the core's handlers on each event in order, each event's in a savepoint; return
    the events handled. A handler that raises undoes its event's handling and stops the
    batch there: that event and the later ones wait for the next round, in order."""
    wanted = {e["id"] for e in events if any(matches((h.pattern,), e["type"]) for h in handlers)}
    if not wanted:
        return events
    rows = await db.fetch(
        "SELECT id, data::text AS data FROM events WHERE tenant_id = $1 AND id = ANY($2::uuid[])",
        ctx.tenant_id,
        list(wanted),
    )
    data = {row["id"]: row["data"] for row in rows}
    for n, row in enumerate(events):
        if row["id"] not in wanted:
            continue
        event = EventOut(
            id=row["id"],
            type=row["type"],
            tenant_id=ctx.tenant_id,  # type: ignore[arg-type]
            data=msgspec.json.decode(data[row["id"]]),
            created_at=row["created_at"],
        )
        try:
            async with db.savepoint():
                for handler in handlers:
                    if matches((handler.pattern,), event.type):
                        await handler.fn(ctx, event)
        except Exception:
            _log.exception(
                "event handler failed; the event waits for the next round",
                event_id=str(event.id),
                event_type=event.type,
            )
            return events[:n]
    return events


async def _to_plugins(ctx: JobContext, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """Hand the events to the event handlers of the plugins the chain has enabled; like an
    endpoint, a plugin gets the events of the transaction enabling it and later ones."""
    if not ctx.plugins.manager.hook.bodega_handle_event.get_hookimpls():
        return  # no installed plugin handles events: no look-up per batch
    plugins = await ctx.plugins.for_tenant(tenant_id)
    if not ctx.plugins.implementers("bodega_handle_event", plugins):
        return
    rows = await db.fetch(
        "SELECT id, type, data::text AS data, created_at FROM events"
        " WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id",
        tenant_id,
        ids,
    )
    for row in rows:
        event = EventOut(
            id=row["id"],
            type=row["type"],
            tenant_id=tenant_id,
            data=msgspec.json.decode(row["data"]),
            created_at=row["created_at"],
        )
        await ctx.plugins.call(
            "bodega_handle_event",
            plugins,
            ctx.engine,
            only=lambda name: plugins.enabled_at[name] <= event.created_at,  # noqa: B023
            event=event,
        )


async def queue_due_deliveries(ctx: JobContext) -> int:
    """Queue a job for every due delivery not leased; return how many were newly queued."""
    async with ctx.transaction():
        due = await db.fetch(
            "SELECT * FROM bodega_due_deliveries($1, $2)", ctx.clock(), SWEEP_BATCH
        )
    queued = 0
    for row in due:
        ident = str(row["delivery_id"])
        queued += await ctx.queue.enqueue(
            "deliver_webhook", ident, tenant_id=row["tenant_id"], key=_job_key(row)
        )
    return queued


def _job_key(row: Any) -> str:
    """One job per delivery attempt: the key changes with each attempt made, and with each
    lease that ran out (a worker killed mid-attempt), so the attempt is queued again at once
    rather than when the dead worker's job would be re-run."""
    lease = row["lease_until"]
    return f"{row['delivery_id']}:{row['attempt_count']}:{lease.timestamp() if lease else 0}"


_CLAIM = """
UPDATE webhook_deliveries d SET lease_until = $4
  FROM events e, webhook_endpoints w
 WHERE d.tenant_id = $1 AND d.id = $2 AND d.status = 'pending' AND d.next_attempt_at <= $3
   AND (d.lease_until IS NULL OR d.lease_until <= $3)
   AND e.tenant_id = d.tenant_id AND e.id = d.event_id
   AND w.tenant_id = d.tenant_id AND w.id = d.endpoint_id
RETURNING d.attempt_count, d.retry_until, d.endpoint_id, e.id AS event_id, e.type,
          e.data::text AS data, e.created_at, w.url, w.enabled, w.secret, w.previous_secret,
          w.previous_secret_expires_at
"""


async def deliver_webhook(ctx: JobContext, delivery_id: str) -> None:
    """Make the delivery's next attempt, if it is still due and no other worker has it."""
    ident = uuid.UUID(delivery_id)
    now = ctx.clock()
    lease = timedelta(seconds=ctx.settings.webhook_timeout_seconds) + LEASE_MARGIN
    async with ctx.transaction():
        claim = await db.fetchrow(_CLAIM, ctx.tenant_id, ident, now, now + lease)
    if claim is None:
        return  # delivered, dead, not due yet, or in another worker's hands
    if not claim["enabled"]:
        result = AttemptResult.refusal("the endpoint is disabled")
    else:
        try:
            result = await _attempt(ctx, ident, claim, now)
        except Exception as exc:  # recorded as a failed attempt, never a delivery stuck in limbo
            _log.exception("webhook attempt failed inside the worker", delivery_id=delivery_id)
            result = AttemptResult(
                status_code=None,
                error=f"internal error: {type(exc).__name__}",
                latency_ms=0,
                response_excerpt=None,
            )
    await _record(ctx, ident, claim, result)


async def _attempt(ctx: JobContext, ident: uuid.UUID, claim: Any, now: datetime) -> AttemptResult:
    refused = None
    if not ctx.settings.webhooks_allow_private_networks:
        refused = await _private_target(claim["url"])
    if refused:
        return AttemptResult.refusal(refused)
    event = EventOut(
        id=claim["event_id"],
        type=claim["type"],
        tenant_id=ctx.tenant_id,  # type: ignore[arg-type]
        data=msgspec.json.decode(claim["data"]),
        created_at=claim["created_at"],
    )
    body = msgspec.json.encode(event)
    secrets = [claim["secret"]]
    expires = claim["previous_secret_expires_at"]
    if claim["previous_secret"] and expires is not None and expires > now:
        secrets.append(claim["previous_secret"])
    headers = {
        "Bodega-Event-Id": str(event.id),
        "Bodega-Event-Type": event.type,
        "Bodega-Delivery-Id": str(ident),
        # real time, not the job clock: receivers check it against their own clocks
        "Bodega-Signature": signature_header(secrets, int(time.time()), body),
    }
    return await post(ctx.http, claim["url"], body, headers, ctx.settings.webhook_timeout_seconds)


async def _private_target(url: str) -> str | None:
    """Why ``url`` may not be called (it reaches loopback or a private network), or ``None``."""
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return None  # not resolvable now: the attempt fails as a connection error, and is retried
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"{host} resolves to {address}, which is not a public address"
    return None


_FINISH = """
UPDATE webhook_deliveries
   SET status = $3, attempt_count = $4, next_attempt_at = $5, lease_until = NULL,
       last_status_code = $6, last_error = $7, delivered_at = $8, dead_at = $9
 WHERE tenant_id = $1 AND id = $2
"""


async def _record(ctx: JobContext, ident: uuid.UUID, claim: Any, result: AttemptResult) -> None:
    now = ctx.clock()
    attempts = claim["attempt_count"] + 1
    following = None
    error = None if result.succeeded else result.error or f"HTTP {result.status_code}"
    error = error and error[:ERROR_CHARS]
    async with ctx.transaction():
        if result.succeeded:
            status = "succeeded"
        elif retryable(result):
            in_window = await _attempts_in_window(ctx, ident, claim["retry_until"])
            following = next_attempt_at(in_window + 1, now, claim["retry_until"])
            status = "pending" if following else "dead"
        else:
            status = "dead"
        await db.execute(
            "INSERT INTO webhook_attempts (id, tenant_id, delivery_id, attempted_at, status_code,"
            " error, latency_ms, response_excerpt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            new_id(),
            ctx.tenant_id,
            ident,
            now,
            result.status_code,
            result.error and result.error[:ERROR_CHARS],
            result.latency_ms,
            result.response_excerpt,
        )
        await db.execute(
            _FINISH,
            ctx.tenant_id,
            ident,
            status,
            attempts,
            following,
            result.status_code,
            error,
            now if status == "succeeded" else None,
            now if status == "dead" else None,
        )
        exhausted = status == "dead" and retryable(result)
        await _endpoint_health(ctx, claim, result.succeeded, exhausted, now)


async def _attempts_in_window(ctx: JobContext, ident: uuid.UUID, retry_until: datetime) -> int:
    """Attempts made since the delivery's retry window began (a retry or replay opens a new
    one, and the schedule starts again from its first wait)."""
    return await db.fetchval(
        "SELECT count(*) FROM webhook_attempts"
        " WHERE tenant_id = $1 AND delivery_id = $2 AND attempted_at >= $3",
        ctx.tenant_id,
        ident,
        retry_until - RETRY_WINDOW,
    )


async def _endpoint_health(
    ctx: JobContext, claim: Any, succeeded: bool, exhausted: bool, now: datetime
) -> None:
    """Track since when an endpoint fails. When a delivery's retries run out and the endpoint
    has failed for ``DISABLE_AFTER``, disable it, with an event and an audit entry."""
    endpoint_id = claim["endpoint_id"]
    if succeeded:
        await db.execute(
            "UPDATE webhook_endpoints SET failing_since = NULL"
            " WHERE tenant_id = $1 AND id = $2 AND failing_since IS NOT NULL",
            ctx.tenant_id,
            endpoint_id,
        )
        return
    row = await db.fetchrow(
        "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $3)"
        " WHERE tenant_id = $1 AND id = $2 RETURNING *",
        ctx.tenant_id,
        endpoint_id,
        now,
    )
    if row is None or not exhausted or not row["enabled"]:
        return
    if now - row["failing_since"] < DISABLE_AFTER:
        return
    days = (now - row["failing_since"]).days
    after = await db.fetchrow(
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $3,"
        " version = version + 1 WHERE tenant_id = $1 AND id = $2 RETURNING *",
        ctx.tenant_id,
        endpoint_id,
        f"Every delivery failed for {days} days; fix the receiver, then enable the endpoint "
        "and replay its dead letters.",
    )
    await change_recorded(
        ctx.actor,
        "webhook_endpoint",
        "disabled",
        endpoint_id,
        to_struct(dict(after), WebhookEndpointOut),  # type: ignore[arg-type]
        before=dict(row),
        after=dict(after),  # type: ignore[arg-type]
    )
