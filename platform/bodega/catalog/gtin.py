"""GS1 identifiers: the mod-10 check digit of GTIN-8/12/13/14 (EAN-13, UPC-A, ...)."""

from __future__ import annotations

__all__ = ["gtin_problem"]

GTIN_LENGTHS = (8, 12, 13, 14)


def _check_digit(body: str) -> int:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(gtin: str) -> str | None:
    """Why ``gtin`` is not a valid GTIN, or ``None`` when it is."""
    if not gtin.isdigit() or not gtin.isascii():
        return "a GTIN has digits only"
    if len(gtin) not in GTIN_LENGTHS:
        return "a GTIN has 8, 12, 13 or 14 digits"
    expected = _check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        return f"check digit should be {expected}"
    return None
