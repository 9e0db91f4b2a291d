"""Products' list prices over time.

Every time a product's list price is set (created, changed through the API, a CSV import or a
manifest, or a scheduled price change for every store), a row goes into
``list_price_history`` in the same transaction. The app may only append to it: pricing proves
"was" prices (the lowest price of the prior 30 days) from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from bodega.api.auth import Actor
from bodega.audit import update_recorded
from bodega.catalog.schemas import ProductOut
from bodega.catalog.tables import Product
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import get_row, to_struct

__all__ = ["list_price_history", "record_list_price", "set_list_price"]


async def record_list_price(
    actor: Actor, product_id: uuid.UUID, price: int, effective_from: datetime | None = None
) -> None:
    """Append the product's new list price (in force from ``effective_from``, default now)."""
    await db.execute(
        "INSERT INTO list_price_history (id, tenant_id, product_id, price, effective_from)"
        " VALUES ($1, $2, $3, $4, $5)",
        new_id(),
        actor.tenant_id,
        product_id,
        price,
        effective_from or datetime.now(UTC),
    )


async def set_list_price(
    actor: Actor, product_id: uuid.UUID, price: int, *, effective_from: datetime | None = None
) -> ProductOut:
    """Change a product's list price the normal way (version bump, audit entry,
    ``product.updated``) and record it in the history; the same price changes nothing.
    ``effective_from`` (default now) dates the history row: a scheduled change passes its
    ``effective_at``."""
    current = await get_row(Product, actor.tenant_id, product_id, "product")
    if current["list_price"] == price:
        return to_struct(current, ProductOut)
    updated = await update_recorded(
        actor,
        Product,
        product_id,
        current["version"],
        {"list_price": price},
        "product",
        ProductOut,
    )
    await record_list_price(actor, product_id, price, effective_from)
    return updated


async def list_price_history(
    actor: Actor, product_ids: Sequence[uuid.UUID], *, since: datetime
) -> dict[uuid.UUID, list[tuple[datetime, int]]]:
    """Each product's list prices from ``since`` as ``(effective_from, price)``, oldest first,
    starting with the one in force at ``since`` (dated when it took effect, so possibly
    before ``since``). Products of other chains, unknown ones, and ones created after the
    last row are simply absent or start later."""
    if not product_ids:
        return {}
    rows = await db.fetch(
        """
        SELECT product_id, effective_from, price, id FROM (
            SELECT DISTINCT ON (product_id) product_id, effective_from, price, id
              FROM list_price_history
             WHERE tenant_id = $1 AND product_id = ANY($2::uuid[]) AND effective_from <= $3
             ORDER BY product_id, effective_from DESC, id DESC
        ) AS at_start
        UNION ALL
        SELECT product_id, effective_from, price, id FROM list_price_history
         WHERE tenant_id = $1 AND product_id = ANY($2::uuid[]) AND effective_from > $3
        ORDER BY product_id, effective_from, id
        """,
        actor.tenant_id,
        list(product_ids),
        since,
    )
    found: dict[uuid.UUID, list[tuple[datetime, int]]] = {}
    for r in rows:
        found.setdefault(r["product_id"], []).append((r["effective_from"], r["price"]))
    return found
