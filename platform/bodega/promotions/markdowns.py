"""Markdown rules for fresh goods: by hours to a lot's expiry or to the store's closing,
steps of deeper reductions (3 h before: 20 % off; 1 h before: 50 % off), never below a floor.

The prices themselves are worked out by ``markdown_prices`` when a basket is quoted; this
module keeps the rules. States: ``active``, ``paused`` (set by PATCH), ``archived`` (DELETE).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, NotFound, VersionConflict, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.catalog import missing_store_ids
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.promotions._checks import (
    distinct,
    indexed,
    percent_problem,
    reference_errors,
    two_places,
)
from bodega.promotions._rows import insert_row, locked_row, save_row
from bodega.promotions.schemas import (
    MarkdownRuleIn,
    MarkdownRuleOut,
    MarkdownRuleUpdate,
    MarkdownStepIn,
    MarkdownStepOut,
)

__all__ = [
    "archive_markdown_rule",
    "create_markdown_rule",
    "get_markdown_rule",
    "list_markdown_rules",
    "markdown_rules_by_ids",
    "markdown_rules_for",
    "update_markdown_rule",
]

RESOURCE = "markdown_rule"
COLUMNS = (
    "id, name, basis, steps::text AS steps, floor_percent, product_ids, category_ids, "
    "store_ids, status, created_at, updated_at, version"
)
MAX_HOURS = {"closing": Decimal(24), "expiry": Decimal(24 * 30)}
"""How far ahead a step may start: a day before closing, 30 days before expiry."""
_STEPS = msgspec.json.Decoder(list[MarkdownStepOut])
_PLAIN = frozenset(MarkdownRuleOut.__struct_fields__) - {"steps"}


def markdown_rule_out(row: Any) -> MarkdownRuleOut:
    return MarkdownRuleOut(**{f: row[f] for f in _PLAIN}, steps=_STEPS.decode(row["steps"]))


def _step_errors(steps: Sequence[MarkdownStepIn], basis: str) -> list[FieldError]:
    errors = []
    most = MAX_HOURS[basis]
    for n, step in enumerate(steps):
        field, hours = f"steps[{n}]", step.hours_before
        if not (hours.is_finite() and 0 < hours <= most and hours == two_places(hours)):
            errors.append(
                FieldError(
                    f"{field}.hours_before",
                    f"more than 0 and at most {most} (2 decimals) for a rule by {basis}",
                )
            )
        elif n and hours >= steps[n - 1].hours_before:
            errors.append(
                FieldError(
                    f"{field}.hours_before",
                    f"fewer than the step before ({steps[n - 1].hours_before}): "
                    "each step starts closer to the end",
                )
            )
        if problem := percent_problem(step.percent, zero=False, hundred=False):
            errors.append(FieldError(f"{field}.percent", problem))
        elif n and step.percent <= steps[n - 1].percent:
            errors.append(
                FieldError(
                    f"{field}.percent",
                    f"more than the step before ({steps[n - 1].percent}): each step takes more off",
                )
            )
    return errors


async def _checked(actor: Actor, data: MarkdownRuleIn) -> dict[str, Any]:
    """The rule's columns as stored, or a 422 naming every problem."""
    errors = _step_errors(data.steps, data.basis)
    if problem := percent_problem(data.floor_percent, zero=True, hundred=False):
        errors.append(FieldError("floor_percent", problem))
    unknown, _ = await reference_errors(
        actor,
        products=indexed("product_ids", data.product_ids),
        categories=indexed("category_ids", data.category_ids),
        stores=indexed("store_ids", data.store_ids),
    )
    raise_if_errors(errors + unknown)
    steps = [
        {"hours_before": two_places(s.hours_before), "percent": two_places(s.percent)}
        for s in data.steps
    ]
    return {
        "name": data.name,
        "basis": data.basis,
        "steps": msgspec.json.encode(steps).decode(),
        "floor_percent": two_places(data.floor_percent),
        "product_ids": distinct(data.product_ids),
        "category_ids": distinct(data.category_ids),
        "store_ids": distinct(data.store_ids),
        "status": data.status,
    }


async def create_markdown_rule(actor: Actor, data: MarkdownRuleIn) -> MarkdownRuleOut:
    row = {**await _checked(actor, data), "id": new_id(), "tenant_id": actor.tenant_id}
    created = await insert_row("markdown_rules", COLUMNS, row)
    out = markdown_rule_out(created)
    await change_recorded(actor, RESOURCE, "created", out.id, out, after=out)
    return out


async def _locked(actor: Actor, rule_id: uuid.UUID) -> Any:
    return await locked_row(actor, "markdown_rules", COLUMNS, rule_id, "markdown rule")


async def _save(actor: Actor, rule_id: uuid.UUID, values: dict[str, Any]) -> Any:
    return await save_row(actor, "markdown_rules", COLUMNS, rule_id, values)


async def update_markdown_rule(
    actor: Actor, rule_id: uuid.UUID, data: MarkdownRuleUpdate
) -> MarkdownRuleOut:
    """Change a rule that is not archived (pause it with ``status``); checked as a whole."""
    row = await _locked(actor, rule_id)
    if row["status"] == "archived":
        raise Conflict(
            f"The markdown rule '{row['name']}' is archived: it stays as it was; create a new one.",
            current_status="archived",
        )
    if row["version"] != data.version:
        raise VersionConflict("markdown rule", row["version"])
    before = markdown_rule_out(row)
    current = {f: getattr(before, f) for f in MarkdownRuleIn.__struct_fields__}
    merged = msgspec.convert(
        {**msgspec.to_builtins(current), **msgspec.to_builtins(changed_fields(data))},
        MarkdownRuleIn,
        strict=False,
    )
    out = markdown_rule_out(await _save(actor, rule_id, await _checked(actor, merged)))
    await change_recorded(actor, RESOURCE, "updated", rule_id, out, before=before, after=out)
    return out


async def archive_markdown_rule(actor: Actor, rule_id: uuid.UUID) -> None:
    """Retire a rule for good; archiving an archived one changes nothing."""
    row = await _locked(actor, rule_id)
    if row["status"] == "archived":
        return
    before = markdown_rule_out(row)
    out = markdown_rule_out(await _save(actor, rule_id, {"status": "archived"}))
    await change_recorded(actor, RESOURCE, "archived", rule_id, out, before=before, after=out)


async def markdown_rules_by_ids(
    actor: Actor, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MarkdownRuleOut]:
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM markdown_rules WHERE tenant_id = $1 AND id = ANY($2)",  # noqa: S608
        actor.tenant_id,
        list(ids),
    )
    return {r["id"]: markdown_rule_out(r) for r in rows}


async def get_markdown_rule(actor: Actor, rule_id: uuid.UUID) -> MarkdownRuleOut:
    found = (await markdown_rules_by_ids(actor, [rule_id])).get(rule_id)
    if found is None:
        raise NotFound("markdown rule", rule_id)
    return found


async def list_markdown_rules(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    basis: str | None = None,
    store_id: uuid.UUID | None = None,
) -> Page[MarkdownRuleOut]:
    """Oldest first; ``store_id``: the rules that apply in that store (naming it, or every
    store; none for a store that is not the chain's)."""
    if store_id is not None and await missing_store_ids(actor, [store_id]):
        return Page(data=[])
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM markdown_rules WHERE tenant_id = $1 "  # noqa: S608
        "AND ($2::uuid IS NULL OR id > $2) AND ($3::text IS NULL OR status = $3) "
        "AND ($4::text IS NULL OR basis = $4) "
        "AND ($5::uuid IS NULL OR cardinality(store_ids) = 0 OR $5 = ANY(store_ids)) "
        f"ORDER BY id LIMIT {limit + 1}",
        actor.tenant_id,
        decode_cursor(cursor),
        status,
        basis,
        store_id,
    )
    return page_of([markdown_rule_out(r) for r in rows], limit)


async def markdown_rules_for(actor: Actor, *, store_id: uuid.UUID) -> list[MarkdownRuleOut]:
    """The active rules that apply in ``store_id`` (naming it, or every store), oldest first."""
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM markdown_rules WHERE tenant_id = $1 AND status = 'active' "  # noqa: S608
        "AND (cardinality(store_ids) = 0 OR $2 = ANY(store_ids)) ORDER BY id",
        actor.tenant_id,
        store_id,
    )
    return [markdown_rule_out(r) for r in rows]
