"""The arithmetic of markdowns, on its own (no database): hours to a store's closing and to
the end of a lot's expiry day in the store's time zone (across zones, midnight and the clock
changes), the step a rule reaches, and the price with its floor."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from bodega.promotions import (
    MarkdownRuleOut,
    hours_to_closing,
    hours_to_expiry,
    markdown_price,
    markdown_step,
)

LONDON, SHANGHAI = "Europe/London", "Asia/Shanghai"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rule(basis: str, *steps: tuple[str, str], floor: str = "0") -> MarkdownRuleOut:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "name": "Fresh",
        "basis": basis,
        "steps": [{"hours_before": h, "percent": p} for h, p in steps],
        "floor_percent": floor,
        "product_ids": [],
        "category_ids": [],
        "store_ids": [],
        "status": "active",
        "created_at": utc(2026, 1, 1),
        "updated_at": utc(2026, 1, 1),
        "version": 1,
    }
    return msgspec.convert(fields, MarkdownRuleOut)


def test_the_same_instant_in_two_stores():
    """At 12:00 UTC a Shanghai store (20:00) closing at 22:00 has 2 hours left; a London one
    (13:00 in summer) 9 hours."""
    at = utc(2026, 6, 15, 12, 0)
    assert hours_to_closing(at, SHANGHAI, time(22, 0)) == Decimal(2)
    assert hours_to_closing(at, LONDON, time(22, 0)) == Decimal(9)


@pytest.mark.parametrize(
    ("local", "closes_at", "hours"),
    [
        ((23, 45), time(0, 30), "0.75"),  # closing after midnight, the same night
        ((0, 15), time(0, 30), "0.25"),
        ((0, 30), time(0, 30), "24"),  # at the closing minute: the next closing
        ((23, 0), time(0, 0), "1"),  # closing at midnight
        ((21, 59, 59), time(22, 0), "0.000278"),  # rounded up: never early
    ],
)
def test_around_midnight(local, closes_at, hours):
    at = datetime(2026, 12, 4, *local, tzinfo=UTC)  # London is on UTC in December
    assert hours_to_closing(at, LONDON, closes_at) == Decimal(hours)


def test_the_night_the_clocks_go_forward_is_an_hour_shorter():
    """London, 28-29 March 2026: from 23:00 on Saturday to 22:00 on Sunday the wall clock
    shows 23 hours but 22 pass."""
    saturday_night = utc(2026, 3, 28, 23, 0)  # 23:00 GMT
    assert hours_to_closing(saturday_night, LONDON, time(22, 0)) == Decimal(22)
    sunday_morning = utc(2026, 3, 29, 0, 30)  # 00:30 GMT, before the change at 01:00
    assert hours_to_closing(sunday_morning, LONDON, time(3, 0)) == Decimal("1.5")


def test_the_night_the_clocks_go_back_is_an_hour_longer():
    """London, 24-25 October 2026: from 23:00 BST to 22:00 GMT, 24 hours pass."""
    saturday_night = utc(2026, 10, 24, 22, 0)  # 23:00 BST
    assert hours_to_closing(saturday_night, LONDON, time(22, 0)) == Decimal(24)
    assert hours_to_expiry(utc(2026, 10, 24, 23, 0), LONDON, date(2026, 10, 25)) == Decimal(25)


def test_a_lot_may_be_sold_until_the_end_of_its_day():
    """A lot expiring on 15 June: in Shanghai that day ends at 16:00 UTC, in London at 23:00
    UTC; once its day ended, the hours left are 0 or less."""
    at = utc(2026, 6, 15, 12, 0)
    assert hours_to_expiry(at, SHANGHAI, date(2026, 6, 15)) == Decimal(4)
    assert hours_to_expiry(at, LONDON, date(2026, 6, 15)) == Decimal(11)
    assert hours_to_expiry(at, SHANGHAI, date(2026, 6, 17)) == Decimal(52)
    assert hours_to_expiry(utc(2026, 6, 15, 16, 0), SHANGHAI, date(2026, 6, 15)) == 0
    assert hours_to_expiry(utc(2026, 6, 15, 17, 0), SHANGHAI, date(2026, 6, 15)) == -1


@pytest.mark.parametrize(
    ("hours_left", "percent"),
    [
        ("5", None),
        ("3.01", None),
        ("3", "20.00"),
        ("2.5", "20.00"),
        ("1", "50.00"),
        ("0.1", "50.00"),
    ],
)
def test_the_deepest_step_reached(hours_left, percent):
    steps = rule("closing", ("3", "20"), ("1", "50"))
    step = markdown_step(steps, Decimal(hours_left))
    assert (None if step is None else step.percent) == (
        None if percent is None else Decimal(percent)
    )


def test_an_expired_lot_is_not_marked_down():
    by_expiry = rule("expiry", ("24", "30"), ("6", "60"))
    assert markdown_step(by_expiry, Decimal("0.5")).percent == Decimal(60)
    assert markdown_step(by_expiry, Decimal(0)) is None
    assert markdown_step(by_expiry, Decimal(-3)) is None


@pytest.mark.parametrize(
    ("regular", "percent", "floor", "price"),
    [
        (999, "20", "0", 799),  # 799.2
        (5, "50", "0", 3),  # 2.5 rounds half up
        (999, "50", "60", 599),  # 499.5 would be below the floor of 599.4
        (333, "90", "50", 167),  # floor 166.5 rounds half up
        (1000, "50", "50", 500),  # at the floor exactly
        (0, "50", "10", 0),
    ],
)
def test_the_price_never_goes_below_the_floor(regular, percent, floor, price):
    assert markdown_price(regular, Decimal(percent), Decimal(floor)) == price
