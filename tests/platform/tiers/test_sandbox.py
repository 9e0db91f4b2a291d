"""The Stripe sandbox ``bodega dev`` connects the demo chain to: the chain's Stripe settings
point at localstripe, localstripe signs its webhooks with the chain's secret and posts them
where the chain receives them, and there is a paid tier to sell, made anew each run."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.tiers.sandbox import DEMO_PAID_TIER, SandboxChain, connect_chain
from tests.conftest import Chain, sign_up
from tests.platform.tiers.helpers import (
    TIERS,
    card,
    created,
    member,
    receiver,
    replay,
    stripe_call,
)


def connect(client: TestClient[Any], chain: Chain, localstripe: str, url: str) -> SandboxChain:
    actor = system_actor(chain.tenant_id, frozenset())

    async def run() -> SandboxChain:
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await connect_chain(actor, localstripe, url)

    return client.blocking_portal.call(run)


def paid_tiers(client: TestClient[Any], chain: Chain) -> list[dict[str, Any]]:
    return created(client.get(f"{TIERS}?kind=paid", headers=chain.headers), 200)["data"]


def test_a_connected_chain_sells_its_paid_tier_in_the_sandbox(
    client: TestClient[Any], localstripe: str
) -> None:
    chain = sign_up(client)
    with receiver() as (inbox, url):
        connected = connect(client, chain, localstripe, url)
        assert connected == SandboxChain(paid_tiers=[DEMO_PAID_TIER.name], webhook_url=url)
        (tier,) = paid_tiers(client, chain)
        assert (tier["name"], tier["monthly_price"]) == ("Black Gold", 1900)
        plan = stripe_call(localstripe, "GET", f"/v1/plans/{tier['stripe_plan_id']}")
        assert plan["amount"] == 1900
        settings = created(client.get(f"{TIERS}/stripe", headers=chain.headers), 200)
        assert settings["configured"] is True
        assert settings["secret_key"].startswith("sk_test_")

        who = member(client, chain)["id"]
        body = {"tier_id": tier["id"], "payment_method": card(localstripe, "4242424242424242")}
        bought = created(
            client.post(f"/v1/members/{who}/premium", json=body, headers=chain.headers)
        )
        subscription_id = bought["premium"]["stripe_subscription_id"]
        assert (bought["tier"]["name"], bought["premium"]["status"]) == ("Black Gold", "active")
        # what the sandbox posts is signed with the chain's secret: the chain takes it
        sent = inbox.wait_for("customer.subscription.created", subscription_id)
        assert replay(client, chain, sent).json() == {"received": True, "outcome": "ignored"}


def test_connecting_again_makes_the_plans_anew_and_no_second_tier(
    client: TestClient[Any], localstripe: str
) -> None:
    chain = sign_up(client)
    with receiver() as (_, url):
        connect(client, chain, localstripe, url)
        (before,) = paid_tiers(client, chain)
        secret = created(client.get(f"{TIERS}/stripe", headers=chain.headers), 200)
        connect(client, chain, localstripe, url)
    (after,) = paid_tiers(client, chain)
    assert after["id"] == before["id"]
    assert after["stripe_plan_id"] != before["stripe_plan_id"]
    stripe_call(localstripe, "GET", f"/v1/plans/{after['stripe_plan_id']}")
    again = created(client.get(f"{TIERS}/stripe", headers=chain.headers), 200)
    assert again["version"] == secret["version"] + 1
