"""The arithmetic of orders, by hand: line amounts and discounts, tax contained in
tax-inclusive prices per rate, change, refund shares and how a refund is split over payments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bodega.ordering.totals import (
    allocate_refund,
    line_amounts,
    refund_share,
    round_half_up,
    split_change,
    tax_by_rate,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.5", 1), ("1.5", 2), ("2.5", 3), ("2.49", 2), ("-0.5", -1), ("80.53", 81)],
)
def test_halves_round_up(value: str, expected: int) -> None:
    assert round_half_up(Decimal(value)) == expected


def test_a_line_is_quantity_times_price_less_its_discount() -> None:
    assert line_amounts(Decimal(3), 350) == (line_amounts(Decimal(3), 350, discount_amount=0))
    plain = line_amounts(Decimal(3), 350)
    assert (plain.gross, plain.discount, plain.total) == (1050, 0, 1050)
    off = line_amounts(Decimal(3), 350, discount_amount=50)
    assert (off.gross, off.discount, off.total) == (1050, 50, 1000)
    # 12.5 % of 1050 = 131.25 -> 131
    pct = line_amounts(Decimal(3), 350, discount_percent=Decimal("12.5"))
    assert (pct.gross, pct.discount, pct.total) == (1050, 131, 919)
    # 0.455 kg at 25.80/kg = 11.739 -> 11.74; 10 % of it = 1.174 -> 1.17
    weighed = line_amounts(Decimal("0.455"), 2580, discount_percent=Decimal(10))
    assert (weighed.gross, weighed.discount, weighed.total) == (1174, 117, 1057)
    free = line_amounts(Decimal(1), 350, discount_percent=Decimal(100))
    assert free.total == 0


def test_a_discount_never_takes_a_line_below_zero() -> None:
    with pytest.raises(ValueError, match="more than the line"):
        line_amounts(Decimal(1), 350, discount_amount=351)


def test_tax_is_contained_in_the_amount_and_rounded_once_per_rate() -> None:
    # 13 %: (700 + 99) = 799 * 13 / 113 = 91.92 -> 92 (per line: 80.53 + 11.39 = 81 + 11 = 92);
    # 9 %: 1057 * 9 / 109 = 87.27 -> 87; 0 %: 0.
    taxes = tax_by_rate(
        [
            (Decimal("13.00"), 700),
            (Decimal("9.00"), 1057),
            (Decimal("13.00"), 99),
            (Decimal(0), 500),
        ]
    )
    assert [(t.rate, t.gross, t.tax, t.net) for t in taxes] == [
        (Decimal(0), 500, 0, 500),
        (Decimal("9.00"), 1057, 87, 970),
        (Decimal("13.00"), 799, 92, 707),
    ]
    # one rounding per rate differs from rounding per line: 3 lines of 5 at 13 % are
    # 0.575 each (1 each, 3 in all) but 15 * 13 / 113 = 1.73 -> 2 together
    assert [t.tax for t in tax_by_rate([(Decimal(13), 5)] * 3)] == [2]


def test_only_cash_gives_change_and_the_change_comes_off_cash() -> None:
    assert split_change([("cash", 1000)], 700) == ([700], 300)
    assert split_change([("card", 500), ("cash", 500)], 700) == ([500, 200], 300)
    assert split_change([("cash", 100), ("card", 300), ("cash", 500)], 700) == (
        [100, 300, 300],
        200,
    )
    assert split_change([("card", 700)], 700) == ([700], 0)
    assert split_change([], 0) == ([], 0)
    with pytest.raises(ValueError, match="do not cover"):
        split_change([("cash", 699)], 700)
    with pytest.raises(ValueError, match="only cash"):
        split_change([("card", 800)], 700)
    with pytest.raises(ValueError, match="only cash"):
        split_change([("cash", 100), ("stripe", 701)], 700)


def test_a_line_refunded_in_parts_refunds_exactly_its_total() -> None:
    # 3 for 1000: 333.33 -> 333, then 333, then the rest (334)
    first = refund_share(1000, Decimal(3), Decimal(0), 0, Decimal(1))
    second = refund_share(1000, Decimal(3), Decimal(1), first, Decimal(1))
    last = refund_share(1000, Decimal(3), Decimal(2), first + second, Decimal(1))
    assert (first, second, last) == (333, 333, 334)
    assert refund_share(1174, Decimal("0.455"), Decimal(0), 0, Decimal("0.2")) == 516


def test_a_refund_goes_back_to_the_largest_payment_first() -> None:
    assert allocate_refund([("card", 500), ("cash", 200)], 600) == [500, 100]
    assert allocate_refund([("cash", 200), ("card", 500)], 300) == [0, 300]
    assert allocate_refund([("a", 300), ("b", 300)], 400) == [300, 100]  # tie: the earlier
    assert allocate_refund([("a", 300)], 0) == [0]
    with pytest.raises(ValueError, match="more than the payments have left"):
        allocate_refund([("a", 300)], 301)
