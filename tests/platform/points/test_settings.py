"""The chain's points settings: the defaults until the first change, changes with their
version (stale: 409, racing first changes: one wins), bad values refused with nothing
written, a new validity applying to points added from then on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from tests.conftest import api_key, assert_problem
from tests.platform.catalog.helpers import walk
from tests.platform.points.helpers import SETTINGS, adjust, member, shop

DEFAULTS = {
    "redeem_points": 100,
    "redeem_amount": 100,
    "expire_after_days": 365,
    "updated_at": None,
    "version": 1,
}


def test_the_defaults_then_changes(client):
    s = shop(client)
    assert client.get(SETTINGS, headers=s.headers).json() == DEFAULTS
    first = client.patch(SETTINGS, json={"version": 1, "expire_after_days": 30}, headers=s.headers)
    assert first.status_code == 200, first.text
    assert {**first.json(), "updated_at": None} == {
        **DEFAULTS,
        "expire_after_days": 30,
        "version": 2,
    }
    never = client.patch(
        SETTINGS, json={"version": 2, "expire_after_days": None}, headers=s.headers
    )
    assert (never.json()["expire_after_days"], never.json()["version"]) == (None, 3)
    assert_problem(
        client.patch(SETTINGS, json={"version": 2, "redeem_points": 1}, headers=s.headers),
        409,
        "version-conflict",
    )
    ming = member(client, s.chain)
    assert adjust(client, s.chain, ming, 5).json()["entry"]["expires_at"] is None
    audit = [a["action"] for a in walk(client, "/v1/audit-log", s.headers)]
    assert audit.count("points_settings.updated") == 2
    events = walk(client, "/v1/events", s.headers, type="points_settings.updated")
    assert [e["data"]["version"] for e in events] == [2, 3]


def test_bad_settings_are_refused_with_nothing_written(client):
    s = shop(client)
    for body, field in (
        ({"version": 1, "redeem_points": 0}, "redeem_points"),
        ({"version": 1, "redeem_amount": -1}, "redeem_amount"),
        ({"version": 1, "expire_after_days": 0}, "expire_after_days"),
        ({"expire_after_days": 10}, "version"),
    ):
        refused = assert_problem(client.patch(SETTINGS, json=body, headers=s.headers), 422)
        assert [e["field"] for e in refused["errors"]] == [field]
    assert client.get(SETTINGS, headers=s.headers).json() == DEFAULTS
    assert walk(client, "/v1/events", s.headers, type="points_settings.*") == []


def test_two_first_changes_at_once_one_wins(client):
    s = shop(client)

    async def send():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bodega") as http:
            return await asyncio.gather(
                *(
                    http.patch(SETTINGS, json={"version": 1, "redeem_points": n}, headers=s.headers)
                    for n in (1, 2)
                )
            )

    answers = client.blocking_portal.call(send)
    assert sorted(a.status_code for a in answers) == [200, 409]
    now = client.get(SETTINGS, headers=s.headers).json()
    assert now["version"] == 2
    assert datetime.fromisoformat(now["updated_at"]) <= datetime.now(UTC)


def test_who_may_read_and_change_them(client):
    s = shop(client)
    reader = api_key(client, s.chain, "members:read")
    assert client.get(SETTINGS, headers=reader).status_code == 200
    assert_problem(client.patch(SETTINGS, json={"version": 1}, headers=reader), 403, "forbidden")
    owner_only = api_key(client, s.chain, "tenant:write")
    assert client.patch(SETTINGS, json={"version": 1}, headers=owner_only).status_code == 200
