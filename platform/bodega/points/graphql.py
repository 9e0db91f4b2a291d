"""GraphQL for points: a member's points (with the ledger as a paged field), adjustments, the
earning rules and the settings (the REST services, with the same scopes)."""

from __future__ import annotations

import uuid
from typing import Any, get_args

import strawberry
from strawberry.types import Info

from bodega.api.errors import FieldError, InvalidInput
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.points import chain_settings, rules, schemas, service

__all__ = ["PointsMutation", "PointsQuery"]

InfoT = Info[Context, Any]
MEMBERS_READ, MEMBERS_WRITE = "members:read", "members:write"
RULES_READ, RULES_WRITE = "pricing:read", "pricing:write"
SETTINGS_WRITE = "tenant:write"

PointsEntry = object_type(schemas.PointsEntryOut, name="PointsEntry")
PointsEntryPage = page_type(PointsEntry, "PointsEntryPage")
ExpiringPoints = object_type(schemas.ExpiringPointsOut, name="ExpiringPoints")


async def _ledger(
    root: schemas.PointsBalanceOut,
    info: InfoT,
    first: int = DEFAULT_LIMIT,
    after: str | None = None,
) -> PointsEntryPage:  # type: ignore[valid-type]
    return await call(
        info,
        MEMBERS_READ,
        service.member_ledger,
        root.member_id,
        limit=page_limit(first),
        cursor=after,
    )


PointsBalance = object_type(
    schemas.PointsBalanceOut,
    name="PointsBalance",
    namespace={"ExpiringPointsOut": ExpiringPoints},
    extra={
        "ledger": strawberry.field(
            resolver=_ledger, description="The member's ledger, oldest first."
        )
    },
)
PointsAdjustment = object_type(
    schemas.AdjustmentOut, name="PointsAdjustment", namespace={"PointsEntryOut": PointsEntry}
)
PointsRule = object_type(schemas.PointsRuleOut, name="PointsRule")
PointsRulePage = page_type(PointsRule, "PointsRulePage")
PointsSettings = object_type(schemas.PointsSettingsOut, name="PointsSettings")

PointsRuleInput = input_type(schemas.PointsRuleIn, name="PointsRuleInput")
PointsRuleUpdateInput = input_type(schemas.PointsRuleUpdate, name="PointsRuleUpdateInput")
PointsSettingsUpdateInput = input_type(
    schemas.PointsSettingsUpdate, name="PointsSettingsUpdateInput"
)
PointsAdjustmentInput = input_type(schemas.AdjustmentIn, name="PointsAdjustmentInput")


def _one_of(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput(
            f"{name} is one of {', '.join(allowed)}.", errors=[FieldError(name, f"unknown {name}")]
        )
    return value


@strawberry.type
class PointsQuery:
    @strawberry.field(description="A member's points: balance, what expires when, the ledger.")
    async def member_points(self, info: InfoT, member_id: uuid.UUID) -> PointsBalance:  # type: ignore[valid-type]
        return await call(info, MEMBERS_READ, service.points_balance, member_id)

    @strawberry.field(description="Earning rules, oldest first, by kind or status.")
    async def points_rules(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        kind: str | None = None,
        status: str | None = None,
    ) -> PointsRulePage:  # type: ignore[valid-type]
        return await call(
            info,
            RULES_READ,
            rules.list_points_rules,
            limit=page_limit(first),
            cursor=after,
            kind=_one_of("kind", kind, schemas.RULE_KINDS),
            status=_one_of("status", status, get_args(schemas.PointsRuleStatus)),
        )

    @strawberry.field(description="One earning rule.")
    async def points_rule(self, info: InfoT, id: uuid.UUID) -> PointsRule:  # type: ignore[valid-type]
        return await call(info, RULES_READ, rules.get_points_rule, id)

    @strawberry.field(description="What points are worth and how long they last.")
    async def points_settings(self, info: InfoT) -> PointsSettings:  # type: ignore[valid-type]
        return await call(info, MEMBERS_READ, chain_settings.get_points_settings)


@strawberry.type
class PointsMutation:
    @strawberry.mutation(description="Add or take away a member's points by hand, with a reason.")
    async def adjust_points(
        self, info: InfoT, member_id: uuid.UUID, input: PointsAdjustmentInput
    ) -> PointsAdjustment | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.AdjustmentIn)
        return await mutate(info, MEMBERS_WRITE, service.adjust_points, member_id, data)

    @strawberry.mutation(description="Create an earning rule.")
    async def create_points_rule(self, info: InfoT, input: PointsRuleInput) -> PointsRule | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PointsRuleIn)
        return await mutate(info, RULES_WRITE, rules.create_points_rule, data)

    @strawberry.mutation(description="Change or pause an earning rule (send its version).")
    async def update_points_rule(
        self, info: InfoT, id: uuid.UUID, input: PointsRuleUpdateInput
    ) -> PointsRule | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PointsRuleUpdate)
        return await mutate(info, RULES_WRITE, rules.update_points_rule, id, data)

    @strawberry.mutation(description="Delete an earning rule.")
    async def delete_points_rule(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, RULES_WRITE, rules.delete_points_rule, id)
        return True

    @strawberry.mutation(description="Change the points rate or validity (send its version).")
    async def update_points_settings(
        self, info: InfoT, input: PointsSettingsUpdateInput
    ) -> PointsSettings | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PointsSettingsUpdate)
        return await mutate(info, SETTINGS_WRITE, chain_settings.update_points_settings, data)
