"""A store's suggested order as a worker job: made once per store and day, whatever is queued."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bodega.jobs.queue import connect_queue
from bodega.replenishment.jobs import JOB_NAME
from tests.conftest import run_jobs, sign_up
from tests.platform.catalog.helpers import create, walk
from tests.platform.replenishment.helpers import product, store_today, write_history


def _enqueue(settings, tenant_id, store_id, day, key):
    async def main() -> bool:
        queue = await connect_queue(settings.redis_url, settings.redis_prefix)
        try:
            return await queue.enqueue(JOB_NAME, store_id, day, tenant_id=tenant_id, key=key)
        finally:
            await queue.close()

    return asyncio.run(main())


def test_the_job_makes_the_days_run_once(client, settings):
    owner = sign_up(client)
    shop = create(client, owner, "/v1/stores", code="JOB", name="Night run")
    item = product(client, owner, "JOB-1")
    today = store_today()
    write_history(
        client,
        owner,
        shop["id"],
        item["id"],
        start=today - timedelta(days=30),
        sales=[5] * 30,
        receipts={0: 200},
    )
    day = str(today)
    key = f"{shop['id']}:{day}"
    assert _enqueue(settings, owner.tenant_id, shop["id"], day, key)
    assert not _enqueue(settings, owner.tenant_id, shop["id"], day, key)  # queued already
    assert run_jobs(settings) >= 1
    (made,) = walk(client, "/v1/suggestion-runs", owner.headers)
    assert (made["store_id"], made["first_day"], made["line_count"]) == (shop["id"], day, 1)
    assert made["created_by"] == "00000000-0000-0000-0000-000000000000"  # the system
    assert _enqueue(settings, owner.tenant_id, shop["id"], day, key)  # a worker died after commit
    run_jobs(settings)
    assert walk(client, "/v1/suggestion-runs", owner.headers) == [made]
