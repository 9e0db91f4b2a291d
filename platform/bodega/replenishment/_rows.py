"""Reading and locking runs and lines, shared by the service's modules."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import NotFound
from bodega.db import engine as db
from bodega.db.repository import to_struct
from bodega.replenishment.schemas import SuggestionLineOut

__all__ = ["LINE_COLUMNS", "line_out", "locked_run"]

LINE_COLUMNS = (
    "id, run_id, store_id, product_id, supplier_id, classification, first_day, daily, "
    "suggested_quantity, edited_quantity, edited_by, edited_at, unit_cost, reasons, "
    "purchase_order_id, version"
)


def line_out(row: Any) -> SuggestionLineOut:
    data = dict(row)
    if isinstance(data["reasons"], str):
        data["reasons"] = msgspec.json.decode(data["reasons"])
    edited = data["edited_quantity"]
    data["quantity"] = edited if edited is not None else data["suggested_quantity"]
    return to_struct(data, SuggestionLineOut)


async def locked_run(actor: Actor, run_id: uuid.UUID) -> dict[str, Any]:
    """The run, locked until the transaction ends: edits and the conversion queue on it."""
    row = await db.fetchrow(
        "SELECT * FROM suggestion_runs WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        actor.tenant_id,
        run_id,
    )
    if row is None:
        raise NotFound("suggestion run", run_id)
    return dict(row)
