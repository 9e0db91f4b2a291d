"""Member 360 in GraphQL: a member registered at the till, an order paid (points land), and the
view shows the profile, tier, points with what expires, segment and the order; another
chain's member answers like a missing one."""

from __future__ import annotations

from tests.conftest import graphql, run_jobs, sign_up
from tests.platform.ordering.helpers import cash, created, member, order, pay, product, store

VIEW = """query ($id: UUID!) { member360(id: $id) {
    member { id phone tags consents { marketing { granted } } }
    tier { source spend12m tier { name } }
    points { balance expiring { points } }
    segment { stage }
    recentOrders { id total status }
} }"""


def test_member_360_shows_the_member_at_a_glance(client, chain, settings):
    shop = store(client, chain)
    body = {"name": "A point a yuan", "kind": "spend", "points": 1, "per_amount": 100}
    created(client.post("/v1/points-rules", json=body, headers=chain.headers))
    cake = product(client, chain, price=2500, sku="M360-CAKE")
    buyer = member(client, chain, tags=["vip"])
    made = order(client, chain, shop["id"], [{"product_id": cake["id"], "quantity": 2}],
                 member_id=buyer["id"])  # fmt: skip
    assert pay(client, chain, made["id"], cash(5000)).status_code == 200
    run_jobs(settings)  # the relay hands order.paid to the points handler
    created(client.post("/v1/segments/refresh", headers=chain.headers), 200)
    answer = graphql(client, chain.headers, VIEW, id=buyer["id"])
    assert "errors" not in answer, answer
    view = answer["data"]["member360"]
    assert (view["member"]["id"], view["member"]["tags"]) == (buyer["id"], ["vip"])
    assert view["recentOrders"] == [{"id": made["id"], "total": 5000, "status": "paid"}]
    assert view["points"]["balance"] == 50  # ¥50 paid: 50 points, earned on order.paid
    assert sum(e["points"] for e in view["points"]["expiring"]) == view["points"]["balance"]
    assert view["segment"]["stage"] == "new"


def test_another_chains_member_is_like_a_missing_one(client, chain):
    theirs = member(client, chain)
    other = sign_up(client, "Member 360 other chain")
    seen = graphql(client, other.headers, VIEW, id=theirs["id"])
    missing = graphql(client, other.headers, VIEW, id="0195f3a0-0000-7000-8000-00000000abcd")
    assert seen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert seen["data"] is None or seen["data"]["member360"] is None
    assert seen["errors"][0]["message"].replace(theirs["id"], "<id>") == missing["errors"][0][
        "message"
    ].replace("0195f3a0-0000-7000-8000-00000000abcd", "<id>")
