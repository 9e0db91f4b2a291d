"""Daily demand forecasts for one item at one store: censoring, classification, forecast, sigma.

Pure arithmetic, no I/O: the service hands in a day-by-day history and gets back a
`DemandForecast`; `bodega.replenishment.policy` turns a forecast into an order quantity.
The math runs in floats (it is statistics, not money); quantities leave as `Decimal`
only at the policy's boundary. Inner loops are plain loops over lists of floats so that a
compiled twin can follow the same steps.

The steps, in order:

1. **Censoring.** A day that closed with on-hand ≤ 0 is a stock-out: its sales are zero or
   cut short by the empty shelf, so they say nothing about demand. Such days are dropped
   from the series (not read as zero demand), and the days around them close ranks: an
   interval between two sales counts in-stock days only. A day that closed at 0 only
   because leftovers were thrown away after closing (``wasted`` > 0) had stock all day
   and is kept. A day whose calendar multiplier is 0 (the store was closed) is dropped.
2. **Calendar.** The tenant's calendar maps a date to a multiplier (a holiday 1.8, a
   typhoon 0.4). Past days are divided by their multiplier before anything is estimated,
   so last year's festival does not inflate the level; forecast days are multiplied by it.
3. **Classification** (Syntetos-Boylan) over the in-stock days:
   ADI = in-stock days / days with a sale (the average inter-demand interval), and
   CV² = Var(s) / mean(s)² over the non-zero daily sales s (population variance).
   ADI < 1.32 and CV² < 0.49 → smooth; ADI ≥ 1.32, CV² < 0.49 → intermittent;
   ADI < 1.32, CV² ≥ 0.49 → erratic; both at or over → lumpy. No sale at all → no demand.
4. **Forecast**, per class:
   - smooth and erratic: a weekday-seasonal level. Weekday index I_w = mean sales on
     weekday w / mean of the seven weekday means (in-stock days only; a weekday never seen
     gets 1). The level is the trailing mean of the last `level_window` (28) deseasonalised
     in-stock days y_t / I_w(t): a four-week average, which a store manager can check
     by hand. Forecast for day d = level · I_w(d) · multiplier(d).
   - intermittent: Croston with the Syntetos-Boylan approximation (SBA). On each sale of
     size y after an interval of q in-stock days: z ← z + alpha·(y - z), p ← p + alpha·(q - p),
     starting from the first sale (z = y, p = its position counted from 1). Daily rate
     = (1 - alpha/2) · z / p, flat across weekdays (too few sales to estimate weekday indices).
   - lumpy: TSB (Teunter-Syntetos-Babai), which lets the rate decay while nothing sells:
     every in-stock day p ← p + beta·(1[y>0] - p), and on a sale z ← z + alpha·(y - z); starting
     from the first sale (z = y, p = 1 / its position). Daily rate = p · z, flat.
5. **Residual sigma** per day: the root mean square of the one-step-ahead errors y_t - f_t over
   the in-stock days (on the calendar-adjusted scale), where f_t is what the method would
   have forecast for day t from the days before it. With fewer than `MIN_ERRORS` errors
   (a short history) the Poisson proxy sigma = √(daily rate) is used instead.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ADI_CUTOFF",
    "CV2_CUTOFF",
    "MIN_ERRORS",
    "DemandClass",
    "DemandForecast",
    "DemandHistory",
    "ForecastSettings",
    "bias",
    "classify",
    "croston_sba",
    "demand_pattern",
    "forecast_demand",
    "tsb",
    "wape",
    "weekday_indices",
]

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
MIN_ERRORS = 7
"""Fewer one-step-ahead errors than this and sigma falls back to the Poisson proxy."""
_MIN_LEVEL_DAYS = 7
"""A trailing level needs a week of in-stock days before it forecasts (and is scored)."""
FLAT = (1.0,) * 7

Calendar = Mapping[date, float]


class DemandClass(StrEnum):
    SMOOTH = "smooth"
    INTERMITTENT = "intermittent"
    ERRATIC = "erratic"
    LUMPY = "lumpy"
    NO_DEMAND = "no_demand"


@dataclass(frozen=True, slots=True)
class DemandHistory:
    """One item's days at one store, oldest first: ``sales[i]`` sold on ``start + i`` days.

    ``closing_on_hand[i]`` is the stock at the end of that day; ``None`` (for the whole
    history or for one day) means unknown, and an unknown day is never censored.
    ``wasted[i]``: units written off after the store closed that day (expired fresh goods).
    """

    start: date
    sales: Sequence[float]
    closing_on_hand: Sequence[float | None] | None = None
    wasted: Sequence[float] | None = None

    def __post_init__(self) -> None:
        for series in (self.closing_on_hand, self.wasted):
            if series is not None and len(series) != len(self.sales):
                raise ValueError("closing_on_hand and wasted need one value per day of sales")

    @property
    def end(self) -> date:
        """The last day of the history (the day before ``start`` when it is empty)."""
        return self.start + timedelta(days=len(self.sales) - 1)


@dataclass(frozen=True, slots=True)
class ForecastSettings:
    """Smoothing constants; the defaults are the usual textbook values for daily retail."""

    alpha: float = 0.1
    """Croston/TSB smoothing of sale sizes (and of Croston's intervals)."""
    beta: float = 0.1
    """TSB smoothing of the probability that a day has a sale."""
    level_window: int = 28
    """In-stock days in the trailing mean of smooth and erratic series."""

    def __post_init__(self) -> None:
        if not (0 < self.alpha <= 1 and 0 < self.beta <= 1):
            raise ValueError("alpha and beta must be in (0, 1]")
        if self.level_window < 1:
            raise ValueError("level_window must be at least 1")


@dataclass(frozen=True, slots=True)
class DemandForecast:
    """What the history says about one item's daily demand, with what it was based on."""

    classification: DemandClass
    method: str
    """``weekday_level``, ``croston_sba``, ``tsb`` or ``none``."""
    level: float
    """Units per day before the weekday index and the calendar."""
    weekday_index: tuple[float, ...]
    """Seven multipliers, Monday first, averaging 1 (all 1 for flat methods)."""
    sigma: float
    """Residual standard deviation of one day's demand, in units."""
    adi: float | None
    cv2: float | None
    in_stock_days: int
    censored_days: int

    def for_day(self, day: date, calendar: Calendar | None = None) -> float:
        """Expected units sold on ``day``: level · weekday index · calendar multiplier."""
        multiplier = calendar.get(day, 1.0) if calendar else 1.0
        return self.level * self.weekday_index[day.weekday()] * multiplier


def _in_stock_days(
    history: DemandHistory, calendar: Calendar | None
) -> tuple[list[float], list[int], int]:
    """Calendar-adjusted sales of the in-stock days, their weekdays, and the stock-out count.

    Negative sales (a day of more returns than sales) count as no demand.
    """
    multipliers: dict[int, float] = {}
    if calendar:
        first, last = history.start, history.end
        for day, multiplier in calendar.items():
            if first <= day <= last:
                multipliers[(day - first).days] = multiplier
    closing = history.closing_on_hand
    wasted = history.wasted
    first_weekday = history.start.weekday()
    values: list[float] = []
    weekdays: list[int] = []
    censored = 0
    for i, sold in enumerate(history.sales):
        if closing is not None:
            on_hand = closing[i]
            if on_hand is not None and on_hand <= 0 and not (wasted and wasted[i] > 0):
                censored += 1
                continue
        demand = float(sold) if sold > 0 else 0.0
        if multipliers:
            multiplier = multipliers.get(i, 1.0)
            if multiplier <= 0:
                continue
            demand /= multiplier
        values.append(demand)
        weekdays.append((first_weekday + i) % 7)
    return values, weekdays, censored


def demand_pattern(values: Sequence[float]) -> tuple[float, float] | None:
    """(ADI, CV²) of a series of in-stock days, or ``None`` when nothing ever sold."""
    count = 0
    total = 0.0
    for v in values:
        if v > 0:
            count += 1
            total += v
    if count == 0:
        return None
    mean = total / count
    spread = 0.0
    for v in values:
        if v > 0:
            spread += (v - mean) * (v - mean)
    return len(values) / count, (spread / count) / (mean * mean)


def classify(adi: float, cv2: float) -> DemandClass:
    """The Syntetos-Boylan quadrant for an ADI and a CV² (cut-offs 1.32 and 0.49)."""
    if adi < ADI_CUTOFF:
        return DemandClass.SMOOTH if cv2 < CV2_CUTOFF else DemandClass.ERRATIC
    return DemandClass.INTERMITTENT if cv2 < CV2_CUTOFF else DemandClass.LUMPY


def weekday_indices(values: Sequence[float], weekdays: Sequence[int]) -> tuple[float, ...]:
    """I_w = mean sales on weekday w / mean of the weekday means (unseen weekdays get 1)."""
    sums = [0.0] * 7
    counts = [0] * 7
    for v, w in zip(values, weekdays, strict=True):
        sums[w] += v
        counts[w] += 1
    means = [sums[w] / counts[w] for w in range(7) if counts[w]]
    overall = sum(means) / len(means) if means else 0.0
    if overall <= 0:
        return FLAT
    return tuple(sums[w] / counts[w] / overall if counts[w] else 1.0 for w in range(7))


def _trailing_level(
    values: Sequence[float], weekdays: Sequence[int], index: Sequence[float], window: int
) -> tuple[float, float, int]:
    """Trailing mean of deseasonalised days, with the sum of squared one-step errors."""
    recent: deque[float] = deque()
    count = 0
    total = 0.0
    squares = 0.0
    errors = 0
    for v, w in zip(values, weekdays, strict=True):
        factor = index[w]
        if count >= _MIN_LEVEL_DAYS:
            error = v - total / count * factor
            squares += error * error
            errors += 1
        if factor > 0:
            deseasonalised = v / factor
            recent.append(deseasonalised)
            total += deseasonalised
            if count == window:
                total -= recent.popleft()
            else:
                count += 1
    level = sum(recent) / len(recent) if recent else 0.0
    return level, squares, errors


def croston_sba(values: Sequence[float], alpha: float) -> tuple[float, float, int]:
    """Croston's method with the SBA correction: (daily rate, Σ squared errors, errors)."""
    size = interval = 0.0
    since = 0
    rate: float | None = None
    squares = 0.0
    errors = 0
    for v in values:
        since += 1
        if rate is not None:
            squares += (v - rate) * (v - rate)
            errors += 1
        if v > 0:
            if rate is None:
                size, interval = v, float(since)
            else:
                size += alpha * (v - size)
                interval += alpha * (since - interval)
            since = 0
            rate = (1 - alpha / 2) * size / interval
    return rate or 0.0, squares, errors


def tsb(values: Sequence[float], alpha: float, beta: float) -> tuple[float, float, int]:
    """Teunter-Syntetos-Babai: (daily rate, Σ squared errors, errors)."""
    size = probability = 0.0
    rate: float | None = None
    squares = 0.0
    errors = 0
    for i, v in enumerate(values):
        if rate is None:
            if v > 0:
                size, probability = v, 1.0 / (i + 1)
                rate = probability * size
            continue
        squares += (v - rate) * (v - rate)
        errors += 1
        if v > 0:
            probability += beta * (1.0 - probability)
            size += alpha * (v - size)
        else:
            probability -= beta * probability
        rate = probability * size
    return rate or 0.0, squares, errors


def forecast_demand(
    history: DemandHistory,
    calendar: Calendar | None = None,
    settings: ForecastSettings | None = None,
) -> DemandForecast:
    """Classify ``history`` and forecast its daily demand (see the module docstring)."""
    settings = settings or ForecastSettings()
    values, weekdays, censored = _in_stock_days(history, calendar)
    pattern = demand_pattern(values)
    if pattern is None:
        return DemandForecast(
            DemandClass.NO_DEMAND, "none", 0.0, FLAT, 0.0, None, None, len(values), censored
        )
    adi, cv2 = pattern
    classification = classify(adi, cv2)
    index = FLAT
    if classification in (DemandClass.SMOOTH, DemandClass.ERRATIC):
        method = "weekday_level"
        index = weekday_indices(values, weekdays)
        level, squares, errors = _trailing_level(values, weekdays, index, settings.level_window)
    elif classification is DemandClass.INTERMITTENT:
        method = "croston_sba"
        level, squares, errors = croston_sba(values, settings.alpha)
    else:
        method = "tsb"
        level, squares, errors = tsb(values, settings.alpha, settings.beta)
    sigma = math.sqrt(squares / errors) if errors >= MIN_ERRORS else math.sqrt(level)
    return DemandForecast(
        classification, method, level, index, sigma, adi, cv2, len(values), censored
    )


def _sums(actual: Sequence[float | Decimal], forecast: Sequence[float | Decimal]) -> float:
    if len(actual) != len(forecast):
        raise ValueError("actual and forecast must have the same length")
    return math.fsum(float(a) for a in actual)


def wape(actual: Sequence[float | Decimal], forecast: Sequence[float | Decimal]) -> float | None:
    """Weighted absolute percentage error Σ|actual - forecast| / Σ actual (``None`` if Σ = 0).

    0 is perfect; 0.25 means the misses add up to a quarter of what sold.
    """
    total = _sums(actual, forecast)
    if total <= 0:
        return None
    return sum(abs(float(a) - float(f)) for a, f in zip(actual, forecast, strict=True)) / total


def bias(actual: Sequence[float | Decimal], forecast: Sequence[float | Decimal]) -> float | None:
    """Σ(forecast - actual) / Σ actual (``None`` if Σ = 0): > 0 over-forecasts, < 0 under."""
    total = _sums(actual, forecast)
    if total <= 0:
        return None
    return sum(float(f) - float(a) for a, f in zip(actual, forecast, strict=True)) / total
