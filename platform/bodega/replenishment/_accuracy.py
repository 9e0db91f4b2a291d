"""How good past suggestions were: their forecasts against what then sold, and the edits.

Every line of a run forecast each day of its horizon. For each (line, day) that is over
(before today) the forecast is compared with the product's sales that day, except on days
the store ran out: sales cut short by an empty shelf would make any forecast look high.
Runs overlap (a store that runs daily forecasts each day several times); every pair counts,
as each was a forecast someone ordered from.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bodega.api.auth import Actor
from bodega.catalog import get_store
from bodega.db import engine as db
from bodega.inventory import daily_history
from bodega.replenishment._planning import store_today
from bodega.replenishment.forecast import bias, wape
from bodega.replenishment.schemas import AccuracyGroup, ForecastAccuracyOut

__all__ = ["forecast_accuracy"]

_PLACES = Decimal("0.0001")


def _ratio(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(_PLACES, ROUND_HALF_UP)


async def forecast_accuracy(
    actor: Actor, store_id: uuid.UUID, *, days: int = 28, today: date | None = None
) -> ForecastAccuracyOut:
    """WAPE and bias of the store's runs of the last ``days`` days, and how often managers
    changed a suggested quantity."""
    store = await get_store(actor, store_id)
    until = (today or store_today(store.timezone)) - timedelta(days=1)
    since = until - timedelta(days=days - 1)
    lines = await db.fetch(
        """
        SELECT l.product_id, l.classification, l.first_day, l.daily,
               l.suggested_quantity, l.edited_quantity
        FROM suggestion_lines l JOIN suggestion_runs r ON r.id = l.run_id
        WHERE r.tenant_id = $1 AND l.tenant_id = $1 AND r.store_id = $2
          AND r.first_day BETWEEN $3 AND $4
        """,
        actor.tenant_id,
        store_id,
        since,
        until,
    )
    runs = await db.fetchval(
        "SELECT count(*) FROM suggestion_runs WHERE tenant_id = $1 AND store_id = $2 "
        "AND first_day BETWEEN $3 AND $4",
        actor.tenant_id,
        store_id,
        since,
        until,
    )
    products = list({line["product_id"] for line in lines})
    history = (
        await daily_history(actor, store_id, start=since, end=until, product_ids=products)
        if products
        else {}
    )
    pairs: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for line in lines:
        sold = history.get(line["product_id"])
        if sold is None:
            continue
        actual, forecast = pairs[line["classification"]]
        for k, value in enumerate(line["daily"]):
            i = (line["first_day"] - since).days + k
            if i >= len(sold.sold):
                break
            if sold.closing[i] <= 0:
                continue
            actual.append(sold.sold[i])
            forecast.append(float(value))
    every_actual = [a for group in pairs.values() for a in group[0]]
    every_forecast = [f for group in pairs.values() for f in group[1]]
    edited = sum(
        1
        for line in lines
        if line["edited_quantity"] is not None
        and line["edited_quantity"] != line["suggested_quantity"]
    )
    return ForecastAccuracyOut(
        store_id=store_id,
        since=since,
        until=until,
        runs=runs,
        days_compared=len(every_actual),
        actual=Decimal(sum(every_actual)).quantize(Decimal("0.001"), ROUND_HALF_UP),
        forecast=Decimal(sum(every_forecast)).quantize(Decimal("0.001"), ROUND_HALF_UP),
        wape=_ratio(wape(every_actual, every_forecast)),
        bias=_ratio(bias(every_actual, every_forecast)),
        lines=len(lines),
        edited_lines=edited,
        edit_rate=_ratio(edited / len(lines)) if lines else None,
        by_classification=[
            AccuracyGroup(
                classification=name,
                days_compared=len(actual),
                wape=_ratio(wape(actual, forecast)),
                bias=_ratio(bias(actual, forecast)),
            )
            for name, (actual, forecast) in sorted(pairs.items())
        ],
    )
