"""Cross-tenant isolation of segments: chain B (an owner with every scope) never reads,
changes or learns of chain A's member segments or thresholds, through REST, GraphQL, the
worker's refresh or the services promotions, the member view and the data export call.

Naming A's member answers exactly as naming one that never existed; B's refreshes (through
the API or the job) never score A's members; A's segments, thresholds and events stay as
they were."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.jobs.worker import job_context
from bodega.segments import member_export, member_segments, segment_of
from bodega.segments.jobs import refresh
from bodega.settings import Settings
from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import World, new_uuid, without_id
from tests.platform.catalog.helpers import walk

SETTINGS = "/v1/segments/settings"


def _a_state(client: TestClient[Any], world: World) -> dict[str, Any]:
    a = world.a.headers
    return {
        "segment": client.get(
            f"/v1/members/{world.a.ids['segment_member']}/segment", headers=a
        ).json(),
        "members": walk(client, "/v1/segments/members", a),
        "summary": client.get("/v1/segments", headers=a).json(),
        "settings": client.get(SETTINGS, headers=a).json(),
        "events": [
            e for e in walk(client, "/v1/events", a) if e["type"].startswith(("member", "segment"))
        ],
    }


@pytest.fixture
def a_before(client: TestClient[Any], world: World) -> dict[str, Any]:
    state = _a_state(client, world)
    assert state["segment"]["frequency"] == 1
    assert state["settings"]["new_days"] == 14
    return state


def test_reading_another_chains_member_segment_is_like_reading_nothing(
    client: TestClient[Any], world: World
) -> None:
    a_member, missing, b = world.a.ids["segment_member"], new_uuid(), world.b.headers
    theirs = client.get(f"/v1/members/{a_member}/segment", headers=b)
    assert_problem(theirs, 404, "not-found")
    missing_answer = client.get(f"/v1/members/{missing}/segment", headers=b)
    assert without_id(theirs, a_member) == without_id(missing_answer, missing)
    own = client.get(f"/v1/members/{world.b.ids['segment_member']}/segment", headers=b)
    assert own.status_code == 200, own.text


def test_lists_and_counts_hold_only_the_callers_members(
    client: TestClient[Any], world: World
) -> None:
    b = world.b.headers
    listed = walk(client, "/v1/segments/members", b)
    b_members = {row["member_id"] for row in listed}
    assert world.b.ids["segment_member"] in b_members
    for params in ({}, {"stage": "new"}, {"segment": "lost"}):
        page = client.get("/v1/segments/members", params={"limit": 200, **params}, headers=b)
        assert page.status_code == 200, page.text
        assert [s for s in world.a_secrets() if s in page.text] == []
    summary = client.get("/v1/segments", headers=b)
    assert summary.json()["members"] == len(b_members)
    settings = client.get(SETTINGS, headers=b)
    assert [s for s in world.a_secrets() if s in summary.text + settings.text] == []


def test_bs_changes_never_reach_a(
    client: TestClient[Any], world: World, settings: Settings, a_before: dict[str, Any]
) -> None:
    """B refreshing (REST, GraphQL, the job) and changing its thresholds leaves A's segments,
    thresholds and events as they were."""
    b = world.b.headers
    refreshed = client.post("/v1/segments/refresh", headers=b)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["members"] == len(walk(client, "/v1/segments/members", b))
    assert "errors" not in graphql(client, b, "mutation { refreshSegments { members } }")
    version = client.get(SETTINGS, headers=b).json()["version"]
    changed = client.patch(SETTINGS, json={"version": version, "new_days": 3}, headers=b)
    assert changed.status_code == 200, changed.text

    async def job() -> int:
        async with job_context(settings, pool_size=1) as context:
            return await refresh(context.for_tenant(world.b.chain.tenant_id))

    asyncio.run(job())
    assert _a_state(client, world) == a_before


def test_graphql_answers_like_rest(client: TestClient[Any], world: World) -> None:
    b, a_member, missing = world.b.headers, world.a.ids["segment_member"], new_uuid()
    query = "query($id: UUID!) { memberSegment(memberId: $id) { memberId stage } }"
    theirs = graphql(client, b, query, id=a_member)
    nothing = graphql(client, b, query, id=missing)
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert [e["extensions"] for e in theirs["errors"]] == [
        e["extensions"] for e in nothing["errors"]
    ]
    listed = graphql(
        client,
        b,
        "{ segmentMembers(first: 200) { data { memberId } } "
        "segmentSummary { members } segmentSettings { newDays version } }",
    )
    assert "errors" not in listed, listed
    assert [s for s in world.a_secrets() if s in str(listed)] == []
    ids = {row["memberId"] for row in listed["data"]["segmentMembers"]["data"]}
    assert listed["data"]["segmentSummary"]["members"] == len(ids)


def test_the_services_know_only_the_callers_members(client: TestClient[Any], world: World) -> None:
    """What promotions (``member_segments``), the member view (``segment_of``) and the export
    (``member_export``) get for another chain's member: nothing, as for an unknown id."""
    b_actor = system_actor(world.b.chain.tenant_id, frozenset())
    a_member = uuid.UUID(world.a.ids["segment_member"])
    b_member = uuid.UUID(world.b.ids["segment_member"])

    async def ask() -> tuple[Any, ...]:
        async with db.transaction(client.app.state.engine, world.b.chain.tenant_id):
            return (
                await member_segments(b_actor, a_member),
                await segment_of(b_actor, a_member),
                await member_export(b_actor, [a_member, b_member]),
                await member_segments(b_actor, b_member),
            )

    names, found, export, own = client.blocking_portal.call(ask)
    assert (names, found) == (frozenset(), None)
    assert [row["member_id"] for row in export["member_segments"]] == [str(b_member)]
    assert world.b.values["tag"] in own
    assert world.a.values["tag"] not in own
