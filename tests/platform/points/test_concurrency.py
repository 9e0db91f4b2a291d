"""Concurrent spending of one member's points: tills paying in points and staff taking points
away at the same moment take turns on the member's lock, so the points are never spent twice
and the balance never goes below zero."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import assert_problem
from tests.platform.points.helpers import adjust, balance, cash, in_points, ledger, member, shop


def _together(client, requests):
    """Send ``(method, path, headers, body)`` requests at once to the app, in its own loop."""

    async def send():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bodega") as http:
            return await asyncio.gather(
                *(http.request(m, p, headers=h, json=b) for m, p, h, b in requests)
            )

    return client.blocking_portal.call(send)


def test_concurrent_redemptions_never_overdraw(client):
    """1000 points; six tills each pay 300 in points and two staff take 100 away, all at
    once: whatever the order they take turns in, each refusal met too small a balance, and
    what is left is 1000 minus what was spent."""
    s = shop(client)
    ming = member(client, s.chain)
    assert adjust(client, s.chain, ming, 1000).status_code == 201
    orders = []
    for _ in range(6):
        body = {
            "channel": "pos",
            "store_id": s.store,
            "member_id": ming,
            "lines": [{"product_id": s.milk["id"], "quantity": 1}],
        }
        made = client.post("/v1/orders", json=body, headers=s.headers)
        assert made.status_code == 201, made.text
        orders.append(made.json()["id"])
    requests = [
        ("POST", f"/v1/orders/{o}/pay", s.headers, {"payments": [in_points(300), cash(200)]})
        for o in orders
    ]
    take = {"points": -100, "reason": "Correction"}
    requests += [("POST", f"/v1/members/{ming}/points/adjustments", s.headers, take)] * 2
    answers = _together(client, requests)
    spent = 0
    for answer, (_, path, _, _) in zip(answers, requests, strict=True):
        if answer.status_code in (200, 201):
            spent += 300 if path.endswith("/pay") else 100
        else:
            refused = assert_problem(answer, 422, "points-insufficient")
            assert refused["balance"] < refused["needed"]
    # in turns, either both corrections come before the third payment (2 x 100 + 2 x 300,
    # 200 left: too few for another 300) or not (3 x 300 + 100): nothing is spent twice
    assert spent in (800, 1000)
    assert balance(client, s.chain, ming) == 1000 - spent
    entries = ledger(client, s.chain, ming)
    assert entries[0] == ("adjust", 1000, 1000 - spent)
    assert sum(points for _, points, _ in entries) == 1000 - spent
