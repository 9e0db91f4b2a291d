"""The order's states: open -> paid -> fulfilled, open -> cancelled, paid or fulfilled ->
partially_refunded -> refunded; every other move is a 409 that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_problem
from tests.platform.ordering.helpers import (
    cash,
    events,
    line,
    order,
    pay,
    product,
    receive,
    state,
    store,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


@pytest.fixture(scope="module")
def cola(client, chain, shop):
    made = product(client, chain, price=350)
    receive(client, chain, shop["id"], made["id"], "100")
    return made


def _act(client, chain, order_id: str, action: str, body: dict | None = None):
    return client.post(f"/v1/orders/{order_id}/{action}", json=body or {}, headers=chain.headers)


def _in(client, chain, shop, cola, status: str) -> dict:
    """An order brought to ``status`` through the API."""
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    made = order(client, chain, shop["id"], [line(cola, 2)], channel="pickup", promised_at=soon)
    if status == "open":
        return made
    if status == "cancelled":
        return _act(client, chain, made["id"], "cancel").json()
    made = pay(client, chain, made["id"], cash(700)).json()
    if status in ("fulfilled", "refunded_fulfilled"):
        made = _act(client, chain, made["id"], "fulfil").json()
    if status == "partially_refunded":
        refund = {"lines": [{"line_id": made["lines"][0]["id"], "quantity": 1}]}
        made = _act(client, chain, made["id"], "refunds", refund).json()
    if status in ("refunded", "refunded_fulfilled"):
        made = _act(client, chain, made["id"], "refunds").json()
    return made


def test_the_happy_paths_and_their_events(client, chain, shop, cola):
    picked = _in(client, chain, shop, cola, "open")
    paid = pay(client, chain, picked["id"], cash(700))
    assert paid.json()["status"] == "paid"
    fulfilled = _act(client, chain, picked["id"], "fulfil", {"version": paid.json()["version"]})
    assert fulfilled.status_code == 200, fulfilled.text
    assert fulfilled.json()["status"] == "fulfilled"
    assert fulfilled.json()["fulfilled_at"] is not None
    part = _act(client, chain, picked["id"], "refunds",
                {"lines": [{"line_id": picked["lines"][0]["id"], "quantity": 1}]})  # fmt: skip
    assert part.json()["status"] == "partially_refunded"
    rest = _act(client, chain, picked["id"], "refunds")
    assert rest.json()["status"] == "refunded"
    dropped = _in(client, chain, shop, cola, "open")
    cancelled = _act(client, chain, dropped["id"], "cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancelled_at"] is not None) == (
        "cancelled",
        True,
    )
    timeline = [
        (e["type"], e["data"]["status"])
        for e in events(client, chain)
        if e["data"]["id"] == picked["id"]
    ]
    assert timeline == [
        ("order.created", "open"),
        ("order.paid", "paid"),
        ("order.fulfilled", "fulfilled"),
        ("order.refunded", "partially_refunded"),
        ("order.refunded", "refunded"),
    ]
    assert [e["type"] for e in events(client, chain) if e["data"]["id"] == dropped["id"]] == [
        "order.created",
        "order.cancelled",
    ]


def test_an_order_refunded_in_part_before_pickup_can_still_be_handed_over(
    client, chain, shop, cola
):
    made = _in(client, chain, shop, cola, "partially_refunded")
    handed = _act(client, chain, made["id"], "fulfil")
    assert handed.status_code == 200, handed.text
    assert (handed.json()["status"], handed.json()["fulfilled_at"] is not None) == (
        "partially_refunded",
        True,
    )
    assert_problem(_act(client, chain, made["id"], "fulfil"), 409, "order-state")


ILLEGAL = [
    ("open", "fulfil"),
    ("open", "refunds"),
    ("cancelled", "pay"),
    ("cancelled", "fulfil"),
    ("cancelled", "cancel"),
    ("cancelled", "refunds"),
    ("paid", "pay"),
    ("paid", "cancel"),
    ("fulfilled", "fulfil"),
    ("fulfilled", "cancel"),
    ("fulfilled", "pay"),
    ("partially_refunded", "cancel"),
    ("partially_refunded", "pay"),
    ("refunded", "refunds"),
    ("refunded", "fulfil"),
    ("refunded", "cancel"),
    ("refunded_fulfilled", "fulfil"),
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_illegal_moves_are_409_and_change_nothing(
    client, chain, settings, shop, cola, status, action
):
    made = _in(client, chain, shop, cola, status)
    before = state(client, chain, settings, made["id"], [cola["id"]])
    body = {"payments": [cash(700)]} if action == "pay" else {}
    refused = assert_problem(_act(client, chain, made["id"], action, body), 409, "order-state")
    assert refused["order_status"] == made["status"]
    assert state(client, chain, settings, made["id"], [cola["id"]]) == before


def test_a_stale_version_is_409(client, chain, shop, cola):
    made = _in(client, chain, shop, cola, "open")
    stale = _act(client, chain, made["id"], "cancel", {"version": made["version"] + 1})
    body = assert_problem(stale, 409, "version-conflict")
    assert body["current_version"] == made["version"]
    assert (
        _act(client, chain, made["id"], "cancel", {"version": made["version"]}).status_code == 200
    )


def test_an_action_without_a_body_is_fine(client, chain, shop, cola):
    made = _in(client, chain, shop, cola, "open")
    response = client.post(f"/v1/orders/{made['id']}/cancel", headers=chain.headers)
    assert response.status_code == 200, response.text
