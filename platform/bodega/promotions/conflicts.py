"""Exclusive promotions that would compete for the same items.

Two active exclusive promotions with the same priority whose dates, stores, channels and items
overlap leave undefined which one a basket gets, so the second one is refused (409
``promotion-conflict``, naming the first). Different priorities are fine: the higher one wins.
Items overlap when the two share a product or a category, when a product of one is in a
category of the other, or when either applies to every product. Happy hours and member
conditions are not compared: give promotions that take turns different priorities.

The check runs under a per-chain lock, so two requests cannot each add one half of a conflict.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import Conflict
from bodega.catalog import products_by_ids
from bodega.db import engine as db
from bodega.promotions.validation import EVERY_PRODUCT_KINDS

__all__ = ["PromotionConflict", "check_exclusive_conflicts"]

_RULE = msgspec.json.Decoder(dict[str, Any])


class PromotionConflict(Conflict):
    slug = "promotion-conflict"
    title = "Two exclusive promotions would compete for the same items"

    def __init__(self, detail: str, other_id: uuid.UUID, other_name: str) -> None:
        super().__init__(detail, conflicts_with={"id": str(other_id), "name": other_name})


class _Items(msgspec.Struct, frozen=True):
    """What a promotion reduces: products, categories, or every product."""

    products: frozenset[uuid.UUID]
    categories: frozenset[uuid.UUID]
    every: bool


def _items(promotion: Mapping[str, Any]) -> _Items:
    rule = _RULE.decode(promotion["rule"])
    products = set(promotion["product_ids"])
    categories = set(promotion["category_ids"])
    products |= {uuid.UUID(i["product_id"]) for i in rule.get("items", [])}
    products |= {uuid.UUID(i) for i in rule.get("get_product_ids", [])}
    categories |= {uuid.UUID(i) for i in rule.get("get_category_ids", [])}
    every = promotion["kind"] in EVERY_PRODUCT_KINDS and not products and not categories
    return _Items(frozenset(products), frozenset(categories), every)


def _overlap(a: _Items, b: _Items, category_of: Mapping[uuid.UUID, uuid.UUID | None]) -> bool:
    if a.every or b.every or a.products & b.products or a.categories & b.categories:
        return True
    return any(category_of.get(p) in b.categories for p in a.products) or any(
        category_of.get(p) in a.categories for p in b.products
    )


async def _rivals(
    actor: Actor, candidate: Mapping[str, Any], exclude: uuid.UUID | None
) -> list[Any]:
    """Active exclusive promotions of the same priority whose dates, stores and channels
    overlap the candidate's."""
    return await db.fetch(
        """
        SELECT id, name, kind, rule::text AS rule, product_ids, category_ids
        FROM promotions
        WHERE tenant_id = $1 AND status = 'active' AND exclusive AND priority = $2
          AND ($3::uuid IS NULL OR id <> $3)
          AND (ends_at IS NULL OR ends_at > $4)
          AND ($5::timestamptz IS NULL OR starts_at < $5)
          AND (cardinality(store_ids) = 0 OR cardinality($6::uuid[]) = 0 OR store_ids && $6)
          AND (cardinality(channels) = 0 OR cardinality($7::text[]) = 0 OR channels && $7)
        ORDER BY id
        """,
        actor.tenant_id,
        candidate["priority"],
        exclude,
        candidate["starts_at"],
        candidate["ends_at"],
        list(candidate["store_ids"]),
        list(candidate["channels"]),
    )


def _when(start: datetime, end: datetime | None) -> str:
    return f"from {start:%Y-%m-%d %H:%M} UTC" + (f" to {end:%Y-%m-%d %H:%M} UTC" if end else "")


async def check_exclusive_conflicts(
    actor: Actor, candidate: Mapping[str, Any], *, status: str, exclude: uuid.UUID | None = None
) -> None:
    """409 ``promotion-conflict`` when ``candidate`` (a promotion's columns, the rule as
    stored JSON), active and exclusive, competes with another active exclusive promotion."""
    if status != "active" or not candidate["exclusive"]:
        return
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('promotions:' || $1::uuid::text, 0))",
        actor.tenant_id,
    )
    rivals = await _rivals(actor, candidate, exclude)
    if not rivals:
        return
    mine = _items(candidate)
    theirs = [(r, _items(r)) for r in rivals]
    products = mine.products.union(*(items.products for _, items in theirs))
    found = await products_by_ids(actor, list(products)) if products else {}
    category_of = {p: found[p].category_id for p in found}
    for rival, items in theirs:
        if _overlap(mine, items, category_of):
            raise PromotionConflict(
                f"The exclusive promotion '{rival['name']}' ({rival['id']}) has the same "
                f"priority ({candidate['priority']}) and overlaps this one's items, dates "
                f"({_when(candidate['starts_at'], candidate['ends_at'])}), stores and "
                "channels: which one applies would be undefined. Give one a different "
                "priority, or make their items, dates, stores or channels apart.",
                rival["id"],
                rival["name"],
            )
