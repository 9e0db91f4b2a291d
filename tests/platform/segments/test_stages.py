"""Lifecycle stages over time, with the worker's clock moved by the test: a member goes
active -> at_risk -> lapsed -> won_back -> active, each change reported once in a
``member.segment_changed`` event, and nothing reported when nothing changed. Thresholds are
the chain's settings; a merged duplicate's orders count for the member it was merged into."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import sign_up
from tests.platform.segments.helpers import (
    DAY,
    Paid,
    changes,
    joined,
    member,
    paid_orders,
    refresh_at,
    segment,
    store,
    utcnow,
)


def test_a_member_moves_through_the_stages(client: TestClient[Any], settings: Settings) -> None:
    chain = sign_up(client)
    shop = store(client, chain)
    t0 = utcnow() - 400 * DAY  # the member's last order; the clock then moves forward
    someone = member(client, chain)
    joined(settings, someone, t0 - 400 * DAY)
    paid_orders(settings, chain, shop, someone, [Paid(0, 1000), Paid(100, 500)], now=t0)

    def stage_at(days: float) -> tuple[str, str | None]:
        refresh_at(settings, chain, t0 + days * DAY)
        got = segment(client, chain, someone)
        return got["stage"], got["previous_stage"]

    assert stage_at(1) == ("active", None)
    assert stage_at(2) == ("active", None)
    assert stage_at(60) == ("active", None)  # within 60 days: still active
    assert stage_at(60.01) == ("at_risk", "active")
    assert stage_at(120) == ("at_risk", "active")
    assert stage_at(121) == ("lapsed", "at_risk")
    # back after 200 days without an order
    paid_orders(settings, chain, shop, someone, [Paid(0, 700)], now=t0 + 200 * DAY)
    assert stage_at(201) == ("won_back", "lapsed")
    since = datetime.fromisoformat(segment(client, chain, someone)["stage_since"])
    assert since == t0 + 201 * DAY
    assert stage_at(229) == ("won_back", "lapsed")
    assert stage_at(231) == ("active", "won_back")

    reported = [(c["member_id"], c["previous_stage"], c["stage"]) for c in changes(client, chain)]
    assert reported == [
        (someone, None, "active"),
        (someone, "active", "at_risk"),
        (someone, "at_risk", "lapsed"),
        (someone, "lapsed", "won_back"),
        (someone, "won_back", "active"),
    ]


def test_a_second_order_inside_the_window_keeps_won_back(
    client: TestClient[Any], settings: Settings
) -> None:
    """Won back is the first order after the gap, so a second order soon after changes
    nothing; a gap of exactly 120 days is not "over 120"."""
    chain = sign_up(client)
    shop = store(client, chain)
    now = utcnow()
    back, not_quite = member(client, chain), member(client, chain)
    for ident in (back, not_quite):
        joined(settings, ident, now - 800 * DAY)
    paid_orders(settings, chain, shop, back, [Paid(3, 100), Paid(10, 100), Paid(200, 100)], now=now)
    paid_orders(settings, chain, shop, not_quite, [Paid(10, 100), Paid(130, 100)], now=now)
    refresh_at(settings, chain, now)
    assert segment(client, chain, back)["stage"] == "won_back"
    assert segment(client, chain, not_quite)["stage"] == "active"


def test_new_members_by_joining_or_by_a_first_order(
    client: TestClient[Any], settings: Settings
) -> None:
    chain = sign_up(client)
    shop = store(client, chain)
    now = utcnow()
    just_joined, first_order, old_quiet = (member(client, chain) for _ in range(3))
    joined(settings, just_joined, now - 29 * DAY)
    joined(settings, first_order, now - 300 * DAY)
    joined(settings, old_quiet, now - 31 * DAY)
    paid_orders(settings, chain, shop, first_order, [Paid(29, 100)], now=now)
    refresh_at(settings, chain, now)
    assert segment(client, chain, just_joined)["stage"] == "new"
    assert segment(client, chain, first_order)["stage"] == "new"
    assert segment(client, chain, old_quiet)["stage"] == "lapsed"


def test_only_changes_are_reported_and_a_rerun_reports_nothing(
    client: TestClient[Any], settings: Settings
) -> None:
    """Two members; between two refreshes only one changes stage: one change reported. The
    same refresh run again (a job retried after committing) reports nothing."""
    chain = sign_up(client)
    shop = store(client, chain)
    now = utcnow()
    steady, slipping = member(client, chain), member(client, chain)
    for ident in (steady, slipping):
        joined(settings, ident, now - 500 * DAY)
    paid_orders(settings, chain, shop, steady, [Paid(5, 100), Paid(100, 100)], now=now)
    paid_orders(settings, chain, shop, slipping, [Paid(50, 100), Paid(100, 100)], now=now)
    assert refresh_at(settings, chain, now) == 2
    assert refresh_at(settings, chain, now) == 0
    assert refresh_at(settings, chain, now + 20 * DAY) == 1
    assert refresh_at(settings, chain, now + 20 * DAY) == 0
    reported = changes(client, chain)
    assert [(c["member_id"], c["stage"]) for c in reported[2:]] == [(slipping, "at_risk")]
    assert reported[2]["previous_stage"] == "active"
    page = client.get("/v1/events", params={"type": "segments.refreshed"}, headers=chain.headers)
    assert [e["data"]["changed"] for e in page.json()["data"]] == [2, 0, 1, 0]


def test_the_chains_thresholds_apply(client: TestClient[Any], settings: Settings) -> None:
    chain = sign_up(client)
    shop = store(client, chain)
    now = utcnow()
    someone = member(client, chain)
    joined(settings, someone, now - 500 * DAY)
    paid_orders(settings, chain, shop, someone, [Paid(45, 100), Paid(300, 100)], now=now)
    refresh_at(settings, chain, now)
    assert segment(client, chain, someone)["stage"] == "active"
    body = {"version": 1, "active_days": 30, "lapsed_days": 40}
    changed = client.patch("/v1/segments/settings", json=body, headers=chain.headers)
    assert changed.status_code == 200, changed.text
    refresh_at(settings, chain, now)
    assert segment(client, chain, someone)["stage"] == "lapsed"


def test_a_merged_duplicates_orders_count_for_the_member_it_joined(
    client: TestClient[Any], settings: Settings
) -> None:
    chain = sign_up(client)
    shop = store(client, chain)
    now = utcnow()
    keeper, duplicate = member(client, chain), member(client, chain)
    for ident in (keeper, duplicate):
        joined(settings, ident, now - 500 * DAY)
    paid_orders(settings, chain, shop, keeper, [Paid(200, 1000)], now=now)
    paid_orders(settings, chain, shop, duplicate, [Paid(3, 500), Paid(8, 250)], now=now)
    refresh_at(settings, chain, now)
    assert segment(client, chain, duplicate)["frequency"] == 2
    version = client.get(f"/v1/members/{keeper}", headers=chain.headers).json()["version"]
    merged = client.post(
        f"/v1/members/{keeper}/merge",
        json={"duplicate_id": duplicate, "version": version},
        headers=chain.headers,
    )
    assert merged.status_code == 200, merged.text
    refresh_at(settings, chain, now)
    got = segment(client, chain, keeper)
    assert (got["frequency"], got["monetary"], got["recency_days"]) == (3, 1750, 3)
    assert (got["stage"], got["previous_stage"]) == ("won_back", "lapsed")
    gone = client.get(f"/v1/members/{duplicate}/segment", headers=chain.headers)
    assert gone.status_code == 404
    summary = client.get("/v1/segments", headers=chain.headers).json()
    assert summary["members"] == 1
