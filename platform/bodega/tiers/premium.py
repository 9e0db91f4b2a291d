"""Premium plans: a member buys a paid tier as a monthly subscription on the chain's Stripe.

Subscribing makes the member's Stripe customer (once: its id is kept for later plans),
attaches the payment method the member's device made with Stripe.js, makes it the customer's
default and subscribes them to the tier's plan. Only ids go to Stripe (the member's and the
chain's, as metadata): no name, phone or email; and no card data comes back into Bodega.

The answer carries Stripe's status: ``active`` (the first month is paid: the member is in the
tier until ``paid_until``) or ``incomplete`` (the first payment failed or needs the member to
authenticate; Stripe's webhooks tell what happens next, see ``stripe_events.py``).
Cancelling asks Stripe to end the subscription at the end of the paid period; the member
keeps the tier until Stripe reports the subscription deleted.

Events (ids and statuses only): ``member.premium_started``, ``member.premium_renewed``,
``member.premium_updated``, ``member.premium_cancelled``, ``member.premium_payment_failed``,
``member.premium_ended``, with ``member.tier_changed`` when the member's tier moves.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import stripe

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, InvalidInput, VersionConflict
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.membership import get_member
from bodega.tiers.schemas import MemberTierOut, PremiumCancelIn, PremiumEventData, PremiumIn
from bodega.tiers.standing import (
    LIVE_STATUSES,
    chain_tiers,
    earned_tier,
    get_member_tier,
    paid_tier,
    plan_of,
    reason_of,
    record_moves,
    standing_of,
    standing_rows,
    unranked,
)
from bodega.tiers.stripe_accounts import required_keys
from bodega.tiers.stripe_gateway import StripeGateway, period_end, stripe_problem

__all__ = [
    "cancel_premium",
    "end_plan",
    "premium_event",
    "restand",
    "save_plan",
    "start_premium",
]

Row = dict[str, Any]
_PLAN_COLUMNS = frozenset(
    {
        "tier_id",
        "stripe_customer_id",
        "stripe_subscription_id",
        "status",
        "paid_until",
        "cancel_at_period_end",
        "last_invoice_id",
        "started_at",
        "ended_at",
    }
)


async def premium_event(actor: Actor, what: str, plan: Row) -> None:
    """Record and emit ``member.premium_<what>`` about ``plan``."""
    data = PremiumEventData(
        member_id=plan["member_id"],
        tier_id=plan["tier_id"],
        status=plan["status"],
        paid_until=plan["paid_until"],
        cancel_at_period_end=plan["cancel_at_period_end"],
    )
    await change_recorded(actor, "member", f"premium_{what}", plan["member_id"], data, after=data)


async def save_plan(actor: Actor, plan: Row, values: Row) -> Row:
    """Write ``values`` to a locked plan, bumping its version; return the new row."""
    assert values.keys() <= _PLAN_COLUMNS, values.keys() - _PLAN_COLUMNS
    names = sorted(values)
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    row = await db.fetchrow(
        f"UPDATE premium_plans SET {sets}, version = version + 1, updated_at = now() "  # noqa: S608
        "WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        plan["id"],
        *(values[name] for name in names),
    )
    assert row is not None  # the row is locked
    return dict(row)


async def restand(actor: Actor, member_id: uuid.UUID, plan: Row | None, now: datetime) -> None:
    """Put the member in the better of their earned tier and ``plan``'s paid tier."""
    tiers = await chain_tiers(actor)
    row = (await standing_rows(actor, [member_id], lock=True)).get(member_id)
    old = row or unranked(tiers)
    earned = tiers.get(old["earned_tier_id"]) or earned_tier(tiers, old)
    tier, source = standing_of(tiers, earned, plan, now)
    new = {
        **old,
        "tier_id": tier["id"] if tier is not None else None,
        "source": source,
        "until": plan["paid_until"] if source == "paid" and plan is not None else None,
    }
    reason = reason_of(tiers, old, new, paid_tier(tiers, plan, now))
    await record_moves(actor, [(member_id, old, new, reason)], now=now)


async def end_plan(actor: Actor, plan: Row, status: str, ended_at: datetime, now: datetime) -> bool:
    """Mark a locked plan ended (``status``: Stripe's), emit ``member.premium_ended`` and put
    the member back in their earned tier; False when it had ended already."""
    if plan["ended_at"] is not None:
        return False
    plan = await save_plan(actor, plan, {"status": status, "ended_at": ended_at})
    await premium_event(actor, "ended", plan)
    await restand(actor, plan["member_id"], plan, now)
    return True


async def _paid_tier_of(actor: Actor, tier_id: uuid.UUID) -> Row:
    row = await db.fetchrow(
        "SELECT * FROM tiers WHERE tenant_id = $1 AND id = $2", actor.tenant_id, tier_id
    )
    if row is None:
        raise InvalidInput(
            f"No tier with id {tier_id}.", errors=[FieldError("tier_id", "unknown tier")]
        )
    if row["kind"] != "paid":
        raise InvalidInput(
            f"Tier {row['name']!r} is earned by the rules, not bought.",
            errors=[FieldError("tier_id", "not a paid tier")],
        )
    return dict(row)


async def _active_member(actor: Actor, member_id: uuid.UUID) -> None:
    member = await get_member(actor, member_id)
    if member.status != "active":
        target = f" into {member.merged_into}" if member.merged_into else ""
        raise Conflict(
            f"Member {member_id} is {member.status}{target}.", member_status=member.status
        )


async def _subscribe(
    client: stripe.StripeClient,
    actor: Actor,
    member_id: uuid.UUID,
    tier: Row,
    data: PremiumIn,
    customer_id: str | None,
) -> tuple[str, Row]:
    """Stripe's side: the customer (made if ``customer_id`` is None) with the payment method
    as its default, and the subscription. A customer made here is deleted again when the
    subscription cannot be made, so a retry starts clean."""
    metadata = {"bodega_tenant_id": str(actor.tenant_id), "bodega_member_id": str(member_id)}
    settings = {"default_payment_method": data.payment_method}
    try:
        if customer_id is None:
            customer = await client.v1.customers.create_async(
                params={
                    "payment_method": data.payment_method,
                    "invoice_settings": settings,
                    "metadata": metadata,
                }
            )
            made, customer_id = True, customer.id
        else:
            made = False
            await client.v1.payment_methods.attach_async(
                data.payment_method, params={"customer": customer_id}
            )
            await client.v1.customers.update_async(
                customer_id, params={"invoice_settings": settings}
            )
    except stripe.StripeError as exc:
        raise stripe_problem(exc, field="payment_method") from exc
    try:
        subscription = await client.v1.subscriptions.create_async(
            params={
                "customer": customer_id,
                "items": [{"plan": tier["stripe_plan_id"]}],
                "metadata": {**metadata, "bodega_tier_id": str(tier["id"])},
            }
        )
    except stripe.StripeError as exc:
        if made:
            with contextlib.suppress(stripe.StripeError):
                await client.v1.customers.delete_async(customer_id)
        raise stripe_problem(exc, field="payment_method") from exc
    return customer_id, subscription.to_dict()


def _invoice_id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


async def start_premium(
    actor: Actor,
    member_id: uuid.UUID,
    data: PremiumIn,
    gateway: StripeGateway,
    now: datetime | None = None,
) -> MemberTierOut:
    """Subscribe the member to a paid tier; 409 while they have a live plan."""
    now = now or datetime.now(UTC)
    await _active_member(actor, member_id)
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('premium:' || $1::uuid::text, 0))", member_id
    )
    tier = await _paid_tier_of(actor, data.tier_id)
    keys = await required_keys(actor)
    plan = await plan_of(actor, member_id, lock=True)
    if plan is not None and plan["status"] in LIVE_STATUSES:
        raise Conflict(
            f"The member has a premium plan already ({plan['status']}); cancel it first.",
            premium_status=plan["status"],
        )
    async with gateway.client(keys["secret_key"]) as client:
        customer_id, subscription = await _subscribe(
            client, actor, member_id, tier, data, plan["stripe_customer_id"] if plan else None
        )
    active = subscription["status"] in LIVE_STATUSES
    values = {
        "tier_id": tier["id"],
        "stripe_customer_id": customer_id,
        "stripe_subscription_id": subscription["id"],
        "status": subscription["status"],
        "paid_until": period_end(subscription) if active else None,
        "cancel_at_period_end": bool(subscription.get("cancel_at_period_end")),
        "last_invoice_id": _invoice_id(subscription.get("latest_invoice")),
        "started_at": now if active else None,
        "ended_at": None,
    }
    if plan is None:
        row = {"id": new_id(), "tenant_id": actor.tenant_id, "member_id": member_id, **values}
        names = sorted(row)
        inserted = await db.fetchrow(
            f"INSERT INTO premium_plans ({', '.join(names)}, created_at, updated_at, version)"  # noqa: S608
            f" VALUES ({', '.join(f'${i}' for i in range(1, len(names) + 1))}, now(), now(), 1)"
            " RETURNING *",
            *(row[n] for n in names),
        )
        assert inserted is not None
        plan = dict(inserted)
    else:
        plan = await save_plan(actor, plan, values)
    if active:
        await premium_event(actor, "started", plan)
        await restand(actor, member_id, plan, now)
    else:
        await premium_event(actor, "payment_failed", plan)
    return await get_member_tier(actor, member_id, now=now)


async def cancel_premium(
    actor: Actor,
    member_id: uuid.UUID,
    data: PremiumCancelIn,
    gateway: StripeGateway,
    now: datetime | None = None,
) -> MemberTierOut:
    """Ask Stripe to end the member's subscription at the end of the paid period (the tier
    stays until then); cancelling twice changes nothing."""
    now = now or datetime.now(UTC)
    await get_member(actor, member_id)
    plan = await plan_of(actor, member_id, lock=True)
    if plan is None or plan["status"] not in LIVE_STATUSES:
        raise Conflict(
            "The member has no live premium plan to cancel.",
            premium_status=plan["status"] if plan else None,
        )
    if plan["version"] != data.version:
        raise VersionConflict("premium plan", plan["version"])
    if not plan["cancel_at_period_end"]:
        keys = await required_keys(actor)
        try:
            async with gateway.client(keys["secret_key"]) as client:
                await client.v1.subscriptions.update_async(
                    plan["stripe_subscription_id"], params={"cancel_at_period_end": True}
                )
        except stripe.StripeError as exc:
            raise stripe_problem(exc) from exc
        plan = await save_plan(actor, plan, {"cancel_at_period_end": True})
        await premium_event(actor, "cancelled", plan)
    return await get_member_tier(actor, member_id, now=now)
