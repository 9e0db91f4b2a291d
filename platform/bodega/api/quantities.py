"""Quantities in API bodies: Decimals, never floats.

Counted goods (``each``) take whole numbers; weighed goods (``kg``) up to three decimals.
A quantity may be sent as a JSON number (``2``, ``0.455``) or a string (``"0.455"``): msgspec
decodes both exactly, without passing through a float. msgspec cannot bound a Decimal, so
the bounds are checked here, and each problem names its field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from msgspec import Meta

from bodega.api.errors import FieldError

__all__ = ["MAX_QUANTITY", "Quantity", "quantity_errors"]

MAX_QUANTITY = Decimal("1000000")
"""More than anyone sells, orders or counts of one product at once; beyond it is a typo."""

Quantity = Annotated[
    Decimal,
    Meta(
        description=(
            'A decimal quantity, as a number or a string ("2", "0.455"): whole numbers for '
            "products sold by the piece, up to 3 decimals (kg) for weighed goods."
        ),
        examples=["2", "0.455"],
    ),
]


def quantity_errors(
    value: Decimal,
    field: str,
    *,
    unit: str = "kg",
    allow_zero: bool = False,
    allow_negative: bool = False,
) -> list[FieldError]:
    """What is wrong with ``value`` as a quantity of a product sold by ``unit``."""
    if not value.is_finite():
        return [FieldError(field, "not a number")]
    if abs(value) > MAX_QUANTITY:
        return [FieldError(field, f"at most {MAX_QUANTITY} in absolute value")]
    if value != value.quantize(Decimal("0.001")):
        return [FieldError(field, "at most 3 decimals")]
    if unit == "each" and value != value.to_integral_value():
        return [FieldError(field, "a whole number: this product is sold by the piece")]
    if value < 0 and not allow_negative:
        return [FieldError(field, "must not be negative")]
    if value == 0 and not allow_zero:
        return [FieldError(field, "must not be zero")]
    return []
