"""GraphQL for segments: the same services as REST."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.segments import schemas, service, thresholds
from bodega.segments.grid import SEGMENTS, STAGES
from bodega.segments.refresh import refresh_segments

__all__ = ["SegmentsMutation", "SegmentsQuery"]

InfoT = Info[Context, Any]
READ, WRITE, DEFINE = "members:read", "members:write", "pricing:write"

MemberSegment = object_type(schemas.MemberSegmentOut, name="MemberSegment")
MemberSegmentPage = page_type(MemberSegment, "MemberSegmentPage")
SegmentCount = object_type(schemas.SegmentCount, name="SegmentCount")
SegmentSummary = object_type(
    schemas.SegmentSummaryOut, name="SegmentSummary", namespace={"SegmentCount": SegmentCount}
)
SegmentRefresh = object_type(schemas.RefreshOut, name="SegmentRefresh")
SegmentSettings = object_type(schemas.SegmentSettingsOut, name="SegmentSettings")
SegmentSettingsInput = input_type(schemas.SegmentSettingsUpdate, name="SegmentSettingsInput")


def _names(stage: str | None, segment: str | None) -> tuple[str | None, str | None]:
    errors = []
    if stage is not None and stage not in STAGES:
        errors.append(FieldError("stage", f"one of {', '.join(STAGES)}"))
    if segment is not None and segment not in SEGMENTS:
        errors.append(FieldError("segment", f"one of {', '.join(SEGMENTS)}"))
    raise_if_errors(errors)
    return stage, segment


async def _refresh_now(actor: Any) -> schemas.RefreshOut:
    return await refresh_segments(actor, now=datetime.now(UTC))


@strawberry.type
class SegmentsQuery:
    @strawberry.field(description="A member's RFM scores and lifecycle stage.")
    async def member_segment(self, info: InfoT, member_id: uuid.UUID) -> MemberSegment:  # type: ignore[valid-type]
        return await call(info, READ, service.get_member_segment, member_id)

    @strawberry.field(description="Members per lifecycle stage and per named RFM segment.")
    async def segment_summary(self, info: InfoT) -> SegmentSummary:  # type: ignore[valid-type]
        return await call(info, READ, service.segment_summary)

    @strawberry.field(description="Members of a stage and/or named segment, by id.")
    async def segment_members(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        stage: str | None = None,
        segment: str | None = None,
    ) -> MemberSegmentPage:  # type: ignore[valid-type]
        stage, segment = _names(stage, segment)
        return await call(
            info,
            READ,
            service.list_member_segments,
            limit=page_limit(first),
            cursor=after,
            stage=stage,
            segment=segment,
        )

    @strawberry.field(description="The chain's lifecycle thresholds.")
    async def segment_settings(self, info: InfoT) -> SegmentSettings:  # type: ignore[valid-type]
        return await call(info, READ, thresholds.get_segment_settings)


@strawberry.type
class SegmentsMutation:
    @strawberry.mutation(description="Score every member of the chain now.")
    async def refresh_segments(self, info: InfoT) -> SegmentRefresh | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, _refresh_now)

    @strawberry.mutation(
        description="Change the lifecycle thresholds (send the current version); they apply "
        "from the next refresh."
    )
    async def update_segment_settings(
        self, info: InfoT, input: SegmentSettingsInput
    ) -> SegmentSettings | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.SegmentSettingsUpdate)
        return await mutate(info, DEFINE, thresholds.update_segment_settings, data)
