"""A store's suggested order from what the other domains know, without I/O.

The service gathers the inputs (history from inventory, open purchase orders from
purchasing, products and suppliers from the catalog, the demand calendar) and this module
turns them into one `PlannedLine` per product: forecast, suggestion, and its reasons.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bodega.catalog import ProductOut, SupplierOut
from bodega.inventory import History
from bodega.replenishment.forecast import DemandForecast, DemandHistory, forecast_demand
from bodega.replenishment.policy import (
    ItemTerms,
    ReplenishmentPolicy,
    StockPosition,
    Suggestion,
    suggest_replenishment,
    top_up_to_minimum,
)

__all__ = [
    "PlannedLine",
    "order_timing",
    "order_value",
    "plan_store_order",
    "reasons",
    "store_today",
]

Progress = Callable[[str, int, int], None]
_WEIGHED_PACK = Decimal("0.001")
"""Weighed goods are ordered by any weight (3 decimals), not in cases."""
_RATIO = Decimal("0.0001")
_QUANTITY = Decimal("0.001")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PlannedLine:
    product: ProductOut
    supplier: SupplierOut | None
    forecast: DemandForecast
    suggestion: Suggestion
    lead_time_days: int
    review_days: int
    service_level: float
    unit_cost: int
    supplier_minimum: dict[str, int] | None = None


def store_today(timezone: str) -> date:
    """The date at the store now: suggestions start on it, their history ends the day before."""
    return datetime.now(ZoneInfo(timezone)).date()


def order_timing(today: date, supplier: SupplierOut | None) -> tuple[int, int]:
    """(L, R) for an order placed on the supplier's next order day (today, if it is one).

    L counts the days until that order day plus the supplier's lead time: the stock on hand
    has to last that long. R is the gap to the order day after it, when the next order can
    be placed. A supplier without order days takes orders every day (R = 1); a product
    without a supplier is planned as delivered next day (L = R = 1).
    """
    if supplier is None:
        return 1, 1
    days = set(supplier.order_days) or set(range(1, 8))
    wait = 0
    while (today + timedelta(days=wait)).isoweekday() not in days:
        wait += 1
    gap = 1
    while (today + timedelta(days=wait + gap)).isoweekday() not in days:
        gap += 1
    return wait + supplier.lead_time_days, gap


def _terms(product: ProductOut) -> ItemTerms:
    """Unknown prices are stored as 0, which here means "not known" (no newsvendor ratio)."""
    return ItemTerms(
        case_pack=_WEIGHED_PACK if product.unit == "kg" else product.case_pack,
        shelf_life_days=product.shelf_life_days,
        unit_price=product.list_price or None,
        unit_cost=product.cost_price or None,
    )


def plan_store_order(
    *,
    today: date,
    histories: Mapping[uuid.UUID, History],
    products: Mapping[uuid.UUID, ProductOut],
    suppliers: Mapping[uuid.UUID, SupplierOut],
    on_hand: Mapping[uuid.UUID, Decimal],
    on_order: Mapping[uuid.UUID, Decimal],
    calendar: Mapping[date, float],
    service_level: float,
    progress: Progress | None = None,
) -> list[PlannedLine]:
    """One line per active product with history, the supplier's minimum applied per supplier."""
    planned: list[PlannedLine] = []
    total = len(histories)
    for done, (product_id, history) in enumerate(histories.items(), start=1):
        product = products.get(product_id)
        if product is not None and product.status == "active":
            supplier = suppliers.get(product.supplier_id) if product.supplier_id else None
            planned.append(
                _plan_line(
                    today, history, product, supplier, on_hand, on_order, calendar, service_level
                )
            )
        if progress is not None and (done % 100 == 0 or done == total):
            progress("forecast", done, total)
    return _apply_minimums(planned)


def _plan_line(
    today: date,
    history: History,
    product: ProductOut,
    supplier: SupplierOut | None,
    on_hand: Mapping[uuid.UUID, Decimal],
    on_order: Mapping[uuid.UUID, Decimal],
    calendar: Mapping[date, float],
    service_level: float,
) -> PlannedLine:
    lead, review = order_timing(today, supplier)
    forecast = forecast_demand(
        DemandHistory(history.start, history.sold, history.closing), calendar
    )
    policy = ReplenishmentPolicy(
        lead_time_days=lead, review_days=review, service_level=service_level
    )
    stock = StockPosition(on_hand.get(product.id, _ZERO), on_order.get(product.id, _ZERO))
    suggestion = suggest_replenishment(
        forecast,
        first_day=today,
        policy=policy,
        item=_terms(product),
        stock=stock,
        calendar=calendar,
    )
    return PlannedLine(
        product, supplier, forecast, suggestion, lead, review, service_level, product.cost_price
    )


def _apply_minimums(planned: list[PlannedLine]) -> list[PlannedLine]:
    """Raise each supplier's order to its minimum (see `top_up_to_minimum`)."""
    by_supplier: dict[uuid.UUID, list[int]] = defaultdict(list)
    for i, line in enumerate(planned):
        if line.supplier is not None and line.supplier.min_order > 0:
            by_supplier[line.supplier.id].append(i)
    for indexes in by_supplier.values():
        lines = [planned[i] for i in indexes]
        supplier = lines[0].supplier
        assert supplier is not None
        order = top_up_to_minimum(
            [line.suggestion for line in lines],
            [line.unit_cost for line in lines],
            supplier.min_order,
        )
        summary = {
            "min_order": supplier.min_order,
            "order_value": order.total,
            "shortfall": order.shortfall,
        }
        for i, suggestion in zip(indexes, order.lines, strict=True):
            planned[i] = replace(planned[i], suggestion=suggestion, supplier_minimum=summary)
    return planned


def _ratio(value: float | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(_RATIO, ROUND_HALF_UP))


def _qty(value: Decimal | None) -> str | None:
    """A quantity as the API shows quantities: 3 decimals."""
    return None if value is None else str(value.quantize(_QUANTITY, ROUND_HALF_UP))


def reasons(line: PlannedLine) -> dict[str, Any]:
    """Every number behind a line, for the API (decimals as strings, as the API shows them)."""
    s, f = line.suggestion, line.forecast
    return {
        "text": s.text,
        "classification": str(s.classification),
        "method": s.method,
        "adi": _ratio(f.adi),
        "cv2": _ratio(f.cv2),
        "in_stock_days": f.in_stock_days,
        "censored_days": s.censored_days,
        "daily_forecast": _qty(s.daily_forecast),
        "lead_time_days": line.lead_time_days,
        "review_days": line.review_days,
        "horizon_days": s.horizon_days,
        "horizon_demand": _qty(s.horizon_demand),
        "sigma": _qty(s.sigma),
        "service_level": _ratio(line.service_level),
        "safety_stock": _qty(s.safety_stock),
        "order_up_to": _qty(s.order_up_to),
        "on_hand": _qty(s.on_hand),
        "on_order": _qty(s.on_order),
        "raw_quantity": _qty(s.raw_quantity),
        "case_pack": _qty(s.case_pack),
        "critical_ratio": _ratio(s.critical_ratio),
        "freshness_cap": _qty(s.cap),
        "cap_applied": s.cap_applied,
        "rounding": _qty(s.rounding),
        "minimum_added": _qty(s.minimum_added),
        "supplier_minimum": line.supplier_minimum,
    }


def order_value(lines: Sequence[PlannedLine]) -> int:
    """What the suggested quantities cost at the products' cost prices (minor units)."""
    total = sum((line.suggestion.quantity * line.unit_cost for line in lines), _ZERO)
    return int(total.to_integral_value(ROUND_HALF_UP))
