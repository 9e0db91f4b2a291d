"""The nightly refresh: the hourly fan-out queues ``segments.refresh`` for the chains with
members whose local time is 03:00-03:59, once per chain and hour, and the worker runs it
with its clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from litestar.testing import TestClient

from bodega.jobs.worker import job_context
from bodega.segments.jobs import queue_segment_refreshes
from bodega.settings import Settings
from tests.conftest import run_jobs, sign_up
from tests.platform.segments.helpers import member

SHANGHAI_3AM = datetime(2026, 1, 15, 19, 20, tzinfo=UTC)
LONDON_3AM = datetime(2026, 1, 15, 3, 20, tzinfo=UTC)


def _fan_out(settings: Settings, at: datetime) -> int:
    async def main() -> int:
        async with job_context(settings, pool_size=1, clock=lambda: at) as context:
            return await queue_segment_refreshes(context)

    return asyncio.run(main())


def test_each_chain_is_refreshed_at_three_in_the_morning_its_time(
    client: TestClient[Any], settings: Settings
) -> None:
    shanghai = sign_up(client)
    london = sign_up(client, timezone="Europe/London")
    sign_up(client, timezone="Europe/London")  # no members: nothing to refresh
    in_shanghai, in_london = member(client, shanghai), member(client, london)

    def scored(chain: Any, ident: str) -> bool:
        response = client.get(f"/v1/members/{ident}/segment", headers=chain.headers)
        return response.status_code == 200

    assert _fan_out(settings, SHANGHAI_3AM) == 1
    assert _fan_out(settings, SHANGHAI_3AM) == 0  # already queued for this hour
    assert run_jobs(settings, lambda: SHANGHAI_3AM) >= 1
    assert scored(shanghai, in_shanghai)
    assert not scored(london, in_london)
    refreshed = client.get(f"/v1/members/{in_shanghai}/segment", headers=shanghai.headers)
    assert refreshed.json()["refreshed_at"] == "2026-01-15T19:20:00Z"

    assert _fan_out(settings, LONDON_3AM) == 1
    run_jobs(settings, lambda: LONDON_3AM)
    assert scored(london, in_london)
