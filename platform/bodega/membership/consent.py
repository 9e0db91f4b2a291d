"""Consent by purpose (``marketing``, ``biometric``): an append-only history per member.

A withdrawal is a new record with ``granted: false``; the latest record of a purpose is the
member's current decision. Nothing is assumed: a purpose never asked about is not consented.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.membership._rows import RESOURCE, locked_member, member_row, require_active
from bodega.membership.schemas import ConsentIn, ConsentOut, ConsentPurpose

__all__ = ["add_consents", "consents_errors", "has_consent", "list_consents", "record_consent"]


def consents_errors(consents: Sequence[ConsentIn], **extra: object) -> list[FieldError]:
    purposes = [c.purpose for c in consents]
    return [
        FieldError("consents", f"one decision per purpose; {p} is given twice", **extra)
        for p in sorted({p for p in purposes if purposes.count(p) > 1})
    ]


async def add_consents(
    actor: Actor, member_id: uuid.UUID, consents: Sequence[ConsentIn]
) -> list[ConsentOut]:
    """Append ``consents`` to an active member's history, each audited with its event."""
    recorded = []
    for consent in consents:
        out = ConsentOut(
            id=new_id(),
            member_id=member_id,
            purpose=consent.purpose,
            granted=consent.granted,
            text_version=consent.text_version,
            channel=consent.channel,
            recorded_at=datetime.now(UTC),
            recorded_by=actor.id,
        )
        await db.execute(
            "INSERT INTO member_consents (id, tenant_id, member_id, purpose, granted,"
            " text_version, channel, recorded_at, recorded_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            out.id,
            actor.tenant_id,
            member_id,
            out.purpose,
            out.granted,
            out.text_version,
            out.channel,
            out.recorded_at,
            out.recorded_by,
        )
        await change_recorded(actor, RESOURCE, "consent_recorded", member_id, out, after=out)
        recorded.append(out)
    return recorded


async def record_consent(actor: Actor, member_id: uuid.UUID, data: ConsentIn) -> ConsentOut:
    """Record a member's decision for one purpose (a withdrawal is ``granted: false``)."""
    row = await locked_member(actor, member_id)
    require_active(row, "record consent for")
    (out,) = await add_consents(actor, member_id, [data])
    return out


async def list_consents(
    actor: Actor, member_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[ConsentOut]:
    """A member's consent history, oldest first."""
    await member_row(actor, member_id)
    rows = await db.fetch(
        "SELECT * FROM member_consents WHERE tenant_id = $1 AND member_id = $2"
        " AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4",
        actor.tenant_id,
        member_id,
        decode_cursor(cursor),
        limit + 1,
    )
    return page_of(
        [ConsentOut(**{f: r[f] for f in ConsentOut.__struct_fields__}) for r in rows], limit
    )


async def has_consent(actor: Actor, member_id: uuid.UUID, purpose: ConsentPurpose) -> bool:
    """Has the member, as of now, said yes to ``purpose``? An erased or unknown member, or a
    purpose never asked about, is a no."""
    if purpose not in ("marketing", "biometric"):
        raise_if_errors([FieldError("purpose", "marketing or biometric")])
    granted = await db.fetchval(
        "SELECT c.granted FROM member_consents c"
        " JOIN members m ON m.tenant_id = c.tenant_id AND m.id = c.member_id"
        " WHERE c.tenant_id = $1 AND c.member_id = $2 AND c.purpose = $3"
        " AND m.status <> 'erased' ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1",
        actor.tenant_id,
        member_id,
        purpose,
    )
    return bool(granted)
