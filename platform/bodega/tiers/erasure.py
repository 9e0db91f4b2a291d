"""An erased member's premium plan ends at once, and Stripe forgets them.

Erasing a member (``bodega.membership``) emits ``member.erased`` for the member and every
duplicate merged into it, and calls no payment provider. The events relay runs
:func:`on_member_erased` in the chain's transaction: for a member with a premium plan it
queues ``tiers.end_erased_premium``. That job cancels the member's Stripe subscription at once
(no more charges; the month already paid is not refunded), deletes their Stripe customer with
the card it keeps, marks the plan ended (``member.premium_ended``) and takes the paid tier
away. Stripe objects already gone count as done, so the job can run again; when Stripe does
not answer it is tried again later.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import arq
import stripe
import structlog

from bodega.api.auth import Actor
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.tiers.premium import end_plan
from bodega.tiers.standing import plan_of
from bodega.tiers.stripe_accounts import required_keys
from bodega.tiers.stripe_gateway import StripeGateway

__all__ = ["JOB_NAME", "end_erased_premium", "end_premium_of", "on_member_erased", "register"]

JOB_NAME = "tiers.end_erased_premium"
RETRY_AFTER_S = 120
_log = structlog.get_logger("bodega.tiers")


async def _forget(delete: Any, ident: str | None) -> None:
    """``delete(ident)`` in Stripe; an object Stripe no longer has is already forgotten."""
    if not ident:
        return
    try:
        await delete(ident)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise


async def end_premium_of(
    actor: Actor, gateway: StripeGateway, member_id: uuid.UUID, now: datetime
) -> bool:
    """End the member's premium plan in Stripe and here (see the module doc); False when they
    have none."""
    plan = await plan_of(actor, member_id, lock=True)
    if plan is None:
        return False
    keys = await required_keys(actor)
    async with gateway.client(keys["secret_key"]) as client:
        await _forget(client.v1.subscriptions.cancel_async, plan["stripe_subscription_id"])
        await _forget(client.v1.customers.delete_async, plan["stripe_customer_id"])
    await end_plan(actor, plan, "canceled", now, now)
    return True


async def on_member_erased(ctx: JobContext, event: Any) -> None:
    """Queue the end of an erased member's premium plan, if they have one."""
    member_id = uuid.UUID(str(event.data["id"]))
    if await plan_of(ctx.actor, member_id) is not None:
        await ctx.queue.enqueue(
            JOB_NAME, str(member_id), tenant_id=ctx.tenant_id, key=f"{ctx.tenant_id}:{member_id}"
        )


async def end_erased_premium(ctx: JobContext, member_id: str) -> bool:
    gateway = StripeGateway.from_settings(ctx.settings)
    try:
        async with ctx.transaction():
            return await end_premium_of(ctx.actor, gateway, uuid.UUID(member_id), ctx.clock())
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        _log.warning("stripe unreachable; erased member's plan ends later", error=str(exc))
        raise arq.Retry(defer=RETRY_AFTER_S * ctx.attempt) from exc


def register(registry: JobRegistry) -> None:
    registry.event_handler("member.erased", on_member_erased)
    registry.tenant_job(end_erased_premium, name=JOB_NAME, timeout_s=120)
