"""REST for points: a member's points and adjustments, the earning rules, the settings."""

from __future__ import annotations

import uuid

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, delete, get, patch, post
from bodega.points import chain_settings, rules, service
from bodega.points.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    PointsAccountOut,
    PointsRuleIn,
    PointsRuleKind,
    PointsRuleOut,
    PointsRulePage,
    PointsRuleStatus,
    PointsRuleUpdate,
    PointsSettingsOut,
    PointsSettingsUpdate,
)

__all__ = ["MemberPointsController", "PointsRuleController", "PointsSettingsController"]

MEMBERS_READ = [requires("members:read")]
MEMBERS_WRITE = [requires("members:write")]
RULES_READ = [requires("pricing:read")]
RULES_WRITE = [requires("pricing:write")]
SETTINGS_WRITE = [requires("tenant:write")]
RuleId = FromPath[uuid.UUID]


class MemberPointsController(Controller):
    path = "/v1/members/{member_id:uuid}/points"
    tags = ["points"]

    @get(
        "/",
        guards=MEMBERS_READ,
        summary="A member's points: balance, what expires when, and the ledger (oldest first)",
    )
    async def get_member_points(
        self,
        actor: CurrentActor,
        member_id: FromPath[uuid.UUID],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> PointsAccountOut:
        return await service.member_points(actor, member_id, limit=limit, cursor=cursor)

    @post(
        "/adjustments",
        guards=MEMBERS_WRITE,
        summary="Add or take away a member's points by hand, with a reason",
    )
    async def adjust_points(
        self, actor: CurrentActor, member_id: FromPath[uuid.UUID], data: JSONBody[AdjustmentIn]
    ) -> AdjustmentOut:
        return await service.adjust_points(actor, member_id, data)


class PointsRuleController(Controller):
    path = "/v1/points-rules"
    tags = ["points"]

    @post("/", guards=RULES_WRITE, summary="Create an earning rule")
    async def create_points_rule(
        self, actor: CurrentActor, data: JSONBody[PointsRuleIn]
    ) -> PointsRuleOut:
        return await rules.create_points_rule(actor, data)

    @get("/", guards=RULES_READ, summary="List earning rules, by kind or status")
    async def list_points_rules(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        kind: FromQuery[PointsRuleKind | None] = None,
        status: FromQuery[PointsRuleStatus | None] = None,
    ) -> PointsRulePage:
        return await rules.list_points_rules(
            actor, limit=limit, cursor=cursor, kind=kind, status=status
        )

    @get("/{rule_id:uuid}", guards=RULES_READ, summary="One earning rule")
    async def get_points_rule(self, actor: CurrentActor, rule_id: RuleId) -> PointsRuleOut:
        return await rules.get_points_rule(actor, rule_id)

    @patch("/{rule_id:uuid}", guards=RULES_WRITE, summary="Change or pause an earning rule")
    async def update_points_rule(
        self, actor: CurrentActor, rule_id: RuleId, data: JSONBody[PointsRuleUpdate]
    ) -> PointsRuleOut:
        return await rules.update_points_rule(actor, rule_id, data)

    @delete("/{rule_id:uuid}", guards=RULES_WRITE, summary="Delete an earning rule")
    async def delete_points_rule(self, actor: CurrentActor, rule_id: RuleId) -> None:
        await rules.delete_points_rule(actor, rule_id)


class PointsSettingsController(Controller):
    path = "/v1/points-settings"
    tags = ["points"]

    @get("/", guards=MEMBERS_READ, summary="What points are worth and how long they last")
    async def get_points_settings(self, actor: CurrentActor) -> PointsSettingsOut:
        return await chain_settings.get_points_settings(actor)

    @patch("/", guards=SETTINGS_WRITE, summary="Change the points rate or validity")
    async def update_points_settings(
        self, actor: CurrentActor, data: JSONBody[PointsSettingsUpdate]
    ) -> PointsSettingsOut:
        return await chain_settings.update_points_settings(actor, data)
