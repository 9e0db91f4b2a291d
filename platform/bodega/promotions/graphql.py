"""GraphQL for promotions and markdown rules (the REST services, the same rules and errors)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, get_args

import strawberry
from strawberry.types import Info

from bodega.api.errors import FieldError, InvalidInput
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.promotions import markdowns, promotions, schemas

__all__ = ["PromotionsMutation", "PromotionsQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "pricing:read", "pricing:write"

BundleItem = object_type(schemas.BundleItemOut, name="BundleItem")
ThresholdStep = object_type(schemas.ThresholdStepOut, name="ThresholdStep")
PromotionRule = object_type(
    schemas.RuleOut,
    name="PromotionRule",
    namespace={"BundleItemOut": BundleItem, "ThresholdStepOut": ThresholdStep},
)
HappyHour = object_type(schemas.HappyHourOut, name="HappyHour")
Promotion = object_type(
    schemas.PromotionOut,
    name="Promotion",
    namespace={"RuleOut": PromotionRule, "HappyHourOut": HappyHour},
)
PromotionPage = page_type(Promotion, "PromotionPage")
MarkdownStep = object_type(schemas.MarkdownStepOut, name="MarkdownStep")
MarkdownRule = object_type(
    schemas.MarkdownRuleOut, name="MarkdownRule", namespace={"MarkdownStepOut": MarkdownStep}
)
MarkdownRulePage = page_type(MarkdownRule, "MarkdownRulePage")

_PROMOTION_PARTS = {
    "RuleIn": input_type(
        schemas.RuleIn,
        name="PromotionRuleInput",
        namespace={
            "BundleItemIn": input_type(schemas.BundleItemIn, name="BundleItemInput"),
            "ThresholdStepIn": input_type(schemas.ThresholdStepIn, name="ThresholdStepInput"),
        },
    ),
    "HappyHourIn": input_type(schemas.HappyHourIn, name="HappyHourInput"),
}
PromotionInput = input_type(schemas.PromotionIn, name="PromotionInput", namespace=_PROMOTION_PARTS)
PromotionUpdateInput = input_type(
    schemas.PromotionUpdate, name="PromotionUpdateInput", namespace=_PROMOTION_PARTS
)
PausePromotionInput = input_type(schemas.VersionIn, name="PausePromotionInput")
ResumePromotionInput = input_type(schemas.VersionIn, name="ResumePromotionInput")
_STEPS = {"MarkdownStepIn": input_type(schemas.MarkdownStepIn, name="MarkdownStepInput")}
MarkdownRuleInput = input_type(schemas.MarkdownRuleIn, name="MarkdownRuleInput", namespace=_STEPS)
MarkdownRuleUpdateInput = input_type(
    schemas.MarkdownRuleUpdate, name="MarkdownRuleUpdateInput", namespace=_STEPS
)


def _one_of(value: str | None, allowed: Sequence[str], field: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput(
            f"{field} is one of {', '.join(allowed)}.", errors=[FieldError(field, "unknown value")]
        )
    return value


@strawberry.type
class PromotionsQuery:
    @strawberry.field(
        description="Promotions, oldest first, by status, kind, product (naming it, its "
        "category, or every product) or time running (activeAt)."
    )
    async def promotions(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        status: str | None = None,
        kind: str | None = None,
        active_at: datetime | None = None,
        product_id: uuid.UUID | None = None,
    ) -> PromotionPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            promotions.list_promotions,
            limit=page_limit(first),
            cursor=after,
            status=_one_of(status, get_args(schemas.PromotionStatus), "status"),
            kind=_one_of(kind, schemas.KINDS, "kind"),
            active_at=active_at,
            product_id=product_id,
        )

    @strawberry.field(description="One promotion.")
    async def promotion(self, info: InfoT, id: uuid.UUID) -> Promotion:  # type: ignore[valid-type]
        return await call(info, READ, promotions.get_promotion, id)

    @strawberry.field(description="Markdown rules, oldest first, by status, basis or store.")
    async def markdown_rules(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        status: str | None = None,
        basis: str | None = None,
        store_id: uuid.UUID | None = None,
    ) -> MarkdownRulePage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            markdowns.list_markdown_rules,
            limit=page_limit(first),
            cursor=after,
            status=_one_of(status, get_args(schemas.MarkdownRuleStatus), "status"),
            basis=_one_of(basis, get_args(schemas.MarkdownBasis), "basis"),
            store_id=store_id,
        )

    @strawberry.field(description="One markdown rule.")
    async def markdown_rule(self, info: InfoT, id: uuid.UUID) -> MarkdownRule:  # type: ignore[valid-type]
        return await call(info, READ, markdowns.get_markdown_rule, id)


@strawberry.type
class PromotionsMutation:
    @strawberry.mutation(description="Create a promotion.")
    async def create_promotion(self, info: InfoT, input: PromotionInput) -> Promotion | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PromotionIn)
        return await mutate(info, WRITE, promotions.create_promotion, data)

    @strawberry.mutation(description="Change a promotion (send its version); rule replaces all.")
    async def update_promotion(
        self, info: InfoT, id: uuid.UUID, input: PromotionUpdateInput
    ) -> Promotion | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PromotionUpdate)
        return await mutate(info, WRITE, promotions.update_promotion, id, data)

    @strawberry.mutation(description="Pause an active promotion.")
    async def pause_promotion(
        self, info: InfoT, id: uuid.UUID, input: PausePromotionInput
    ) -> Promotion | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.VersionIn)
        return await mutate(info, WRITE, promotions.pause_promotion, id, data)

    @strawberry.mutation(description="Resume a paused promotion.")
    async def resume_promotion(
        self, info: InfoT, id: uuid.UUID, input: ResumePromotionInput
    ) -> Promotion | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.VersionIn)
        return await mutate(info, WRITE, promotions.resume_promotion, id, data)

    @strawberry.mutation(description="Archive a promotion: kept as it was, never runs again.")
    async def archive_promotion(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, WRITE, promotions.archive_promotion, id)
        return True

    @strawberry.mutation(description="Create a markdown rule for fresh goods.")
    async def create_markdown_rule(
        self, info: InfoT, input: MarkdownRuleInput
    ) -> MarkdownRule | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.MarkdownRuleIn)
        return await mutate(info, WRITE, markdowns.create_markdown_rule, data)

    @strawberry.mutation(description="Change or pause a markdown rule (send its version).")
    async def update_markdown_rule(
        self, info: InfoT, id: uuid.UUID, input: MarkdownRuleUpdateInput
    ) -> MarkdownRule | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.MarkdownRuleUpdate)
        return await mutate(info, WRITE, markdowns.update_markdown_rule, id, data)

    @strawberry.mutation(description="Archive a markdown rule.")
    async def archive_markdown_rule(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, WRITE, markdowns.archive_markdown_rule, id)
        return True
