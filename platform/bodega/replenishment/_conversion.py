"""Turning a suggested order into draft purchase orders, one per supplier."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, VersionConflict
from bodega.audit import change_recorded
from bodega.catalog import require_store
from bodega.db import engine as db
from bodega.db.repository import to_struct
from bodega.purchasing import PurchaseOrderIn, PurchaseOrderLineIn, create_purchase_order
from bodega.replenishment._rows import locked_run
from bodega.replenishment.schemas import ConversionOut, ConvertIn, DraftedOrder, SuggestionRunOut

__all__ = ["convert_run"]

RUN = "suggestion_run"
MAX_ORDER_LINES = 500
"""Lines per purchase order (purchasing's limit); a supplier with more gets several."""


async def convert_run(actor: Actor, run_id: uuid.UUID, data: ConvertIn) -> ConversionOut:
    """Draft one purchase order per supplier (more past 500 lines) from the lines with
    something to order, edited quantities first; emits ``suggestion_run.converted``."""
    run = await locked_run(actor, run_id)
    await require_store(actor, run["store_id"], field="store_id")
    if run["status"] == "converted":
        raise Conflict("This run was turned into purchase orders already.")
    if run["version"] != data.version:
        raise VersionConflict("suggestion run", run["version"])
    rows = await db.fetch(
        "SELECT id, product_id, supplier_id, COALESCE(edited_quantity, suggested_quantity) AS q "
        "FROM suggestion_lines WHERE tenant_id = $1 AND run_id = $2 "
        "AND COALESCE(edited_quantity, suggested_quantity) > 0 ORDER BY id",
        actor.tenant_id,
        run_id,
    )
    by_supplier: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for r in rows:
        if r["supplier_id"] is not None:
            by_supplier[r["supplier_id"]].append(r)
    drafted: list[DraftedOrder] = []
    for supplier_id in sorted(by_supplier):
        lines = by_supplier[supplier_id]
        for first in range(0, len(lines), MAX_ORDER_LINES):
            drafted.append(
                await _draft(actor, run, supplier_id, lines[first : first + MAX_ORDER_LINES])
            )
    before = to_struct(run, SuggestionRunOut)
    updated = await db.fetchrow(
        "UPDATE suggestion_runs SET status = 'converted', converted_by = $3, converted_at = $4, "
        "version = version + 1 WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        run_id,
        actor.id,
        datetime.now(UTC),
    )
    assert updated is not None  # locked above
    after = to_struct(dict(updated), SuggestionRunOut)
    await change_recorded(
        actor, "suggestion_run", "converted", run_id, after, before=before, after=after
    )
    without = sum(1 for r in rows if r["supplier_id"] is None)
    return ConversionOut(run=after, purchase_orders=drafted, lines_without_supplier=without)


async def _draft(
    actor: Actor, run: dict[str, Any], supplier_id: uuid.UUID, lines: list[Any]
) -> DraftedOrder:
    order = await create_purchase_order(
        actor,
        PurchaseOrderIn(
            supplier_id=supplier_id,
            store_id=run["store_id"],
            note=f"From the suggested store order of {run['first_day']}.",
            lines=[PurchaseOrderLineIn(product_id=r["product_id"], quantity=r["q"]) for r in lines],
            source="suggestion",
            suggestion_run_id=run["id"],
        ),
    )
    await db.execute(
        "UPDATE suggestion_lines SET purchase_order_id = $3 WHERE tenant_id = $1 AND id = ANY($2)",
        actor.tenant_id,
        [r["id"] for r in lines],
        order.id,
    )
    return DraftedOrder(
        id=order.id,
        number=order.number,
        supplier_id=supplier_id,
        line_count=len(lines),
        total=order.total,
    )
