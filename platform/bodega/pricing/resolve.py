"""What a store charges for products before markdowns and promotions: the regular price.

Among the active price lists in force at the moment that match the store (scoped to it or to
every store), the channel (listing it or every channel) and the audience (``members`` lists
only for a member; ``tier`` lists only for a member of a tier naming them) and that price the
product, the most specific wins:

    specificity = tier list (8) or members list (4) + scoped to stores (2)
                  + scoped to channels (1)

ties go to the higher ``priority``, then the later ``valid_from`` (an open start is the
earliest), then the lower (older) id. Without a list price: the store's own price (set by a
scheduled price change for some stores), else the catalog's list price.

One SQL statement for the whole basket.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bodega.api.auth import Actor
from bodega.db import engine as db

__all__ = ["RegularPrice", "regular_prices"]


@dataclass(frozen=True)
class RegularPrice:
    product_id: uuid.UUID
    price: int
    """What the store charges before markdowns and promotions (minor units, per unit or kg)."""
    list_price: int
    """The catalog's list price."""
    source: str
    """``price_list``, ``store_price`` or ``list_price``."""
    source_id: uuid.UUID | None
    """The price list, or the price change that set the store price."""
    source_name: str | None
    """The price list's name."""


_REGULAR = """
WITH wanted AS (
    SELECT id, list_price FROM products WHERE tenant_id = $1 AND id = ANY($2::uuid[])
), listed AS (
    SELECT DISTINCT ON (i.product_id) i.product_id, i.price, l.id, l.name
      FROM price_list_items i
      JOIN price_lists l ON l.tenant_id = i.tenant_id AND l.id = i.price_list_id
     WHERE i.tenant_id = $1 AND i.product_id = ANY($2::uuid[])
       AND l.status = 'active'
       AND (l.valid_from IS NULL OR l.valid_from <= $5)
       AND (l.valid_until IS NULL OR l.valid_until > $5)
       AND (cardinality(l.store_ids) = 0 OR $3 = ANY(l.store_ids))
       AND (cardinality(l.channels) = 0 OR $4 = ANY(l.channels))
       AND (l.audience = 'everyone' OR (l.audience = 'members' AND $6)
            OR (l.audience = 'tier' AND l.id = ANY($7::uuid[])))
     ORDER BY i.product_id,
              (CASE l.audience WHEN 'tier' THEN 8 WHEN 'members' THEN 4 ELSE 0 END
               + CASE WHEN cardinality(l.store_ids) > 0 THEN 2 ELSE 0 END
               + CASE WHEN cardinality(l.channels) > 0 THEN 1 ELSE 0 END) DESC,
              l.priority DESC, l.valid_from DESC NULLS LAST, l.id
)
SELECT p.id, p.list_price, b.price AS listed_price, b.id AS price_list_id, b.name,
       s.price AS store_price, s.price_change_id
  FROM wanted p
  LEFT JOIN listed b ON b.product_id = p.id
  LEFT JOIN store_prices s ON s.tenant_id = $1 AND s.store_id = $3 AND s.product_id = p.id
"""


async def regular_prices(
    actor: Actor,
    *,
    store_id: uuid.UUID,
    channel: str,
    member: bool,
    at: datetime,
    product_ids: Sequence[uuid.UUID],
    tier_lists: Sequence[uuid.UUID] = (),
) -> dict[uuid.UUID, RegularPrice]:
    """Each product's regular price at ``store_id`` on ``channel`` at ``at`` (price lists in
    force then; store prices and list prices as they are now). ``member``: the customer is a
    member, so members' lists apply; ``tier_lists``: the ``tier`` lists of their tier.
    Products that are not the chain's are absent."""
    if not product_ids:
        return {}
    rows = await db.fetch(
        _REGULAR,
        actor.tenant_id,
        list(product_ids),
        store_id,
        channel,
        at,
        member,
        list(tier_lists),
    )
    found = {}
    for r in rows:
        if r["listed_price"] is not None:
            price, source, source_id = r["listed_price"], "price_list", r["price_list_id"]
        elif r["store_price"] is not None:
            price, source, source_id = r["store_price"], "store_price", r["price_change_id"]
        else:
            price, source, source_id = r["list_price"], "list_price", None
        found[r["id"]] = RegularPrice(
            product_id=r["id"],
            price=price,
            list_price=r["list_price"],
            source=source,
            source_id=source_id,
            source_name=r["name"] if source == "price_list" else None,
        )
    return found
