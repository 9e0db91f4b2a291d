"""Suggested store orders: run them, read them, edit their lines, turn them into purchase orders.

A run reads the store's history and stock through the other domains' public functions,
forecasts every product (``_planning``), and writes the run and its lines in the caller's
transaction. Runs are computed inline, so the caller gets the finished run: a store with
2,000 products and a year of history takes a few seconds, most of it inventory's history
query; forecasting is under a second (bench/replenishment.py, bench/README.md). The worker's
job (``jobs.py``) runs the same function for stores that should not wait on a caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, InvalidInput, NotFound, VersionConflict
from bodega.api.pagination import Page
from bodega.api.quantities import quantity_errors
from bodega.audit import change_recorded
from bodega.catalog import get_store, products_by_ids, require_store, suppliers_by_ids
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import get_row, list_page, to_struct
from bodega.inventory import daily_history, on_hand
from bodega.purchasing import on_order
from bodega.replenishment._accuracy import forecast_accuracy
from bodega.replenishment._calendar import (
    calendar_multipliers,
    create_calendar_entry,
    delete_calendar_entry,
    get_calendar_entry,
    list_calendar,
    update_calendar_entry,
)
from bodega.replenishment._conversion import convert_run
from bodega.replenishment._planning import (
    PlannedLine,
    order_value,
    plan_store_order,
    reasons,
    store_today,
)
from bodega.replenishment._rows import LINE_COLUMNS, line_out, locked_run
from bodega.replenishment.schemas import (
    SuggestionLineOut,
    SuggestionLineUpdate,
    SuggestionRunDetail,
    SuggestionRunIn,
    SuggestionRunOut,
)
from bodega.replenishment.tables import SuggestionRun

__all__ = [
    "calendar_multipliers",
    "convert_run",
    "create_calendar_entry",
    "delete_calendar_entry",
    "forecast_accuracy",
    "get_calendar_entry",
    "get_line",
    "get_run",
    "get_run_summary",
    "lines_of_runs",
    "list_calendar",
    "list_runs",
    "run_exists",
    "run_suggestions",
    "update_calendar_entry",
    "update_line",
]

Progress = Callable[[str, int, int], None]
RUN, LINE = "suggestion_run", "suggestion_line"
CALENDAR_AHEAD = timedelta(days=400)
"""Calendar days read past today: enough for the longest horizon (lead time ≤ 365 days)."""


def _report(progress: Progress | None, phase: str, done: int, total: int) -> None:
    if progress is not None:
        progress(phase, done, total)


def _service_level(value: Decimal) -> Decimal:
    """The level as stored (3 decimals), or a 422."""
    if not value.is_finite() or not Decimal("0.5") <= value <= Decimal("0.999"):
        problem = "from 0.5 to 0.999"
    elif value != value.quantize(Decimal("0.001")):
        problem = "at most 3 decimals"
    else:
        return value.quantize(Decimal("0.001"))
    raise InvalidInput(f"service_level: {problem}", errors=[FieldError("service_level", problem)])


async def run_suggestions(
    actor: Actor,
    store_id: uuid.UUID,
    data: SuggestionRunIn | None = None,
    *,
    today: date | None = None,
    progress: Progress | None = None,
) -> SuggestionRunOut:
    """Forecast every product the store stocks and suggest what to order today.

    History runs to yesterday; the forecasts start today (``today``: the store's date, or
    another for tests and benchmarks). Emits ``suggestion_run.completed``.
    """
    data = data or SuggestionRunIn()
    level = _service_level(data.service_level)
    store = await get_store(actor, store_id)
    await require_store(actor, store_id, field="store_id")
    today = today or store_today(store.timezone)
    as_of = today - timedelta(days=1)
    start = as_of - timedelta(days=data.history_days - 1)
    _report(progress, "history", 0, 1)
    histories = await daily_history(actor, store_id, start=start, end=as_of)
    ids = list(histories)
    products = await products_by_ids(actor, ids) if ids else {}
    supplier_ids = list({p.supplier_id for p in products.values() if p.supplier_id})
    suppliers = await suppliers_by_ids(actor, supplier_ids) if supplier_ids else {}
    stock = await on_hand(actor, store_id, ids)
    coming = await on_order(actor, store_id, ids)
    calendar = await calendar_multipliers(actor, store_id, start, today + CALENDAR_AHEAD)
    _report(progress, "history", 1, 1)
    planned = plan_store_order(
        today=today,
        histories=histories,
        products=products,
        suppliers=suppliers,
        on_hand=stock,
        on_order=coming,
        calendar=calendar,
        service_level=float(level),
        progress=progress,
    )
    _report(progress, "write", 0, 1)
    run = await _write_run(actor, store_id, level, data.history_days, as_of, today, planned)
    await change_recorded(actor, RUN, "completed", run.id, run, after=run)
    _report(progress, "write", 1, 1)
    return run


async def run_exists(actor: Actor, store_id: uuid.UUID, first_day: date) -> bool:
    """Whether the store has a run starting on ``first_day`` (a job made it already)."""
    return await SuggestionRun.exists().where(
        (SuggestionRun.tenant_id == actor.tenant_id)
        & (SuggestionRun.store_id == store_id)
        & (SuggestionRun.first_day == first_day)
    )


async def _write_run(
    actor: Actor,
    store_id: uuid.UUID,
    service_level: Decimal,
    history_days: int,
    as_of: date,
    today: date,
    planned: list[PlannedLine],
) -> SuggestionRunOut:
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "store_id": store_id,
        "status": "completed",
        "service_level": service_level,
        "history_days": history_days,
        "as_of": as_of,
        "first_day": today,
        "line_count": len(planned),
        "order_line_count": sum(1 for line in planned if line.suggestion.quantity > 0),
        "edited_count": 0,
        "suggested_value": order_value(planned),
        "created_by": actor.id,
        "created_at": datetime.now(UTC),
        "converted_by": None,
        "converted_at": None,
        "version": 1,
    }
    await SuggestionRun.insert(SuggestionRun(**row))
    await db.execute(
        """
        INSERT INTO suggestion_lines (id, tenant_id, run_id, store_id, product_id, supplier_id,
            classification, first_day, daily, suggested_quantity, unit_cost, reasons)
        SELECT l.id, $1, $2, $3, l.product_id, l.supplier_id, l.classification, $4,
               l.daily::numeric(14, 3)[], l.quantity, l.unit_cost, l.reasons::jsonb
        FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::text[],
                    $10::numeric[], $11::bigint[], $12::text[])
            AS l(id, product_id, supplier_id, classification, daily, quantity, unit_cost, reasons)
        """,
        actor.tenant_id,
        row["id"],
        store_id,
        today,
        [new_id() for _ in planned],
        [line.product.id for line in planned],
        [line.supplier.id if line.supplier else None for line in planned],
        [str(line.suggestion.classification) for line in planned],
        ["{" + ",".join(map(str, line.suggestion.daily)) + "}" for line in planned],
        [line.suggestion.quantity for line in planned],
        [line.unit_cost for line in planned],
        [msgspec.json.encode(reasons(line)).decode() for line in planned],
    )
    return to_struct(row, SuggestionRunOut)


async def list_runs(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[SuggestionRunOut]:
    where: list[Any] = []
    if store_id is not None:
        where.append(SuggestionRun.store_id == store_id)
    if status is not None:
        where.append(SuggestionRun.status == status)
    return await list_page(
        SuggestionRun, actor.tenant_id, SuggestionRunOut, limit=limit, cursor=cursor, where=where
    )


async def lines_of_runs(
    actor: Actor, run_ids: Sequence[uuid.UUID], *, ordered_only: bool = False
) -> dict[uuid.UUID, list[SuggestionLineOut]]:
    """The lines of each run (``ordered_only``: those with something to order), in one query
    (a dataloader's batch)."""
    rows = await db.fetch(
        f"SELECT {LINE_COLUMNS} FROM suggestion_lines "  # noqa: S608
        "WHERE tenant_id = $1 AND run_id = ANY($2::uuid[]) "
        "AND (NOT $3 OR COALESCE(edited_quantity, suggested_quantity) > 0) ORDER BY id",
        actor.tenant_id,
        list(run_ids),
        ordered_only,
    )
    found: dict[uuid.UUID, list[SuggestionLineOut]] = {run_id: [] for run_id in run_ids}
    for row in rows:
        found[row["run_id"]].append(line_out(row))
    return found


async def get_run_summary(actor: Actor, run_id: uuid.UUID) -> SuggestionRunOut:
    row = await get_row(SuggestionRun, actor.tenant_id, run_id, "suggestion run")
    return to_struct(row, SuggestionRunOut)


async def get_run(
    actor: Actor, run_id: uuid.UUID, *, ordered_only: bool = False
) -> SuggestionRunDetail:
    """The run with its lines (``ordered_only``: those with something to order)."""
    run = await get_run_summary(actor, run_id)
    lines = (await lines_of_runs(actor, [run_id], ordered_only=ordered_only))[run_id]
    return SuggestionRunDetail(**msgspec.structs.asdict(run), lines=lines)


async def get_line(actor: Actor, line_id: uuid.UUID) -> SuggestionLineOut:
    row = await db.fetchrow(
        f"SELECT {LINE_COLUMNS} FROM suggestion_lines "  # noqa: S608
        "WHERE tenant_id = $1 AND id = $2",
        actor.tenant_id,
        line_id,
    )
    if row is None:
        raise NotFound("suggestion line", line_id)
    return line_out(row)


def _quantity_problem(quantity: Decimal, product: Any) -> str | None:
    errors = quantity_errors(quantity, "quantity", unit=product.unit, allow_zero=True)
    if errors:
        return str(errors[0]["message"])
    pack = product.case_pack
    if product.unit == "each" and pack > 1 and quantity % pack:
        lower = (quantity // pack) * pack
        choices = f"{lower} or {lower + pack}" if lower > 0 else f"0 or {pack}"
        return f"{product.sku} comes in cases of {pack}: order {choices}"
    return None


async def update_line(
    actor: Actor, line_id: uuid.UUID, data: SuggestionLineUpdate
) -> SuggestionLineOut:
    """Set the quantity to order instead of the suggestion (``None``: back to the suggestion).

    The suggestion stays as it was, so accuracy can compare both; the run's version moves
    on, so a conversion prepared on an older reading is refused (409).
    """
    before = await get_line(actor, line_id)
    await require_store(actor, before.store_id, field="store_id")
    run = await locked_run(actor, before.run_id)
    if run["status"] == "converted":
        raise Conflict("This run was turned into purchase orders already; change those instead.")
    if data.quantity is not None:
        product = (await products_by_ids(actor, [before.product_id]))[before.product_id]
        if problem := _quantity_problem(data.quantity, product):
            raise InvalidInput(f"quantity: {problem}", errors=[FieldError("quantity", problem)])
    edited = data.quantity is not None
    row = await db.fetchrow(
        f"UPDATE suggestion_lines SET edited_quantity = $4, edited_by = $5, edited_at = $6, "  # noqa: S608
        f"version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3 "
        f"RETURNING {LINE_COLUMNS}",
        actor.tenant_id,
        line_id,
        data.version,
        data.quantity,
        actor.id if edited else None,
        datetime.now(UTC) if edited else None,
    )
    if row is None:
        raise VersionConflict("suggestion line", before.version)
    await db.execute(
        """
        UPDATE suggestion_runs r
        SET order_line_count = c.ordered, edited_count = c.edited, version = r.version + 1
        FROM (
            SELECT count(*) FILTER (WHERE COALESCE(edited_quantity, suggested_quantity) > 0)
                       AS ordered,
                   count(*) FILTER (WHERE edited_quantity IS DISTINCT FROM suggested_quantity
                                      AND edited_quantity IS NOT NULL) AS edited
            FROM suggestion_lines WHERE tenant_id = $1 AND run_id = $2
        ) c
        WHERE r.tenant_id = $1 AND r.id = $2
        """,
        actor.tenant_id,
        before.run_id,
    )
    after = line_out(row)
    await change_recorded(actor, LINE, "updated", line_id, after, before=before, after=after)
    return after
