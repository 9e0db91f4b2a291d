"""Members: registering, reading and changing them, and their ids on other channels.

Other domains name members by id and use :func:`require_member` for a member a request
names (an order's buyer, a points adjustment): it follows merges to the member that stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, InvalidInput, NotFound, raise_if_errors
from bodega.audit import change_recorded
from bodega.catalog import require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.membership._checks import (
    MemberExists,
    check_filters,
    checked_contact,
    clean_tags,
    external_id_holders,
    external_ids_errors,
    holders_of_contact,
    region_of,
)
from bodega.membership._rows import (
    RESOURCE,
    check_version,
    event_data,
    fetch_members,
    locked_member,
    require_active,
    save_member,
)
from bodega.membership.consent import add_consents, consents_errors
from bodega.membership.schemas import (
    ConsentIn,
    ExternalIdIn,
    MemberIn,
    MemberOut,
    MemberUpdate,
)

__all__ = [
    "add_external_id",
    "create_member",
    "get_member",
    "insert_external_ids",
    "insert_member",
    "member_ids_of",
    "members_by_ids",
    "remove_external_id",
    "require_member",
    "update_member",
]

_MAX_MERGE_HOPS = 32


# Reading ----------------------------------------------------------------------------------


async def get_member(actor: Actor, member_id: uuid.UUID) -> MemberOut:
    """One member, whatever its status (404 if it is not the caller's)."""
    found = await fetch_members(actor, "m.id = $2", member_id)
    if not found:
        raise NotFound("member", member_id)
    return found[0]


async def members_by_ids(actor: Actor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, MemberOut]:
    """The caller's members among ``ids`` (others are left out), whatever their status."""
    return {m.id: m for m in await fetch_members(actor, "m.id = ANY($2)", list(ids))}


async def require_member(actor: Actor, member_id: uuid.UUID, *, field: str) -> MemberOut:
    """The member a write names in ``field``: unknown here (or another chain's) is a 422 on
    ``field``; a merged member gives the member it was merged into; an erased one is a 422."""
    current = member_id
    for _ in range(_MAX_MERGE_HOPS):
        found = await fetch_members(actor, "m.id = $2", current)
        if not found:
            raise InvalidInput(
                f"No member with id {member_id}.", errors=[FieldError(field, "unknown member")]
            )
        member = found[0]
        if member.status == "erased":
            raise InvalidInput(
                f"Member {member_id}'s data was erased.",
                errors=[FieldError(field, "erased member")],
            )
        if member.status != "merged" or member.merged_into is None:
            return member
        current = member.merged_into
    raise Conflict(f"Member {member_id} is merged in a chain too long to follow.")


async def member_ids_of(actor: Actor, member_id: uuid.UUID) -> list[uuid.UUID]:
    """The member's own id, then the ids of the members merged into it (and into those):
    what points, orders and segments sum over. Empty if it is not the caller's member."""
    rows = await db.fetch(
        """
        WITH RECURSIVE family(id) AS (
            SELECT id FROM members WHERE tenant_id = $1 AND id = $2
            UNION
            SELECT m.id FROM members m JOIN family f ON m.merged_into = f.id
            WHERE m.tenant_id = $1
        )
        SELECT id FROM family
        """,
        actor.tenant_id,
        member_id,
    )
    ids = [r["id"] for r in rows]
    return sorted(ids, key=lambda i: (i != member_id, i))


# Registering and changing ---------------------------------------------------------------------


async def _ensure_contact_free(
    actor: Actor, phone: str | None, email: str | None, exclude: uuid.UUID | None = None
) -> None:
    holders = await holders_of_contact(
        actor, [phone] if phone else [], [email] if email else [], exclude
    )
    for field, value in (("phone", phone), ("email", email)):
        if (field, value) in holders:
            raise MemberExists(field, holders[field, value])


async def insert_external_ids(
    actor: Actor, member_id: uuid.UUID, ids: Sequence[ExternalIdIn]
) -> None:
    """Give the member ``ids``; 409 naming the member that holds one of them already."""
    holders = await external_id_holders(actor, ids)
    for ext in ids:
        if (ext.channel, ext.external_id) in holders:
            raise MemberExists("external_id", holders[ext.channel, ext.external_id])
    now = datetime.now(UTC)
    for ext in ids:
        try:
            async with db.savepoint():
                await db.execute(
                    "INSERT INTO member_external_ids"
                    " (id, tenant_id, member_id, channel, external_id, created_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6)",
                    new_id(),
                    actor.tenant_id,
                    member_id,
                    ext.channel,
                    ext.external_id,
                    now,
                )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                f"The member has a {ext.channel} id already; remove it first.",
                errors=[FieldError("channel", "the member has an id on this channel")],
            ) from None


async def create_member(actor: Actor, data: MemberIn) -> MemberOut:
    """Register a member (a till, the mini-program, the API): 409 ``member-exists`` with the
    existing member's id when the phone, email or an external id is taken."""
    errors: list[FieldError] = []
    phone, email = checked_contact(data.phone, data.email, await region_of(actor), errors)
    tags = clean_tags(data.tags, errors)
    errors += external_ids_errors(data.external_ids) + consents_errors(data.consents)
    raise_if_errors(errors)
    if data.home_store_id is not None:
        await require_store(actor, data.home_store_id, field="home_store_id")
    await _ensure_contact_free(actor, phone, email)
    values = {
        "phone": phone,
        "email": email,
        "name": data.name.strip(),
        "birthday": data.birthday,
        "tags": tags,
        "home_store_id": data.home_store_id,
        "joined_channel": data.joined_channel,
    }
    member_id = await insert_member(actor, values, data.external_ids, data.consents)
    return await get_member(actor, member_id)


async def insert_member(
    actor: Actor,
    values: dict[str, Any],
    external_ids: Sequence[ExternalIdIn],
    consents: Sequence[ConsentIn],
) -> uuid.UUID:
    """Write a new member from checked ``values`` (phone, email, name, birthday, tags,
    home_store_id, joined_channel), with its external ids and consents; record it."""
    row = {**values, "id": new_id(), "status": "active", "merged_into": None, "version": 1}
    await db.execute(
        "INSERT INTO members (id, tenant_id, phone, email, name, birthday, tags, home_store_id,"
        " joined_channel, joined_at, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)",
        row["id"],
        actor.tenant_id,
        row["phone"],
        row["email"],
        row["name"],
        row["birthday"],
        row["tags"],
        row["home_store_id"],
        row["joined_channel"],
        datetime.now(UTC),
    )
    await insert_external_ids(actor, row["id"], external_ids)
    created = event_data(row)
    await change_recorded(actor, RESOURCE, "created", row["id"], created, after=created)
    await add_consents(actor, row["id"], consents)
    return row["id"]


async def update_member(actor: Actor, member_id: uuid.UUID, data: MemberUpdate) -> MemberOut:
    """Change an active member; it keeps a phone or an email, each its own."""
    row = await locked_member(actor, member_id)
    require_active(row, "change")
    check_version(row, data.version)
    values = changed_fields(data)
    errors: list[FieldError] = []
    if "phone" in values or "email" in values:
        region = await region_of(actor) if values.get("phone") else None
        contact = checked_contact(
            values.get("phone"), values.get("email"), region, errors, required=False
        )
        values.update(
            (k, v) for k, v in zip(("phone", "email"), contact, strict=True) if k in values
        )
        if not values.get("phone", row["phone"]) and not values.get("email", row["email"]):
            errors += [
                FieldError(f, "a member needs a phone or an email") for f in ("phone", "email")
            ]
    if "tags" in values:
        values["tags"] = clean_tags(values["tags"], errors)
    if "name" in values:
        values["name"] = values["name"].strip()
    raise_if_errors(errors)
    if values.get("home_store_id") is not None:
        await require_store(actor, values["home_store_id"], field="home_store_id")
    await _ensure_contact_free(actor, values.get("phone"), values.get("email"), member_id)
    changed = [k for k, v in values.items() if v != row[k]]
    await save_member(actor, member_id, {k: values[k] for k in changed})
    out = await get_member(actor, member_id)
    await change_recorded(
        actor,
        RESOURCE,
        "updated",
        member_id,
        event_data(out, changed),
        before=event_data(row),
        after=event_data(out, changed),
    )
    return out


async def add_external_id(actor: Actor, member_id: uuid.UUID, data: ExternalIdIn) -> MemberOut:
    """Link the member to its id on another channel (one per channel)."""
    row = await locked_member(actor, member_id)
    require_active(row, "link")
    await insert_external_ids(actor, member_id, [data])
    await save_member(actor, member_id, {})
    out = await get_member(actor, member_id)
    changed = event_data(out, ["external_ids"])
    await change_recorded(actor, RESOURCE, "updated", member_id, changed, after=changed)
    return out


async def remove_external_id(actor: Actor, member_id: uuid.UUID, channel: str) -> MemberOut:
    """Unlink the member from its id on ``channel`` (404 if it has none there)."""
    check_filters({"channel": channel})
    row = await locked_member(actor, member_id)
    require_active(row, "unlink")
    removed = await db.fetchval(
        "DELETE FROM member_external_ids WHERE tenant_id = $1 AND member_id = $2"
        " AND channel = $3 RETURNING id",
        actor.tenant_id,
        member_id,
        channel,
    )
    if removed is None:
        raise NotFound(f"{channel} id of member {member_id}")
    await save_member(actor, member_id, {})
    out = await get_member(actor, member_id)
    changed = event_data(out, ["external_ids"])
    await change_recorded(actor, RESOURCE, "updated", member_id, changed, after=changed)
    return out
