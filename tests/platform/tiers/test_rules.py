"""Members move up and down the earned tiers by their rolling 12 months' net spend: orders
made and paid through the API, evaluations run by the worker with a movable clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.jobs.worker import build_registry, job_context
from bodega.settings import Settings
from tests.conftest import Chain, run_jobs
from tests.platform.tiers.helpers import (
    Shop,
    at,
    changes,
    evaluate,
    events,
    member,
    member_tier,
    shop,
    spend,
    tier,
)


@pytest.fixture(scope="module")
def ladder(client: TestClient[Any], chain: Chain) -> dict[str, dict[str, Any]]:
    return {
        "bronze": tier(client, chain, "Bronze", 1, threshold=0),
        "silver": tier(client, chain, "Silver", 2, threshold=5_000, points_multiplier="1.5"),
        "gold": tier(client, chain, "Gold", 3, threshold=20_000, points_multiplier="2"),
    }


@pytest.fixture(scope="module")
def store(client: TestClient[Any], chain: Chain) -> Shop:
    return shop(client, chain, "RULES")


def test_members_move_up_with_spend_and_down_as_it_leaves_the_window(
    client: TestClient[Any], settings: Settings, chain: Chain, ladder: Any, store: Shop
) -> None:
    now = datetime.now(UTC)
    regular, big, quiet = (member(client, chain)["id"] for _ in range(3))
    spend(client, chain, store, regular, 6_000)
    spend(client, chain, store, big, 12_000)
    spend(client, chain, store, big, 13_000)

    assert member_tier(client, chain, quiet)["tier"]["name"] == "Bronze"  # the entry tier
    assert member_tier(client, chain, quiet)["evaluated_at"] is None

    evaluate(client, settings, chain, now + timedelta(minutes=1))
    mine = member_tier(client, chain, regular)
    assert (mine["tier"]["name"], mine["source"], mine["spend_12m"]) == ("Silver", "rules", 6_000)
    assert mine["earned_tier_id"] == ladder["silver"]["id"]
    assert member_tier(client, chain, big)["tier"]["name"] == "Gold"
    assert member_tier(client, chain, quiet)["tier"]["name"] == "Bronze"
    (moved,) = changes(client, chain, regular)
    assert (moved["from_tier_id"], moved["to_tier_id"], moved["reason"]) == (
        ladder["bronze"]["id"],
        ladder["silver"]["id"],
        "rules_up",
    )
    changed = [e["data"] for e in events(client, chain, "member.tier_changed")]
    assert {
        "member_id": regular,
        "from_tier": ladder["bronze"]["id"],
        "to_tier": ladder["silver"]["id"],
        "reason": "rules_up",
    } in changed

    # the same evaluation again changes nothing
    evaluate(client, settings, chain, now + timedelta(minutes=1))
    assert len(events(client, chain, "member.tier_changed")) == len(changed)

    # eleven months on the orders still count; a year and a day on they do not
    evaluate(client, settings, chain, now + timedelta(days=330))
    assert member_tier(client, chain, big)["tier"]["name"] == "Gold"
    evaluate(client, settings, chain, now + timedelta(days=367))
    for who in (regular, big):
        standing = member_tier(client, chain, who)
        assert (standing["tier"]["name"], standing["spend_12m"]) == ("Bronze", 0)
        assert changes(client, chain, who)[-1]["reason"] == "rules_down"


def test_a_refund_takes_spend_off_and_the_member_steps_down(
    client: TestClient[Any], settings: Settings, chain: Chain, ladder: Any, store: Shop
) -> None:
    now = datetime.now(UTC)
    who = member(client, chain)["id"]
    order = spend(client, chain, store, who, 21_000)
    evaluate(client, settings, chain, now + timedelta(minutes=1))
    assert member_tier(client, chain, who)["tier"]["name"] == "Gold"
    line = {"line_id": order["lines"][0]["id"], "quantity": 5}
    refunded = client.post(
        f"/v1/orders/{order['id']}/refunds", json={"lines": [line]}, headers=chain.headers
    )
    assert refunded.status_code == 200, refunded.text
    evaluate(client, settings, chain, now + timedelta(minutes=2))
    standing = member_tier(client, chain, who)
    assert (standing["tier"]["name"], standing["spend_12m"]) == ("Silver", 16_000)


def test_the_nightly_job_evaluates_every_chain_with_tiers(
    client: TestClient[Any], settings: Settings, chain: Chain, ladder: Any, store: Shop
) -> None:
    who = member(client, chain)["id"]
    spend(client, chain, store, who, 5_000)
    later = datetime.now(UTC) + timedelta(minutes=5)

    async def nightly() -> int:
        async with job_context(settings, pool_size=1, clock=at(later)) as context:
            registry = build_registry(settings, context.plugins)
            return await registry.crons["tiers.evaluate_nightly"].fn(context)

    assert asyncio.run(nightly()) >= 1
    run_jobs(settings, at(later))
    assert member_tier(client, chain, who)["tier"]["name"] == "Silver"


def test_benefits_follow_the_members_tier(
    client: TestClient[Any], settings: Settings, chain: Chain, ladder: Any, store: Shop
) -> None:
    from bodega.api.auth import system_actor
    from bodega.db import engine as db
    from bodega.tiers import member_benefits, points_multiplier

    who = member(client, chain)["id"]
    spend(client, chain, store, who, 20_000)
    evaluate(client, settings, chain, datetime.now(UTC) + timedelta(minutes=1))
    actor = system_actor(chain.tenant_id, frozenset())

    async def read() -> Any:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            import uuid

            ident = uuid.UUID(who)
            return await member_benefits(actor, ident), await points_multiplier(actor, ident)

    benefits, multiplier = client.blocking_portal.call(read)
    assert (benefits.name, str(benefits.points_multiplier)) == ("Gold", "2.00")
    assert str(multiplier) == "2.00"
