"""REST for segments: a member's segment, counts per stage and segment, members by stage or
segment, a refresh on demand, and the chain's thresholds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, get, patch, post
from bodega.segments import service, thresholds
from bodega.segments.grid import Segment, Stage
from bodega.segments.refresh import refresh_segments
from bodega.segments.schemas import (
    MemberSegmentOut,
    MemberSegmentPage,
    RefreshOut,
    SegmentSettingsOut,
    SegmentSettingsUpdate,
    SegmentSummaryOut,
)

__all__ = ["MemberSegmentController", "SegmentController"]

READ = [requires("members:read")]
WRITE = [requires("members:write")]
DEFINE = [requires("pricing:write")]
"""The thresholds decide which members segment promotions reach: set like prices, by owners."""


class SegmentController(Controller):
    path = "/v1/segments"
    tags = ["segments"]

    @get("/", guards=READ, summary="Members per lifecycle stage and per named RFM segment")
    async def segment_summary(self, actor: CurrentActor) -> SegmentSummaryOut:
        return await service.segment_summary(actor)

    @get("/members", guards=READ, summary="Members of a stage and/or segment, with their scores")
    async def list_member_segments(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        stage: FromQuery[Stage | None] = None,
        segment: FromQuery[Segment | None] = None,
    ) -> MemberSegmentPage:
        return await service.list_member_segments(
            actor, limit=limit, cursor=cursor, stage=stage, segment=segment
        )

    @post(
        "/refresh",
        guards=WRITE,
        status_code=200,
        summary="Score every member of the chain now (the nightly refresh, run at once)",
    )
    async def refresh_segments(self, actor: CurrentActor) -> RefreshOut:
        return await refresh_segments(actor, now=datetime.now(UTC))

    @get("/settings", guards=READ, summary="The chain's lifecycle thresholds")
    async def get_segment_settings(self, actor: CurrentActor) -> SegmentSettingsOut:
        return await thresholds.get_segment_settings(actor)

    @patch("/settings", guards=DEFINE, summary="Change the lifecycle thresholds (next refresh on)")
    async def update_segment_settings(
        self, actor: CurrentActor, data: JSONBody[SegmentSettingsUpdate]
    ) -> SegmentSettingsOut:
        return await thresholds.update_segment_settings(actor, data)


class MemberSegmentController(Controller):
    path = "/v1/members"
    tags = ["segments"]

    @get("/{member_id:uuid}/segment", guards=READ, summary="A member's RFM scores and stage")
    async def get_member_segment(
        self, actor: CurrentActor, member_id: FromPath[uuid.UUID]
    ) -> MemberSegmentOut:
        return await service.get_member_segment(actor, member_id)
