"""GraphQL for membership: members, their external ids and consents, merging, import, export
and erasure (the REST services)."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.auth import Actor
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.membership import consent, importer, merge, privacy, schemas, search, service

__all__ = ["MembershipMutation", "MembershipQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "members:read", "members:write"

ExternalId = object_type(schemas.ExternalIdOut, name="MemberExternalId")
CurrentConsent = object_type(schemas.CurrentConsent, name="MemberCurrentConsent")
CurrentConsents = object_type(
    schemas.CurrentConsents,
    name="MemberCurrentConsents",
    namespace={"CurrentConsent": CurrentConsent},
)
Member = object_type(
    schemas.MemberOut,
    name="Member",
    namespace={"ExternalIdOut": ExternalId, "CurrentConsents": CurrentConsents},
)
MemberPage = page_type(Member, "MemberPage")
Consent = object_type(schemas.ConsentOut, name="MemberConsent")
ConsentPage = page_type(Consent, "MemberConsentPage")
MemberExport = object_type(
    schemas.MemberExport,
    name="MemberExport",
    namespace={"MemberOut": Member, "ConsentOut": Consent},
)
MemberImportResult = object_type(schemas.MemberImportResult, name="MemberImportResult")

MemberExternalIdInput = input_type(schemas.ExternalIdIn, name="MemberExternalIdInput")
MemberConsentInput = input_type(schemas.ConsentIn, name="MemberConsentInput")
MemberInput = input_type(
    schemas.MemberIn,
    name="MemberInput",
    namespace={"ExternalIdIn": MemberExternalIdInput, "ConsentIn": MemberConsentInput},
)
MemberUpdateInput = input_type(schemas.MemberUpdate, name="MemberUpdateInput")
MergeMembersInput = input_type(schemas.MergeIn, name="MergeMembersInput")
EraseMemberInput = input_type(schemas.EraseIn, name="EraseMemberInput")


@strawberry.type
class MembershipQuery:
    @strawberry.field(description="One member, whatever its status.")
    async def member(self, info: InfoT, id: uuid.UUID) -> Member:  # type: ignore[valid-type]
        return await call(info, READ, service.get_member, id)

    @strawberry.field(
        description="Members, oldest first: by phone (any way it is written), q (the start of "
        "the name or the last 4+ digits of the phone), tag, status, or an id on a channel."
    )
    async def members(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        phone: str | None = None,
        q: str | None = None,
        tag: str | None = None,
        status: str | None = None,
        channel: str | None = None,
        external_id: str | None = None,
    ) -> MemberPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            search.list_members,
            limit=page_limit(first),
            cursor=after,
            phone=phone,
            q=q,
            tag=tag,
            status=status,
            channel=channel,
            external_id=external_id,
        )

    @strawberry.field(description="A member's consent history, oldest first.")
    async def member_consents(
        self,
        info: InfoT,
        member_id: uuid.UUID,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> ConsentPage:  # type: ignore[valid-type]
        return await call(
            info, READ, consent.list_consents, member_id, limit=page_limit(first), cursor=after
        )

    @strawberry.field(
        description="Everything held on a member, for the member (recorded in the audit log)."
    )
    async def member_export(self, info: InfoT, id: uuid.UUID) -> MemberExport:  # type: ignore[valid-type]
        return await call(info, WRITE, privacy.export_member, id)


@strawberry.type
class MembershipMutation:
    @strawberry.mutation(description="Register a member (a phone or an email is needed).")
    async def create_member(self, info: InfoT, input: MemberInput) -> Member | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.MemberIn)
        return await mutate(info, WRITE, service.create_member, data)

    @strawberry.mutation(description="Change a member (send its current version).")
    async def update_member(
        self, info: InfoT, id: uuid.UUID, input: MemberUpdateInput
    ) -> Member | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.MemberUpdate)
        return await mutate(info, WRITE, service.update_member, id, data)

    @strawberry.mutation(description="Link a member to its id on another channel.")
    async def add_member_external_id(
        self, info: InfoT, id: uuid.UUID, input: MemberExternalIdInput
    ) -> Member | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.ExternalIdIn)
        return await mutate(info, WRITE, service.add_external_id, id, data)

    @strawberry.mutation(description="Unlink a member from its id on a channel.")
    async def remove_member_external_id(
        self, info: InfoT, id: uuid.UUID, channel: str
    ) -> Member | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, service.remove_external_id, id, channel)

    @strawberry.mutation(description="Record a consent decision (a withdrawal is granted: false).")
    async def record_member_consent(
        self, info: InfoT, id: uuid.UUID, input: MemberConsentInput
    ) -> Consent | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.ConsentIn)
        return await mutate(info, WRITE, consent.record_consent, id, data)

    @strawberry.mutation(description="Fold a duplicate into a member; all history is kept.")
    async def merge_members(
        self, info: InfoT, id: uuid.UUID, input: MergeMembersInput
    ) -> Member | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.MergeIn)
        return await mutate(info, WRITE, merge.merge_members, id, data)

    @strawberry.mutation(description="Erase a member's personal data on their request.")
    async def erase_member(
        self, info: InfoT, id: uuid.UUID, input: EraseMemberInput
    ) -> Member | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.EraseIn)
        return await mutate(info, WRITE, privacy.erase_member, id, data)

    @strawberry.mutation(
        description="Import members from CSV text (the REST import's columns); all or nothing."
    )
    async def import_members(
        self,
        info: InfoT,
        csv: str,
        dry_run: bool = False,
        consent_text_version: str | None = None,
    ) -> MemberImportResult:  # type: ignore[valid-type]
        return await mutate(
            info,
            WRITE,
            _import,
            csv,
            dry_run,
            consent_text_version,
        )


async def _import(
    actor: Actor, text: str, dry_run: bool, consent_text_version: str | None
) -> schemas.MemberImportResult:
    return await importer.import_members(
        actor, text, dry_run=dry_run, consent_text_version=consent_text_version
    )


def _member_360_type() -> type:
    """The Member360 type, from the types the other packages already serve (built when the
    schema is, so that importing this module does not load them)."""
    from bodega.membership.member360 import Member360Out
    from bodega.ordering.graphql import Order
    from bodega.points.graphql import PointsBalance
    from bodega.segments.graphql import MemberSegment
    from bodega.tiers.graphql import MemberTier

    return object_type(
        Member360Out,
        name="Member360",
        namespace={
            "MemberOut": Member,
            "MemberTierOut": MemberTier,
            "PointsBalanceOut": PointsBalance,
            "MemberSegmentOut": MemberSegment,
            "OrderOut": Order,
        },
    )


def member_360_query() -> type:
    """``member360(id)``: profile, tier, points, segment and latest orders in one query."""
    from bodega.membership.member360 import member_360

    view = _member_360_type()

    @strawberry.type
    class Member360Query:
        @strawberry.field(
            description="Member 360: the profile with tags and consents, the tier, the points "
            "balance and what expires when, the segment, and the latest orders.",
            graphql_type=view,
        )
        async def member360(self, info: InfoT, id: uuid.UUID) -> Any:
            return await call(info, READ, member_360, id)

    return Member360Query
