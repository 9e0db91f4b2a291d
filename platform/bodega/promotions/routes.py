"""REST for promotions and markdown rules."""

from __future__ import annotations

import uuid
from datetime import datetime

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, delete, get, patch, post
from bodega.promotions import markdowns, promotions
from bodega.promotions.schemas import (
    MarkdownBasis,
    MarkdownRuleIn,
    MarkdownRuleOut,
    MarkdownRulePage,
    MarkdownRuleStatus,
    MarkdownRuleUpdate,
    PromotionIn,
    PromotionKind,
    PromotionOut,
    PromotionPage,
    PromotionStatus,
    PromotionUpdate,
    VersionIn,
)

__all__ = ["MarkdownRuleController", "PromotionController"]

READ = [requires("pricing:read")]
WRITE = [requires("pricing:write")]
PromotionId = FromPath[uuid.UUID]
RuleId = FromPath[uuid.UUID]


class PromotionController(Controller):
    path = "/v1/promotions"
    tags = ["promotions"]

    @post("/", guards=WRITE, summary="Create a promotion")
    async def create_promotion(
        self, actor: CurrentActor, data: JSONBody[PromotionIn]
    ) -> PromotionOut:
        return await promotions.create_promotion(actor, data)

    @get("/", guards=READ, summary="List promotions, by status, kind, product or time running")
    async def list_promotions(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: FromQuery[PromotionStatus | None] = None,
        kind: FromQuery[PromotionKind | None] = None,
        active_at: FromQuery[datetime | None] = None,
        product_id: FromQuery[uuid.UUID | None] = None,
    ) -> PromotionPage:
        return await promotions.list_promotions(
            actor,
            limit=limit,
            cursor=cursor,
            status=status,
            kind=kind,
            active_at=active_at,
            product_id=product_id,
        )

    @get("/{promotion_id:uuid}", guards=READ, summary="One promotion")
    async def get_promotion(self, actor: CurrentActor, promotion_id: PromotionId) -> PromotionOut:
        return await promotions.get_promotion(actor, promotion_id)

    @patch("/{promotion_id:uuid}", guards=WRITE, summary="Change a promotion (not archived)")
    async def update_promotion(
        self, actor: CurrentActor, promotion_id: PromotionId, data: JSONBody[PromotionUpdate]
    ) -> PromotionOut:
        return await promotions.update_promotion(actor, promotion_id, data)

    @post(
        "/{promotion_id:uuid}/pause",
        guards=WRITE,
        status_code=200,
        summary="Pause an active promotion",
    )
    async def pause_promotion(
        self, actor: CurrentActor, promotion_id: PromotionId, data: JSONBody[VersionIn]
    ) -> PromotionOut:
        return await promotions.pause_promotion(actor, promotion_id, data)

    @post(
        "/{promotion_id:uuid}/resume",
        guards=WRITE,
        status_code=200,
        summary="Resume a paused promotion",
    )
    async def resume_promotion(
        self, actor: CurrentActor, promotion_id: PromotionId, data: JSONBody[VersionIn]
    ) -> PromotionOut:
        return await promotions.resume_promotion(actor, promotion_id, data)

    @delete("/{promotion_id:uuid}", guards=WRITE, summary="Archive a promotion (kept, never runs)")
    async def archive_promotion(self, actor: CurrentActor, promotion_id: PromotionId) -> None:
        await promotions.archive_promotion(actor, promotion_id)


class MarkdownRuleController(Controller):
    path = "/v1/markdown-rules"
    tags = ["promotions"]

    @post("/", guards=WRITE, summary="Create a markdown rule for fresh goods")
    async def create_markdown_rule(
        self, actor: CurrentActor, data: JSONBody[MarkdownRuleIn]
    ) -> MarkdownRuleOut:
        return await markdowns.create_markdown_rule(actor, data)

    @get("/", guards=READ, summary="List markdown rules, by status, basis or store")
    async def list_markdown_rules(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: FromQuery[MarkdownRuleStatus | None] = None,
        basis: FromQuery[MarkdownBasis | None] = None,
        store_id: FromQuery[uuid.UUID | None] = None,
    ) -> MarkdownRulePage:
        return await markdowns.list_markdown_rules(
            actor, limit=limit, cursor=cursor, status=status, basis=basis, store_id=store_id
        )

    @get("/{rule_id:uuid}", guards=READ, summary="One markdown rule")
    async def get_markdown_rule(self, actor: CurrentActor, rule_id: RuleId) -> MarkdownRuleOut:
        return await markdowns.get_markdown_rule(actor, rule_id)

    @patch("/{rule_id:uuid}", guards=WRITE, summary="Change or pause a markdown rule")
    async def update_markdown_rule(
        self, actor: CurrentActor, rule_id: RuleId, data: JSONBody[MarkdownRuleUpdate]
    ) -> MarkdownRuleOut:
        return await markdowns.update_markdown_rule(actor, rule_id, data)

    @delete("/{rule_id:uuid}", guards=WRITE, summary="Archive a markdown rule")
    async def archive_markdown_rule(self, actor: CurrentActor, rule_id: RuleId) -> None:
        await markdowns.archive_markdown_rule(actor, rule_id)
