"""Checks that promotions and markdown rules share: percentages, and ids that must name the
caller's own products, categories and stores (another chain's id reads as unknown, exactly
like an id that never existed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from bodega.api.auth import Actor
from bodega.api.errors import FieldError
from bodega.catalog import ProductOut, categories_by_ids, missing_store_ids, products_by_ids

__all__ = ["Refs", "distinct", "indexed", "percent_problem", "reference_errors", "two_places"]

_CENT = Decimal("0.01")
Refs = Sequence[tuple[str, uuid.UUID]]
"""(field, id) pairs: ``("product_ids[2]", id)``."""


def two_places(value: Decimal) -> Decimal:
    return value.quantize(_CENT)


def percent_problem(value: Decimal, *, zero: bool, hundred: bool) -> str | None:
    """What is wrong with ``value`` as a percentage between 0 and 100, each end allowed or
    not (``zero``, ``hundred``), with at most 2 decimals; None when it is fine."""
    if not value.is_finite():
        return "not a number"
    if value < 0 or (value == 0 and not zero) or value > 100 or (value == 100 and not hundred):
        lower = "at least 0" if zero else "more than 0"
        upper = "at most 100" if hundred else "less than 100"
        return f"{lower} and {upper}"
    if value != value.quantize(_CENT):
        return "at most 2 decimals"
    return None


def distinct(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """``ids`` without repeats, in the order given."""
    return list(dict.fromkeys(ids))


async def reference_errors(
    actor: Actor, *, products: Refs = (), categories: Refs = (), stores: Refs = ()
) -> tuple[list[FieldError], dict[uuid.UUID, ProductOut]]:
    """A FieldError for each id that is not one of the caller's chain's (one query per kind),
    and the products found."""
    errors: list[FieldError] = []
    found = await products_by_ids(actor, distinct(i for _, i in products)) if products else {}
    errors += [FieldError(f, "unknown product") for f, i in products if i not in found]
    if categories:
        known = await categories_by_ids(actor, distinct(i for _, i in categories))
        errors += [FieldError(f, "unknown category") for f, i in categories if i not in known]
    if stores:
        missing = set(await missing_store_ids(actor, distinct(i for _, i in stores)))
        errors += [FieldError(f, "unknown store") for f, i in stores if i in missing]
    return errors, found


def indexed(field: str, ids: Sequence[uuid.UUID]) -> list[tuple[str, uuid.UUID]]:
    """``[("product_ids[0]", id0), ...]``."""
    return [(f"{field}[{n}]", i) for n, i in enumerate(ids)]
