"""GraphQL for events, webhook endpoints and deliveries (the same services as REST)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.events import schemas, service
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type

__all__ = ["EventsMutation", "EventsQuery"]

InfoT = Info[Context, Any]
READ, MANAGE = "events:read", "webhooks:manage"

Event = object_type(schemas.EventOut)
EventPage = page_type(Event, "EventPage")
WebhookEndpoint = object_type(schemas.WebhookEndpointOut)
WebhookEndpointPage = page_type(WebhookEndpoint, "WebhookEndpointPage")
WebhookEndpointCreated = object_type(
    schemas.WebhookEndpointCreated,
    name="WebhookEndpointCreated",
    namespace={"WebhookEndpointOut": WebhookEndpoint},
)
WebhookAttempt = object_type(schemas.WebhookAttemptOut)
WebhookDelivery = object_type(schemas.WebhookDeliveryOut)
WebhookDeliveryPage = page_type(WebhookDelivery, "WebhookDeliveryPage")
WebhookDeliveryDetail = object_type(
    schemas.WebhookDeliveryDetail,
    name="WebhookDeliveryDetail",
    namespace={"WebhookAttemptOut": WebhookAttempt},
)
ReplayResult = object_type(schemas.ReplayResult, name="ReplayResult")

WebhookEndpointInput = input_type(schemas.WebhookEndpointIn, name="WebhookEndpointInput")
WebhookEndpointUpdateInput = input_type(
    schemas.WebhookEndpointUpdate, name="WebhookEndpointUpdateInput"
)
RotateSecretInput = input_type(schemas.RotateSecretIn, name="RotateSecretInput")
ReplayInput = input_type(schemas.ReplayIn, name="ReplayInput")


@strawberry.type
class EventsQuery:
    @strawberry.field(description='Events, oldest first; type is exact or like "product.*".')
    async def events(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> EventPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_events,
            limit=page_limit(first),
            cursor=after,
            type=type,
            since=since,
            until=until,
        )

    @strawberry.field(description="One event.")
    async def event(self, info: InfoT, id: uuid.UUID) -> Event:  # type: ignore[valid-type]
        return await call(info, READ, service.get_event, id)

    @strawberry.field(description="A page of webhook endpoints.")
    async def webhook_endpoints(
        self, info: InfoT, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> WebhookEndpointPage:  # type: ignore[valid-type]
        return await call(info, READ, service.list_endpoints, limit=page_limit(first), cursor=after)

    @strawberry.field(description="One webhook endpoint.")
    async def webhook_endpoint(self, info: InfoT, id: uuid.UUID) -> WebhookEndpoint:  # type: ignore[valid-type]
        return await call(info, READ, service.get_endpoint, id)

    @strawberry.field(description="Webhook deliveries, by endpoint, event or status.")
    async def webhook_deliveries(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        endpoint_id: uuid.UUID | None = None,
        event_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> WebhookDeliveryPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_deliveries,
            limit=page_limit(first),
            cursor=after,
            endpoint_id=endpoint_id,
            event_id=event_id,
            status=service.delivery_status(status),
        )

    @strawberry.field(description="One webhook delivery with every attempt.")
    async def webhook_delivery(self, info: InfoT, id: uuid.UUID) -> WebhookDeliveryDetail:  # type: ignore[valid-type]
        return await call(info, READ, service.get_delivery, id)


@strawberry.type
class EventsMutation:
    @strawberry.mutation(description="Add a webhook endpoint; its signing secret is shown once.")
    async def create_webhook_endpoint(
        self, info: InfoT, input: WebhookEndpointInput
    ) -> WebhookEndpointCreated | None:  # type: ignore[valid-type]
        return await mutate(
            info,
            MANAGE,
            service.create_endpoint,
            from_input(input, schemas.WebhookEndpointIn),
        )

    @strawberry.mutation(description="Change a webhook endpoint (send its current version).")
    async def update_webhook_endpoint(
        self, info: InfoT, id: uuid.UUID, input: WebhookEndpointUpdateInput
    ) -> WebhookEndpoint | None:  # type: ignore[valid-type]
        return await mutate(
            info,
            MANAGE,
            service.update_endpoint,
            id,
            from_input(input, schemas.WebhookEndpointUpdate),
        )

    @strawberry.mutation(description="Delete a webhook endpoint and its deliveries.")
    async def delete_webhook_endpoint(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, MANAGE, service.delete_endpoint, id)
        return True

    @strawberry.mutation(description="A new signing secret; the old one signs during the overlap.")
    async def rotate_webhook_secret(
        self, info: InfoT, id: uuid.UUID, input: RotateSecretInput
    ) -> WebhookEndpointCreated | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.RotateSecretIn)
        return await mutate(info, MANAGE, service.rotate_secret, id, data)

    @strawberry.mutation(description="Send a webhook delivery again now.")
    async def retry_webhook_delivery(self, info: InfoT, id: uuid.UUID) -> WebhookDelivery | None:  # type: ignore[valid-type]
        return await mutate(info, MANAGE, service.retry_delivery, id)

    @strawberry.mutation(description="Send again every dead delivery of an endpoint in a range.")
    async def replay_webhook_deliveries(
        self, info: InfoT, input: ReplayInput
    ) -> ReplayResult | None:  # type: ignore[valid-type]
        return await mutate(
            info, MANAGE, service.replay_dead_deliveries, from_input(input, schemas.ReplayIn)
        )
