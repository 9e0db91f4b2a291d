"""The chain's demand calendar: days that sell differently, as multipliers of the forecast.

An entry names a day, a multiplier and a label, for one store or (``store_id`` null) for
every store. When a store has both a chain-wide and its own entry for a day, the two
multiply: a typhoon (0.5) during Golden Week (1.3) forecasts 0.65 of a normal day.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, Forbidden, InvalidInput
from bodega.api.pagination import Page
from bodega.audit import create_recorded, delete_recorded, update_recorded
from bodega.catalog import require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields, get_row, list_page, to_struct
from bodega.replenishment.schemas import CalendarEntryIn, CalendarEntryOut, CalendarEntryUpdate
from bodega.replenishment.tables import DemandCalendarEntry

__all__ = [
    "calendar_multipliers",
    "create_calendar_entry",
    "delete_calendar_entry",
    "get_calendar_entry",
    "list_calendar",
    "update_calendar_entry",
]

RESOURCE = "demand_calendar_entry"
_LABEL = "demand calendar entry"
MAX_MULTIPLIER = Decimal(100)


def _check_multiplier(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_MULTIPLIER:
        problem = f"from 0 to {MAX_MULTIPLIER}"
    elif value != value.quantize(Decimal("0.001")):
        problem = "at most 3 decimals"
    else:
        return value.quantize(Decimal("0.001"))
    raise InvalidInput(f"multiplier: {problem}", errors=[FieldError("multiplier", problem)])


async def _check_store(actor: Actor, store_id: uuid.UUID | None) -> None:
    """A store's entry: the caller works there. A chain-wide one: the caller is not limited to
    some stores (managers set days for their own stores only)."""
    if store_id is not None:
        await require_store(actor, store_id, field="store_id")
    elif actor.kind == "user" and not actor.may("catalog:write"):
        raise Forbidden("Only the owner sets days for every store; name one of your stores.")


async def _check_free(
    actor: Actor, day: date, store_id: uuid.UUID | None, exclude: uuid.UUID | None = None
) -> None:
    taken = await db.fetchval(
        "SELECT id FROM demand_calendar WHERE tenant_id = $1 AND day = $2 "
        "AND store_id IS NOT DISTINCT FROM $3 AND id IS DISTINCT FROM $4",
        actor.tenant_id,
        day,
        store_id,
        exclude,
    )
    if taken is not None:
        where = "this store" if store_id else "every store"
        raise Conflict(
            f"{day} has an entry for {where} already; change that one.",
            errors=[FieldError("day", "already in the calendar")],
        )


async def create_calendar_entry(actor: Actor, data: CalendarEntryIn) -> CalendarEntryOut:
    multiplier = _check_multiplier(data.multiplier)
    await _check_store(actor, data.store_id)
    await _check_free(actor, data.day, data.store_id)
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "day": data.day,
        "store_id": data.store_id,
        "multiplier": multiplier,
        "label": data.label,
        "created_at": datetime.now(UTC),
        "version": 1,
    }
    return await create_recorded(actor, DemandCalendarEntry, row, RESOURCE, CalendarEntryOut)


async def list_calendar(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Page[CalendarEntryOut]:
    """Entries in the order they were made; ``store_id`` keeps that store's own entries."""
    where: list[Any] = []
    if store_id is not None:
        where.append(DemandCalendarEntry.store_id == store_id)
    if since is not None:
        where.append(DemandCalendarEntry.day >= since)
    if until is not None:
        where.append(DemandCalendarEntry.day <= until)
    return await list_page(
        DemandCalendarEntry,
        actor.tenant_id,
        CalendarEntryOut,
        limit=limit,
        cursor=cursor,
        where=where,
    )


async def get_calendar_entry(actor: Actor, entry_id: uuid.UUID) -> CalendarEntryOut:
    row = await get_row(DemandCalendarEntry, actor.tenant_id, entry_id, _LABEL)
    return to_struct(row, CalendarEntryOut)


async def update_calendar_entry(
    actor: Actor, entry_id: uuid.UUID, data: CalendarEntryUpdate
) -> CalendarEntryOut:
    current = await get_row(DemandCalendarEntry, actor.tenant_id, entry_id, _LABEL)
    await _check_store(actor, current["store_id"])
    values = changed_fields(data)
    if "multiplier" in values:
        values["multiplier"] = _check_multiplier(values["multiplier"])
    if "store_id" in values:
        await _check_store(actor, values["store_id"])
    if "day" in values or "store_id" in values:
        day = values.get("day", current["day"])
        await _check_free(actor, day, values.get("store_id", current["store_id"]), entry_id)
    return await update_recorded(
        actor, DemandCalendarEntry, entry_id, data.version, values, RESOURCE, CalendarEntryOut
    )


async def delete_calendar_entry(actor: Actor, entry_id: uuid.UUID) -> None:
    current = await get_row(DemandCalendarEntry, actor.tenant_id, entry_id, _LABEL)
    await _check_store(actor, current["store_id"])
    await delete_recorded(actor, DemandCalendarEntry, entry_id, RESOURCE, CalendarEntryOut)


async def calendar_multipliers(
    actor: Actor, store_id: uuid.UUID, start: date, end: date
) -> dict[date, float]:
    """The multiplier of each day from ``start`` to ``end`` that has one, for ``store_id``:
    the chain-wide entry times the store's own."""
    rows = await db.fetch(
        "SELECT day, multiplier FROM demand_calendar WHERE tenant_id = $1 "
        "AND day BETWEEN $2 AND $3 AND (store_id IS NULL OR store_id = $4)",
        actor.tenant_id,
        start,
        end,
        store_id,
    )
    days: dict[date, float] = defaultdict(lambda: 1.0)
    for row in rows:
        days[row["day"]] *= float(row["multiplier"])
    return dict(days)
