"""Events (the outbox), webhook endpoints, deliveries and delivery attempts.

Created by ``piccolo_migrations/`` (SQL), which also puts every table under RLS.
"""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Array, Boolean, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["Event", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]


class Event(Table, tablename="events"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    type = Varchar(length=64)
    data = JSONB()
    created_at = Timestamptz()
    relayed_at = Timestamptz(null=True, default=None)


class WebhookEndpoint(Table, tablename="webhook_endpoints"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    url = Varchar(length=2048)
    event_types = Array(base_column=Varchar(length=64))
    enabled = Boolean(default=True)
    description = Varchar(length=500, default="")
    secret = Varchar(length=100)
    previous_secret = Varchar(length=100, null=True, default=None)
    previous_secret_expires_at = Timestamptz(null=True, default=None)
    failing_since = Timestamptz(null=True, default=None)
    disabled_reason = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz()
    version = Integer(default=1)


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    endpoint_id = UUID()
    event_id = UUID()
    event_type = Varchar(length=64)
    status = Varchar(length=16, default="pending")
    attempt_count = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    retry_until = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_error = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)
    dead_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table, tablename="webhook_attempts"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    delivery_id = UUID()
    attempted_at = Timestamptz()
    status_code = Integer(null=True, default=None)
    error = Varchar(length=500, null=True, default=None)
    latency_ms = Integer()
    response_excerpt = Varchar(length=1000, null=True, default=None)
