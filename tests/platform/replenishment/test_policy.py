"""Order quantities against cases worked out by hand (the arithmetic is in the comments).

Φ⁻¹ values used: Φ⁻¹(0.95) = 1.6448536, Φ⁻¹(0.4) = -0.2533471; √2 = 1.4142136.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bodega.replenishment.forecast import (
    DemandClass,
    DemandForecast,
    DemandHistory,
    ForecastSettings,
    forecast_demand,
)
from bodega.replenishment.policy import (
    ItemTerms,
    ReplenishmentPolicy,
    StockPosition,
    critical_ratio,
    suggest_replenishment,
    top_up_to_minimum,
)

MONDAY = date(2026, 1, 5)
NEXT_MONDAY = date(2026, 2, 2)  # the day after four weeks from MONDAY
FOUR_WEEKS = [10.0, 10.0, 10.0, 10.0, 10.0, 20.0, 20.0] * 4
L2_R1 = ReplenishmentPolicy(lead_time_days=2, review_days=1)
L1_R1 = ReplenishmentPolicy(lead_time_days=1, review_days=1)


def flat(level: float, sigma: float) -> DemandForecast:
    """A smooth forecast of ``level`` a day, every weekday alike."""
    return DemandForecast(
        DemandClass.SMOOTH, "weekday_level", level, (1.0,) * 7, sigma, 1.0, 0.1, 28, 0
    )


def d(value: str | int) -> Decimal:
    return Decimal(value)


def test_smooth_weekday_series_rounded_up_to_cases():
    """Monday to Wednesday forecast 10 + 10 + 10 = 30, sigma = 0 so no safety stock: S = 30.
    On hand 5, on order 0: raw 25; cases of 12 round it up to 3 x 12 = 36 (+11)."""
    forecast = forecast_demand(DemandHistory(MONDAY, FOUR_WEEKS))
    s = suggest_replenishment(
        forecast,
        first_day=NEXT_MONDAY,
        policy=L2_R1,
        item=ItemTerms(case_pack=12),
        stock=StockPosition(d(5)),
    )
    assert s.horizon_days == 3
    assert s.daily == (d("10.000"),) * 3
    assert s.daily_forecast == d("10.000")
    assert s.horizon_demand == d("30.000")
    assert s.safety_stock == 0
    assert s.order_up_to == d("30.000")
    assert s.raw_quantity == d("25.000")
    assert s.rounding == d("11.000")
    assert s.quantity == 36
    assert not s.cap_applied
    assert s.cap is None
    assert s.text == (
        "Sells about 10 a day (smooth); the next 3 days need 30 plus 0 safety stock:"
        " stock up to 30. On hand 5, on order 0: 25 short. Rounded up to 3 cases of 12."
        " Order 36."
    )


def test_weekend_horizon_needs_more():
    """Friday to Sunday: 10 + 20 + 20 = 50. On hand 5, on order 12: raw 33, case 1 → 33.
    A x1.5 Saturday (festival) makes it 10 + 30 + 20 = 60: raw 43."""
    forecast = forecast_demand(DemandHistory(MONDAY, FOUR_WEEKS))
    friday = date(2026, 2, 6)
    stock = StockPosition(d(5), d(12))
    plain = suggest_replenishment(
        forecast, first_day=friday, policy=L2_R1, item=ItemTerms(), stock=stock
    )
    festival = suggest_replenishment(
        forecast,
        first_day=friday,
        policy=L2_R1,
        item=ItemTerms(),
        stock=stock,
        calendar={date(2026, 2, 7): 1.5},
    )
    assert plain.order_up_to == 50
    assert plain.quantity == 33
    assert plain.rounding == 0
    assert festival.daily == (d(10), d(30), d(20))
    assert festival.quantity == 43


def test_intermittent_suggestion_with_safety_stock():
    """The Croston/SBA series of test_forecast (rate 0.818182, sigma 1.791258), L = R = 1:
    D̂·2 = 1.636364 → 1.636; safety = 1.6448536 · 1.791258 · 1.4142136 = 4.166779 → 4.167;
    S = 5.803. On hand 2: raw 3.803, rounded up to 4 (+0.197)."""
    sales = [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 5.0, 0.0, 2.0, 0.0]
    history = DemandHistory(MONDAY, sales)
    forecast = forecast_demand(history, settings=ForecastSettings(alpha=0.5))
    s = suggest_replenishment(
        forecast,
        first_day=date(2026, 1, 15),
        policy=L1_R1,
        item=ItemTerms(),
        stock=StockPosition(d(2)),
    )
    assert s.classification is DemandClass.INTERMITTENT
    assert s.daily_forecast == d("0.818")
    assert s.horizon_demand == d("1.636")
    assert s.sigma == d("1.791")
    assert s.safety_stock == d("4.167")
    assert s.order_up_to == d("5.803")
    assert s.raw_quantity == d("3.803")
    assert s.rounding == d("0.197")
    assert s.quantity == 4


def test_censored_stock_outs_change_the_order():
    """Last weekend out of stock (see test_forecast): censored, Saturday to Monday forecast
    20 + 20 + 10 = 50; read as zero demand, 15.75 + 15 + 10 = 40.75. A service level of
    0.5 (z = 0, no safety stock) leaves the forecasts alone to decide: 50 against 41."""
    sales = [*FOUR_WEEKS[:-2], 3.0, 0.0]
    closing = [5.0] * 26 + [0.0, 0.0]
    saturday = date(2026, 2, 7)
    censored = forecast_demand(DemandHistory(MONDAY, sales, closing))
    as_zero = forecast_demand(DemandHistory(MONDAY, sales))
    median = ReplenishmentPolicy(lead_time_days=2, review_days=1, service_level=0.5)
    kwargs = {"first_day": saturday, "policy": median, "item": ItemTerms()}
    with_censoring = suggest_replenishment(censored, stock=StockPosition(d(0)), **kwargs)
    without = suggest_replenishment(as_zero, stock=StockPosition(d(0)), **kwargs)
    assert with_censoring.horizon_demand == 50
    assert with_censoring.censored_days == 2
    assert "2 days without stock left out of the forecast." in with_censoring.text
    assert without.horizon_demand == d("40.750")
    assert with_censoring.safety_stock == without.safety_stock == 0
    assert (with_censoring.quantity, without.quantity) == (50, 41)


def test_negative_on_hand_counts_as_empty():
    """S = 30 (Monday to Wednesday). On hand -4 counts as 0: raw 30, not 34."""
    forecast = forecast_demand(DemandHistory(MONDAY, FOUR_WEEKS))
    s = suggest_replenishment(
        forecast,
        first_day=NEXT_MONDAY,
        policy=L2_R1,
        item=ItemTerms(),
        stock=StockPosition(d(-4), d(0)),
    )
    assert s.on_hand == -4
    assert s.raw_quantity == 30
    assert s.quantity == 30
    assert "On hand -4 (counted as 0)" in s.text


def test_zero_demand_orders_nothing():
    forecast = forecast_demand(DemandHistory(MONDAY, [0.0] * 60))
    for on_hand in (d(0), d(-3), d(7)):
        s = suggest_replenishment(
            forecast,
            first_day=date(2026, 3, 6),
            policy=L2_R1,
            item=ItemTerms(case_pack=6, shelf_life_days=2, unit_price=300, unit_cost=100),
            stock=StockPosition(on_hand),
        )
        assert s.classification is DemandClass.NO_DEMAND
        assert s.order_up_to == 0
        assert s.quantity == 0
        assert s.text.startswith("No sales in the history.")


BREAD = {"case_pack": 6, "unit_price": 300, "unit_cost": 180}


def bread(shelf_life_days: int):
    """20 a day, sigma 4, L = R = 1 (H = 2), on hand 3, cases of 6, price 300, cost 180.

    S = 40 + 1.6448536 · 4 · 1.4142136 = 40 + 9.304698 → 49.305; raw = 49.305 - 3 = 46.305.
    Critical ratio cu/(cu + co) = (300 - 180)/300 = 0.4, z_c = -0.2533471.
    """
    return suggest_replenishment(
        flat(20.0, 4.0),
        first_day=date(2026, 3, 2),
        policy=L1_R1,
        item=ItemTerms(shelf_life_days=shelf_life_days, **BREAD),
        stock=StockPosition(d(3)),
    )


def test_one_day_bread_is_capped_at_what_sells_in_a_day():
    """Shelf life 1 ≤ H: W = 1, Q = 20 - 0.2533471·4 = 18.986612 → 18.987; cap 15.987.
    Rounding 46.305 up (8 cases = 48) would pass the cap: down to 2 cases = 12 (-3.987)."""
    s = bread(1)
    assert s.order_up_to == d("49.305")
    assert s.raw_quantity == d("46.305")
    assert s.critical_ratio == pytest.approx(0.4)
    assert s.cap == d("15.987")
    assert s.cap_applied
    assert s.quantity == 12
    assert s.rounding == d("-3.987")
    assert "Capped at 16 so it sells before it expires." in s.text
    assert "Rounded down to 2 cases of 6." in s.text


def test_two_day_bread_is_capped_over_two_days():
    """Shelf life 2 = H: W = 2, Q = 40 - 0.2533471·4·1.4142136 = 38.566836 → 38.567;
    cap 35.567 → 5 cases = 30."""
    s = bread(2)
    assert s.cap == d("35.567")
    assert s.quantity == 30


def test_bread_that_outlives_the_horizon_is_not_capped():
    """Shelf life 3 > H = 2: leftovers sell in the next cycle; 46.305 → 8 cases = 48."""
    s = bread(3)
    assert s.cap is None
    assert s.critical_ratio is None
    assert s.quantity == 48


def test_critical_ratio():
    assert critical_ratio(300, 180) == pytest.approx(0.4)
    assert critical_ratio(None, 180) == 0.5
    assert critical_ratio(300, None) == 0.5
    assert critical_ratio(300, 400) == 0.01
    assert critical_ratio(300, 0) == 0.99


def two_lines(cap_b: int | None = None):
    """Line A: 10 a day over H = 3 → S 30, on hand 5 → raw 25 → 3 cases of 12 = 36.
    Line B: 2 a day → S 6, on hand 10 → 0 (cases of 6; shelf life 3 = H when capped)."""
    a = suggest_replenishment(
        flat(10.0, 0.0),
        first_day=NEXT_MONDAY,
        policy=L2_R1,
        item=ItemTerms(case_pack=12),
        stock=StockPosition(d(5)),
    )
    terms = ItemTerms(case_pack=6)
    if cap_b is not None:
        terms = ItemTerms(case_pack=6, shelf_life_days=3, unit_price=100, unit_cost=50)
    b = suggest_replenishment(
        flat(2.0, 0.0),
        first_day=NEXT_MONDAY,
        policy=L2_R1,
        item=terms,
        stock=StockPosition(d(cap_b if cap_b is not None else 10)),
    )
    return a, b


def test_supplier_minimum_adds_cases_to_what_runs_out_first():
    """Costs 100 (A) and 50 (B): 36·100 = 3,600 against a minimum of 5,000.
    Days of cover: A (5 + 36)/10 = 4.1, B (10 + 0)/2 = 5 → A gets a case: 48, 4,800,
    A's cover (5 + 48)/10 = 5.3 → B (5.0) gets a case: 6, 5,100 ≥ 5,000. Done."""
    a, b = two_lines()
    order = top_up_to_minimum([a, b], [100, 50], 5_000)
    new_a, new_b = order.lines
    assert (new_a.quantity, new_a.minimum_added) == (48, 12)
    assert (new_b.quantity, new_b.minimum_added) == (6, 6)
    assert order.total == 5_100
    assert order.shortfall == 0
    assert "12 added to reach the supplier's minimum order. Order 48." in new_a.text


def test_supplier_minimum_is_no_reason_to_order():
    _, b = two_lines()
    order = top_up_to_minimum([b], [50], 5_000)
    assert order.lines[0].quantity == 0
    assert (order.total, order.shortfall) == (0, 0)


def test_supplier_minimum_stops_at_freshness_caps():
    """B is fresh (shelf life 3 = H), on hand 0: S = 6, cap = Q - 0 with sigma 0 = 6, so B is
    already at its cap (1 case). 3,600 + 50·6 = 3,900. B runs out first (cover 6/2 = 3
    days against A's 4.1) but a second case would pass its cap, so A gets the case:
    3,900 + 1,200 = 5,100 ≥ 5,000 (A 48)."""
    a, b = two_lines(cap_b=0)
    assert b.quantity == 6
    assert b.cap == 6
    order = top_up_to_minimum([a, b], [100, 50], 5_000)
    assert [line.quantity for line in order.lines] == [48, 6]
    assert order.total == 5_100
    only_fresh = top_up_to_minimum([b], [50], 5_000)
    assert only_fresh.lines[0].quantity == 6
    assert (only_fresh.total, only_fresh.shortfall) == (300, 4_700)


def test_policy_and_terms_are_checked():
    with pytest.raises(ValueError, match="lead time"):
        ReplenishmentPolicy(lead_time_days=-1)
    with pytest.raises(ValueError, match="review"):
        ReplenishmentPolicy(lead_time_days=1, review_days=0)
    with pytest.raises(ValueError, match="service_level"):
        ReplenishmentPolicy(lead_time_days=1, service_level=1.0)
    with pytest.raises(ValueError, match="case_pack"):
        ItemTerms(case_pack=0)
    with pytest.raises(ValueError, match="one unit cost"):
        top_up_to_minimum([], [1], 100)


quantities = st.decimals(min_value=-50, max_value=500, places=3, allow_nan=False)


@given(
    level=st.floats(min_value=0, max_value=200),
    sigma=st.floats(min_value=0, max_value=50),
    on_hand=quantities,
    on_order=st.decimals(min_value=0, max_value=500, places=3),
    case_pack=st.integers(min_value=1, max_value=48),
    shelf_life=st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
    lead=st.integers(min_value=0, max_value=7),
    review=st.integers(min_value=1, max_value=7),
)
def test_orders_are_whole_cases_never_negative_and_within_the_cap(
    level, sigma, on_hand, on_order, case_pack, shelf_life, lead, review
):
    s = suggest_replenishment(
        flat(level, sigma),
        first_day=NEXT_MONDAY,
        policy=ReplenishmentPolicy(lead_time_days=lead, review_days=review),
        item=ItemTerms(
            case_pack=case_pack, shelf_life_days=shelf_life, unit_price=300, unit_cost=120
        ),
        stock=StockPosition(on_hand, on_order),
    )
    assert s.quantity >= 0
    assert s.quantity % case_pack == 0
    if s.cap is None:
        assert s.raw_quantity <= s.quantity < s.raw_quantity + case_pack
    else:
        assert s.quantity <= s.cap
    more_stock = suggest_replenishment(
        flat(level, sigma),
        first_day=NEXT_MONDAY,
        policy=ReplenishmentPolicy(lead_time_days=lead, review_days=review),
        item=ItemTerms(
            case_pack=case_pack, shelf_life_days=shelf_life, unit_price=300, unit_cost=120
        ),
        stock=StockPosition(on_hand + 5, on_order),
    )
    assert more_stock.quantity <= s.quantity
