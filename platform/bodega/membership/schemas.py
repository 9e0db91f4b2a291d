"""What the membership API accepts and returns.

A member is known by a phone (E.164; a number without a country code is read in the chain's
country) and/or an email. Events and audit entries about members carry
:class:`MemberEventData` only: ids and non-personal fields, so erasure leaves nothing behind.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.pagination import named_page

__all__ = [
    "Channel",
    "ConsentIn",
    "ConsentOut",
    "ConsentPage",
    "ConsentPurpose",
    "CurrentConsent",
    "CurrentConsents",
    "EraseIn",
    "ExternalChannel",
    "ExternalIdIn",
    "ExternalIdOut",
    "ExternalIdent",
    "MemberEventData",
    "MemberExport",
    "MemberImportResult",
    "MemberIn",
    "MemberOut",
    "MemberPage",
    "MemberStatus",
    "MemberUpdate",
    "MergeIn",
    "Name",
    "Tag",
    "TextVersion",
]

MemberStatus = Literal["active", "merged", "erased"]
ConsentPurpose = Literal["marketing", "biometric"]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
Phone = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=32,
        description="A phone number; without a country code it is read in the chain's country. "
        "Stored in E.164 (+8613812345678).",
    ),
]
Email = Annotated[str, Meta(min_length=3, max_length=254, description="Stored lower-cased.")]
Name = Annotated[str, Meta(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Tag = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=32,
        pattern=r"^[^\x00-\x1f\x7f,]+$",
        description="A short label the chain gives members by hand (vip, vegetarian...).",
    ),
]
Tags = Annotated[list[Tag], Meta(max_length=50)]
Channel = Annotated[
    str,
    Meta(
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description='Where something happened: "pos", "miniprogram", "web", "import"...',
    ),
]
ExternalChannel = Annotated[
    str,
    Meta(
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description='The other system: "wechat_openid", "meituan", "eleme"...',
    ),
]
ExternalIdent = Annotated[
    str, Meta(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$", description="Its id there.")
]
TextVersion = Annotated[
    str,
    Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
        description="Which wording of the consent text the member saw (2024-03, v2...).",
    ),
]


class ExternalIdIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    channel: ExternalChannel
    external_id: ExternalIdent


class ExternalIdOut(msgspec.Struct, kw_only=True):
    channel: str
    external_id: str
    created_at: datetime


class ConsentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One consent decision; a withdrawal is ``granted: false``."""

    purpose: ConsentPurpose
    granted: bool
    text_version: TextVersion
    channel: Channel = "pos"


class ConsentOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    member_id: uuid.UUID
    purpose: str
    granted: bool
    text_version: str
    channel: str
    recorded_at: datetime
    recorded_by: uuid.UUID


class CurrentConsent(msgspec.Struct, kw_only=True):
    """The member's latest decision for one purpose."""

    granted: bool
    text_version: str
    channel: str
    recorded_at: datetime


class CurrentConsents(msgspec.Struct, kw_only=True):
    """The latest decision per purpose; ``null``: never asked (which is not a yes)."""

    marketing: CurrentConsent | None = None
    biometric: CurrentConsent | None = None


class MemberIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new member: a phone or an email (or both) is needed."""

    phone: Phone | None = None
    email: Email | None = None
    name: Name = ""
    birthday: date | None = None
    tags: Tags = msgspec.field(default_factory=list)
    home_store_id: uuid.UUID | None = None
    joined_channel: Channel = "pos"
    external_ids: Annotated[list[ExternalIdIn], Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    """Ids on other channels, one per channel."""
    consents: Annotated[list[ConsentIn], Meta(max_length=2)] = msgspec.field(default_factory=list)
    """Consents given while registering, one per purpose."""


class MemberUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to an active member; ``tags``, when sent, replace them all. A member keeps a
    phone or an email."""

    version: Version
    phone: Phone | UnsetType | None = UNSET
    email: Email | UnsetType | None = UNSET
    name: Name | UnsetType = UNSET
    birthday: date | UnsetType | None = UNSET
    tags: Tags | UnsetType = UNSET
    home_store_id: uuid.UUID | UnsetType | None = UNSET


class MergeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    duplicate_id: uuid.UUID
    """The member folded into this one; it becomes ``merged``."""
    version: Version
    """The version of the member that stays."""


class EraseIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version


class MemberOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    phone: str | None
    """E.164."""
    email: str | None
    name: str
    birthday: date | None
    tags: list[str]
    home_store_id: uuid.UUID | None
    joined_channel: str
    status: str
    """``active``; ``merged`` into ``merged_into``; or ``erased`` (personal data removed)."""
    merged_into: uuid.UUID | None
    external_ids: list[ExternalIdOut]
    consents: CurrentConsents
    joined_at: datetime
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None
    version: int


class MemberEventData(msgspec.Struct, kw_only=True):
    """What events and the audit log say about a member: never personal data."""

    id: uuid.UUID
    status: str
    home_store_id: uuid.UUID | None
    joined_channel: str
    merged_into: uuid.UUID | None
    version: int
    changed: list[str] = msgspec.field(default_factory=list)
    """The fields a change touched (names only)."""
    duplicate_id: uuid.UUID | None = None
    """In ``member.merged``: the member folded into this one."""


class MemberExport(msgspec.Struct, kw_only=True):
    """Everything the chain holds on a member, for the member."""

    member: MemberOut
    merged_members: list[MemberOut]
    """Duplicates merged into this member, with their own data."""
    consents: list[ConsentOut]
    """The whole consent history, of this member and its merged duplicates."""
    sections: dict[str, Any]
    """What other parts of Bodega hold (points, tiers, segments...), by part."""
    exported_at: datetime


class MemberImportResult(msgspec.Struct, kw_only=True):
    """What an import did (or, with ``dry_run``, would do)."""

    rows: int
    created: int
    updated: int
    unchanged: int
    """Rows of members who already had everything the row says."""
    dry_run: bool


MemberPage = named_page(MemberOut, "MemberPage")
ConsentPage = named_page(ConsentOut, "ConsentPage")
