"""REST for membership: members, their external ids and consents, merging, import, export
and erasure."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import (
    CsvImportOperation,
    CurrentActor,
    Cursor,
    Limit,
    delete,
    get,
    patch,
    post,
    read_csv,
)
from bodega.membership import consent, importer, merge, privacy, search, service
from bodega.membership.schemas import (
    ConsentIn,
    ConsentOut,
    ConsentPage,
    EraseIn,
    ExternalIdIn,
    MemberExport,
    MemberImportResult,
    MemberIn,
    MemberOut,
    MemberPage,
    MemberStatus,
    MemberUpdate,
    MergeIn,
)

__all__ = ["MemberController"]

READ = [requires("members:read")]
WRITE = [requires("members:write")]
MemberId = FromPath[uuid.UUID]
Search = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="The start of the name, or the last 4 or more digits of the phone.",
    ),
]
PhoneQuery = Annotated[
    str | None,
    QueryParameter(
        min_length=3,
        max_length=32,
        pattern=r"^[^\x00]*$",
        description="A phone number written any way (+86 138..., 138...): an exact match.",
    ),
]
TagQuery = Annotated[
    str | None, QueryParameter(min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f,]+$")
]
ChannelQuery = Annotated[
    str | None,
    QueryParameter(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="With external_id."),
]
ExternalIdQuery = Annotated[
    str | None,
    QueryParameter(
        min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$", description="With channel."
    ),
]
TextVersionQuery = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
        description="The consent text the members agreed to; needed with marketing_consent.",
    ),
]


class MemberController(Controller):
    path = "/v1/members"
    tags = ["members"]

    @post("/", guards=WRITE, summary="Register a member (409 member-exists names the holder)")
    async def create_member(self, actor: CurrentActor, data: JSONBody[MemberIn]) -> MemberOut:
        return await service.create_member(actor, data)

    @get("/", guards=READ, summary="Find members by phone, name or phone digits, tag, status or id")
    async def list_members(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        phone: PhoneQuery = None,
        q: Search = None,
        tag: TagQuery = None,
        status: FromQuery[MemberStatus | None] = None,
        channel: ChannelQuery = None,
        external_id: ExternalIdQuery = None,
    ) -> MemberPage:
        return await search.list_members(
            actor,
            limit=limit,
            cursor=cursor,
            phone=phone,
            q=q,
            tag=tag,
            status=status,
            channel=channel,
            external_id=external_id,
        )

    @get("/{member_id:uuid}", guards=READ, summary="One member")
    async def get_member(self, actor: CurrentActor, member_id: MemberId) -> MemberOut:
        return await service.get_member(actor, member_id)

    @patch("/{member_id:uuid}", guards=WRITE, summary="Change a member")
    async def update_member(
        self, actor: CurrentActor, member_id: MemberId, data: JSONBody[MemberUpdate]
    ) -> MemberOut:
        return await service.update_member(actor, member_id, data)

    @post(
        "/{member_id:uuid}/external-ids",
        guards=WRITE,
        status_code=200,
        summary="Link the member to its id on another channel (one per channel)",
    )
    async def add_external_id(
        self, actor: CurrentActor, member_id: MemberId, data: JSONBody[ExternalIdIn]
    ) -> MemberOut:
        return await service.add_external_id(actor, member_id, data)

    @delete(
        "/{member_id:uuid}/external-ids/{channel:str}",
        guards=WRITE,
        summary="Unlink the member from its id on a channel",
    )
    async def remove_external_id(
        self,
        actor: CurrentActor,
        member_id: MemberId,
        channel: Annotated[str, PathParameter(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
    ) -> None:
        await service.remove_external_id(actor, member_id, channel)

    @post(
        "/{member_id:uuid}/consents",
        guards=WRITE,
        summary="Record a consent decision (a withdrawal is granted: false)",
    )
    async def record_consent(
        self, actor: CurrentActor, member_id: MemberId, data: JSONBody[ConsentIn]
    ) -> ConsentOut:
        return await consent.record_consent(actor, member_id, data)

    @get("/{member_id:uuid}/consents", guards=READ, summary="The member's consent history")
    async def list_consents(
        self,
        actor: CurrentActor,
        member_id: MemberId,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> ConsentPage:
        return await consent.list_consents(actor, member_id, limit=limit, cursor=cursor)

    @post(
        "/{member_id:uuid}/merge",
        guards=WRITE,
        status_code=200,
        summary="Fold a duplicate into this member; all history is kept",
    )
    async def merge_members(
        self, actor: CurrentActor, member_id: MemberId, data: JSONBody[MergeIn]
    ) -> MemberOut:
        return await merge.merge_members(actor, member_id, data)

    @get(
        "/{member_id:uuid}/export",
        guards=WRITE,
        summary="Everything held on the member, for the member (recorded in the audit log)",
    )
    async def export_member(self, actor: CurrentActor, member_id: MemberId) -> MemberExport:
        return await privacy.export_member(actor, member_id)

    @post(
        "/{member_id:uuid}/erase",
        guards=WRITE,
        status_code=200,
        summary="Erase the member's personal data on their request (anonymise)",
    )
    async def erase_member(
        self, actor: CurrentActor, member_id: MemberId, data: JSONBody[EraseIn]
    ) -> MemberOut:
        return await privacy.erase_member(actor, member_id, data)

    @post(
        "/import",
        guards=WRITE,
        status_code=200,
        operation_class=CsvImportOperation,
        summary="Import members from CSV: every row is checked first; all or nothing",
        description=(
            "Columns: "
            + ", ".join(importer.COLUMNS)
            + ". A phone or an email column is needed. Tags and external ids (channel:id) "
            "are separated by ; or ,. marketing_consent is yes/no, with consent_text_version. "
            "A row whose phone or email is an active member's updates that member. "
            "With dry_run=true nothing is written."
        ),
    )
    async def import_members(
        self,
        actor: CurrentActor,
        request: Request[Any, Any, Any],
        dry_run: FromQuery[bool] = False,
        consent_text_version: TextVersionQuery = None,
    ) -> MemberImportResult:
        text = await read_csv(request)
        return await importer.import_members(
            actor, text, dry_run=dry_run, consent_text_version=consent_text_version
        )
