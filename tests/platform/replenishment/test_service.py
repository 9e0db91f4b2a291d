"""Suggestion runs against the real ledger, with the store's date fixed so weekdays are known.

Four weeks of history from Monday 5 January 2026 to Sunday 1 February (10 a weekday, 20 a
weekend day, as in test_forecast.py), and the run made on Monday 2 February.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from bodega.replenishment import service
from bodega.replenishment._planning import order_timing
from bodega.replenishment.schemas import CalendarEntryIn, SuggestionRunIn
from tests.conftest import sign_up
from tests.platform.catalog.helpers import create
from tests.platform.replenishment.helpers import (
    call_service,
    product,
    supplier,
    write_history,
)

MONDAY = date(2026, 1, 5)
RUN_DAY = date(2026, 2, 2)
FOUR_WEEKS = [10, 10, 10, 10, 10, 20, 20] * 4
MEDIAN = SuggestionRunIn(service_level=Decimal("0.5"))
"""z = 0: no safety stock, so the numbers are the forecast's alone."""


@pytest.fixture(scope="module")
def shop(client, chain):
    return create(client, chain, "/v1/stores", code="REP-1", name="Replenished")


@pytest.fixture(scope="module")
def daily_supplier(client, chain):
    """Takes orders every day and delivers two days later: L = 2, R = 1."""
    return supplier(client, chain, "DAILY", lead_time_days=2, order_days=[1, 2, 3, 4, 5, 6, 7])


def run(client, chain, store_id, data=None, today=RUN_DAY):
    return call_service(
        client, chain, service.run_suggestions, uuid.UUID(store_id), data, today=today
    )


def line_of(client, chain, run_out, product_id):
    detail = call_service(client, chain, service.get_run, run_out.id)
    (line,) = [x for x in detail.lines if str(x.product_id) == product_id]
    return line


def test_a_weekday_pattern_is_forecast_by_weekday(client, chain, shop, daily_supplier):
    """380 received on day 0, 360 sold in four weeks: 20 on hand. Monday to Wednesday need
    10 + 10 + 10 = 30 (sigma 0: the pattern repeats exactly); 30 - 20 = 10 short, cases of 12
    round it to 12. The 337 days of the year before the first delivery had no stock: left out."""
    item = product(
        client, chain, "WEEKDAY", supplier_id=daily_supplier["id"], case_pack=12, cost_price=300
    )
    write_history(
        client, chain, shop["id"], item["id"], start=MONDAY, sales=FOUR_WEEKS, receipts={0: 380}
    )
    made = run(client, chain, shop["id"])
    assert (made.as_of, made.first_day, made.history_days) == (date(2026, 2, 1), RUN_DAY, 365)
    line = line_of(client, chain, made, item["id"])
    assert line.classification == "smooth"
    assert line.daily == [Decimal("10.000")] * 3
    assert line.suggested_quantity == 12
    assert line.quantity == 12
    assert line.unit_cost == 300
    assert str(line.supplier_id) == daily_supplier["id"]
    r = line.reasons
    assert (r["lead_time_days"], r["review_days"], r["horizon_days"]) == (2, 1, 3)
    assert (r["on_hand"], r["on_order"]) == ("20.000", "0.000")
    assert (r["order_up_to"], r["raw_quantity"], r["rounding"]) == ("30.000", "10.000", "2.000")
    assert (r["censored_days"], r["in_stock_days"]) == (337, 28)
    assert r["text"].endswith("Rounded up to 1 case of 12. Order 12.")
    assert made.suggested_value >= 12 * 300


def test_order_timing_follows_the_suppliers_order_days():
    """Orders on Monday, Wednesday and Friday, delivered 2 days later. On a Monday: ordered
    today (wait 0), next chance Wednesday (R = 2): L = 2. On a Tuesday: ordered Wednesday
    (wait 1), L = 1 + 2 = 3, next chance Friday (R = 2). On a Friday: next chance Monday, R = 3."""
    from bodega.catalog import SupplierOut

    mwf = SupplierOut(
        id=uuid.uuid4(),
        code="MWF",
        name="MWF",
        email="",
        phone="",
        lead_time_days=2,
        order_days=[1, 3, 5],
        min_order=0,
        created_at=None,  # type: ignore[arg-type]
        version=1,
    )
    assert order_timing(RUN_DAY, mwf) == (2, 2)
    assert order_timing(date(2026, 2, 3), mwf) == (3, 2)
    assert order_timing(date(2026, 2, 6), mwf) == (2, 3)
    assert order_timing(RUN_DAY, None) == (1, 1)


def test_stock_outs_in_the_ledger_are_left_out(client, chain, shop, daily_supplier):
    """323 received: the last Saturday sells the 3 left (not its usual 20) and closes at 0,
    Sunday sells nothing at 0. Both days are left out, so the weekday pattern still reads
    10 a weekday: Monday to Wednesday 30, nothing on hand, 30 to order (cases of 1, z = 0)."""
    item = product(client, chain, "EMPTIED", supplier_id=daily_supplier["id"])
    sales = [*FOUR_WEEKS[:-2], 3, 0]
    write_history(
        client, chain, shop["id"], item["id"], start=MONDAY, sales=sales, receipts={0: 323}
    )
    line = line_of(client, chain, run(client, chain, shop["id"], MEDIAN), item["id"])
    assert line.daily == [Decimal("10.000")] * 3
    assert line.reasons["censored_days"] == 337 + 2
    assert line.reasons["on_hand"] == "0.000"
    assert line.suggested_quantity == 30


def test_calendar_days_multiply_the_forecast(client):
    """Tuesday 3 February: the chain's festival (x1.5) and the store's street fair (x2) make
    3 times a Tuesday's 10; another store's day and other days change nothing."""
    owner = sign_up(client)
    store = create(client, owner, "/v1/stores", code="CAL", name="Calendar")
    elsewhere = create(client, owner, "/v1/stores", code="CAL-2", name="Elsewhere")
    every_day = supplier(client, owner, "CALSUP", lead_time_days=2, order_days=list(range(1, 8)))
    item = product(client, owner, "CAL-1", supplier_id=every_day["id"])
    write_history(
        client, owner, store["id"], item["id"], start=MONDAY, sales=FOUR_WEEKS, receipts={0: 400}
    )
    tuesday = date(2026, 2, 3)
    for entry in (
        CalendarEntryIn(day=tuesday, multiplier=Decimal("1.5"), label="Lantern Festival"),
        CalendarEntryIn(
            day=tuesday, multiplier=Decimal(2), label="Street fair", store_id=uuid.UUID(store["id"])
        ),
        CalendarEntryIn(
            day=tuesday,
            multiplier=Decimal(5),
            label="Elsewhere",
            store_id=uuid.UUID(elsewhere["id"]),
        ),
    ):
        call_service(client, owner, service.create_calendar_entry, entry)
    line = line_of(client, owner, run(client, owner, store["id"], MEDIAN), item["id"])
    assert line.daily == [Decimal("10.000"), Decimal("30.000"), Decimal("10.000")]


def test_the_supplier_minimum_adds_cases(client, chain, daily_supplier):
    """As in the weekday test, 12 are suggested (3,600 at cost 300), but the supplier's
    minimum is 10,000: two more cases (7,200, then 10,800) reach it."""
    store = create(client, chain, "/v1/stores", code="REP-MIN", name="Minimum")
    minimum = supplier(
        client, chain, "MIN", lead_time_days=2, order_days=list(range(1, 8)), min_order=10_000
    )
    item = product(
        client, chain, "MINIMUM", supplier_id=minimum["id"], case_pack=12, cost_price=300
    )
    write_history(
        client, chain, store["id"], item["id"], start=MONDAY, sales=FOUR_WEEKS, receipts={0: 380}
    )
    line = line_of(client, chain, run(client, chain, store["id"]), item["id"])
    assert line.suggested_quantity == 36
    assert line.reasons["minimum_added"] == "24.000"
    assert line.reasons["supplier_minimum"] == {
        "min_order": 10_000,
        "order_value": 10_800,
        "shortfall": 0,
    }
    assert "24 added to reach the supplier's minimum order. Order 36." in line.reasons["text"]
