"""Reading and writing member rows: a member with its external ids and current consents in
one statement, the row lock, the version and state checks, and what events may say."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, NotFound, VersionConflict
from bodega.db import engine as db
from bodega.membership.schemas import MemberEventData, MemberOut

__all__ = [
    "RESOURCE",
    "check_version",
    "event_data",
    "fetch_members",
    "locked_member",
    "member_row",
    "require_active",
    "save_member",
]

RESOURCE = "member"

_SELECT = """
SELECT m.*,
  coalesce((
    SELECT json_agg(json_build_object(
        'channel', e.channel, 'external_id', e.external_id, 'created_at', e.created_at)
      ORDER BY e.channel)
    FROM member_external_ids e WHERE e.tenant_id = m.tenant_id AND e.member_id = m.id
  ), '[]') AS external_ids,
  coalesce((
    SELECT json_object_agg(c.purpose, json_build_object(
        'granted', c.granted, 'text_version', c.text_version, 'channel', c.channel,
        'recorded_at', c.recorded_at))
    FROM (
      SELECT DISTINCT ON (purpose) * FROM member_consents
      WHERE tenant_id = m.tenant_id AND member_id = m.id
      ORDER BY purpose, recorded_at DESC, id DESC
    ) c
  ), '{}') AS consents
FROM members m
WHERE m.tenant_id = $1
"""


def _member_out(row: Any) -> MemberOut:
    data = dict(row)
    data["external_ids"] = msgspec.json.decode(data["external_ids"])
    data["consents"] = msgspec.json.decode(data["consents"])
    return msgspec.convert(data, MemberOut, strict=False)


async def fetch_members(actor: Actor, where: str, *args: Any) -> list[MemberOut]:
    """Members of the caller's chain matching ``where`` (SQL on ``m``; parameters from $2),
    with their external ids and current consents."""
    rows = await db.fetch(f"{_SELECT} AND {where}", actor.tenant_id, *args)
    return [_member_out(r) for r in rows]


async def member_row(actor: Actor, member_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any]:
    """The member's row (with ``lock``, locked until the transaction ends); 404 if it is not
    the caller's."""
    sql = "SELECT * FROM members WHERE tenant_id = $1 AND id = $2"
    row = await db.fetchrow(sql + " FOR UPDATE" if lock else sql, actor.tenant_id, member_id)
    if row is None:
        raise NotFound("member", member_id)
    return dict(row)


async def locked_member(actor: Actor, member_id: uuid.UUID) -> dict[str, Any]:
    return await member_row(actor, member_id, lock=True)


def require_active(row: dict[str, Any], action: str) -> None:
    """409 unless the member is active; a merged one names the member to use instead."""
    if row["status"] == "merged":
        raise Conflict(
            f"This member was merged into {row['merged_into']}; {action} that member instead.",
            merged_into=row["merged_into"],
        )
    if row["status"] == "erased":
        raise Conflict(f"This member's data was erased; there is nothing to {action}.")


def check_version(row: dict[str, Any], version: int) -> None:
    if row["version"] != version:
        raise VersionConflict("member", row["version"])


_COLUMNS = frozenset(
    {
        "phone",
        "email",
        "name",
        "birthday",
        "tags",
        "home_store_id",
        "status",
        "merged_into",
        "erased_at",
    }
)


async def save_member(actor: Actor, member_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Write ``values`` to a locked member, bumping its version."""
    assert values.keys() <= _COLUMNS, values.keys() - _COLUMNS
    names = sorted(values)
    sets = "".join(f"{name} = ${i}, " for i, name in enumerate(names, start=3))
    await db.execute(
        f"UPDATE members SET {sets}version = version + 1, updated_at = now() "  # noqa: S608
        "WHERE tenant_id = $1 AND id = $2",
        actor.tenant_id,
        member_id,
        *(values[name] for name in names),
    )


def event_data(
    member: MemberOut | dict[str, Any],
    changed: Sequence[str] = (),
    duplicate_id: uuid.UUID | None = None,
) -> MemberEventData:
    """The member as events and the audit log may carry it: ids and non-personal fields."""
    data = msgspec.structs.asdict(member) if isinstance(member, MemberOut) else member
    return MemberEventData(
        id=data["id"],
        status=data["status"],
        home_store_id=data["home_store_id"],
        joined_channel=data["joined_channel"],
        merged_into=data["merged_into"],
        version=data["version"],
        changed=sorted(changed),
        duplicate_id=duplicate_id,
    )
