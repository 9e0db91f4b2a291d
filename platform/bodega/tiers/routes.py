"""REST for tiers: the chain's tiers and Stripe settings, members' tiers and premium plans,
and Stripe's webhooks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import (
    NO_AUTH,
    PUBLIC,
    CurrentActor,
    Cursor,
    Limit,
    delete,
    get,
    patch,
    post,
    put,
)
from bodega.tiers import premium, service, standing, stripe_accounts, stripe_events
from bodega.tiers.jobs import queue_evaluation
from bodega.tiers.schemas import (
    EvaluationQueued,
    MemberTierOut,
    PremiumCancelIn,
    PremiumIn,
    StripeSettingsIn,
    StripeSettingsOut,
    TierChangePage,
    TierIn,
    TierKind,
    TierOut,
    TierPage,
    TierUpdate,
    WebhookReceipt,
)
from bodega.tiers.stripe_gateway import StripeGateway

__all__ = ["MemberTierController", "StripeWebhookController", "TierController"]

READ = [requires("members:read")]
MEMBERS_WRITE = [requires("members:write")]
DEFINE = [requires("pricing:write")]
OWNER = [requires("tenant:write")]
TierId = FromPath[uuid.UUID]
MemberId = FromPath[uuid.UUID]


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=dict[str, Any],
        description=description,
        media_type="application/problem+json",
        generate_examples=False,
    )


STRIPE_PROBLEMS = {
    502: _problem("Stripe refused the request (problem details)"),
    503: _problem("Stripe could not be reached; nothing was changed"),
}
PAYMENT_PROBLEMS = {402: _problem("Stripe declined the card"), **STRIPE_PROBLEMS}


def _gateway(request: Request[Any, Any, Any]) -> StripeGateway:
    return request.app.state.stripe


class TierController(Controller):
    path = "/v1/tiers"
    tags = ["tiers"]

    @post(
        "/",
        guards=DEFINE,
        responses=STRIPE_PROBLEMS,
        summary="Add a tier (a paid one gets its Stripe product and plan)",
    )
    async def create_tier(
        self, actor: CurrentActor, data: JSONBody[TierIn], request: Request[Any, Any, Any]
    ) -> TierOut:
        return await service.create_tier(actor, data, _gateway(request))

    @get("/", guards=READ, summary="The chain's tiers, lowest rank first")
    async def list_tiers(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        kind: FromQuery[TierKind | None] = None,
    ) -> TierPage:
        return await service.list_tiers(actor, limit=limit, cursor=cursor, kind=kind)

    @get("/{tier_id:uuid}", guards=READ, summary="One tier")
    async def get_tier(self, actor: CurrentActor, tier_id: TierId) -> TierOut:
        return await service.get_tier(actor, tier_id)

    @patch(
        "/{tier_id:uuid}",
        guards=DEFINE,
        responses=STRIPE_PROBLEMS,
        summary="Change a tier (send its version)",
    )
    async def update_tier(
        self,
        actor: CurrentActor,
        tier_id: TierId,
        data: JSONBody[TierUpdate],
        request: Request[Any, Any, Any],
    ) -> TierOut:
        return await service.update_tier(actor, tier_id, data, _gateway(request))

    @delete(
        "/{tier_id:uuid}",
        guards=DEFINE,
        responses=STRIPE_PROBLEMS,
        summary="Delete a tier: its members step down (a paid one only once its plans ended)",
    )
    async def delete_tier(
        self, actor: CurrentActor, tier_id: TierId, request: Request[Any, Any, Any]
    ) -> None:
        await service.delete_tier(actor, tier_id, _gateway(request))

    @post(
        "/evaluate",
        guards=MEMBERS_WRITE,
        status_code=202,
        summary="Queue an evaluation of every member's tier now (it also runs nightly)",
    )
    async def evaluate_tiers(
        self, actor: CurrentActor, request: Request[Any, Any, Any]
    ) -> EvaluationQueued:
        queue = await request.app.state.plugins.queue()
        return EvaluationQueued(queued=await queue_evaluation(queue, actor.tenant_id))

    @get("/stripe", guards=OWNER, summary="The chain's Stripe settings, masked")
    async def get_stripe_settings(self, actor: CurrentActor) -> StripeSettingsOut:
        return await stripe_accounts.get_stripe_settings(actor)

    @put("/stripe", guards=OWNER, summary="Set the chain's Stripe secret key and webhook secret")
    async def set_stripe_settings(
        self, actor: CurrentActor, data: JSONBody[StripeSettingsIn]
    ) -> StripeSettingsOut:
        return await stripe_accounts.set_stripe_settings(actor, data)


class MemberTierController(Controller):
    path = "/v1/members"
    tags = ["tiers"]

    @get("/{member_id:uuid}/tier", guards=READ, summary="A member's tier and premium plan")
    async def get_member_tier(self, actor: CurrentActor, member_id: MemberId) -> MemberTierOut:
        return await standing.get_member_tier(actor, member_id)

    @get(
        "/{member_id:uuid}/tier/changes",
        guards=READ,
        summary="A member's tier changes, oldest first",
    )
    async def list_tier_changes(
        self,
        actor: CurrentActor,
        member_id: MemberId,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> TierChangePage:
        return await standing.list_tier_changes(actor, member_id, limit=limit, cursor=cursor)

    @post(
        "/{member_id:uuid}/premium",
        guards=MEMBERS_WRITE,
        responses=PAYMENT_PROBLEMS,
        summary="Subscribe a member to a paid tier on the chain's Stripe",
    )
    async def start_premium(
        self,
        actor: CurrentActor,
        member_id: MemberId,
        data: JSONBody[PremiumIn],
        request: Request[Any, Any, Any],
    ) -> MemberTierOut:
        return await premium.start_premium(actor, member_id, data, _gateway(request))

    @post(
        "/{member_id:uuid}/premium/cancel",
        guards=MEMBERS_WRITE,
        status_code=200,
        responses=STRIPE_PROBLEMS,
        summary="Cancel a member's premium plan at the end of the paid period",
    )
    async def cancel_premium(
        self,
        actor: CurrentActor,
        member_id: MemberId,
        data: JSONBody[PremiumCancelIn],
        request: Request[Any, Any, Any],
    ) -> MemberTierOut:
        return await premium.cancel_premium(actor, member_id, data, _gateway(request))


class StripeWebhookController(Controller):
    path = "/v1/stripe/webhooks"
    tags = ["tiers"]

    @post(
        "/{tenant_id:uuid}",
        opt=PUBLIC,
        security=NO_AUTH,
        status_code=200,
        summary="Stripe's events about the chain's premium plans (signed by Stripe)",
    )
    async def receive_stripe_event(
        self,
        tenant_id: FromPath[uuid.UUID],
        request: Request[Any, Any, Any],
        stripe_signature: Annotated[str | None, HeaderParameter(name="Stripe-Signature")] = None,
    ) -> WebhookReceipt:
        return await stripe_events.receive_stripe_event(
            tenant_id, await request.body(), stripe_signature, now=datetime.now(UTC)
        )
