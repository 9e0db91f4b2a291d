"""The outbox of domain events, webhook endpoints, deliveries and their attempts, under RLS.

Two SECURITY DEFINER functions let the relay find work across tenants. They return ids
only (which tenants have events to relay, which deliveries are due); the work itself then
runs in each tenant's own scope.
"""

from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql

ID = "2026-11-24T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events and webhooks"

TABLES = """
CREATE TABLE events (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    type varchar(64) NOT NULL,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz
);
CREATE INDEX events_tenant_id ON events (tenant_id, id);
CREATE INDEX events_tenant_type ON events (tenant_id, type, id);
CREATE INDEX events_unrelayed ON events (created_at) WHERE relayed_at IS NULL;

CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    url varchar(2048) NOT NULL,
    event_types varchar(64)[] NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    description varchar(500) NOT NULL DEFAULT '',
    secret varchar(100) NOT NULL,
    previous_secret varchar(100),
    previous_secret_expires_at timestamptz,
    failing_since timestamptz,
    disabled_reason varchar(500),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX webhook_endpoints_tenant_id ON webhook_endpoints (tenant_id, id);

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    event_type varchar(64) NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'succeeded', 'dead')),
    attempt_count integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    retry_until timestamptz NOT NULL,
    lease_until timestamptz,
    last_status_code integer,
    last_error varchar(500),
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    dead_at timestamptz
);
CREATE UNIQUE INDEX webhook_deliveries_tenant_endpoint_event
    ON webhook_deliveries (tenant_id, endpoint_id, event_id);
CREATE INDEX webhook_deliveries_tenant_id ON webhook_deliveries (tenant_id, id);
CREATE INDEX webhook_deliveries_tenant_endpoint ON webhook_deliveries (tenant_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL,
    status_code integer,
    error varchar(500),
    latency_ms integer NOT NULL,
    response_excerpt varchar(1000)
);
CREATE INDEX webhook_attempts_tenant_delivery ON webhook_attempts (tenant_id, delivery_id, id);
"""

RELAY_LOOKUPS = """
CREATE FUNCTION bodega_outbox_tenants(p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT e.tenant_id FROM events e WHERE e.relayed_at IS NULL LIMIT p_limit
$$;
CREATE FUNCTION bodega_due_deliveries(p_now timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, delivery_id uuid, attempt_count integer, lease_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT d.tenant_id, d.id, d.attempt_count, d.lease_until FROM webhook_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at <= p_now
       AND (d.lease_until IS NULL OR d.lease_until <= p_now)
     ORDER BY d.next_attempt_at LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION bodega_outbox_tenants(integer),
    bodega_due_deliveries(timestamptz, integer) FROM PUBLIC;
"""


def _grants(role: str) -> str:
    tables = ("events", "webhook_endpoints", "webhook_deliveries", "webhook_attempts")
    return "\n".join(
        [
            *(tenant_table_sql(table, role) for table in tables),
            # the outbox is append-only for the app role, but for marking rows relayed
            f"REVOKE DELETE ON events FROM {role};",
            f"GRANT EXECUTE ON FUNCTION bodega_outbox_tenants(integer), "
            f"bodega_due_deliveries(timestamptz, integer) TO {role};",
        ]
    )


async def forwards():
    return sql_migration(ID, "events", DESCRIPTION, TABLES, RELAY_LOOKUPS, _grants)
