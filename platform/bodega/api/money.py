"""Money in integer minor units: rounding, the tax contained in tax-inclusive amounts, and
amounts written for people.

Prices are tax-inclusive (shelf prices in China and Europe), so tax is *contained* in the
amounts: for each rate, ``tax = round_half_up(gross * rate / (100 + rate))`` over the sum of
the lines at that rate (one rounding per rate, not per line, as EN 16931 and the Chinese
e-invoice totals do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated

import msgspec
from babel.numbers import get_currency_precision
from msgspec import Meta

__all__ = [
    "Money",
    "PositiveMoney",
    "TaxLine",
    "TaxLineOut",
    "format_amount",
    "round_half_up",
    "tax_by_rate",
]

# Integer minimums are written gt=-1: Litestar drops a minimum of 0 from OpenAPI.
Money = Annotated[
    int,
    Meta(gt=-1, le=10**12, description="Integer minor units (cents, fen) of the chain's currency."),
]
PositiveMoney = Annotated[
    int, Meta(ge=1, le=10**12, description="Integer minor units, more than zero.")
]

_HUNDRED = Decimal(100)


def round_half_up(value: Decimal) -> int:
    """To the nearest minor unit, halves away from zero (0.5 → 1)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    gross: int
    tax: int

    @property
    def net(self) -> int:
        return self.gross - self.tax


def tax_by_rate(lines: Sequence[tuple[Decimal, int]]) -> list[TaxLine]:
    """Tax contained in ``(rate, tax-inclusive amount)`` lines, one entry per rate (ascending),
    rounded once per rate."""
    groups: dict[Decimal, int] = {}
    for rate, amount in lines:
        groups[rate] = groups.get(rate, 0) + amount
    return [
        TaxLine(rate, gross, round_half_up(gross * rate / (_HUNDRED + rate)))
        for rate, gross in sorted(groups.items())
    ]


class TaxLineOut(msgspec.Struct, kw_only=True):
    """The tax contained in the lines at one rate (prices are tax-inclusive)."""

    rate: Decimal
    gross: Money
    """The lines' total at this rate, tax included."""
    tax: Money
    """round_half_up(gross * rate / (100 + rate))."""
    net: Money
    """gross - tax."""


@cache
def _places(currency: str) -> int:
    return get_currency_precision(currency)


def format_amount(amount: int, currency: str) -> str:
    """``1234`` in CNY is ``"12.34"``; in JPY ``"1234"``: the figure a receipt shows, without
    the currency sign (explanations are read next to the currency)."""
    places = _places(currency)
    if places == 0:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**places)
    return f"{sign}{whole}.{part:0{places}d}"
