"""Stripe's webhooks about premium plans: ``POST /v1/stripe/webhooks/{tenant_id}``.

The signature is the authentication: the body, exactly as received, is checked with the
official library (``stripe.Webhook.construct_event``) against the chain's webhook signing
secret. A missing or wrong signature, an unknown chain and a chain without Stripe settings all
answer the same 400, and nothing is written.

Each Stripe event is handled once: its id is kept (``stripe_events``), and a redelivery answers
``duplicate``. Events about a subscription that is not one of the chain's premium plans are
kept as ``ignored``.

- ``customer.subscription.created`` / ``.updated``: Stripe's status is copied; ``active``
  starts the paid tier (until the period's end) if it had not started.
- ``invoice.payment_succeeded`` / ``invoice.paid`` (each invoice once): the paid tier is
  renewed until the end of the invoice's period (``member.premium_renewed``); an incomplete
  plan whose first invoice gets paid starts.
- ``invoice.payment_failed``: nothing changes (the tier holds until the paid period ends and
  Stripe retries); ``member.premium_payment_failed`` tells the chain.
- ``customer.subscription.deleted`` (and an update to ``canceled``, ``unpaid`` or
  ``incomplete_expired``): the plan ends and the member falls back to their earned tier.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import stripe
import structlog

from bodega.api.auth import Actor, system_actor
from bodega.api.errors import BodegaError
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.tiers.premium import end_plan, premium_event, restand, save_plan
from bodega.tiers.schemas import WebhookReceipt
from bodega.tiers.stripe_accounts import stripe_keys
from bodega.tiers.stripe_gateway import period_end, timestamp

__all__ = ["InvalidSignature", "receive_stripe_event"]

Row = dict[str, Any]
ENDED_STATUSES = frozenset({"canceled", "unpaid", "incomplete_expired"})
_log = structlog.get_logger("bodega.tiers")


class InvalidSignature(BodegaError):
    status = 400
    slug = "invalid-signature"
    title = "The webhook's signature does not verify"


def _id_of(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


async def _plan(actor: Actor, subscription_id: str | None) -> Row | None:
    if not subscription_id:
        return None
    row = await db.fetchrow(
        "SELECT * FROM premium_plans WHERE tenant_id = $1 AND stripe_subscription_id = $2"
        " FOR UPDATE",
        actor.tenant_id,
        subscription_id,
    )
    return dict(row) if row is not None else None


async def _ended(actor: Actor, plan: Row, status: str, subscription: Row, now: datetime) -> str:
    ended_at = timestamp(subscription.get("ended_at")) or now
    return "applied" if await end_plan(actor, plan, status, ended_at, now) else "ignored"


async def _start(actor: Actor, plan: Row, values: Row, now: datetime) -> str:
    plan = await save_plan(actor, plan, {**values, "status": "active", "started_at": now})
    await premium_event(actor, "started", plan)
    await restand(actor, plan["member_id"], plan, now)
    return "applied"


async def subscription_changed(actor: Actor, subscription: Row, now: datetime) -> str:
    plan = await _plan(actor, subscription.get("id"))
    if plan is None or plan["ended_at"] is not None:
        return "ignored"  # an ended subscription never comes back: what says so came late
    status = subscription.get("status") or plan["status"]
    if status in ENDED_STATUSES:
        return await _ended(actor, plan, status, subscription, now)
    values: Row = {"cancel_at_period_end": bool(subscription.get("cancel_at_period_end"))}
    end = period_end(subscription)
    if status == "active" and end is not None:
        values["paid_until"] = max(end, plan["paid_until"] or end)
    if status == "active" and plan["started_at"] is None:
        return await _start(actor, plan, values, now)
    values["status"] = status
    if all(plan[k] == v for k, v in values.items()):
        return "ignored"
    plan = await save_plan(actor, plan, values)
    await premium_event(actor, "updated", plan)
    await restand(actor, plan["member_id"], plan, now)
    return "applied"


def _subscription_of(invoice: Row) -> str | None:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _id_of(invoice.get("subscription")) or _id_of(details.get("subscription"))


def _invoice_period_end(invoice: Row) -> datetime | None:
    lines = (invoice.get("lines") or {}).get("data") or []
    ends = [(line.get("period") or {}).get("end") for line in lines]
    found = [int(end) for end in ends if end]
    return timestamp(max(found)) if found else None


async def invoice_paid(actor: Actor, invoice: Row, now: datetime) -> str:
    plan = await _plan(actor, _subscription_of(invoice))
    if plan is None or plan["ended_at"] is not None:
        return "ignored"
    end = _invoice_period_end(invoice)
    values: Row = {"last_invoice_id": invoice.get("id"), "status": "active"}
    if end is not None:
        values["paid_until"] = max(end, plan["paid_until"] or end)
    if plan["started_at"] is None:  # an incomplete plan's first invoice was paid after all
        return await _start(actor, plan, values, now)
    if plan["last_invoice_id"] == invoice.get("id"):  # counted (invoice.paid and .succeeded)
        return "ignored"
    plan = await save_plan(actor, plan, values)
    await premium_event(actor, "renewed", plan)
    await restand(actor, plan["member_id"], plan, now)
    return "applied"


async def invoice_failed(actor: Actor, invoice: Row, now: datetime) -> str:
    plan = await _plan(actor, _subscription_of(invoice))
    if plan is None or plan["ended_at"] is not None:
        return "ignored"
    await premium_event(actor, "payment_failed", plan)
    return "applied"


async def subscription_deleted(actor: Actor, subscription: Row, now: datetime) -> str:
    plan = await _plan(actor, subscription.get("id"))
    if plan is None:
        return "ignored"
    return await _ended(actor, plan, "canceled", subscription, now)


Handler = Callable[[Actor, Row, datetime], Awaitable[str]]
HANDLERS: dict[str, Handler] = {
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_deleted,
    "invoice.payment_succeeded": invoice_paid,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_failed,
}


async def receive_stripe_event(
    tenant_id: uuid.UUID, payload: bytes, signature: str | None, *, now: datetime
) -> WebhookReceipt:
    """Verify and handle one Stripe webhook for chain ``tenant_id``, in the current (not yet
    scoped) transaction."""
    await db.set_tenant(tenant_id)
    keys = await stripe_keys(tenant_id)
    refused = InvalidSignature(
        "The Stripe-Signature header does not verify against this endpoint's signing secret."
    )
    if keys is None or not signature:
        raise refused
    try:
        stripe.Webhook.construct_event(payload, signature, keys["webhook_secret"])
    except (stripe.SignatureVerificationError, ValueError):
        raise refused from None
    event = json.loads(payload)
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BodegaError("A Stripe event has an id and a type.")
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('stripe_events:' || $1, 0))", event["id"]
    )
    seen = await db.fetchval(
        "SELECT 1 FROM stripe_events WHERE tenant_id = $1 AND event_id = $2",
        tenant_id,
        event["id"],
    )
    if seen:
        return WebhookReceipt(received=True, outcome="duplicate")
    actor = system_actor(tenant_id, frozenset())
    handler = HANDLERS.get(event["type"])
    obj = (event.get("data") or {}).get("object") or {}
    outcome = await handler(actor, obj, now) if handler is not None else "ignored"
    await db.execute(
        "INSERT INTO stripe_events (id, tenant_id, event_id, type, outcome, received_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        tenant_id,
        event["id"],
        event["type"],
        outcome,
        now,
    )
    _log.info("stripe event", type=event["type"], outcome=outcome)
    return WebhookReceipt(received=True, outcome=outcome)
