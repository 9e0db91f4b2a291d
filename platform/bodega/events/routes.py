"""REST for events, webhook endpoints and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, delete, get, patch, post
from bodega.events import service
from bodega.events.schemas import (
    DeliveryStatus,
    EventOut,
    EventPage,
    ReplayIn,
    ReplayResult,
    RotateSecretIn,
    WebhookDeliveryDetail,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPage,
    WebhookEndpointUpdate,
)

__all__ = ["EventController", "WebhookDeliveryController", "WebhookEndpointController"]

READ = [requires("events:read")]
MANAGE = [requires("webhooks:manage")]


class EventController(Controller):
    path = "/v1/events"
    tags = ["events"]

    @get("/", guards=READ, summary="List events, oldest first, by type and time")
    async def list_events(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        type: Annotated[
            str | None,
            QueryParameter(
                max_length=64, description='An event type ("product.created") or "product.*".'
            ),
        ] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> EventPage:
        return await service.list_events(
            actor, limit=limit, cursor=cursor, type=type, since=since, until=until
        )

    @get("/{event_id:uuid}", guards=READ, summary="One event")
    async def get_event(self, actor: CurrentActor, event_id: FromPath[uuid.UUID]) -> EventOut:
        return await service.get_event(actor, event_id)


class WebhookEndpointController(Controller):
    path = "/v1/webhook-endpoints"
    tags = ["webhooks"]

    @post("/", guards=MANAGE, summary="Add an endpoint; its signing secret is shown once")
    async def create_webhook_endpoint(
        self, actor: CurrentActor, data: JSONBody[WebhookEndpointIn]
    ) -> WebhookEndpointCreated:
        return await service.create_endpoint(actor, data)

    @get("/", guards=READ, summary="List endpoints")
    async def list_webhook_endpoints(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> WebhookEndpointPage:
        return await service.list_endpoints(actor, limit=limit, cursor=cursor)

    @get("/{endpoint_id:uuid}", guards=READ, summary="One endpoint")
    async def get_webhook_endpoint(
        self, actor: CurrentActor, endpoint_id: FromPath[uuid.UUID]
    ) -> WebhookEndpointOut:
        return await service.get_endpoint(actor, endpoint_id)

    @patch(
        "/{endpoint_id:uuid}",
        guards=MANAGE,
        summary="Change an endpoint: URL, event types, description; enable or disable it",
    )
    async def update_webhook_endpoint(
        self,
        actor: CurrentActor,
        endpoint_id: FromPath[uuid.UUID],
        data: JSONBody[WebhookEndpointUpdate],
    ) -> WebhookEndpointOut:
        return await service.update_endpoint(actor, endpoint_id, data)

    @delete("/{endpoint_id:uuid}", guards=MANAGE, summary="Delete an endpoint and its deliveries")
    async def delete_webhook_endpoint(
        self, actor: CurrentActor, endpoint_id: FromPath[uuid.UUID]
    ) -> None:
        await service.delete_endpoint(actor, endpoint_id)

    @post(
        "/{endpoint_id:uuid}/rotate-secret",
        guards=MANAGE,
        status_code=200,
        summary="New signing secret; the old one keeps signing during the overlap",
    )
    async def rotate_webhook_secret(
        self, actor: CurrentActor, endpoint_id: FromPath[uuid.UUID], data: JSONBody[RotateSecretIn]
    ) -> WebhookEndpointCreated:
        return await service.rotate_secret(actor, endpoint_id, data)


class WebhookDeliveryController(Controller):
    path = "/v1/webhook-deliveries"
    tags = ["webhooks"]

    @get("/", guards=READ, summary="List deliveries, by endpoint, event or status")
    async def list_webhook_deliveries(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        endpoint_id: FromQuery[uuid.UUID | None] = None,
        event_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[DeliveryStatus | None] = None,
    ) -> WebhookDeliveryPage:
        return await service.list_deliveries(
            actor,
            limit=limit,
            cursor=cursor,
            endpoint_id=endpoint_id,
            event_id=event_id,
            status=status,
        )

    @get("/{delivery_id:uuid}", guards=READ, summary="One delivery with every attempt")
    async def get_webhook_delivery(
        self, actor: CurrentActor, delivery_id: FromPath[uuid.UUID]
    ) -> WebhookDeliveryDetail:
        return await service.get_delivery(actor, delivery_id)

    @post(
        "/{delivery_id:uuid}/retry",
        guards=MANAGE,
        status_code=200,
        summary="Send a delivery again now (a dead one gets a fresh retry window)",
    )
    async def retry_webhook_delivery(
        self, actor: CurrentActor, delivery_id: FromPath[uuid.UUID]
    ) -> WebhookDeliveryOut:
        return await service.retry_delivery(actor, delivery_id)

    @post(
        "/replay",
        guards=MANAGE,
        status_code=200,
        summary="Send again every dead delivery of an endpoint in a time range",
    )
    async def replay_webhook_deliveries(
        self, actor: CurrentActor, data: JSONBody[ReplayIn]
    ) -> ReplayResult:
        return await service.replay_dead_deliveries(actor, data)
