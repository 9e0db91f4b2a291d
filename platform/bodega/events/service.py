"""Events and webhooks as a chain sees them: the event log, its endpoints, their deliveries.

Delivering is the worker's part (``bodega.events.relay``); this module holds what the API
does: list events, manage endpoints and secrets, inspect, retry and replay deliveries.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, get_args
from urllib.parse import urlsplit

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput, VersionConflict
from bodega.api.pagination import Page
from bodega.audit import (
    change_recorded,
    create_recorded,
    delete_recorded,
    record_change,
    update_recorded,
)
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields, get_row, list_page, to_struct
from bodega.events.delivery import RETRY_WINDOW
from bodega.events.schemas import (
    EVENT_TYPE_PATTERN,
    DeliveryStatus,
    EventOut,
    ReplayIn,
    ReplayResult,
    RotateSecretIn,
    WebhookAttemptOut,
    WebhookDeliveryDetail,
    WebhookDeliveryOut,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointUpdate,
)
from bodega.events.signing import new_secret
from bodega.events.tables import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "create_endpoint",
    "delete_endpoint",
    "delivery_status",
    "get_delivery",
    "get_endpoint",
    "get_event",
    "list_deliveries",
    "list_endpoints",
    "list_events",
    "replay_dead_deliveries",
    "retry_delivery",
    "rotate_secret",
    "update_endpoint",
]

_TYPE_FILTER = re.compile(EVENT_TYPE_PATTERN)


def _now() -> datetime:
    return datetime.now(UTC)


# Events ----------------------------------------------------------------------------------------


async def list_events(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[EventOut]:
    """Events oldest first; ``type`` is exact ("product.created") or a prefix ("product.*")."""
    where: list[Any] = []
    if type is not None and type != "*":
        if not _TYPE_FILTER.match(type):
            raise InvalidInput(
                'An event type filter is like "product.created" or "product.*".',
                errors=[FieldError("type", "not an event type")],
            )
        if type.endswith(".*"):
            where.append(Event.type.like(type[:-1].replace("_", r"\_") + "%"))
        else:
            where.append(Event.type == type)
    if since is not None:
        where.append(Event.created_at >= since)
    if until is not None:
        where.append(Event.created_at < until)
    return await list_page(
        Event, actor.tenant_id, EventOut, limit=limit, cursor=cursor, where=where
    )


async def get_event(actor: Actor, event_id: uuid.UUID) -> EventOut:
    return to_struct(await get_row(Event, actor.tenant_id, event_id, "event"), EventOut)


# Endpoints -------------------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host.encode("idna")  # a name DNS can carry (labels of 63 characters at most)
        scheme = parts.scheme
    except (ValueError, UnicodeError):
        host = scheme = ""
    if scheme not in ("http", "https") or not host or len(host) > 253:
        raise InvalidInput(
            "The endpoint URL must be an absolute http(s) URL, like https://example.com/hooks.",
            errors=[FieldError("url", "not an http(s) URL")],
        )
    if parts.username or parts.password:
        raise InvalidInput(
            "Put no credentials in the URL: verify deliveries by their signature instead.",
            errors=[FieldError("url", "credentials in URL")],
        )
    return url


def _types(patterns: list[str]) -> list[str]:
    return sorted(set(patterns))


async def create_endpoint(actor: Actor, data: WebhookEndpointIn) -> WebhookEndpointCreated:
    secret = new_secret()
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "url": _check_url(data.url),
        "event_types": _types(data.event_types),
        "enabled": data.enabled,
        "description": data.description,
        "secret": secret,
        "previous_secret": None,
        "previous_secret_expires_at": None,
        "failing_since": None,
        "disabled_reason": None,
        # the database's clock, which also dates events: the relay sends an endpoint the
        # events of transactions that began no earlier than the one creating it
        "created_at": await db.fetchval("SELECT now()"),
        "version": 1,
    }
    endpoint = await create_recorded(
        actor, WebhookEndpoint, row, "webhook_endpoint", WebhookEndpointOut
    )
    return WebhookEndpointCreated(endpoint=endpoint, secret=secret)


async def list_endpoints(
    actor: Actor, *, limit: int, cursor: str | None
) -> Page[WebhookEndpointOut]:
    return await list_page(
        WebhookEndpoint, actor.tenant_id, WebhookEndpointOut, limit=limit, cursor=cursor
    )


async def get_endpoint(actor: Actor, endpoint_id: uuid.UUID) -> WebhookEndpointOut:
    row = await get_row(WebhookEndpoint, actor.tenant_id, endpoint_id, "webhook endpoint")
    return to_struct(row, WebhookEndpointOut)


async def update_endpoint(
    actor: Actor, endpoint_id: uuid.UUID, data: WebhookEndpointUpdate
) -> WebhookEndpointOut:
    values = changed_fields(data)
    if "url" in values:
        values["url"] = _check_url(values["url"])
    if "event_types" in values:
        values["event_types"] = _types(values["event_types"])
    if values.get("enabled") is True:  # a fresh start for an endpoint disabled for failing
        values |= {"disabled_reason": None, "failing_since": None}
    return await update_recorded(
        actor,
        WebhookEndpoint,
        endpoint_id,
        data.version,
        values,
        "webhook_endpoint",
        WebhookEndpointOut,
    )


async def delete_endpoint(actor: Actor, endpoint_id: uuid.UUID) -> None:
    """Delete the endpoint with its deliveries and their attempts."""
    await delete_recorded(
        actor, WebhookEndpoint, endpoint_id, "webhook_endpoint", WebhookEndpointOut
    )


async def rotate_secret(
    actor: Actor, endpoint_id: uuid.UUID, data: RotateSecretIn
) -> WebhookEndpointCreated:
    """A new signing secret; the current one keeps signing too for ``overlap_hours``."""
    before = await get_row(WebhookEndpoint, actor.tenant_id, endpoint_id, "webhook endpoint")
    secret = new_secret()
    overlap = timedelta(hours=data.overlap_hours)
    values = {
        "secret": secret,
        "previous_secret": before["secret"] if overlap else None,
        "previous_secret_expires_at": _now() + overlap if overlap else None,
        "version": before["version"] + 1,
    }
    updated = (
        await WebhookEndpoint.update(values)
        .where(
            (WebhookEndpoint.id == endpoint_id)
            & (WebhookEndpoint.tenant_id == actor.tenant_id)
            & (WebhookEndpoint.version == before["version"])
        )
        .returning(*WebhookEndpoint._meta.columns)
    )
    if not updated:  # changed since it was read above (a concurrent PATCH): safe to retry
        raise VersionConflict("webhook endpoint", before["version"] + 1)
    after = updated[0]
    endpoint = to_struct(after, WebhookEndpointOut)
    await change_recorded(
        actor,
        "webhook_endpoint",
        "secret_rotated",
        endpoint_id,
        endpoint,
        before=before,
        after=after,
    )
    return WebhookEndpointCreated(endpoint=endpoint, secret=secret)


# Deliveries ------------------------------------------------------------------------------------


def delivery_status(value: str | None) -> DeliveryStatus | None:
    """``value`` as a delivery status (GraphQL passes it as a plain string); else a 422."""
    if value is None or value in get_args(DeliveryStatus):
        return value  # type: ignore[return-value]
    raise InvalidInput(
        f"Unknown delivery status {value!r}; use one of {', '.join(get_args(DeliveryStatus))}.",
        errors=[FieldError("status", "unknown status")],
    )


async def list_deliveries(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    endpoint_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
) -> Page[WebhookDeliveryOut]:
    where: list[Any] = []
    if endpoint_id is not None:
        where.append(WebhookDelivery.endpoint_id == endpoint_id)
    if event_id is not None:
        where.append(WebhookDelivery.event_id == event_id)
    if status is not None:
        where.append(WebhookDelivery.status == status)
    return await list_page(
        WebhookDelivery,
        actor.tenant_id,
        WebhookDeliveryOut,
        limit=limit,
        cursor=cursor,
        where=where,
    )


async def get_delivery(actor: Actor, delivery_id: uuid.UUID) -> WebhookDeliveryDetail:
    """The delivery with every attempt, oldest first."""
    row = await get_row(WebhookDelivery, actor.tenant_id, delivery_id, "webhook delivery")
    attempts = (
        await WebhookAttempt.select()
        .where(
            (WebhookAttempt.tenant_id == actor.tenant_id)
            & (WebhookAttempt.delivery_id == delivery_id)
        )
        .order_by(WebhookAttempt.id)
    )
    return to_struct(
        {**row, "attempts": [to_struct(a, WebhookAttemptOut) for a in attempts]},
        WebhookDeliveryDetail,
    )


_RESCHEDULE = """
UPDATE webhook_deliveries
   SET status = 'pending', next_attempt_at = $3, retry_until = $4, dead_at = NULL
 WHERE tenant_id = $1 AND {where}
RETURNING *
"""


async def retry_delivery(actor: Actor, delivery_id: uuid.UUID) -> WebhookDeliveryOut:
    """Send the delivery again now, whatever its status; a failing one gets a fresh
    three-day retry window. Recorded in the audit log."""
    before = await get_row(WebhookDelivery, actor.tenant_id, delivery_id, "webhook delivery")
    now = _now()
    after = await db.fetchrow(
        _RESCHEDULE.format(where="id = $2"), actor.tenant_id, delivery_id, now, now + RETRY_WINDOW
    )
    assert after is not None  # the row was read above, in this transaction
    await record_change(
        actor,
        "webhook_delivery.retried",
        "webhook_delivery",
        delivery_id,
        before=before,
        after=dict(after),
    )
    return to_struct(dict(after), WebhookDeliveryOut)


async def replay_dead_deliveries(actor: Actor, data: ReplayIn) -> ReplayResult:
    """Schedule again every dead delivery of one endpoint created in [since, until)."""
    await get_row(WebhookEndpoint, actor.tenant_id, data.endpoint_id, "webhook endpoint")
    if data.since and data.until and data.since >= data.until:
        raise InvalidInput(
            "'since' must be before 'until'.", errors=[FieldError("until", "not after since")]
        )
    now = _now()
    rows = await db.fetch(
        _RESCHEDULE.format(
            where="endpoint_id = $2 AND status = 'dead'"
            " AND ($5::timestamptz IS NULL OR created_at >= $5)"
            " AND ($6::timestamptz IS NULL OR created_at < $6)"
        ),
        actor.tenant_id,
        data.endpoint_id,
        now,
        now + RETRY_WINDOW,
        data.since,
        data.until,
    )
    result = ReplayResult(replayed=len(rows))
    await record_change(
        actor,
        "webhook_endpoint.dead_letters_replayed",
        "webhook_endpoint",
        data.endpoint_id,
        after={"since": data.since, "until": data.until, "replayed": result.replayed},
    )
    return result
