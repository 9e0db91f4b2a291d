"""Checks shared by price lists and price changes: the stores and products a body names,
and validity windows. Another chain's store or product is unknown, exactly like a missing one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from bodega.api.auth import Actor
from bodega.api.errors import FieldError
from bodega.catalog import ProductOut, missing_store_ids, products_by_ids

__all__ = [
    "as_utc",
    "distinct",
    "moment_errors",
    "product_errors",
    "store_errors",
    "window_errors",
]

T = TypeVar("T", uuid.UUID, str)


def distinct(values: Iterable[T]) -> list[T]:
    """Without repeats, sorted: how store and channel lists are stored."""
    return sorted(set(values))


def as_utc(moment: datetime) -> datetime:
    """A moment from a query string: without an offset it is taken as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def store_errors(
    actor: Actor, store_ids: Sequence[uuid.UUID], field: str
) -> list[FieldError]:
    """One error per store id (``store_ids[2]``) that is not a store of the chain."""
    missing = set(await missing_store_ids(actor, list(store_ids)))
    return [
        FieldError(f"{field}[{i}]", "unknown store")
        for i, store_id in enumerate(store_ids)
        if store_id in missing
    ]


async def product_errors(
    actor: Actor, product_ids: Sequence[uuid.UUID], fields: Sequence[str]
) -> tuple[dict[uuid.UUID, ProductOut], list[FieldError]]:
    """The chain's products among ``product_ids``, and an error naming the field of each other
    one (``fields[i]`` names ``product_ids[i]``, e.g. ``items[3].product_id``) and of each
    repeat."""
    products = await products_by_ids(actor, list(dict.fromkeys(product_ids)))
    errors: list[FieldError] = []
    first: dict[uuid.UUID, int] = {}
    for i, (product_id, field) in enumerate(zip(product_ids, fields, strict=True)):
        if product_id not in products:
            errors.append(FieldError(field, "unknown product"))
        elif product_id in first:
            errors.append(FieldError(field, f"listed twice (also at index {first[product_id]})"))
        else:
            first[product_id] = i
    return products, errors


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def moment_errors(field: str, moment: datetime | None) -> list[FieldError]:
    """A moment outside 1970-9999 (which the database could not store once in UTC)."""
    if moment is not None and not EARLIEST <= as_utc(moment) <= LATEST:
        return [FieldError(field, "between 1970 and 9999")]
    return []


def window_errors(valid_from: datetime | None, valid_until: datetime | None) -> list[FieldError]:
    errors = moment_errors("valid_from", valid_from) + moment_errors("valid_until", valid_until)
    if errors:
        return errors
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        return [FieldError("valid_until", "must be after valid_from")]
    return []
