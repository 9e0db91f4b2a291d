"""Merging duplicates: the same person registered twice (at a till by phone, in the
mini-program by email) becomes one member.

The duplicate is kept, ``merged`` into the member that stays, so every row that names it
(orders, points, segments) keeps its meaning; :func:`~bodega.membership.member_ids_of` gives
a member's id together with its duplicates' for the other domains to sum over. The member
that stays gets the duplicate's external ids (on channels it has none on), its tags, a copy
of its consent history, and the contact details and profile fields it lacks.
"""

from __future__ import annotations

import uuid
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, InvalidInput, NotFound, raise_if_errors
from bodega.audit import change_recorded, record_change
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.membership._rows import (
    RESOURCE,
    check_version,
    event_data,
    require_active,
    save_member,
)
from bodega.membership.schemas import MemberOut, MergeIn
from bodega.membership.service import get_member

__all__ = ["merge_members"]

_TAKEN_WHEN_MISSING = ("phone", "email", "name", "birthday", "home_store_id")


async def _locked_pair(
    actor: Actor, survivor_id: uuid.UUID, duplicate_id: uuid.UUID
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both rows, locked in id order (two merges of the same pair cannot deadlock): 404 if the
    member that stays is not the caller's, then 422 on ``duplicate_id`` if the duplicate is not."""
    rows = await db.fetch(
        "SELECT * FROM members WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE",
        actor.tenant_id,
        [survivor_id, duplicate_id],
    )
    found = {r["id"]: dict(r) for r in rows}
    if survivor_id not in found:
        raise NotFound("member", survivor_id)
    if duplicate_id not in found:
        raise InvalidInput(
            f"No member with id {duplicate_id}.",
            errors=[FieldError("duplicate_id", "unknown member")],
        )
    return found[survivor_id], found[duplicate_id]


async def _move_external_ids(actor: Actor, survivor_id: uuid.UUID, duplicate_id: uuid.UUID) -> int:
    """Give the survivor the duplicate's ids on channels it has none on; the others stay
    with the duplicate (and still lead to the survivor through ``merged_into``)."""
    moved = await db.fetch(
        "UPDATE member_external_ids SET member_id = $2"
        " WHERE tenant_id = $1 AND member_id = $3 AND channel NOT IN"
        " (SELECT channel FROM member_external_ids WHERE tenant_id = $1 AND member_id = $2)"
        " RETURNING id",
        actor.tenant_id,
        survivor_id,
        duplicate_id,
    )
    return len(moved)


async def _copy_consents(actor: Actor, survivor_id: uuid.UUID, duplicate_id: uuid.UUID) -> int:
    """The duplicate's consent history, copied as it was recorded (when, by whom, which text):
    the survivor's current decision per purpose is then the latest of either's."""
    rows = await db.fetch(
        "SELECT * FROM member_consents WHERE tenant_id = $1 AND member_id = $2 ORDER BY id",
        actor.tenant_id,
        duplicate_id,
    )
    for r in rows:
        await db.execute(
            "INSERT INTO member_consents (id, tenant_id, member_id, purpose, granted,"
            " text_version, channel, recorded_at, recorded_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            new_id(),
            actor.tenant_id,
            survivor_id,
            r["purpose"],
            r["granted"],
            r["text_version"],
            r["channel"],
            r["recorded_at"],
            r["recorded_by"],
        )
    return len(rows)


async def merge_members(actor: Actor, survivor_id: uuid.UUID, data: MergeIn) -> MemberOut:
    """Fold ``data.duplicate_id`` into ``survivor_id`` (both active); see the module doc."""
    if data.duplicate_id == survivor_id:
        raise_if_errors([FieldError("duplicate_id", "a member cannot be merged into itself")])
    survivor, duplicate = await _locked_pair(actor, survivor_id, data.duplicate_id)
    require_active(survivor, "merge into")
    if duplicate["status"] != "active":
        raise Conflict(
            f"Member {data.duplicate_id} is {duplicate['status']}; only an active member can be "
            "merged into another.",
            errors=[FieldError("duplicate_id", f"{duplicate['status']} member")],
        )
    check_version(survivor, data.version)
    # The duplicate leaves the active members first: its phone and email are then free.
    await save_member(actor, data.duplicate_id, {"status": "merged", "merged_into": survivor_id})
    values = {f: duplicate[f] for f in _TAKEN_WHEN_MISSING if not survivor[f] and duplicate[f]}
    tags = list(dict.fromkeys([*survivor["tags"], *duplicate["tags"]]))
    if tags != survivor["tags"]:
        values["tags"] = tags
    changed = list(values)
    if await _move_external_ids(actor, survivor_id, data.duplicate_id):
        changed.append("external_ids")
    if await _copy_consents(actor, survivor_id, data.duplicate_id):
        changed.append("consents")
    await save_member(actor, survivor_id, values)
    out = await get_member(actor, survivor_id)
    after = event_data(out, changed, duplicate_id=data.duplicate_id)
    await change_recorded(
        actor, RESOURCE, "merged", survivor_id, after, before=event_data(survivor), after=after
    )
    merged = {**duplicate, "status": "merged", "merged_into": survivor_id}
    merged["version"] += 1
    await record_change(
        actor,
        f"{RESOURCE}.merged",
        RESOURCE,
        data.duplicate_id,
        before=event_data(duplicate),
        after=event_data(merged),
    )
    return out
