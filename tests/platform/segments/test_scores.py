"""RFM scores, codes, named segments and stages of a hand-made chain: ten members whose paid
orders are chosen so that each lands in a known quintile (with ties inside a quintile and
across a quintile boundary), and two members who never ordered.

Quintiles of ten scored members hold two each. Tied figures share the lowest tile of their
group: C and H both have 5 orders at positions 6 and 7 (tiles 3 and 4), so both score F3."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain, sign_up
from tests.platform.segments.helpers import (
    DAY,
    Paid,
    joined,
    member,
    paid_orders,
    refresh_at,
    segment,
    store,
    utcnow,
)

NOW = utcnow()
LONG_AGO = NOW - 400 * DAY

HISTORIES: dict[str, list[Paid]] = {
    "A": [Paid(1, 800)],
    "B": [Paid(d, 600) for d in (2, 10, 20, 40, 60, 90, 120)] + [Paid(200, 2000, refunded=200)],
    "C": [Paid(d, 1000) for d in (8, 30, 60, 100, 150)],
    "D": [Paid(d, 875) for d in (12, 50, 80, 110)],
    "E": [Paid(d, 300) for d in (25, 45, 65, 85, 105)] + [Paid(125, 500)],
    "F": [Paid(40, 450), Paid(100, 450)],
    "G": [Paid(70, 600), Paid(150, 700), Paid(250, 700)],
    "H": [Paid(d, 1800) for d in (90, 120, 160, 200, 250)],
    "I": [Paid(150 + 10 * n, 1200) for n in range(10)] + [Paid(500, 3000)],
    "J": [Paid(300, 3000)],
}
"""Per member: orders 12 months back (F), their net spend (M), days since the last (R). I's
order 500 days ago is outside the 12 months; B's last order of 2,000 had 200 refunded."""

EXPECTED = {
    # name: (recency_days, frequency, monetary, code, segment, stage)
    "A": (1, 1, 800, "511", "new_customers", "new"),
    "B": (2, 8, 6000, "554", "champions", "active"),
    "C": (8, 5, 5000, "434", "loyal", "active"),
    "D": (12, 4, 3500, "433", "potential_loyalists", "active"),
    "E": (25, 6, 2000, "342", "need_attention", "active"),
    "F": (40, 2, 900, "321", "about_to_sleep", "active"),
    "G": (70, 3, 2000, "222", "hibernating", "at_risk"),
    "H": (90, 5, 9000, "235", "at_risk", "at_risk"),
    "I": (150, 10, 12000, "155", "cant_lose_them", "lapsed"),
    "J": (300, 1, 3000, "113", "lost", "lapsed"),
}


@pytest.fixture(scope="module")
def scored(client: TestClient[Any], settings: Settings) -> tuple[Chain, dict[str, str]]:
    chain = sign_up(client, "Ten Members")
    shop = store(client, chain)
    ids = {name: member(client, chain) for name in [*HISTORIES, "K", "L"]}
    for name, ident in ids.items():
        if name != "L":
            joined(settings, ident, LONG_AGO)
    for name, orders in HISTORIES.items():
        paid_orders(settings, chain, shop, ids[name], orders, now=NOW)
    refresh_at(settings, chain, NOW)
    return chain, ids


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scores_codes_segments_and_stages(
    client: TestClient[Any], scored: tuple[Chain, dict[str, str]], name: str
) -> None:
    chain, ids = scored
    recency, frequency, monetary, code, named, stage = EXPECTED[name]
    got = segment(client, chain, ids[name])
    assert got["member_id"] == ids[name]
    assert (got["recency_days"], got["frequency"], got["monetary"]) == (
        recency,
        frequency,
        monetary,
    )
    assert got["rfm_code"] == code
    assert [got["r_score"], got["f_score"], got["m_score"]] == [int(c) for c in code]
    assert (got["segment"], got["stage"]) == (named, stage)
    assert (got["previous_stage"], got["previous_segment"]) == (None, None)
    assert got["last_order_at"] is not None
    assert got["refreshed_at"] == got["stage_since"]


def test_members_who_never_ordered_have_a_stage_but_no_scores(
    client: TestClient[Any], scored: tuple[Chain, dict[str, str]]
) -> None:
    """K joined 400 days ago and never ordered: lapsed; L joined today: new."""
    chain, ids = scored
    for name, stage in (("K", "lapsed"), ("L", "new")):
        got = segment(client, chain, ids[name])
        assert got["stage"] == stage
        assert (got["recency_days"], got["last_order_at"]) == (None, None)
        assert (got["frequency"], got["monetary"]) == (0, 0)
        assert [got[k] for k in ("r_score", "f_score", "m_score", "rfm_code", "segment")] == [
            None
        ] * 5


def test_the_summary_counts_every_stage_and_segment(
    client: TestClient[Any], scored: tuple[Chain, dict[str, str]]
) -> None:
    chain, _ = scored
    response = client.get("/v1/segments", headers=chain.headers)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["members"], summary["scored"]) == (12, 10)
    assert summary["stages"] == [
        {"name": "new", "members": 2},
        {"name": "active", "members": 5},
        {"name": "at_risk", "members": 2},
        {"name": "lapsed", "members": 3},
        {"name": "won_back", "members": 0},
    ]
    segments = {s["name"]: s["members"] for s in summary["segments"]}
    assert list(segments) == [
        "champions",
        "loyal",
        "potential_loyalists",
        "new_customers",
        "promising",
        "need_attention",
        "about_to_sleep",
        "at_risk",
        "cant_lose_them",
        "hibernating",
        "lost",
    ]
    assert segments == {
        "champions": 1,
        "loyal": 1,
        "potential_loyalists": 1,
        "new_customers": 1,
        "promising": 0,
        "need_attention": 1,
        "about_to_sleep": 1,
        "at_risk": 1,
        "cant_lose_them": 1,
        "hibernating": 1,
        "lost": 1,
    }
    assert summary["refreshed_at"] is not None


def test_members_are_listed_by_stage_and_segment(
    client: TestClient[Any], scored: tuple[Chain, dict[str, str]]
) -> None:
    chain, ids = scored

    def listed(**params: Any) -> set[str]:
        response = client.get("/v1/segments/members", params=params, headers=chain.headers)
        assert response.status_code == 200, response.text
        return {row["member_id"] for row in response.json()["data"]}

    names = {ident: name for name, ident in ids.items()}
    assert {names[i] for i in listed(stage="at_risk")} == {"G", "H"}
    assert {names[i] for i in listed(segment="at_risk")} == {"H"}
    assert {names[i] for i in listed(stage="at_risk", segment="hibernating")} == {"G"}
    assert {names[i] for i in listed(stage="lapsed")} == {"I", "J", "K"}
    assert listed(stage="won_back") == set()
    assert len(listed()) == 12


def test_pages_follow_the_cursor(
    client: TestClient[Any], scored: tuple[Chain, dict[str, str]]
) -> None:
    chain, ids = scored
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/segments/members", params=params, headers=chain.headers).json()
        assert len(page["data"]) <= 5
        seen += [row["member_id"] for row in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids.values())
