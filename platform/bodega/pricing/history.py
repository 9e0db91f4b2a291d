"""Price history, and "was" prices that respect the EU Omnibus rule.

A price reduction shown to customers ("was 12.00, now 9.00") must name as "was" the lowest
price of the prior 30 days. :func:`prior_lowest_prices` works it out from what is recorded:

- the store's regular prices (``price_history``: every price change that moved it) and the
  catalog's list prices (``list_price_history``), each from the one in force at the window's
  start through the window;
- the prices of the ``everyone`` price lists for the store (scoped to it or to every store)
  and the till (channel ``pos``, or every channel) whose validity overlapped the window; an
  archived list counts until it was archived.

Conservative by design: every price the store may have charged counts, so the answer is
never higher than the true lowest. An item's price is known only as it stands: a list price
item raised within the window counts at its new price.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from bodega.api.auth import Actor
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.db import engine as db
from bodega.pricing.schemas import PriceHistoryOut

__all__ = ["list_price_history_of_store", "prior_lowest_prices"]

_LOWEST = """
WITH wanted AS (
    SELECT id, list_price FROM products WHERE tenant_id = $1 AND id = ANY($3::uuid[])
), candidates AS (
    SELECT * FROM (
        SELECT DISTINCT ON (product_id) product_id, price FROM price_history
         WHERE tenant_id = $1 AND store_id = $2 AND product_id = ANY($3::uuid[])
           AND effective_from <= $4
         ORDER BY product_id, effective_from DESC, id DESC
    ) AS store_at_start
    UNION ALL
    SELECT product_id, price FROM price_history
     WHERE tenant_id = $1 AND store_id = $2 AND product_id = ANY($3::uuid[])
       AND effective_from > $4 AND effective_from <= $5
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (product_id) product_id, price FROM list_price_history
         WHERE tenant_id = $1 AND product_id = ANY($3::uuid[]) AND effective_from <= $4
         ORDER BY product_id, effective_from DESC, id DESC
    ) AS list_at_start
    UNION ALL
    SELECT product_id, price FROM list_price_history
     WHERE tenant_id = $1 AND product_id = ANY($3::uuid[])
       AND effective_from > $4 AND effective_from <= $5
    UNION ALL
    SELECT i.product_id, i.price FROM price_list_items i
      JOIN price_lists l ON l.tenant_id = i.tenant_id AND l.id = i.price_list_id
     WHERE i.tenant_id = $1 AND i.product_id = ANY($3::uuid[])
       AND l.audience = 'everyone'
       AND (cardinality(l.store_ids) = 0 OR $2 = ANY(l.store_ids))
       AND (cardinality(l.channels) = 0 OR 'pos' = ANY(l.channels))
       AND (l.valid_from IS NULL OR l.valid_from <= $5)
       AND (l.valid_until IS NULL OR l.valid_until > $4)
       AND (l.status = 'active' OR l.updated_at > $4)
)
SELECT w.id, coalesce(min(c.price), w.list_price) AS lowest
  FROM wanted w LEFT JOIN candidates c ON c.product_id = w.id
 GROUP BY w.id, w.list_price
"""


async def prior_lowest_prices(
    actor: Actor,
    *,
    store_id: uuid.UUID,
    product_ids: Sequence[uuid.UUID],
    at: datetime,
    days: int = 30,
) -> dict[uuid.UUID, int]:
    """The lowest price each product had at ``store_id`` in ``[at - days, at]`` (see the
    module's docstring). Products that are not the chain's are absent."""
    if not product_ids:
        return {}
    rows = await db.fetch(
        _LOWEST,
        actor.tenant_id,
        store_id,
        list(product_ids),
        at - timedelta(days=days),
        at,
    )
    return {r["id"]: r["lowest"] for r in rows}


async def list_price_history_of_store(
    actor: Actor,
    *,
    store_id: uuid.UUID,
    product_id: uuid.UUID | None = None,
    limit: int,
    cursor: str | None,
) -> Page[PriceHistoryOut]:
    """A store's regular price changes (of one product, or all), newest first."""
    rows = await db.fetch(
        """
        SELECT id, store_id, product_id, price, effective_from, source, source_id
          FROM price_history h
         WHERE tenant_id = $1 AND store_id = $2 AND ($3::uuid IS NULL OR product_id = $3)
           AND ($4::uuid IS NULL OR (effective_from, id) < (
                SELECT c.effective_from, c.id FROM price_history c
                 WHERE c.tenant_id = $1 AND c.id = $4))
         ORDER BY effective_from DESC, id DESC LIMIT $5
        """,
        actor.tenant_id,
        store_id,
        product_id,
        decode_cursor(cursor),
        limit + 1,
    )
    return page_of([PriceHistoryOut(**dict(r)) for r in rows], limit)
