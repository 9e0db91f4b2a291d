"""Member import from a spreadsheet (CSV), as the product import does it: every row is
checked first, then all are written or none (``dry_run`` only counts).

A row whose phone or email belongs to an active member updates that member: the row's name
and birthday replace the member's, a missing phone or email is filled in, tags and external
ids are added, and a marketing decision different from the member's current one is recorded.
Other rows register new members (joined on the ``import`` channel). Importing the same file
twice therefore changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date
from typing import Any, NamedTuple

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput
from bodega.audit import change_recorded
from bodega.membership._checks import (
    checked_contact,
    clean_tags,
    external_id_holders,
    holders_of_contact,
    region_of,
)
from bodega.membership._rows import RESOURCE, event_data, fetch_members, save_member
from bodega.membership.consent import add_consents
from bodega.membership.schemas import (
    ConsentIn,
    ExternalIdIn,
    MemberImportResult,
    MemberOut,
    Name,
    Tag,
    TextVersion,
)
from bodega.membership.service import insert_external_ids, insert_member

__all__ = ["COLUMNS", "MAX_ROWS", "import_members"]

MAX_ROWS = 20_000
COLUMNS = ("phone", "email", "name", "birthday", "tags", "external_ids", "marketing_consent")
LIST_SEPARATOR = re.compile(r"[;,]")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}
_CHANNEL = "import"


class _Row(msgspec.Struct, kw_only=True):
    line: int
    phone: str | None
    email: str | None
    values: dict[str, Any]
    tags: list[str]
    external_ids: list[ExternalIdIn]
    marketing: bool | None
    member: MemberOut | None = None


def _read(text: str) -> list[dict[str, str]]:
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    except csv.Error as exc:
        raise InvalidInput(
            f"The file is not valid CSV ({exc}); save the spreadsheet as CSV UTF-8.",
            errors=[FieldError("file", str(exc))],
        ) from None
    errors = [
        FieldError(c, f"unknown column; known: {', '.join(COLUMNS)}", row=1)
        for c in header
        if c not in COLUMNS
    ]
    if "phone" not in header and "email" not in header:
        errors.append(FieldError("phone", "a phone or an email column is needed", row=1))
    if errors:
        raise InvalidInput("The header row does not fit the import format.", errors=errors)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"At most {MAX_ROWS} rows per import; split the file.")
    return rows


def _valid(value: Any, type_: Any, field: str, errors: list[FieldError], line: int) -> Any:
    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError as exc:
        errors.append(FieldError(field, str(exc), row=line))
        return None


def _external_ids(text: str, errors: list[FieldError], line: int) -> list[ExternalIdIn]:
    """``wechat_openid:oAbc;meituan:123``: one id per channel."""
    found: list[ExternalIdIn] = []
    for item in (i.strip() for i in LIST_SEPARATOR.split(text)):
        if not item:
            continue
        channel, colon, ident = item.partition(":")
        if not colon:
            errors.append(FieldError("external_ids", "write each as channel:id", row=line))
            continue
        given = {"channel": channel.strip(), "external_id": ident.strip()}
        if (valid := _valid(given, ExternalIdIn, "external_ids", errors, line)) is not None:
            found.append(valid)
    channels = [e.channel for e in found]
    if len(set(channels)) < len(channels):
        errors.append(FieldError("external_ids", "one id per channel", row=line))
    return found


def _parse_row(
    raw: dict[str, str], line: int, region: str | None, errors: list[FieldError]
) -> _Row:
    phone, email = checked_contact(
        raw.get("phone") or None, raw.get("email") or None, region, errors, row=line
    )
    values: dict[str, Any] = {}
    if raw.get("name"):
        values["name"] = _valid(raw["name"], Name, "name", errors, line)
    if raw.get("birthday"):
        try:
            values["birthday"] = date.fromisoformat(raw["birthday"].replace("/", "-"))
        except ValueError:
            errors.append(FieldError("birthday", "a date such as 1990-05-31", row=line))
    tags = [
        _valid(t.strip(), Tag, "tags", errors, line)
        for t in LIST_SEPARATOR.split(raw.get("tags", ""))
        if t.strip()
    ]
    external_ids = _external_ids(raw.get("external_ids", ""), errors, line)
    marketing = raw.get("marketing_consent", "").lower()
    if marketing and marketing not in _YES | _NO:
        errors.append(FieldError("marketing_consent", "yes or no (or empty)", row=line))
    return _Row(
        line=line,
        phone=phone,
        email=email,
        values=values,
        tags=clean_tags([t for t in tags if t], errors, row=line),
        external_ids=external_ids,
        marketing=True if marketing in _YES else False if marketing in _NO else None,
    )


def _same_in_file(rows: list[_Row]) -> list[FieldError]:
    """The same phone, email or external id on two rows (two people, or one twice)."""
    errors = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        keys = [("phone", row.phone), ("email", row.email)]
        keys += [("external_ids", f"{e.channel}:{e.external_id}") for e in row.external_ids]
        for field, value in keys:
            if value is None:
                continue
            first = seen.setdefault((field, value), row.line)
            if first != row.line:
                errors.append(FieldError(field, f"same {field} as row {first}", row=row.line))
    return errors


async def _match_members(actor: Actor, rows: list[_Row]) -> list[FieldError]:
    """Attach to each row the active member its phone or email belongs to; rows naming two
    members, or another member's external id, are errors."""
    phones = [r.phone for r in rows if r.phone]
    emails = [r.email for r in rows if r.email]
    holders = await holders_of_contact(actor, phones, emails)
    ids = set(holders.values())
    members = {m.id: m for m in await fetch_members(actor, "m.id = ANY($2)", list(ids))}
    external = await external_id_holders(actor, [e for r in rows for e in r.external_ids])
    errors = []
    matched: dict[uuid.UUID, int] = {}
    for row in rows:
        found = {holders.get(("phone", row.phone)), holders.get(("email", row.email))} - {None}
        if len(found) > 1:
            errors.append(
                FieldError("email", "the phone and the email belong to two members", row=row.line)
            )
            continue
        row.member = members[found.pop()] if found else None
        if row.member is not None:
            first = matched.setdefault(row.member.id, row.line)
            if first != row.line:
                errors.append(FieldError("phone", f"same member as row {first}", row=row.line))
        own = {e.channel: e.external_id for e in row.member.external_ids} if row.member else {}
        for ext in row.external_ids:
            holder = external.get((ext.channel, ext.external_id))
            if holder is not None and (row.member is None or holder != row.member.id):
                errors.append(
                    FieldError("external_ids", f"already member {holder}'s", row=row.line)
                )
            elif own.get(ext.channel, ext.external_id) != ext.external_id:
                errors.append(
                    FieldError(
                        "external_ids", f"the member has another {ext.channel} id", row=row.line
                    )
                )
    return errors


def _changes(row: _Row, member: MemberOut) -> dict[str, Any]:
    values = {k: v for k, v in row.values.items() if getattr(member, k) != v}
    if row.phone and member.phone is None:
        values["phone"] = row.phone
    if row.email and member.email is None:
        values["email"] = row.email
    tags = list(dict.fromkeys([*member.tags, *row.tags]))
    if tags != member.tags:
        values["tags"] = tags
    return values


def _consents(row: _Row, text_version: str | None) -> list[ConsentIn]:
    if row.marketing is None or text_version is None:
        return []
    current = row.member.consents.marketing if row.member else None
    if current is not None and current.granted == row.marketing:
        return []
    return [
        ConsentIn(
            purpose="marketing",
            granted=row.marketing,
            text_version=text_version,
            channel=_CHANNEL,
        )
    ]


class _Plan(NamedTuple):
    outcome: str
    """``created``, ``updated`` or ``unchanged``."""
    values: dict[str, Any]
    new_ids: list[ExternalIdIn]
    consents: list[ConsentIn]


def _plan(row: _Row, text_version: str | None) -> _Plan:
    consents = _consents(row, text_version)
    if row.member is None:
        return _Plan("created", {}, row.external_ids, consents)
    values = _changes(row, row.member)
    own = {e.channel for e in row.member.external_ids}
    new_ids = [e for e in row.external_ids if e.channel not in own]
    outcome = "updated" if values or new_ids or consents else "unchanged"
    return _Plan(outcome, values, new_ids, consents)


async def _write(actor: Actor, row: _Row, plan: _Plan) -> None:
    if row.member is None:
        values = {"name": "", "birthday": None, **row.values, "home_store_id": None}
        values |= {"phone": row.phone, "email": row.email, "tags": row.tags}
        await insert_member(
            actor, {**values, "joined_channel": _CHANNEL}, plan.new_ids, plan.consents
        )
        return
    member = row.member
    await insert_external_ids(actor, member.id, plan.new_ids)
    await save_member(actor, member.id, plan.values)
    changed = [*plan.values, *(["external_ids"] if plan.new_ids else [])]
    after = {**msgspec.structs.asdict(member), "version": member.version + 1}
    await change_recorded(
        actor,
        RESOURCE,
        "updated",
        member.id,
        event_data(after, changed),
        before=event_data(member),
        after=event_data(after, changed),
    )
    await add_consents(actor, member.id, plan.consents)


async def import_members(
    actor: Actor,
    text: str,
    *,
    dry_run: bool = False,
    consent_text_version: str | None = None,
) -> MemberImportResult:
    """Import a CSV file (see the module's docstring); ``consent_text_version`` names the
    consent text the members saw, needed when a row says yes or no to marketing."""
    raw_rows = _read(text)
    region = await region_of(actor)
    errors: list[FieldError] = []
    if consent_text_version is not None:
        _valid(consent_text_version, TextVersion, "consent_text_version", errors, 1)
    rows = [_parse_row(raw, line, region, errors) for line, raw in enumerate(raw_rows, start=2)]
    if consent_text_version is None and any(r.marketing is not None for r in rows):
        errors.append(
            FieldError("consent_text_version", "say which consent text the members agreed to")
        )
    errors += _same_in_file(rows)
    if not errors:
        errors += await _match_members(actor, rows)
    if errors:
        raise InvalidInput(
            f"{len(errors)} problem(s) in the file; nothing was imported.", errors=errors
        )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        plan = _plan(row, consent_text_version)
        if not dry_run and plan.outcome != "unchanged":
            await _write(actor, row, plan)
        counts[plan.outcome] += 1
    return MemberImportResult(rows=len(rows), dry_run=dry_run, **counts)
