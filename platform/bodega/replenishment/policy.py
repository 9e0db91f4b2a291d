"""How much to order: order-up-to level, cases, the freshness cap and the supplier minimum.

For one item at one store, with lead time L and review period R in days:

- the horizon is H = L + R days from ``first_day`` (the day after the history ends);
  D̂_d is the forecast of day d (weekday index and calendar multiplier included) and
  D̂ their mean, so Σ D̂_d = D̂·(L+R);
- safety stock = z·sigma·√H, with z = Φ⁻¹(service level) and sigma the forecast's
  residual sigma per day;
- order-up-to level S = Σ D̂_d + z·sigma·√H;
- stock position = max(on hand, 0) + on order. A negative on-hand is a ledger that ran
  below zero (sales rung up before a receipt was booked): the shelf holds nothing, so it
  counts as 0 rather than as a debt that more stock would repay;
- raw quantity = max(0, S - position);
- fresh goods (shelf life N days): within W = max(1, min(N, H)) days from ``first_day`` no
  more can sell than the newsvendor quantile Q = Σ_{first W days} D̂_d + z_c·sigma·√W, where
  z_c = Φ⁻¹(cu / (cu + co)), cu = price - cost (the margin a missed sale loses) and
  co = cost (what a unit thrown away loses). The order is capped at max(0, Q - position).
  The cap applies only when N ≤ H: then what is left at the end of the horizon expires,
  and waste is the real cost of ordering too much. A longer-lived item (a 365-day cola,
  or 5-day bread ordered daily with a 1-day lead time) carries leftovers into the next
  cycle, so the service level alone sets its quantity;
- the quantity is rounded up to whole cases, or down to whole cases when rounding up would
  pass the freshness cap.

The supplier's minimum order is money over the whole order, not a line's property, so the
per-item function leaves it alone and `top_up_to_minimum` applies it to one supplier's lines
afterwards (see there). Quantities are `Decimal` with 3 places, rounded half up.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from statistics import NormalDist

from bodega.replenishment.forecast import DemandClass, DemandForecast

__all__ = [
    "ItemTerms",
    "ReplenishmentPolicy",
    "StockPosition",
    "Suggestion",
    "SupplierOrder",
    "critical_ratio",
    "explain",
    "suggest_replenishment",
    "top_up_to_minimum",
]

_QUANTITY = Decimal("0.001")
_ZERO = Decimal(0)
_NORMAL = NormalDist()


def _quantity(value: float) -> Decimal:
    return Decimal(value).quantize(_QUANTITY, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class ReplenishmentPolicy:
    """When goods arrive and how often the store orders."""

    lead_time_days: int
    """L: days from placing an order to the goods on the shelf."""
    review_days: int = 1
    """R: days until the next order can be placed (1 for a store that orders daily)."""
    service_level: float = 0.95
    """Chance that the stock covers demand until the next delivery (sets z)."""

    def __post_init__(self) -> None:
        if self.lead_time_days < 0 or self.review_days < 1:
            raise ValueError("lead time must be ≥ 0 days and the review period ≥ 1 day")
        if not 0 < self.service_level < 1:
            raise ValueError("service_level must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class ItemTerms:
    """What the catalog and the supplier say about the item (money in minor units)."""

    case_pack: int | Decimal = 1
    shelf_life_days: int | None = None
    """Days a unit can be sold; caps the order when it is no longer than L + R."""
    unit_price: int | None = None
    unit_cost: int | None = None

    def __post_init__(self) -> None:
        if self.case_pack <= 0:
            raise ValueError("case_pack must be positive")


@dataclass(frozen=True, slots=True)
class StockPosition:
    on_hand: Decimal
    on_order: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested order line and every number that led to it."""

    classification: DemandClass
    method: str
    first_day: date
    horizon_days: int
    daily: tuple[Decimal, ...]
    """The forecast of each day of the horizon."""
    daily_forecast: Decimal
    """Mean units per day over the horizon (D̂)."""
    horizon_demand: Decimal
    sigma: Decimal
    safety_stock: Decimal
    order_up_to: Decimal
    on_hand: Decimal
    on_order: Decimal
    raw_quantity: Decimal
    case_pack: Decimal
    critical_ratio: float | None
    """cu / (cu + co) when the freshness cap applies, else ``None``."""
    cap: Decimal | None
    """The most that may be ordered so it sells before it expires (fresh goods)."""
    cap_applied: bool
    rounding: Decimal
    """Units added (or, under the cap, removed) to make whole cases."""
    minimum_added: Decimal
    """Units added to reach the supplier's minimum order."""
    quantity: Decimal
    censored_days: int
    text: str

    @property
    def position(self) -> Decimal:
        return max(self.on_hand, _ZERO) + self.on_order


def critical_ratio(unit_price: int | None, unit_cost: int | None) -> float:
    """cu / (cu + co) = (price - cost) / price, kept within [0.01, 0.99].

    Without a price or a cost the ratio is 0.5 (order the median): nothing says whether
    waste or a missed sale costs more.
    """
    if unit_price is None or unit_cost is None or unit_price <= 0:
        return 0.5
    return min(0.99, max(0.01, (unit_price - unit_cost) / unit_price))


def _cases(quantity: Decimal, pack: Decimal, rounding: str) -> Decimal:
    return (quantity / pack).to_integral_value(rounding) * pack


def suggest_replenishment(
    forecast: DemandForecast,
    *,
    first_day: date,
    policy: ReplenishmentPolicy,
    item: ItemTerms,
    stock: StockPosition,
    calendar: Mapping[date, float] | None = None,
) -> Suggestion:
    """The suggested order for one item at one store (formulas in the module docstring)."""
    horizon = policy.lead_time_days + policy.review_days
    daily = [forecast.for_day(first_day + timedelta(days=k), calendar) for k in range(horizon)]
    z = _NORMAL.inv_cdf(policy.service_level)
    expected = math.fsum(daily)
    safety = max(0.0, z * forecast.sigma * math.sqrt(horizon))
    order_up_to = _quantity(expected) + _quantity(safety)
    position = max(stock.on_hand, _ZERO) + stock.on_order
    raw = max(_ZERO, order_up_to - position)
    pack = Decimal(item.case_pack)

    ratio: float | None = None
    cap: Decimal | None = None
    if item.shelf_life_days is not None and item.shelf_life_days <= horizon:
        window = max(1, item.shelf_life_days)
        ratio = critical_ratio(item.unit_price, item.unit_cost)
        sellable = math.fsum(daily[:window]) + _NORMAL.inv_cdf(ratio) * forecast.sigma * (
            math.sqrt(window)
        )
        cap = max(_ZERO, _quantity(max(0.0, sellable)) - position)

    quantity = _cases(raw, pack, ROUND_CEILING)
    cap_applied = cap is not None and quantity > cap
    if cap is not None and cap_applied:
        quantity = _cases(cap, pack, ROUND_FLOOR)
    needed = raw if cap is None else min(raw, cap)
    suggestion = Suggestion(
        classification=forecast.classification,
        method=forecast.method,
        first_day=first_day,
        horizon_days=horizon,
        daily=tuple(_quantity(d) for d in daily),
        daily_forecast=_quantity(expected / horizon),
        horizon_demand=_quantity(expected),
        sigma=_quantity(forecast.sigma),
        safety_stock=_quantity(safety),
        order_up_to=order_up_to,
        on_hand=stock.on_hand,
        on_order=stock.on_order,
        raw_quantity=raw,
        case_pack=pack,
        critical_ratio=ratio,
        cap=cap,
        cap_applied=cap_applied,
        rounding=quantity - needed,
        minimum_added=_ZERO,
        quantity=quantity,
        censored_days=forecast.censored_days,
        text="",
    )
    return replace(suggestion, text=explain(suggestion))


def _n(value: Decimal) -> str:
    """A quantity as a person reads it: one decimal at most, no trailing zeros."""
    shown = value.quantize(Decimal("0.1"), ROUND_HALF_UP).normalize()
    return f"{shown:f}"


def explain(s: Suggestion) -> str:
    """The suggestion in a store manager's words."""
    if s.classification is DemandClass.NO_DEMAND:
        parts = ["No sales in the history."]
    else:
        parts = [
            f"Sells about {_n(s.daily_forecast)} a day ({s.classification.replace('_', ' ')});"
            f" the next {s.horizon_days} days need {_n(s.horizon_demand)} plus"
            f" {_n(s.safety_stock)} safety stock: stock up to {_n(s.order_up_to)}."
        ]
    if s.censored_days:
        days = "1 day" if s.censored_days == 1 else f"{s.censored_days} days"
        parts.append(f"{days} without stock left out of the forecast.")
    on_hand = _n(s.on_hand) + (" (counted as 0)" if s.on_hand < 0 else "")
    parts.append(f"On hand {on_hand}, on order {_n(s.on_order)}: {_n(s.raw_quantity)} short.")
    if s.cap_applied and s.cap is not None:
        parts.append(f"Capped at {_n(s.cap)} so it sells before it expires.")
    if s.rounding and s.quantity:
        direction = "up" if s.rounding > 0 else "down"
        if s.case_pack == 1:
            parts.append(f"Rounded {direction} to whole units.")
        else:
            cases = _n(s.quantity / s.case_pack)
            unit = "case" if cases == "1" else "cases"
            parts.append(f"Rounded {direction} to {cases} {unit} of {_n(s.case_pack)}.")
    if s.minimum_added:
        parts.append(f"{_n(s.minimum_added)} added to reach the supplier's minimum order.")
    parts.append(f"Order {_n(s.quantity)}.")
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class SupplierOrder:
    """One supplier's lines after the minimum order was applied."""

    lines: tuple[Suggestion, ...]
    total: int
    """Value of the lines in minor units (quantity x unit cost, rounded half up)."""
    minimum: int
    shortfall: int
    """How far the total stays below the minimum (0 when it is met)."""


def top_up_to_minimum(
    lines: Sequence[Suggestion], unit_costs: Sequence[int], minimum: int
) -> SupplierOrder:
    """Raise one supplier's order to its minimum value, a case at a time.

    An order with nothing in it stays empty (the minimum is no reason to order). Otherwise,
    while the value is below ``minimum``, one more case goes to the line that would run
    out first: the fewest days of cover (position + quantity) / daily forecast. Lines that
    do not sell, have no cost, or would pass their freshness cap get nothing; when no
    line can take more, the order stays below the minimum and ``shortfall`` says by how
    much, for the manager to decide.
    """
    if len(lines) != len(unit_costs):
        raise ValueError("one unit cost per line")
    quantities = [line.quantity for line in lines]
    value = sum((q * c for q, c in zip(quantities, unit_costs, strict=True)), _ZERO)
    if value > 0 and value < minimum:
        heap = [
            (float((line.position + line.quantity) / line.daily_forecast), i)
            for i, line in enumerate(lines)
            if line.daily_forecast > 0 and unit_costs[i] > 0
        ]
        heapq.heapify(heap)
        while heap and value < minimum:
            _, i = heapq.heappop(heap)
            line = lines[i]
            more = quantities[i] + line.case_pack
            if line.cap is not None and more > line.cap:
                continue
            quantities[i] = more
            value += line.case_pack * unit_costs[i]
            cover = (line.position + more) / line.daily_forecast
            heapq.heappush(heap, (float(cover), i))
    result = []
    for line, quantity in zip(lines, quantities, strict=True):
        if quantity != line.quantity:
            added = quantity - line.quantity
            line = replace(line, quantity=quantity, minimum_added=added)
            line = replace(line, text=explain(line))
        result.append(line)
    total = int(value.to_integral_value(ROUND_HALF_UP))
    return SupplierOrder(tuple(result), total, minimum, max(0, minimum - total) if total else 0)
