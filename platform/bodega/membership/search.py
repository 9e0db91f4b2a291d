"""Finding members: by phone written any way, by the start of the name or the last digits of
the phone, by tag, status, or an id on another channel."""

from __future__ import annotations

from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.membership._checks import check_filters, region_of
from bodega.membership._rows import fetch_members
from bodega.membership.phones import normalised_phone
from bodega.membership.schemas import MemberOut

__all__ = ["list_members"]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_members(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    phone: str | None = None,
    q: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    channel: str | None = None,
    external_id: str | None = None,
) -> Page[MemberOut]:
    """Members, oldest first: by phone (any way it is written), by ``q`` (the start of the
    name, or the last digits of the phone), by tag, status, or an id on another channel."""
    check_filters(
        {
            "q": q,
            "phone": phone,
            "tag": tag,
            "status": status,
            "channel": channel,
            "external_id": external_id,
        }
    )
    if (channel is None) != (external_id is None):
        missing = "channel" if channel is None else "external_id"
        raise_if_errors([FieldError(missing, "external_id and channel go together")])
    conditions: list[str] = []
    args: list[Any] = []

    def where(sql: str, *values: Any) -> None:
        names = [f"${len(args) + i}" for i in range(2, len(values) + 2)]
        conditions.append(sql.format(*names))
        args.extend(values)

    after = decode_cursor(cursor)
    if after is not None:
        where("m.id > {}", after)
    if phone is not None:
        try:
            where("m.phone = {}", normalised_phone(phone, await region_of(actor)))
        except ValueError as exc:
            raise_if_errors([FieldError("phone", str(exc))])
    if q:
        text = q.strip()
        if text.isdigit() and len(text) >= 4:
            where("(lower(m.name) LIKE {} OR m.phone LIKE {})", _like(text) + "%", "%" + text)
        else:
            where("lower(m.name) LIKE {}", _like(text.lower()) + "%")
    if tag is not None:
        where("{} = ANY(m.tags)", tag)
    if status is not None:
        where("m.status = {}", status)
    if channel is not None:
        where(
            "m.id IN (SELECT member_id FROM member_external_ids"
            " WHERE tenant_id = m.tenant_id AND channel = {} AND external_id = {})",
            channel,
            external_id,
        )
    args.append(limit + 1)
    clause = " AND ".join([*conditions, "TRUE"]) + f" ORDER BY m.id LIMIT ${len(args) + 1}"
    return page_of(await fetch_members(actor, clause, *args), limit)
