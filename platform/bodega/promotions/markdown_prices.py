"""The arithmetic of markdowns for fresh goods: hours left before a store closes or a lot
expires, the step a rule reaches, and the marked-down price. Pure functions.

Hours are real elapsed time, not wall-clock differences: on the night the clocks change, a
store closing at 22:00 is 23 or 25 hours away from 23:00 the day before, and the markdown
follows the hours that really pass. Hours are rounded up to the microsecond-hour (6 places),
so a markdown never starts early.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bodega.promotions.schemas import MarkdownRuleOut, MarkdownStepOut

__all__ = ["hours_to_closing", "hours_to_expiry", "markdown_price", "markdown_step"]

_HOUR = Decimal(3_600_000_000)
_PLACES = Decimal("0.000001")
_HUNDRED = Decimal(100)


def _hours_between(start: datetime, end: datetime) -> Decimal:
    """Elapsed hours from ``start`` to ``end`` (aware datetimes), in UTC so that wall-clock
    jumps count as the time that really passes."""
    elapsed = end.astimezone(UTC) - start.astimezone(UTC)
    return (Decimal(elapsed // timedelta(microseconds=1)) / _HOUR).quantize(
        _PLACES, rounding=ROUND_CEILING
    )


def hours_to_closing(at: datetime, timezone: str, closes_at: time) -> Decimal:
    """Hours from ``at`` to the store's next closing (``closes_at``, local time in
    ``timezone``): more than 0, at most a day (at the closing minute itself: the next day's)."""
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    closing = datetime.combine(local.date(), closes_at, zone)
    if closing.astimezone(UTC) <= at.astimezone(UTC):
        closing = datetime.combine(local.date() + timedelta(days=1), closes_at, zone)
    return _hours_between(at, closing)


def hours_to_expiry(at: datetime, timezone: str, expires_on: date) -> Decimal:
    """Hours from ``at`` to the end of ``expires_on`` in the store's time zone: a lot
    "expiring on" a day may be sold until that day's midnight. 0 or less once expired."""
    end = datetime.combine(expires_on + timedelta(days=1), time(0), ZoneInfo(timezone))
    return _hours_between(at, end)


def markdown_step(rule: MarkdownRuleOut, hours_left: Decimal) -> MarkdownStepOut | None:
    """The deepest step reached with ``hours_left``: the one with the fewest hours among
    those whose ``hours_before >= hours_left``. None before the first step, and, for a rule
    by expiry, once the lot expired (it must not be sold, so it is not marked down)."""
    if rule.basis == "expiry" and hours_left <= 0:
        return None
    reached = [step for step in rule.steps if step.hours_before >= hours_left]
    return min(reached, key=lambda step: step.hours_before, default=None)


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def markdown_price(regular_price: int, percent: Decimal, floor_percent: Decimal) -> int:
    """``regular_price`` less ``percent``, rounded half up to the minor unit, but never below
    ``floor_percent`` of the regular price (rounded the same way)."""
    marked = _round_half_up(regular_price * (_HUNDRED - percent) / _HUNDRED)
    floor = _round_half_up(regular_price * floor_percent / _HUNDRED)
    return max(marked, floor)
