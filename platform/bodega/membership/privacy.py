"""A member's rights over their data: a copy of everything held on them, and erasure.

Erasure anonymises rather than deletes: the member's row stays (orders, points and audit
entries name it by id, and their totals must still add up) but its phone, email, name,
birthday and tags are cleared and its external ids deleted, for the member and for every
duplicate merged into it. Events and audit entries never carried personal data, so nothing
of it remains. Consent records stay: they hold no personal data and prove what was agreed.

Stored answers of ``Idempotency-Key`` requests that mention an erased member (by id, phone
or email: a registration's answer, an adjustment's, an external id's, a GraphQL mutation's)
are deleted, not blanked: a retry of such a request is then not replayed but runs again, and
what names the erased member is refused (orders, quotes and points answer ``422`` "erased
member"). The erasure request's own key stays: it has no answer yet.

Other domains add their part by providing, in their package (``bodega.points``,
``bodega.tiers``, ``bodega.segments``), ``member_export(actor, member_ids) -> dict`` for the
export and ``member_erase(actor, member_ids) -> None`` for the erasure (points clear their
entries' reasons), which runs in the erasure's transaction. What lives with a payment
provider is ended after, from ``member.erased`` (``bodega.tiers.erasure``: a premium plan).
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.idempotency import forget_answers_mentioning
from bodega.audit import change_recorded, record_change
from bodega.db import engine as db
from bodega.membership._rows import (
    RESOURCE,
    check_version,
    event_data,
    locked_member,
    require_active,
    save_member,
)
from bodega.membership.schemas import ConsentOut, EraseIn, MemberExport, MemberOut
from bodega.membership.service import get_member, member_ids_of, members_by_ids

__all__ = ["EXPORT_SECTIONS", "erase_member", "export_member"]

EXPORT_SECTIONS = ("points", "tiers", "segments")
"""The packages asked for their part of a member's data: their section of the export (by
``member_export``) and of the erasure (by ``member_erase``)."""

_ERASED = {"phone": None, "email": None, "name": "", "birthday": None, "tags": []}


def _providers(function: str) -> Iterator[tuple[str, Callable[..., Awaitable[Any]]]]:
    """``(name, function)`` of each installed package of EXPORT_SECTIONS that provides it."""
    for name in EXPORT_SECTIONS:
        try:
            package = importlib.import_module(f"bodega.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bodega.{name}":
                raise
            continue
        provided = getattr(package, function, None)
        if provided is not None:
            yield name, provided


async def _sections(actor: Actor, member_ids: list[uuid.UUID]) -> dict[str, Any]:
    return {
        name: await member_export(actor, member_ids)
        for name, member_export in _providers("member_export")
    }


async def export_member(actor: Actor, member_id: uuid.UUID) -> MemberExport:
    """Everything the chain holds on the member and its merged duplicates (the export is
    recorded in the audit log: who took a copy, when)."""
    member = await get_member(actor, member_id)
    ids = await member_ids_of(actor, member_id)
    merged = await members_by_ids(actor, ids[1:])
    rows = await db.fetch(
        "SELECT * FROM member_consents WHERE tenant_id = $1 AND member_id = ANY($2)"
        " ORDER BY recorded_at, id",
        actor.tenant_id,
        ids,
    )
    consents = [ConsentOut(**{f: r[f] for f in ConsentOut.__struct_fields__}) for r in rows]
    export = MemberExport(
        member=member,
        merged_members=[merged[i] for i in ids[1:] if i in merged],
        consents=consents,
        sections=await _sections(actor, ids),
        exported_at=datetime.now(UTC),
    )
    await record_change(actor, f"{RESOURCE}.exported", RESOURCE, member_id)
    return export


async def erase_member(actor: Actor, member_id: uuid.UUID, data: EraseIn) -> MemberOut:
    """Anonymise the member and the duplicates merged into it (see the module doc). A merged
    member is erased through the member it was merged into; erasing an erased member again
    answers it as it is."""
    row = await locked_member(actor, member_id)
    if row["status"] == "erased":  # a retried request: it is done
        return await get_member(actor, member_id)
    require_active(row, "erase")
    check_version(row, data.version)
    now = datetime.now(UTC)
    ids = await member_ids_of(actor, member_id)
    mentions: list[str] = []
    for ident in ids:
        current = row if ident == member_id else await locked_member(actor, ident)
        contact = (current["phone"], current["email"])
        mentions += [str(ident), *(_as_json(value) for value in contact if value)]
        await save_member(actor, ident, {**_ERASED, "status": "erased", "erased_at": now})
        after = {**current, "status": "erased", "version": current["version"] + 1}
        await change_recorded(
            actor,
            RESOURCE,
            "erased",
            ident,
            event_data(after),
            before=event_data(current),
            after=event_data(after),
        )
    await db.execute(
        "DELETE FROM member_external_ids WHERE tenant_id = $1 AND member_id = ANY($2)",
        actor.tenant_id,
        ids,
    )
    for _, member_erase in _providers("member_erase"):
        await member_erase(actor, ids)
    await forget_answers_mentioning(actor, mentions)
    return await get_member(actor, member_id)


def _as_json(text: str) -> str:
    """``text`` as a JSON string, quotes included: an answer mentions "a@x.com" where it
    holds that very value, not inside another member's "ba@x.com"."""
    return msgspec.json.encode(text).decode()
