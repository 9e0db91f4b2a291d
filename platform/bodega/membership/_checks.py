"""The checks a member's data passes wherever it comes from (a till, the API, an import):
a phone or an email, each well-formed and not another active member's, tags, external ids."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

import msgspec
from msgspec import Meta

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, raise_if_errors
from bodega.db import engine as db
from bodega.membership.phones import chain_region, normalised_email, normalised_phone
from bodega.membership.schemas import (
    ExternalChannel,
    ExternalIdent,
    ExternalIdIn,
    MemberStatus,
    Tag,
)
from bodega.tenancy import get_tenant

__all__ = [
    "MemberExists",
    "check_filters",
    "checked_contact",
    "clean_tags",
    "external_id_holders",
    "external_ids_errors",
    "holders_of_contact",
    "region_of",
]


class MemberExists(Conflict):
    """Another member already has this phone, email or external id: the answer names the
    field and that member's id, so a till can look the member up instead."""

    slug = "member-exists"
    title = "A member with this phone, email or external id exists"

    def __init__(self, field: str, member_id: uuid.UUID) -> None:
        super().__init__(
            f"Member {member_id} already has this {field.replace('_', ' ')}.",
            errors=[FieldError(field, f"already registered to member {member_id}")],
            field=field,
            member_id=member_id,
        )


_FILTERS = {
    "q": Annotated[str, Meta(max_length=100, pattern=r"^[^\x00]*$")],
    "phone": Annotated[str, Meta(max_length=32, pattern=r"^[^\x00]*$")],
    "tag": Tag,
    "status": MemberStatus,
    "channel": ExternalChannel,
    "external_id": ExternalIdent,
}


def check_filters(filters: dict[str, str | None]) -> None:
    """The same limits as REST's query parameters, for every caller (GraphQL too)."""
    errors = []
    for name, value in filters.items():
        if value is None:
            continue
        try:
            msgspec.convert(value, _FILTERS[name])
        except msgspec.ValidationError as exc:
            errors.append(FieldError(name, str(exc)))
    raise_if_errors(errors)


async def region_of(actor: Actor) -> str | None:
    """The country that numbers without a country code are read in."""
    tenant = await get_tenant(actor)
    return chain_region(tenant.timezone, tenant.currency)


def checked_contact(
    phone: str | None,
    email: str | None,
    region: str | None,
    errors: list[FieldError],
    *,
    required: bool = True,
    **extra: object,
) -> tuple[str | None, str | None]:
    """The phone in E.164 and the email lower-cased; problems are added to ``errors``
    (with ``extra``, such as the import's row number)."""
    if phone is not None:
        try:
            phone = normalised_phone(phone, region)
        except ValueError as exc:
            errors.append(FieldError("phone", str(exc), **extra))
    if email is not None:
        try:
            email = normalised_email(email)
        except ValueError as exc:
            errors.append(FieldError("email", str(exc), **extra))
    if required and phone is None and email is None:
        errors.extend(
            FieldError(field, "a member needs a phone or an email", **extra)
            for field in ("phone", "email")
        )
    return phone, email


def clean_tags(tags: Sequence[str], errors: list[FieldError], **extra: object) -> list[str]:
    """Tags trimmed, each once, in the order given."""
    cleaned = list(dict.fromkeys(t.strip() for t in tags))
    if "" in cleaned:
        errors.append(FieldError("tags", "a tag cannot be blank", **extra))
    return [t for t in cleaned if t]


def external_ids_errors(ids: Sequence[ExternalIdIn], **extra: object) -> list[FieldError]:
    channels = [e.channel for e in ids]
    twice = sorted({c for c in channels if channels.count(c) > 1})
    return [
        FieldError("external_ids", f"one id per channel; {c} is given twice", **extra)
        for c in twice
    ]


async def holders_of_contact(
    actor: Actor, phones: Sequence[str], emails: Sequence[str], exclude: uuid.UUID | None = None
) -> dict[tuple[str, str], uuid.UUID]:
    """Active members holding any of these phones or emails: ``{("phone", value): id}``."""
    if not phones and not emails:
        return {}
    rows = await db.fetch(
        "SELECT id, phone, email FROM members WHERE tenant_id = $1 AND status = 'active'"
        " AND (phone = ANY($2) OR email = ANY($3)) AND id IS DISTINCT FROM $4",
        actor.tenant_id,
        list(phones),
        list(emails),
        exclude,
    )
    found: dict[tuple[str, str], uuid.UUID] = {}
    for r in rows:
        if r["phone"] in phones:
            found["phone", r["phone"]] = r["id"]
        if r["email"] in emails:
            found["email", r["email"]] = r["id"]
    return found


async def external_id_holders(
    actor: Actor, ids: Sequence[ExternalIdIn]
) -> dict[tuple[str, str], uuid.UUID]:
    """Members holding any of these ids: ``{(channel, external_id): member id}``."""
    if not ids:
        return {}
    rows = await db.fetch(
        "SELECT member_id, channel, external_id FROM member_external_ids"
        " WHERE tenant_id = $1 AND (channel, external_id) IN"
        " (SELECT * FROM unnest($2::text[], $3::text[]))",
        actor.tenant_id,
        [e.channel for e in ids],
        [e.external_id for e in ids],
    )
    return {(r["channel"], r["external_id"]): r["member_id"] for r in rows}
