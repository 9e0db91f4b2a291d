"""Segments through GraphQL: the same services as REST, the same rules and errors."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import graphql, sign_up
from tests.platform.segments.helpers import DAY, Paid, joined, member, paid_orders, store, utcnow

SEGMENT = """memberId stage previousStage stageSince segment previousSegment recencyDays
frequency monetary lastOrderAt rScore fScore mScore rfmCode refreshedAt"""
REFRESH = "mutation { refreshSegments { id members scored changed removed events } }"
READ = f"query($id: UUID!) {{ memberSegment(memberId: $id) {{ {SEGMENT} }} }}"
SUMMARY = """{ segmentSummary { members scored refreshedAt
  stages { name members } segments { name members } } }"""
MEMBERS = """query($stage: String, $segment: String, $after: String) {
  segmentMembers(stage: $stage, segment: $segment, first: 1, after: $after) {
    data { memberId stage segment } nextCursor } }"""
SETTINGS = """{ segmentSettings {
  newDays activeDays lapsedDays wonBackDays wonBackGapDays version } }"""
UPDATE = """mutation($input: SegmentSettingsInput!) {
  updateSegmentSettings(input: $input) { newDays activeDays version } }"""


def test_refresh_read_and_list(client: TestClient[Any], settings: Settings) -> None:
    chain = sign_up(client)
    h = chain.headers
    shop = store(client, chain)
    now = utcnow()
    loyal, quiet = member(client, chain), member(client, chain)
    for ident in (loyal, quiet):
        joined(settings, ident, now - 300 * DAY)
    paid_orders(settings, chain, shop, loyal, [Paid(2, 5000), Paid(40, 5000)], now=now)
    paid_orders(settings, chain, shop, quiet, [Paid(200, 100)], now=now)

    done = graphql(client, h, REFRESH)
    assert "errors" not in done, done
    assert {k: v for k, v in done["data"]["refreshSegments"].items() if k != "id"} == {
        "members": 2,
        "scored": 2,
        "changed": 2,
        "removed": 0,
        "events": 1,
    }
    got = graphql(client, h, READ, id=loyal)["data"]["memberSegment"]
    assert (got["stage"], got["rfmCode"], got["segment"]) == ("active", "222", "hibernating")
    assert (got["frequency"], got["monetary"], got["recencyDays"]) == (2, 10000, 2)

    summary = graphql(client, h, SUMMARY)["data"]["segmentSummary"]
    assert (summary["members"], summary["scored"]) == (2, 2)
    assert {s["name"]: s["members"] for s in summary["stages"]}["lapsed"] == 1

    first = graphql(client, h, MEMBERS)["data"]["segmentMembers"]
    second = graphql(client, h, MEMBERS, after=first["nextCursor"])["data"]["segmentMembers"]
    assert [first["data"][0]["memberId"], second["data"][0]["memberId"]] == sorted([loyal, quiet])
    assert second["nextCursor"] is None
    lapsed = graphql(client, h, MEMBERS, stage="lapsed")["data"]["segmentMembers"]["data"]
    assert [row["memberId"] for row in lapsed] == [quiet]


def test_settings_and_refusals(client: TestClient[Any]) -> None:
    chain = sign_up(client)
    h = chain.headers
    assert graphql(client, h, SETTINGS)["data"]["segmentSettings"] == {
        "newDays": 30,
        "activeDays": 60,
        "lapsedDays": 120,
        "wonBackDays": 30,
        "wonBackGapDays": 120,
        "version": 1,
    }
    changed = graphql(client, h, UPDATE, input={"version": 1, "newDays": 7})
    assert changed["data"]["updateSegmentSettings"] == {
        "newDays": 7,
        "activeDays": 60,
        "version": 2,
    }

    stale = graphql(client, h, UPDATE, input={"version": 1, "newDays": 8})
    assert stale["errors"][0]["extensions"]["status"] == 409
    bad = graphql(client, h, UPDATE, input={"version": 2, "activeDays": 200})
    (error,) = bad["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["errors"] == [
        {"field": "active_days", "message": "lapsed_days must be more than active_days"}
    ]
    assert graphql(client, h, SETTINGS)["data"]["segmentSettings"]["newDays"] == 7

    wrong = graphql(client, h, MEMBERS, stage="sleepy", segment="whales")
    assert [e["field"] for e in wrong["errors"][0]["extensions"]["errors"]] == ["stage", "segment"]
    missing = graphql(client, h, READ, id=str(uuid.uuid4()))
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
