"""Checks shared by the inventory documents (losses, stocktakes, transfers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError
from bodega.api.quantities import quantity_errors
from bodega.catalog import ProductOut, categories_by_ids, products_by_ids

__all__ = ["WrongState", "categories_of", "line_errors", "products_of"]


class WrongState(Conflict):
    """The document's state does not allow the change (a posted stocktake, a received
    transfer): 409 naming the state, nothing written."""

    def __init__(self, what: str, status: str, change: str) -> None:
        super().__init__(f"This {what} is {status.replace('_', ' ')}: it cannot be {change}.")


def line_errors(
    lines: Sequence[Any],
    products: dict[uuid.UUID, ProductOut],
    *,
    field: str = "lines",
    allow_zero: bool = False,
    unique: bool = False,
) -> list[FieldError]:
    """Unknown products and bad quantities of ``lines`` (each has ``product_id`` and
    ``quantity``); with ``unique``, a product named twice."""
    errors: list[FieldError] = []
    seen: set[uuid.UUID] = set()
    for i, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None:
            errors.append(FieldError(f"{field}[{i}].product_id", "unknown product"))
            continue
        if unique and line.product_id in seen:
            errors.append(FieldError(f"{field}[{i}].product_id", "named twice"))
        seen.add(line.product_id)
        errors += quantity_errors(
            line.quantity, f"{field}[{i}].quantity", unit=product.unit, allow_zero=allow_zero
        )
    return errors


async def products_of(actor: Actor, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ProductOut]:
    """The chain's products among ``ids`` (none asked, none found: the catalog's look-up
    refuses an empty list)."""
    wanted = list(dict.fromkeys(ids))
    return await products_by_ids(actor, wanted) if wanted else {}


async def categories_of(actor: Actor, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    wanted = list(dict.fromkeys(ids))
    return await categories_by_ids(actor, wanted) if wanted else {}
