"""Tiers reached by points (basis ``points_12m``): what members' orders earned over the rolling
12 months, less what refunds took back; spending, expiring or adjusting points does not move a
member's tier. Ledgers and standings computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import assert_problem, run_jobs
from tests.platform.points.helpers import (
    Shop,
    adjust,
    cash,
    in_points,
    ledger,
    member,
    refund,
    rule,
    sell,
    shop,
)
from tests.platform.tiers.helpers import TIERS, changes, evaluate, member_tier, tier


@pytest.fixture(scope="module")
def s(client: TestClient[Any]) -> Shop:
    made = shop(client)
    rule(client, made.chain, points=1, per_amount=100)  # 1 point per ¥1
    return made


@pytest.fixture(scope="module")
def ladder(client: TestClient[Any], s: Shop) -> dict[str, dict[str, Any]]:
    return {
        "member": tier(client, s.chain, "Member", 1, basis="points_12m", threshold=0),
        # the basis left out: the chain's
        "silver": tier(client, s.chain, "Silver", 2, threshold=100),
        "gold": tier(client, s.chain, "Gold", 3, threshold=300),
    }


def test_new_tiers_take_the_chains_basis_and_refuse_another(
    client: TestClient[Any], s: Shop, ladder: dict[str, dict[str, Any]]
) -> None:
    assert {t["basis"] for t in ladder.values()} == {"points_12m"}
    refused = client.post(
        TIERS,
        json={"name": "Platinum", "rank": 4, "basis": "spend_12m", "threshold": 90_000},
        headers=s.headers,
    )
    assert_problem(refused, 422)
    assert {e["field"] for e in refused.json()["errors"]} == {"basis"}
    names = [t["name"] for t in client.get(TIERS, headers=s.headers).json()["data"]]
    assert names == ["Member", "Silver", "Gold"]


def test_members_move_by_points_earned_not_by_their_balance(
    client: TestClient[Any], settings: Settings, s: Shop, ladder: dict[str, dict[str, Any]]
) -> None:
    now = datetime.now(UTC)
    ming = member(client, s.chain)
    first = sell(client, s, ming, [(s.bread, 12)])  # 12000: 120 points
    run_jobs(settings)
    assert adjust(client, s.chain, ming, 500).status_code == 201  # a gift: not earned by buying
    # a milk (500) paid 100 in points (100 points) and 400 in cash: the cash earns 4
    sell(client, s, ming, [(s.milk, 1)], in_points(100), cash(400))
    run_jobs(settings)
    assert ledger(client, s.chain, ming) == [
        ("earn", 120, 20),
        ("adjust", 500, 500),
        ("redeem", -100, 0),
        ("earn", 4, 4),
    ]

    evaluate(client, settings, s.chain, now + timedelta(minutes=1))
    standing = member_tier(client, s.chain, ming)
    assert (standing["tier"]["name"], standing["points_12m"], standing["spend_12m"]) == (
        "Silver",
        124,
        12_500,  # spend counts the order's whole paid total, points included
    )
    assert standing["earned_tier_id"] == ladder["silver"]["id"]

    # 5 of the 12 loaves back: 5/12 of the 120 points taken back (50); 74 earned is below Silver
    refund(client, s, first["id"], lines=[{"line_id": first["lines"][0]["id"], "quantity": 5}])
    run_jobs(settings)
    assert ledger(client, s.chain, ming)[-1] == ("refund", -50, 0)
    evaluate(client, settings, s.chain, now + timedelta(minutes=2))
    standing = member_tier(client, s.chain, ming)
    assert (standing["tier"]["name"], standing["points_12m"]) == ("Member", 74)
    assert [c["reason"] for c in changes(client, s.chain, ming)] == ["rules_up", "rules_down"]

    # a year and a day on, nothing earned counts
    evaluate(client, settings, s.chain, now + timedelta(days=367))
    standing = member_tier(client, s.chain, ming)
    assert (standing["points_12m"], standing["spend_12m"]) == (0, 0)


def test_a_big_buyer_reaches_the_top_tier(
    client: TestClient[Any], settings: Settings, s: Shop, ladder: dict[str, dict[str, Any]]
) -> None:
    now = datetime.now(UTC)
    big, small = member(client, s.chain), member(client, s.chain)
    sell(client, s, big, [(s.bread, 30)])  # 300 points: exactly Gold's threshold
    sell(client, s, small, [(s.bread, 9), (s.milk, 1)])  # 95 points: just short of Silver
    run_jobs(settings)
    evaluate(client, settings, s.chain, now + timedelta(minutes=1))
    assert member_tier(client, s.chain, big)["tier"]["id"] == ladder["gold"]["id"]
    mine = member_tier(client, s.chain, small)
    assert (mine["tier"]["name"], mine["points_12m"]) == ("Member", 95)
