"""Tiers through GraphQL: the same services as REST, the same rules and errors."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain, graphql, run_jobs
from tests.platform.tiers.helpers import member, shop, spend

TIER = "id name rank kind basis threshold monthlyPrice pointsMultiplier priceListId version"
CREATE = f"mutation($input: TierInput!) {{ createTier(input: $input) {{ {TIER} }} }}"
UPDATE = f"""mutation($id: UUID!, $input: TierUpdateInput!) {{
  updateTier(id: $id, input: $input) {{ {TIER} }} }}"""
MEMBER_TIER = """query($memberId: UUID!) { memberTier(memberId: $memberId) {
  memberId source spend12m earnedTierId tier { name } premium { status } } }"""


def test_tiers_from_definition_to_a_members_standing(
    client: TestClient[Any], settings: Settings, chain: Chain
) -> None:
    h = chain.headers
    made = graphql(client, h, CREATE, input={"name": "Starter", "rank": 1, "threshold": 0})
    assert "errors" not in made, made
    starter = made["data"]["createTier"]
    assert (starter["kind"], starter["basis"], starter["pointsMultiplier"]) == (
        "earned",
        "spend_12m",
        "1.00",
    )
    plus = graphql(client, h, CREATE, input={"name": "Plus", "rank": 2, "threshold": 3000})["data"][
        "createTier"
    ]
    changed = graphql(
        client, h, UPDATE, id=plus["id"], input={"version": 1, "pointsMultiplier": "1.25"}
    )
    assert changed["data"]["updateTier"]["pointsMultiplier"] == "1.25", changed
    listed = graphql(client, h, "{ tiers(first: 10) { data { name } nextCursor } }")
    assert [t["name"] for t in listed["data"]["tiers"]["data"]] == ["Starter", "Plus"]

    who = member(client, chain)["id"]
    spend(client, chain, shop(client, chain, "GQL"), who, 3_000)
    queued = graphql(client, h, "mutation { evaluateTiers { queued } }")
    assert queued["data"]["evaluateTiers"] == {"queued": True}
    run_jobs(settings)
    standing = graphql(client, h, MEMBER_TIER, memberId=who)["data"]["memberTier"]
    assert standing == {
        "memberId": who,
        "source": "rules",
        "spend12m": 3000,
        "earnedTierId": plus["id"],
        "tier": {"name": "Plus"},
        "premium": None,
    }
    history = graphql(
        client,
        h,
        "query($m: UUID!) { memberTierChanges(memberId: $m) { data { reason toTierId } } }",
        m=who,
    )
    assert history["data"]["memberTierChanges"]["data"] == [
        {"reason": "rules_up", "toTierId": plus["id"]}
    ]
    masked = graphql(client, h, "{ stripeSettings { configured webhookPath } }")
    assert masked["data"]["stripeSettings"]["configured"] is False


def test_refusals_carry_the_problem_and_write_nothing(
    client: TestClient[Any], chain: Chain
) -> None:
    h = chain.headers
    bad = graphql(client, h, CREATE, input={"name": "Odd", "rank": 7, "monthlyPrice": 100})
    (error,) = bad["errors"]
    assert error["extensions"]["status"] == 422
    assert {e["field"] for e in error["extensions"]["errors"]} == {"threshold", "monthly_price"}
    missing = graphql(client, h, MEMBER_TIER, memberId=str(uuid.uuid4()))
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    gone = graphql(client, h, "mutation($id: UUID!) { deleteTier(id: $id) }", id=str(uuid.uuid4()))
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    names = graphql(client, h, "{ tiers { data { name } } }")["data"]["tiers"]["data"]
    assert "Odd" not in [t["name"] for t in names]
