"""Whether a promotion's conditions hold for a sale, and the reason a cashier reads when they
do not: pure, no database. Times are the store's: a Shanghai and a London store at the same
instant see different hours."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from bodega.promotions import PromotionOut, blocked_reason

SHOP, OTHER_SHOP = uuid.uuid4(), uuid.uuid4()
MEMBER = uuid.uuid4()
# 2026-12-04 is a Friday: 09:30 UTC is 17:30 in Shanghai and 09:30 in London.
FRIDAY = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def promo(**fields: Any) -> PromotionOut:
    base = {
        "id": uuid.uuid4(),
        "name": "Deal",
        "description": "",
        "rule": {"type": "percent_off", "percent": "10"},
        "product_ids": [],
        "category_ids": [],
        "priority": 0,
        "exclusive": False,
        "starts_at": datetime(2026, 1, 1, tzinfo=UTC),
        "ends_at": None,
        "store_ids": [],
        "channels": [],
        "members_only": False,
        "segments": [],
        "happy_hours": [],
        "usage_limit": None,
        "per_member_limit": None,
        "uses": 0,
        "status": "active",
        "created_by": uuid.uuid4(),
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
        "version": 1,
    }
    return msgspec.convert({**base, **fields}, PromotionOut)


def reason(
    promotion: PromotionOut,
    *,
    at: datetime = FRIDAY,
    timezone: str = "Asia/Shanghai",
    store_id: uuid.UUID = SHOP,
    channel: str = "pos",
    member_id: uuid.UUID | None = None,
    segments: frozenset[str] = frozenset(),
    member_uses: int = 0,
) -> str | None:
    return blocked_reason(
        promotion,
        store_id=store_id,
        channel=channel,
        at=at,
        timezone=timezone,
        member_id=member_id,
        member_segments=segments,
        member_uses=member_uses,
    )


def test_a_promotion_without_conditions_applies():
    assert reason(promo()) is None


@pytest.mark.parametrize(
    ("fields", "kwargs", "expected"),
    [
        ({"status": "paused"}, {}, "paused"),
        ({"store_ids": [str(OTHER_SHOP)]}, {}, "not at this store"),
        ({"store_ids": [str(SHOP)]}, {}, None),
        ({"channels": ["pos", "pickup"]}, {"channel": "delivery"}, "not on delivery orders"),
        ({"members_only": True}, {}, "members only"),
        ({"members_only": True}, {"member_id": MEMBER}, None),
        (
            {"members_only": True, "segments": ["vip", "gold"]},
            {"member_id": MEMBER, "segments": frozenset({"new"})},
            "for segment(s) vip, gold",
        ),
        (
            {"members_only": True, "segments": ["vip", "gold"]},
            {"member_id": MEMBER, "segments": frozenset({"gold", "new"})},
            None,
        ),
        ({"usage_limit": 500, "uses": 500}, {}, "used up (500 of 500)"),
        ({"usage_limit": 500, "uses": 499}, {}, None),
        (
            {"members_only": True, "per_member_limit": 1},
            {"member_id": MEMBER, "member_uses": 1},
            "already used by this member (1 of 1)",
        ),
        ({"per_member_limit": 1}, {}, "members only"),
    ],
)
def test_each_condition_has_its_reason(fields, kwargs, expected):
    assert reason(promo(**fields), **kwargs) == expected


def test_dates_are_told_in_the_stores_time():
    """Starts and ends at the store's local time; the end is excluded, the start included."""
    start = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    future = promo(starts_at=start)
    before = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    assert reason(future, at=before) == "starts 2026-12-01 08:00"
    assert reason(future, at=before, timezone="Europe/London") == "starts 2026-12-01 00:00"
    assert reason(future, at=start) is None
    ended = promo(ends_at=start)
    assert reason(ended, at=start) == "ended 2026-12-01 08:00"
    assert reason(ended, at=before) is None


def test_happy_hours_follow_each_stores_clock():
    """17:00-19:00 on weekdays: at one instant it is 17:30 in Shanghai (inside) and 09:30 in
    London (outside); on a Saturday it is outside everywhere; the end minute is outside."""
    weekdays = promo(happy_hours=[{"days": [1, 2, 3, 4, 5], "start": "17:00", "end": "19:00"}])
    assert reason(weekdays) is None
    assert reason(weekdays, timezone="Europe/London") == "happy hour 17:00-19:00 (Mon-Fri) only"
    saturday = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert reason(weekdays, at=saturday) == "happy hour 17:00-19:00 (Mon-Fri) only"
    seven_pm = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
    assert reason(weekdays, at=seven_pm) is not None
    five_pm = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert reason(weekdays, at=five_pm) is None


def test_happy_hours_around_midnight_and_their_wording():
    """An overnight window is two windows; days read as ranges where they run on."""
    late = promo(
        happy_hours=[
            {"days": [5, 6], "start": "22:00", "end": "24:00"},
            {"days": [1, 3, 6, 7], "start": "00:00", "end": "02:00"},
        ]
    )
    friday_late = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # London: Friday 23:30
    saturday_early = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # London: Saturday 01:00
    friday_early = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # London: Friday 01:00
    assert reason(late, at=friday_late, timezone="Europe/London") is None
    assert reason(late, at=saturday_early, timezone="Europe/London") is None
    assert reason(late, at=friday_early, timezone="Europe/London") == (
        "happy hour 22:00-24:00 (Fri, Sat), 00:00-02:00 (Mon, Wed, Sat, Sun) only"
    )
    daily = promo(happy_hours=[{"days": [], "start": "07:00", "end": "09:00"}])
    assert reason(daily) == "happy hour 07:00-09:00 only"


def test_the_first_failing_condition_is_told():
    """Dates before the store, the store before members, members before limits."""
    everything = promo(
        store_ids=[str(OTHER_SHOP)],
        members_only=True,
        usage_limit=1,
        uses=1,
        starts_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert reason(everything).startswith("starts ")
    assert reason(promo(store_ids=[str(OTHER_SHOP)], members_only=True)) == "not at this store"
    assert reason(promo(members_only=True, usage_limit=1, uses=1)) == "members only"
