"""The arithmetic of points, by hand: what an order earns under rules, which rules apply when,
how a debit draws on awards (FIFO), and what money points pay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bodega.points._ledger import Award, draw
from bodega.points.chain_settings import DEFAULTS, points_worth
from bodega.points.earning import EarningLine, points_earned, rule_applies
from bodega.points.schemas import PointsRuleOut

NOW = datetime(2030, 3, 2, 4, 0, tzinfo=UTC)  # a Saturday, 12:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
BREAD, MILK, BAKERY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _rule(kind: str, **fields) -> PointsRuleOut:
    values = {
        "id": uuid.uuid4(),
        "name": kind,
        "kind": kind,
        "points": None,
        "per_amount": None,
        "product_id": None,
        "category_id": None,
        "multiplier": None,
        "weekdays": [],
        "starts_at": None,
        "ends_at": None,
        "status": "active",
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
    }
    return PointsRuleOut(**{**values, **fields})


SPEND = _rule("spend", points=1, per_amount=100)
LINES = [
    EarningLine(BREAD, BAKERY, Decimal(3)),
    EarningLine(MILK, None, Decimal("0.5")),
]


@pytest.mark.parametrize(
    ("rules", "paid", "multiplier", "expected"),
    [
        ([], 10_000, Decimal(1), 0),
        ([SPEND], 2_599, Decimal(1), 25),  # whole ¥ only
        ([SPEND, _rule("spend", points=3, per_amount=1000)], 2_599, Decimal(1), 25 + 6),
        ([_rule("product", points=5, product_id=BREAD)], 0, Decimal(1), 15),
        ([_rule("product", points=3, product_id=MILK)], 0, Decimal(1), 1),  # 1.5 down to 1
        ([_rule("category", points=2, category_id=BAKERY)], 0, Decimal(1), 6),
        (
            [
                SPEND,
                _rule("product", points=5, product_id=BREAD),
                _rule("multiplier", multiplier=Decimal(2)),
            ],
            2_599,
            Decimal(1),
            (25 + 15) * 2,
        ),
        (  # the highest multiplier rule counts, not their product
            [
                SPEND,
                _rule("multiplier", multiplier=Decimal("1.5")),
                _rule("multiplier", multiplier=Decimal(3)),
            ],
            1_000,
            Decimal(1),
            30,
        ),
        ([SPEND], 1_000, Decimal("1.25"), 12),  # the member's own multiplier, rounded down
        ([SPEND, _rule("multiplier", multiplier=Decimal(2))], 1_000, Decimal("1.5"), 30),
    ],
)
def test_points_earned(rules, paid, multiplier, expected):
    assert points_earned(rules, paid=paid, lines=LINES, multiplier=multiplier) == expected


def test_a_rule_applies_in_its_window_and_on_its_local_weekdays():
    assert rule_applies(SPEND, NOW, SHANGHAI)
    assert not rule_applies(_rule("spend", status="paused"), NOW, SHANGHAI)
    weekend = _rule("multiplier", multiplier=Decimal(2), weekdays=[6, 7])
    assert rule_applies(weekend, NOW, SHANGHAI)
    # 23:30 UTC on Friday is already Saturday 07:30 in Shanghai
    assert rule_applies(weekend, datetime(2030, 3, 1, 23, 30, tzinfo=UTC), SHANGHAI)
    assert not rule_applies(weekend, datetime(2030, 3, 1, 15, 59, tzinfo=UTC), SHANGHAI)
    fair = _rule("spend", starts_at=NOW, ends_at=datetime(2030, 3, 3, tzinfo=UTC))
    assert rule_applies(fair, NOW, SHANGHAI)  # from starts_at on ...
    assert not rule_applies(fair, datetime(2030, 3, 3, tzinfo=UTC), SHANGHAI)  # ... until ends_at
    assert not rule_applies(fair, datetime(2030, 3, 2, 3, 59, tzinfo=UTC), SHANGHAI)


def _awards(*remaining: int) -> list[Award]:
    return [Award(uuid.uuid4(), uuid.uuid4(), r, None) for r in remaining]


def test_a_debit_draws_on_awards_in_order():
    first, second, third = awards = _awards(30, 50, 20)
    assert draw(awards, 30) == [(first.id, 30)]
    assert draw(awards, 45) == [(first.id, 30), (second.id, 15)]
    assert draw(awards, 100) == [(first.id, 30), (second.id, 50), (third.id, 20)]
    assert draw(awards, 0) == []
    with pytest.raises(ValueError, match="101 points asked, 100 open"):
        draw(awards, 101)


@pytest.mark.parametrize(
    ("redeem_points", "redeem_amount", "amount", "points"),
    [(100, 100, 250, 250), (1, 100, 250, 3), (1, 100, 200, 2), (500, 100, 3, 15), (3, 7, 10, 5)],
)
def test_money_to_points_rounds_up_to_a_whole_point(redeem_points, redeem_amount, amount, points):
    rate = DEFAULTS.__class__(
        redeem_points=redeem_points,
        redeem_amount=redeem_amount,
        expire_after_days=None,
        updated_at=None,
        version=1,
    )
    assert points_worth(rate, amount) == points
