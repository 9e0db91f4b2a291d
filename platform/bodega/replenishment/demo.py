"""A demo chain's past year of sales, written into the ledger so its suggestions mean something.

``[history]`` in a tenant manifest runs this once, while the chain has no stock history.
Each store sells each active product day by day, and the stock is simulated the way a store
runs: deliveries on the supplier's order days after its lead time, a naive order-up-to rule
(what a store without suggestions does), sales cut short when the shelf is empty, fresh
goods thrown away at the end of their shelf life. What the demo shows:

- weekday seasonality that differs by store (a high street busy at weekends, a metro
  station on weekdays, a campus kiosk nearly empty on Saturday and Sunday);
- a few slow, intermittent items (the dear ones, and a few picked at random);
- fresh bakery items with one- to four-day shelf lives, and their waste, written off the next
  morning before the delivery (as many bakeries do), so the ledger shows that the shelf was
  not empty at closing;
- holiday bumps (New Year, Labour Day, Golden Week) and a typhoon day at one store, which
  are also written into the demand calendar, so the forecasts learn from them correctly;
- stock-out days: a delivery comes a day late now and then, and demand peaks empty shelves.

Deterministic: the same seed, chain and date give the same history. The movements go
through `bodega.inventory.post_movements`, so levels equal their ledger as always.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

import msgspec

from bodega.api.auth import Actor
from bodega.api.pagination import MAX_LIMIT, Page
from bodega.catalog import ProductOut, StoreOut, SupplierOut, suppliers_by_ids
from bodega.catalog.service import list_products, list_stores
from bodega.inventory import MovementIn, daily_history, post_movements
from bodega.replenishment._calendar import create_calendar_entry, list_calendar
from bodega.replenishment._planning import Progress, store_today
from bodega.replenishment.schemas import CalendarEntryIn

__all__ = ["DemoHistory", "write_demo_history"]

HOLIDAYS = (
    (1, 1, 1, "1.2", "New Year's Day"),
    (5, 1, 5, "1.25", "Labour Day holiday"),
    (10, 1, 7, "1.4", "National Day Golden Week"),
)
"""(month, first day, days, multiplier, label), every year."""
STORE_WEEKS = (
    (1.0, 1.0, 1.0, 1.05, 1.2, 1.45, 1.35),
    (1.2, 1.2, 1.2, 1.2, 1.15, 0.7, 0.6),
    (1.3, 1.3, 1.3, 1.3, 1.1, 0.35, 0.3),
)
"""Monday-first weekday factors: a high street, a metro station, a campus."""
STORE_SIZES = (1.4, 1.0, 0.6)
TYPHOON = "0.3"
LATE_DELIVERY = 0.02
"""Chance that a delivery comes a day late."""
CHUNK = 50_000
"""Movements per call of post_movements: bounded statements and memory for big chains."""
_THOUSANDTH = Decimal("0.001")
T = TypeVar("T")


class DemoHistory(msgspec.Struct, kw_only=True):
    days: int
    stores: int
    products: int
    movements: int
    calendar_entries: int


@dataclass(frozen=True, slots=True)
class _Profile:
    rate: float
    """Units sold on an ordinary day of an average store."""
    sale_chance: float = 1.0
    """Below 1: an intermittent item, selling on that share of days."""


def _profile(product: ProductOut, rng: random.Random) -> _Profile:
    price = max(product.list_price / 100, 0.5)
    if price >= 60 or rng.random() < 0.08:
        return _Profile(rate=1.6, sale_chance=rng.uniform(0.1, 0.3))
    fresh = product.shelf_life_days is not None and product.shelf_life_days <= 4
    rate = min(max((120 if fresh else 70) / price, 2.0), 40.0) * rng.uniform(0.7, 1.3)
    if product.unit == "kg":
        rate = rng.uniform(0.5, 3.0)
    return _Profile(rate=rate)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class _Shelf:
    """One product in one store: stock in lots (fresh goods expire), orders under way."""

    lots: list[list[float]]
    """[quantity, last day it can be sold (index) or inf]."""
    coming: dict[int, float]

    @property
    def on_hand(self) -> float:
        return sum(lot[0] for lot in self.lots)

    def take(self, wanted: float) -> float:
        taken = 0.0
        for lot in self.lots:
            part = min(lot[0], wanted - taken)
            lot[0] -= part
            taken += part
        self.lots = [lot for lot in self.lots if lot[0] > 1e-9]
        return taken

    def expire(self, day: int) -> float:
        gone = sum(lot[0] for lot in self.lots if lot[1] <= day)
        self.lots = [lot for lot in self.lots if lot[1] > day]
        return gone


def _quantity(value: float, product: ProductOut) -> Decimal:
    if product.unit == "kg":
        return Decimal(value).quantize(_THOUSANDTH)
    return Decimal(round(value))


def _calendar(start: date, end: date) -> dict[date, tuple[str, str]]:
    days: dict[date, tuple[str, str]] = {}
    for year in range(start.year, end.year + 1):
        for month, first, length, multiplier, label in HOLIDAYS:
            for k in range(length):
                day = date(year, month, first) + timedelta(days=k)
                if start <= day <= end:
                    days[day] = (multiplier, label)
    return days


def _simulate(
    store_index: int,
    store: StoreOut,
    product: ProductOut,
    supplier: SupplierOut | None,
    start: date,
    days: int,
    holidays: dict[date, float],
    rng: random.Random,
) -> list[MovementIn]:
    profile = _profile(product, rng)
    week = STORE_WEEKS[store_index % 3]
    size = STORE_SIZES[store_index % 3] * rng.uniform(0.85, 1.15)
    lead = supplier.lead_time_days if supplier else 1
    order_days = set(supplier.order_days) if supplier and supplier.order_days else set(range(1, 8))
    gap = 7 / len(order_days)
    life = product.shelf_life_days or 10_000
    pack = 1 if product.unit == "kg" else product.case_pack
    expected = profile.rate * profile.sale_chance * size
    fresh = life <= 4
    target = expected * ((lead + 1) * 1.05 if fresh else (lead + gap + 2) * 1.2)
    shelf = _Shelf(lots=[[math.ceil(target), life - 1]], coming={})
    zone = ZoneInfo(store.timezone)
    now = datetime.now(zone)
    moves: list[MovementIn] = []

    def move(kind: str, quantity: float, day: date, at: int, reason: str | None = None) -> None:
        amount = _quantity(quantity, product)
        if amount:
            moves.append(
                MovementIn(
                    store_id=store.id,
                    product_id=product.id,
                    kind=kind,  # type: ignore[arg-type]
                    quantity=amount if kind == "receipt" else -amount,
                    reason=reason,
                    occurred_at=min(datetime.combine(day, time(at), zone), now),
                )
            )

    move("receipt", shelf.on_hand, start, 7)
    for i in range(days):
        day = start + timedelta(days=i)
        arriving = shelf.coming.pop(i, 0.0)
        if arriving and rng.random() < LATE_DELIVERY:
            shelf.coming[i + 1] = shelf.coming.get(i + 1, 0.0) + arriving
            arriving = 0.0
        if arriving:
            shelf.lots.append([arriving, i + life - 1])
            move("receipt", arriving, day, 7)
        factor = week[day.weekday()] * holidays.get(day, 1.0) * (0.95 + 0.1 * i / days)
        if profile.sale_chance < 1:
            wanted = 1 + _poisson(rng, 0.6) if rng.random() < profile.sale_chance * factor else 0
        elif product.unit == "kg":
            wanted = max(0.0, rng.gauss(profile.rate * size * factor, 0.3 * profile.rate))
        else:
            wanted = _poisson(rng, profile.rate * size * factor)
        move("sale", shelf.take(float(wanted)), day, 20)
        if fresh:
            move("loss", shelf.expire(i), day + timedelta(days=1), 5, "expired")
        if day.isoweekday() in order_days:
            position = shelf.on_hand + sum(shelf.coming.values())
            if position < target:
                quantity = math.ceil((target - position) / pack) * pack
                arrives = i + max(lead, 1)
                shelf.coming[arrives] = shelf.coming.get(arrives, 0.0) + quantity
    return moves


async def _all(fetch: Callable[..., Awaitable[Page[T]]], actor: Actor) -> list[T]:
    """Every item of a paginated list."""
    found: list[T] = []
    cursor = None
    while True:
        page = await fetch(actor, limit=MAX_LIMIT, cursor=cursor)
        found += page.data
        if not page.next_cursor:
            return found
        cursor = page.next_cursor


async def write_demo_history(
    actor: Actor,
    *,
    days: int,
    seed: int = 1,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoHistory | None:
    """Simulate ``days`` days up to yesterday for every store and active product of the
    chain; ``None`` (and nothing written) when a store already has stock history."""
    stores = await _all(list_stores, actor)
    if not stores:
        return None
    today = today or store_today(stores[0].timezone)
    end = today - timedelta(days=1)
    for store in stores:
        if await daily_history(actor, store.id, start=end, end=end):
            return None
    products = [p for p in await _all(list_products, actor) if p.status == "active"]
    supplier_ids = list({p.supplier_id for p in products if p.supplier_id})
    suppliers = await suppliers_by_ids(actor, supplier_ids) if supplier_ids else {}
    start = end - timedelta(days=days - 1)
    holidays = {d: float(m) for d, (m, _) in _calendar(start, end).items()}
    rng = random.Random(seed)  # noqa: S311 (a repeatable simulation, not a secret)
    typhoon_store, typhoon_day = stores[-1].id, start + timedelta(days=rng.randrange(days))
    movements = 0
    moves: list[MovementIn] = []
    for index, store in enumerate(stores):
        store_days = dict(holidays)
        if store.id == typhoon_store:
            store_days[typhoon_day] = float(TYPHOON)
        for product in products:
            supplier = suppliers.get(product.supplier_id) if product.supplier_id else None
            moves += _simulate(index, store, product, supplier, start, days, store_days, rng)
            if len(moves) >= CHUNK:
                await post_movements(actor, moves, source_type="demo_history", source_id=None)
                movements += len(moves)
                moves = []
        if progress is not None:
            progress("history", index + 1, len(stores))
    await post_movements(actor, moves, source_type="demo_history", source_id=None)
    movements += len(moves)
    entries = await _write_calendar(
        actor, start, today + timedelta(days=365), typhoon_store, typhoon_day
    )
    return DemoHistory(
        days=days,
        stores=len(stores),
        products=len(products),
        movements=movements,
        calendar_entries=entries,
    )


async def _write_calendar(
    actor: Actor, start: date, end: date, typhoon_store: uuid.UUID, typhoon_day: date
) -> int:
    """The holidays of the history and the year ahead, and the typhoon, unless the chain
    has its own entry for one of those days."""
    taken = {(entry.day, entry.store_id) for entry in await _all(list_calendar, actor)}
    wanted = {(d, None): spec for d, spec in _calendar(start, end).items()}
    wanted[(typhoon_day, typhoon_store)] = (TYPHOON, "Typhoon")
    written = 0
    for (day, store_id), (multiplier, label) in sorted(wanted.items(), key=lambda kv: kv[0][0]):
        if (day, store_id) in taken:
            continue
        entry = CalendarEntryIn(
            day=day, multiplier=Decimal(multiplier), label=label, store_id=store_id
        )
        await create_calendar_entry(actor, entry)
        written += 1
    return written
