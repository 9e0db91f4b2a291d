"""Losses (报损): stock written off at cost, and the loss report.

A loss is a document (the ``losses`` row: store, reason, note, value) whose lines are
``loss`` movements in the ledger with the loss as their source. The report reads the ledger,
not the documents, so it also counts the loss movements that others write: an order refund
of damaged goods, a transfer that arrived short.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, get_args
from zoneinfo import ZoneInfo

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput, NotFound, raise_if_errors
from bodega.api.pagination import Page, page_of
from bodega.audit import change_recorded
from bodega.catalog import get_store, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.inventory._checks import categories_of, line_errors, products_of
from bodega.inventory.schemas import (
    LossGroup,
    LossGroupBy,
    LossIn,
    LossOut,
    LossReport,
    MovementIn,
    MovementOut,
)
from bodega.inventory.service import _movement, _page, _when, post_movements
from bodega.tenancy import get_tenant

__all__ = ["get_loss", "list_losses", "loss_report", "record_loss", "save_loss"]

_HUNDRED = Decimal(100)
_FIRST_YEAR, _LAST_YEAR = 1900, 9998
_CENT = Decimal("0.01")


async def record_loss(actor: Actor, data: LossIn) -> LossOut:
    """Write off the lines at cost; a line naming a lot takes from that lot only."""
    await require_store(actor, data.store_id, field="store_id")
    products = await products_of(actor, [line.product_id for line in data.lines])
    errors = line_errors(data.lines, products)
    errors += await _lot_errors(actor, data, bad={e["field"] for e in errors})
    if data.reason == "other" and not data.note.strip():
        errors.append(FieldError("note", "say what happened"))
    raise_if_errors(errors)
    loss_id = new_id()
    movements = [
        MovementIn(
            store_id=data.store_id,
            product_id=line.product_id,
            kind="loss",
            quantity=-line.quantity,
            reason=data.reason,
            lot_id=line.lot_id,
            note=data.note,
        )
        for line in data.lines
    ]
    posted = await post_movements(actor, movements, source_type="loss", source_id=loss_id)
    return await save_loss(actor, loss_id, data.store_id, data.reason, data.note, posted)


async def _lot_errors(actor: Actor, data: LossIn, *, bad: set[str]) -> list[FieldError]:
    """A named lot must be of the line's product in the store and hold what is taken."""
    wanted = {line.lot_id for line in data.lines if line.lot_id is not None}
    if not wanted:
        return []
    rows = await db.fetch(
        "SELECT id, product_id, code, on_hand FROM stock_lots "
        "WHERE tenant_id = $1 AND store_id = $2 AND id = ANY($3::uuid[])",
        actor.tenant_id,
        data.store_id,
        list(wanted),
    )
    lots = {r["id"]: r for r in rows}
    taken: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    errors: list[FieldError] = []
    for i, line in enumerate(data.lines):
        if line.lot_id is None or {f"lines[{i}].product_id", f"lines[{i}].quantity"} & bad:
            continue
        lot = lots.get(line.lot_id)
        if lot is None or lot["product_id"] != line.product_id:
            errors.append(FieldError(f"lines[{i}].lot_id", "no such lot of the product here"))
            continue
        taken[line.lot_id] += line.quantity
        if taken[line.lot_id] > lot["on_hand"]:
            errors.append(
                FieldError(f"lines[{i}].quantity", f"lot {lot['code']} holds only {lot['on_hand']}")
            )
    return errors


async def save_loss(
    actor: Actor,
    loss_id: uuid.UUID,
    store_id: uuid.UUID,
    reason: str,
    note: str,
    movements: Sequence[MovementOut],
    *,
    transfer_id: uuid.UUID | None = None,
) -> LossOut:
    """Record the loss whose movements were just posted; audit it and emit ``loss.recorded``."""
    loss = LossOut(
        id=loss_id,
        store_id=store_id,
        reason=reason,
        note=note,
        value=-sum(m.value for m in movements),
        transfer_id=transfer_id,
        recorded_by=actor.id,
        occurred_at=movements[0].occurred_at,
        movements=list(movements),
    )
    await db.execute(
        "INSERT INTO losses (id, tenant_id, store_id, reason, note, value, transfer_id, "
        "recorded_by, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        loss.id,
        actor.tenant_id,
        store_id,
        reason,
        note,
        loss.value,
        transfer_id,
        actor.id,
        loss.occurred_at,
    )
    await change_recorded(actor, "loss", "recorded", loss.id, loss, after=loss)
    return loss


async def _losses_out(actor: Actor, rows: Sequence[Any]) -> list[LossOut]:
    moves = await db.fetch(
        "SELECT * FROM stock_movements WHERE tenant_id = $1 AND source_type = 'loss' "
        "AND source_id = ANY($2::uuid[]) ORDER BY id",
        actor.tenant_id,
        [r["id"] for r in rows],
    )
    by_loss: dict[uuid.UUID, list[MovementOut]] = defaultdict(list)
    for m in moves:
        by_loss[m["source_id"]].append(_movement(m))
    return [
        LossOut(
            **{f: r[f] for f in LossOut.__struct_fields__ if f != "movements"},
            movements=by_loss[r["id"]],
        )
        for r in rows
    ]


async def get_loss(actor: Actor, loss_id: uuid.UUID) -> LossOut:
    rows = await db.fetch(
        "SELECT * FROM losses WHERE tenant_id = $1 AND id = $2", actor.tenant_id, loss_id
    )
    if not rows:
        raise NotFound("loss", loss_id)
    return (await _losses_out(actor, rows))[0]


async def list_losses(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    reason: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[LossOut]:
    conditions = (
        _when(store_id, "store_id = {}")
        + _when(reason, "reason = {}")
        + _when(since, "occurred_at >= {}")
        + _when(until, "occurred_at < {}")
    )
    rows = await _page(actor, "losses", conditions, limit=limit, cursor=cursor)
    return page_of(await _losses_out(actor, rows), limit)


# The report --------------------------------------------------------------------------------


def _moment(value: str, field: str, zone: ZoneInfo, *, end: bool) -> datetime:
    """A date is a whole day of the chain's calendar (``until`` includes it); a date-time
    without an offset is read in the chain's time zone."""
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time.min, zone)
            moment += timedelta(days=1 if end else 0)
        else:
            moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
        raise InvalidInput(
            f"{field} is not a date or a date-time from {_FIRST_YEAR} to {_LAST_YEAR}.",
            errors=[FieldError(field, "a date (2026-11-01) or a date-time (ISO 8601)")],
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


async def loss_report(
    actor: Actor,
    *,
    since: str,
    until: str,
    group_by: str = "reason",
    store_id: uuid.UUID | None = None,
) -> LossReport:
    """Quantity and value at cost of every loss movement from ``since`` to ``until``, by
    store, category (the product's own), reason or product, with each group's share."""
    if group_by not in get_args(LossGroupBy):
        raise_if_errors([FieldError("group_by", f"one of {', '.join(get_args(LossGroupBy))}")])
    zone = ZoneInfo((await get_tenant(actor)).timezone)
    start = _moment(since, "since", zone, end=False)
    end = _moment(until, "until", zone, end=True)
    if end <= start:
        raise_if_errors([FieldError("until", "must come after since")])
    rows = await db.fetch(
        """
        SELECT store_id, product_id, reason,
               -sum(quantity) AS quantity, -sum(value)::bigint AS value
        FROM stock_movements
        WHERE tenant_id = $1 AND kind = 'loss' AND occurred_at >= $2 AND occurred_at < $3
          AND ($4::uuid IS NULL OR store_id = $4)
        GROUP BY 1, 2, 3
        """,
        actor.tenant_id,
        start,
        end,
        store_id,
    )
    keys, labels = await _grouping(actor, rows, group_by)
    sums: dict[str | None, list[Any]] = {}
    for r, key in zip(rows, keys, strict=True):
        found = sums.setdefault(key, [Decimal(0), 0])
        found[0] += r["quantity"]
        found[1] += r["value"]
    quantity = sum((q for q, _ in sums.values()), Decimal(0))
    value = sum(v for _, v in sums.values())
    groups = [
        LossGroup(
            key=key,
            label=labels.get(key, ""),
            quantity=q,
            value=v,
            share=_share(v, value) if value else _share(q, quantity),
        )
        for key, (q, v) in sums.items()
    ]
    groups.sort(key=lambda g: (-g.value, -g.quantity, g.label))
    return LossReport(
        since=start,
        until=end,
        group_by=group_by,
        store_id=store_id,
        quantity=quantity,
        value=value,
        groups=groups,
    )


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * _HUNDRED / Decimal(whole)).quantize(_CENT, ROUND_HALF_UP)


async def _grouping(
    actor: Actor, rows: Sequence[Any], group_by: str
) -> tuple[list[str | None], dict[str | None, str]]:
    """Each row's group key, and each key's label."""
    if group_by == "reason":
        keys = [r["reason"] for r in rows]
        return keys, {k: k or "no reason" for k in keys}
    if group_by == "store":
        ids = sorted({r["store_id"] for r in rows})
        labels: dict[str | None, str] = {}
        for ident in ids:
            store = await get_store(actor, ident)
            labels[str(ident)] = f"{store.code} {store.name}"
        return [str(r["store_id"]) for r in rows], labels
    products = await products_of(actor, list({r["product_id"] for r in rows}))
    if group_by == "product":
        labels = {str(p.id): f"{p.name} ({p.sku})" for p in products.values()}
        return [str(r["product_id"]) for r in rows], labels
    category_of = {p.id: p.category_id for p in products.values()}
    categories = await categories_of(
        actor, list({c for c in category_of.values() if c is not None})
    )
    labels = {str(c.id): c.name for c in categories.values()}
    labels[None] = "No category"
    keys = [
        None if category_of.get(r["product_id"]) is None else str(category_of[r["product_id"]])
        for r in rows
    ]
    return keys, labels
