"""Which lot of a product a store sells next, and finding a lot by its code: what markdowns by
expiry read. First expiry, first out: the next lot to sell is the one with stock left that
expires first (then the one received first), the order sales take stock from lots in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from bodega.api.auth import Actor
from bodega.db import engine as db
from bodega.inventory.schemas import LotOut

__all__ = ["lot_by_code", "lots_for_sale"]

_COLUMNS = "id, store_id, product_id, code, expires_on, on_hand, received_at"


def _lot(row: Any) -> LotOut:
    return LotOut(**{f: row[f] for f in LotOut.__struct_fields__})


async def lots_for_sale(
    actor: Actor, *, store_id: uuid.UUID, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, LotOut]:
    """Each product's next lot to sell in ``store_id``: of its lots with stock left, the one
    that expires first. Products without such a lot are left out."""
    if not product_ids:
        return {}
    rows = await db.fetch(
        f"""
        SELECT DISTINCT ON (product_id) {_COLUMNS}
        FROM stock_lots
        WHERE tenant_id = $1 AND store_id = $2 AND product_id = ANY($3) AND on_hand > 0
        ORDER BY product_id, expires_on, received_at, id
        """,  # noqa: S608
        actor.tenant_id,
        store_id,
        list(set(product_ids)),
    )
    return {r["product_id"]: _lot(r) for r in rows}


async def lot_by_code(
    actor: Actor, *, store_id: uuid.UUID, product_id: uuid.UUID, lot_code: str
) -> LotOut | None:
    """The product's lot ``lot_code`` in ``store_id`` (with stock left or not), if any."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM stock_lots "  # noqa: S608
        "WHERE tenant_id = $1 AND store_id = $2 AND product_id = $3 AND code = $4",
        actor.tenant_id,
        store_id,
        product_id,
        lot_code,
    )
    return None if row is None else _lot(row)
