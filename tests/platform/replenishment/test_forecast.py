"""Demand forecasts against series worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bodega.replenishment.forecast import (
    DemandClass,
    DemandHistory,
    ForecastSettings,
    bias,
    classify,
    demand_pattern,
    forecast_demand,
    wape,
)

MONDAY = date(2026, 1, 5)
# Four weeks from Monday 5 January 2026 to Sunday 1 February: 10 a weekday, 20 a weekend day.
WEEK = [10.0, 10.0, 10.0, 10.0, 10.0, 20.0, 20.0]
FOUR_WEEKS = WEEK * 4


def test_smooth_weekday_series():
    """Weekday indices and a four-week level reproduce a clean weekday pattern.

    ADI = 28 days / 28 days with a sale = 1.
    Sizes: twenty 10s and eight 20s, mean 360/28 = 12.857;
    Var = (20·(10 - 12.857)² + 8·(20 - 12.857)²)/28 = (163.27 + 408.16)/28 = 20.41;
    CV² = 20.41 / 12.857² = 0.1235 < 0.49 → smooth.
    Weekday means 10,10,10,10,10,20,20; their mean 90/7 = 12.857;
    I = 10/12.857 = 0.7778 (Mon-Fri), 20/12.857 = 1.5556 (Sat, Sun).
    Every deseasonalised day is 90/7, so the level is 12.857 and every one-step error is 0.
    """
    forecast = forecast_demand(DemandHistory(MONDAY, FOUR_WEEKS))
    assert forecast.classification is DemandClass.SMOOTH
    assert forecast.method == "weekday_level"
    assert forecast.adi == pytest.approx(1.0)
    assert forecast.cv2 == pytest.approx(0.1235, abs=1e-4)
    assert forecast.weekday_index == pytest.approx((7 / 9,) * 5 + (14 / 9,) * 2)
    assert forecast.level == pytest.approx(90 / 7)
    assert forecast.sigma == pytest.approx(0.0, abs=1e-9)
    assert forecast.for_day(date(2026, 2, 2)) == pytest.approx(10.0)  # a Monday
    assert forecast.for_day(date(2026, 2, 7)) == pytest.approx(20.0)  # a Saturday


def test_intermittent_series_croston_sba():
    """Croston/SBA with alpha = 0.5 on 0 0 3 0 0 0 5 0 2 0.

    ADI = 10/3 = 3.33 ≥ 1.32. Sizes 3, 5, 2: mean 10/3, Var = (0.111 + 2.778 + 1.778)/3
    = 1.5556, CV² = 1.5556 / 11.111 = 0.14 < 0.49 → intermittent.
    Day 3 (the first sale, 3 days from the start): z = 3, p = 3, rate = 0.75·3/3 = 0.75.
    Day 7 (5 after 4 days): z = 3 + 0.5·(5 - 3) = 4, p = 3 + 0.5·(4 - 3) = 3.5,
    rate = 0.75·4/3.5 = 0.857143.
    Day 9 (2 after 2 days): z = 4 + 0.5·(2 - 4) = 3, p = 3.5 + 0.5·(2 - 3.5) = 2.75,
    rate = 0.75·3/2.75 = 0.818182.
    One-step errors from day 4 on: -0.75 x3, 5 - 0.75 = 4.25, -0.857143, 2 - 0.857143,
    -0.818182; squares 1.6875 + 18.0625 + 0.734694 + 1.306122 + 0.669421 = 22.460237;
    sigma = √(22.460237/7) = 1.791258.
    """
    sales = [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 5.0, 0.0, 2.0, 0.0]
    forecast = forecast_demand(DemandHistory(MONDAY, sales), settings=ForecastSettings(alpha=0.5))
    assert forecast.classification is DemandClass.INTERMITTENT
    assert forecast.method == "croston_sba"
    assert forecast.adi == pytest.approx(10 / 3)
    assert forecast.cv2 == pytest.approx(0.14)
    assert forecast.level == pytest.approx(0.818182, abs=1e-6)
    assert forecast.sigma == pytest.approx(1.791258, abs=1e-6)
    assert forecast.for_day(date(2026, 3, 1)) == forecast.level  # flat across weekdays


def test_lumpy_series_tsb():
    """TSB with alpha = β = 0.5 on 0 1 0 0 9 0.

    ADI = 6/2 = 3; sizes 1 and 9: mean 5, Var 16, CV² = 0.64 ≥ 0.49 → lumpy.
    Day 2 (first sale, position 2): z = 1, p = 1/2, rate 0.5.
    Day 3, no sale: p = 0.25; day 4: p = 0.125.
    Day 5, 9 sold: p = 0.125 + 0.5·(1 - 0.125) = 0.5625, z = 1 + 0.5·(9 - 1) = 5.
    Day 6, no sale: p = 0.28125; rate = 0.28125·5 = 1.40625.
    Only 4 one-step errors (< 7): sigma is the Poisson proxy √1.40625 = 1.185854.
    """
    sales = [0.0, 1.0, 0.0, 0.0, 9.0, 0.0]
    settings = ForecastSettings(alpha=0.5, beta=0.5)
    forecast = forecast_demand(DemandHistory(MONDAY, sales), settings=settings)
    assert forecast.classification is DemandClass.LUMPY
    assert forecast.method == "tsb"
    assert forecast.level == pytest.approx(1.40625)
    assert forecast.sigma == pytest.approx(1.185854, abs=1e-6)


@pytest.mark.parametrize(
    ("adi", "cv2", "expected"),
    [
        (1.0, 0.1, DemandClass.SMOOTH),
        (1.31, 0.48, DemandClass.SMOOTH),
        (1.32, 0.48, DemandClass.INTERMITTENT),
        (1.31, 0.49, DemandClass.ERRATIC),
        (1.32, 0.49, DemandClass.LUMPY),
        (5.0, 2.0, DemandClass.LUMPY),
    ],
)
def test_classification_cut_offs(adi, cv2, expected):
    """The cut-offs belong to the upper side: ADI ≥ 1.32 is intermittent, CV² ≥ 0.49 erratic."""
    assert classify(adi, cv2) is expected


def test_erratic_series_uses_the_weekday_level():
    """1 9 1 9 …: ADI 1; sizes mean 5, Var 16, CV² 0.64 → erratic, forecast like smooth."""
    assert demand_pattern([1.0, 9.0, 1.0, 9.0]) == pytest.approx((1.0, 0.64))
    sales = [1.0, 9.0] * 14
    forecast = forecast_demand(DemandHistory(MONDAY, sales))
    assert forecast.classification is DemandClass.ERRATIC
    assert forecast.method == "weekday_level"


def test_stock_out_days_are_censored_not_zero_demand():
    """The last weekend of FOUR_WEEKS ran out: Saturday sold 3 and closed at 0, Sunday 0 and 0.

    Censored, those two days leave the series: the other 26 days are the clean pattern,
    so Saturday's forecast stays 20.
    Read as demand (closing stock unknown): Saturday mean (20·3 + 3)/4 = 15.75, Sunday
    (20·3 + 0)/4 = 15; mean of weekday means (50 + 15.75 + 15)/7 = 11.5357. Over four full
    weeks the trailing level equals that mean, so Saturday's forecast is 15.75.
    """
    sales = [*FOUR_WEEKS[:-2], 3.0, 0.0]
    closing = [5.0] * 26 + [0.0, 0.0]
    censored = forecast_demand(DemandHistory(MONDAY, sales, closing))
    as_zero = forecast_demand(DemandHistory(MONDAY, sales))
    saturday = date(2026, 2, 7)
    assert censored.censored_days == 2
    assert censored.in_stock_days == 26
    assert censored.for_day(saturday) == pytest.approx(20.0)
    assert as_zero.censored_days == 0
    assert as_zero.for_day(saturday) == pytest.approx(15.75)


def test_censored_days_do_not_lengthen_intervals():
    """0 0 3 0 [0 0 out of stock] 5 0 2 0 with alpha = 0.5: the in-stock series is 0 0 3 0 5 0 2 0.

    Day 3: z = 3, p = 3. The 5 comes 2 in-stock days later: z = 4, p = 3 + 0.5·(2 - 3) = 2.5.
    The 2 comes 2 days later: z = 3, p = 2.5 + 0.5·(2 - 2.5) = 2.25.
    Rate = 0.75·3/2.25 = 1.0 (against 0.818 when the empty shelf counts as no demand).
    """
    sales = [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 5.0, 0.0, 2.0, 0.0]
    closing = [4.0, 4.0, 1.0, 1.0, 0.0, -1.0, 3.0, 3.0, 1.0, 1.0]
    history = DemandHistory(MONDAY, sales, closing)
    forecast = forecast_demand(history, settings=ForecastSettings(alpha=0.5))
    assert forecast.censored_days == 2
    assert forecast.level == pytest.approx(1.0)


def test_a_day_emptied_by_waste_is_not_censored():
    """Bread baked daily, leftovers thrown away each night: every day closes at 0. Days with
    waste had bread on the shelf until closing, so they count; the one day that sold out
    (nothing wasted) is censored."""
    sales = [30.0, 28.0, 35.0, 31.0]
    history = DemandHistory(MONDAY, sales, [0.0] * 4, [5.0, 7.0, 0.0, 4.0])
    forecast = forecast_demand(history)
    assert (forecast.in_stock_days, forecast.censored_days) == (3, 1)


def test_unknown_closing_stock_is_not_censored():
    closing: list[float | None] = [None] * 28
    forecast = forecast_demand(DemandHistory(MONDAY, FOUR_WEEKS, closing))
    assert forecast.censored_days == 0
    assert forecast.in_stock_days == 28


def test_calendar_divides_past_days_and_multiplies_future_days():
    """Monday 19 January was a festival (x2) that sold 20: divided out, it reads as 10, so the
    forecast is the clean pattern's. A x1.5 Tuesday ahead forecasts 10·1.5 = 15; a closed
    day (x0) in the history is left out and a closed day ahead forecasts 0."""
    sales = list(FOUR_WEEKS)
    sales[14] = 20.0  # Monday 19 January
    sales[15] = 0.0  # Tuesday 20 January, closed
    calendar = {
        date(2026, 1, 19): 2.0,
        date(2026, 1, 20): 0.0,
        date(2026, 2, 3): 1.5,
        date(2026, 2, 4): 0.0,
    }
    forecast = forecast_demand(DemandHistory(MONDAY, sales), calendar)
    assert forecast.in_stock_days == 27
    assert forecast.level == pytest.approx(90 / 7)
    assert forecast.for_day(date(2026, 2, 2), calendar) == pytest.approx(10.0)
    assert forecast.for_day(date(2026, 2, 3), calendar) == pytest.approx(15.0)
    assert forecast.for_day(date(2026, 2, 4), calendar) == 0.0


def test_no_sales_is_no_demand():
    for closing in (None, [0.0] * 10):
        forecast = forecast_demand(DemandHistory(MONDAY, [0.0] * 10, closing))
        assert forecast.classification is DemandClass.NO_DEMAND
        assert forecast.level == 0.0
        assert forecast.sigma == 0.0
    assert forecast_demand(DemandHistory(MONDAY, [])).classification is DemandClass.NO_DEMAND


def test_history_checks_its_lengths():
    with pytest.raises(ValueError, match="one value per day"):
        DemandHistory(MONDAY, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="one value per day"):
        DemandHistory(MONDAY, [1.0, 2.0], None, [0.0])
    assert DemandHistory(MONDAY, [1.0] * 7).end == date(2026, 1, 11)


def test_wape_and_bias():
    """actual 10 20 30, forecast 12 18 33: Σ|e| = 2 + 2 + 3 = 7, Σ(f - a) = 2 - 2 + 3 = 3,
    Σ actual = 60: WAPE = 7/60 = 0.1167, bias = 3/60 = 0.05."""
    actual = [Decimal(10), Decimal(20), Decimal(30)]
    forecast = [12.0, 18.0, 33.0]
    assert wape(actual, forecast) == pytest.approx(7 / 60)
    assert bias(actual, forecast) == pytest.approx(0.05)
    assert bias([10.0], [5.0]) == pytest.approx(-0.5)
    assert wape([0.0, 0.0], [1.0, 2.0]) is None
    assert bias([], []) is None
    with pytest.raises(ValueError, match="same length"):
        wape([1.0], [])


@given(
    sales=st.lists(st.integers(min_value=-2, max_value=50), max_size=120),
    stockouts=st.lists(st.booleans(), min_size=120, max_size=120),
)
def test_forecasts_are_never_negative(sales, stockouts):
    closing = [0.0 if out else 3.0 for out in stockouts[: len(sales)]]
    history = DemandHistory(MONDAY, [float(s) for s in sales], closing)
    forecast = forecast_demand(history)
    assert forecast.level >= 0
    assert forecast.sigma >= 0
    assert forecast.censored_days == sum(stockouts[: len(sales)])
    for k in range(7):
        assert forecast.for_day(MONDAY + timedelta(days=k)) >= 0
