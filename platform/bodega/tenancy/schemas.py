"""What the tenancy API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from bodega.api.pagination import named_page
from bodega.tenancy.scopes import SCOPES, Role

__all__ = [
    "AcceptInvitationIn",
    "ApiKeyCreated",
    "ApiKeyIn",
    "ApiKeyOut",
    "ApiKeyPage",
    "InvitationCreated",
    "InvitationIn",
    "InvitationOut",
    "InvitationPage",
    "LoginIn",
    "MeOut",
    "SessionOut",
    "SignupIn",
    "TenantOut",
    "TenantUpdate",
    "UserOut",
    "UserPage",
    "UserUpdate",
]

Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=320,
        pattern=r"^[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+$",
        description="An email address.",
    ),
]
Password = Annotated[str, Meta(min_length=8, max_length=200, description="At least 8 characters.")]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Currency = Annotated[
    str, Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY, EUR, USD.")
]
Timezone = Annotated[
    str, Meta(min_length=1, max_length=64, description="IANA time zone, e.g. Asia/Shanghai.")
]
Version = Annotated[
    int, Meta(ge=1, le=2_147_483_647, description="The version you read; a stale one is a 409.")
]
ScopeName = Literal[tuple(SCOPES)]  # type: ignore[valid-type]


class SignupIn(msgspec.Struct, kw_only=True):
    """A new chain and its owner."""

    chain_name: Name
    owner_email: Email
    password: Password
    currency: Currency
    timezone: Timezone
    owner_name: Annotated[str, Meta(max_length=200)] = ""


class LoginIn(msgspec.Struct, kw_only=True):
    email: Email
    password: Annotated[str, Meta(min_length=1, max_length=200)]
    tenant_id: uuid.UUID | None = None
    """Needed only when the same email and password open several chains."""


class TenantOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    currency: str
    timezone: str
    created_at: datetime
    version: int


class TenantUpdate(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET


class UserOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    email: str
    name: str
    role: str
    store_ids: list[uuid.UUID]
    status: str
    created_at: datetime
    version: int


class UserUpdate(msgspec.Struct, kw_only=True):
    version: Version
    name: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    role: Role | UnsetType = UNSET
    store_ids: list[uuid.UUID] | UnsetType = UNSET
    status: Annotated[str, Meta(pattern="^(active|disabled)$")] | UnsetType = UNSET


class SessionOut(msgspec.Struct, kw_only=True):
    """An access token (shown once) and who it belongs to."""

    access_token: str
    token_type: str
    expires_at: datetime
    user: UserOut
    tenant: TenantOut


class InvitationIn(msgspec.Struct, kw_only=True):
    email: Email
    role: Role
    store_ids: list[uuid.UUID] = msgspec.field(default_factory=list)


class InvitationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    email: str
    role: str
    store_ids: list[uuid.UUID]
    invited_by: uuid.UUID
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationCreated(msgspec.Struct, kw_only=True):
    """The invitation and its token: send the token to the invitee; it is not shown again."""

    invitation: InvitationOut
    token: str


class AcceptInvitationIn(msgspec.Struct, kw_only=True):
    token: Annotated[str, Meta(min_length=1, max_length=200)]
    password: Password
    name: Annotated[str, Meta(max_length=200)] = ""


class ApiKeyIn(msgspec.Struct, kw_only=True):
    name: Name
    scopes: Annotated[list[ScopeName], Meta(min_length=1, max_length=64)]


class ApiKeyOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_by: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(msgspec.Struct, kw_only=True):
    """The key and its secret: store the secret now, it is not shown again."""

    api_key: ApiKeyOut
    secret: str


class MeOut(msgspec.Struct, kw_only=True):
    """The caller: a user or an API key, its scopes and its chain."""

    kind: str
    id: uuid.UUID
    scopes: list[str]
    tenant: TenantOut
    user: UserOut | None = None
    api_key: ApiKeyOut | None = None


UserPage = named_page(UserOut, "UserPage")
InvitationPage = named_page(InvitationOut, "InvitationPage")
ApiKeyPage = named_page(ApiKeyOut, "ApiKeyPage")
