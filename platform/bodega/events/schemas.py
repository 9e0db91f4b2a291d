"""What the events and webhooks API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.pagination import named_page

__all__ = [
    "EVENT_TYPE_PATTERN",
    "DeliveryStatus",
    "EventOut",
    "EventPage",
    "ReplayIn",
    "ReplayResult",
    "RotateSecretIn",
    "WebhookAttemptOut",
    "WebhookDeliveryDetail",
    "WebhookDeliveryOut",
    "WebhookDeliveryPage",
    "WebhookEndpointCreated",
    "WebhookEndpointIn",
    "WebhookEndpointOut",
    "WebhookEndpointPage",
    "WebhookEndpointUpdate",
]

EVENT_TYPE_PATTERN = r"^(\*|[a-z][a-z_]{0,30}\.(\*|[a-z][a-z_]{0,30}))$"
"""What endpoint filters and the ``type`` filter of event lists accept."""
EventTypePattern = Annotated[
    str,
    Meta(
        pattern=EVENT_TYPE_PATTERN,
        description='An event type ("product.created"), every type of an object ("product.*") '
        'or every event ("*").',
    ),
]
Url = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=2048,
        description="Where events are POSTed: an http(s) URL (https in production).",
    ),
]
Description = Annotated[str, Meta(max_length=500)]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
DeliveryStatus = Literal["pending", "succeeded", "dead"]


class EventOut(msgspec.Struct, kw_only=True):
    """Something that changed in the chain. Webhook deliveries POST exactly this object."""

    id: uuid.UUID
    """Unique per event: receivers deduplicate by it."""
    type: str
    tenant_id: uuid.UUID
    data: dict[str, Any]
    """The object as the API returns it (after the change; before it, for deletions)."""
    created_at: datetime


EventPage = named_page(EventOut, "EventPage")


class WebhookEndpointIn(msgspec.Struct, kw_only=True):
    url: Url
    event_types: Annotated[list[EventTypePattern], Meta(min_length=1, max_length=50)] = (
        msgspec.field(default_factory=lambda: ["*"])
    )
    description: Description = ""
    enabled: bool = True


class WebhookEndpointUpdate(msgspec.Struct, kw_only=True):
    version: Version
    url: Url | UnsetType = UNSET
    event_types: (
        Annotated[list[EventTypePattern], Meta(min_length=1, max_length=50)] | UnsetType
    ) = UNSET
    description: Description | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    """Enabling an endpoint that was disabled for failing clears its failure record."""


class WebhookEndpointOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    """Why Bodega disabled the endpoint (it failed for days), if it did."""
    failing_since: datetime | None
    """Since when every delivery to it has failed; cleared by a success."""
    previous_secret_expires_at: datetime | None
    """Until when deliveries are also signed with the secret before the last rotation."""
    created_at: datetime
    version: int


WebhookEndpointPage = named_page(WebhookEndpointOut, "WebhookEndpointPage")


class WebhookEndpointCreated(msgspec.Struct, kw_only=True):
    """The endpoint and its signing secret: store the secret now, it is not shown again."""

    endpoint: WebhookEndpointOut
    secret: str


class RotateSecretIn(msgspec.Struct, kw_only=True):
    overlap_hours: Annotated[int, Meta(ge=0, le=168)]
    """For how long deliveries carry a signature with the old secret as well (0: none; at
    most a week): long enough to deploy the new secret to every receiver."""


class WebhookDeliveryOut(msgspec.Struct, kw_only=True):
    """One event on its way to one endpoint."""

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    retry_until: datetime
    """After this, a failing delivery is dead-lettered."""
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None


WebhookDeliveryPage = named_page(WebhookDeliveryOut, "WebhookDeliveryPage")


class WebhookAttemptOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    attempted_at: datetime
    status_code: int | None
    """The receiver's HTTP status; ``null`` when there was no answer (see ``error``)."""
    error: str | None
    latency_ms: int
    response_excerpt: str | None
    """The first 1,000 characters of the receiver's answer."""


class WebhookDeliveryDetail(WebhookDeliveryOut, kw_only=True):
    attempts: list[WebhookAttemptOut]
    """Every attempt, oldest first."""


class ReplayIn(msgspec.Struct, kw_only=True):
    endpoint_id: uuid.UUID
    since: datetime | None = None
    """Dead letters created at or after this time (default: all)."""
    until: datetime | None = None
    """... and before this time."""


class ReplayResult(msgspec.Struct, kw_only=True):
    replayed: int
    """How many dead deliveries were scheduled again."""
