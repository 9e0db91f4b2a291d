"""GraphQL for tiers: the chain's tiers and Stripe settings, members' tiers and premium plans
(the REST services)."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.auth import require_scope
from bodega.api.errors import FieldError, InvalidInput
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.tiers import premium, schemas, service, standing, stripe_accounts
from bodega.tiers.jobs import queue_evaluation
from bodega.tiers.stripe_gateway import StripeGateway

__all__ = ["TiersMutation", "TiersQuery"]

InfoT = Info[Context, Any]
READ, MEMBERS_WRITE = "members:read", "members:write"
DEFINE, OWNER = "pricing:write", "tenant:write"

Tier = object_type(schemas.TierOut, name="Tier")
TierPage = page_type(Tier, "TierPage")
PremiumPlan = object_type(schemas.PremiumOut, name="PremiumPlan")
MemberTier = object_type(
    schemas.MemberTierOut,
    name="MemberTier",
    namespace={"TierOut": Tier, "PremiumOut": PremiumPlan},
)
TierChange = object_type(schemas.TierChangeOut, name="TierChange")
TierChangePage = page_type(TierChange, "TierChangePage")
StripeSettings = object_type(schemas.StripeSettingsOut, name="StripeSettings")
EvaluationQueued = object_type(schemas.EvaluationQueued, name="TierEvaluationQueued")

TierInput = input_type(schemas.TierIn, name="TierInput")
TierUpdateInput = input_type(schemas.TierUpdate, name="TierUpdateInput")
PremiumInput = input_type(schemas.PremiumIn, name="PremiumInput")
PremiumCancelInput = input_type(schemas.PremiumCancelIn, name="PremiumCancelInput")
StripeSettingsInput = input_type(schemas.StripeSettingsIn, name="StripeSettingsInput")


def _gateway(info: InfoT) -> StripeGateway:
    return info.context.request.app.state.stripe


def _kind(kind: str | None) -> str | None:
    if kind is not None and kind not in ("earned", "paid"):
        raise InvalidInput("kind is earned or paid.", errors=[FieldError("kind", "unknown kind")])
    return kind


@strawberry.type
class TiersQuery:
    @strawberry.field(description="The chain's tiers, lowest rank first.")
    async def tiers(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        kind: str | None = None,
    ) -> TierPage:  # type: ignore[valid-type]
        return await call(
            info, READ, service.list_tiers, limit=page_limit(first), cursor=after, kind=_kind(kind)
        )

    @strawberry.field(description="One tier.")
    async def tier(self, info: InfoT, id: uuid.UUID) -> Tier:  # type: ignore[valid-type]
        return await call(info, READ, service.get_tier, id)

    @strawberry.field(description="A member's tier now, and their premium plan.")
    async def member_tier(self, info: InfoT, member_id: uuid.UUID) -> MemberTier:  # type: ignore[valid-type]
        return await call(info, READ, standing.get_member_tier, member_id)

    @strawberry.field(description="A member's tier changes, oldest first.")
    async def member_tier_changes(
        self,
        info: InfoT,
        member_id: uuid.UUID,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> TierChangePage:  # type: ignore[valid-type]
        return await call(
            info, READ, standing.list_tier_changes, member_id, limit=page_limit(first), cursor=after
        )

    @strawberry.field(description="The chain's Stripe settings, masked (owners).")
    async def stripe_settings(self, info: InfoT) -> StripeSettings:  # type: ignore[valid-type]
        return await call(info, OWNER, stripe_accounts.get_stripe_settings)


@strawberry.type
class TiersMutation:
    @strawberry.mutation(description="Add a tier (a paid one gets its Stripe product and plan).")
    async def create_tier(self, info: InfoT, input: TierInput) -> Tier | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.TierIn)
        return await mutate(info, DEFINE, service.create_tier, data, _gateway(info))

    @strawberry.mutation(description="Change a tier (send its current version).")
    async def update_tier(self, info: InfoT, id: uuid.UUID, input: TierUpdateInput) -> Tier | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.TierUpdate)
        return await mutate(info, DEFINE, service.update_tier, id, data, _gateway(info))

    @strawberry.mutation(description="Delete a tier; its members step down.")
    async def delete_tier(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, DEFINE, service.delete_tier, id, _gateway(info))
        return True

    @strawberry.mutation(description="Queue an evaluation of every member's tier now.")
    async def evaluate_tiers(self, info: InfoT) -> EvaluationQueued:  # type: ignore[valid-type]
        actor = require_scope(info.context.actor, MEMBERS_WRITE)
        queue = await info.context.plugins.queue()
        return schemas.EvaluationQueued(queued=await queue_evaluation(queue, actor.tenant_id))

    @strawberry.mutation(description="Set the chain's Stripe secret key and webhook secret.")
    async def set_stripe_settings(
        self, info: InfoT, input: StripeSettingsInput
    ) -> StripeSettings | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.StripeSettingsIn)
        return await mutate(info, OWNER, stripe_accounts.set_stripe_settings, data)

    @strawberry.mutation(description="Subscribe a member to a paid tier on the chain's Stripe.")
    async def start_premium(
        self, info: InfoT, member_id: uuid.UUID, input: PremiumInput
    ) -> MemberTier | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PremiumIn)
        return await mutate(
            info, MEMBERS_WRITE, premium.start_premium, member_id, data, _gateway(info)
        )

    @strawberry.mutation(description="Cancel a member's premium plan at the period's end.")
    async def cancel_premium(
        self, info: InfoT, member_id: uuid.UUID, input: PremiumCancelInput
    ) -> MemberTier | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PremiumCancelIn)
        return await mutate(
            info, MEMBERS_WRITE, premium.cancel_premium, member_id, data, _gateway(info)
        )
