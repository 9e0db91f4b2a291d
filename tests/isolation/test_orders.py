"""Cross-tenant isolation of sales orders beyond the route table: chain B naming A's order
lines in a refund, A's products or store in an order, and A's orders in list filters.

Naming A's object answers exactly as naming one that never existed, and A's orders, stock and
events stay as they were."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import assert_problem
from tests.isolation.conftest import World, a_view, new_uuid, without_id


def _refund(client: TestClient[Any], world: World, order_id: str, line_id: str) -> Any:
    body = {"lines": [{"line_id": line_id, "quantity": 1}]}
    return client.post(f"/v1/orders/{order_id}/refunds", json=body, headers=world.b.headers)


def _a_state(client: TestClient[Any], world: World) -> dict[str, Any]:
    a = world.a.headers
    return {
        "order": a_view(client, world, "order_to_refund", world.a.ids["order_to_refund"]),
        "stock": client.get("/v1/stock-levels", headers=a).json(),
        "events": client.get("/v1/events", params={"type": "order.*"}, headers=a).json(),
    }


def test_a_refund_naming_another_chains_line_is_like_a_missing_line(
    client: TestClient[Any], world: World
) -> None:
    """B refunding A's order (naming A's line or B's own): 404 like a missing order; B refunding
    its own order naming A's line: 422 like a missing line; A unchanged."""
    before = _a_state(client, world)
    a_order = world.a.ids["order_to_refund"]
    a_line = before["order"]["lines"][0]["id"]
    b_order = world.b.ids["order_to_refund"]
    b_line = client.get(f"/v1/orders/{b_order}", headers=world.b.headers).json()["lines"][0]["id"]
    missing = new_uuid()
    for line in (a_line, b_line):
        theirs = _refund(client, world, a_order, line)
        assert_problem(theirs, 404, "not-found")
        assert without_id(theirs, a_order) == without_id(
            _refund(client, world, missing, line), missing
        )
    theirs = _refund(client, world, b_order, a_line)
    body = assert_problem(theirs, 422)
    assert body["errors"] == [{"field": "lines[0].line_id", "message": "not a line of this order"}]
    assert without_id(theirs, a_line) == without_id(
        _refund(client, world, b_order, missing), missing
    )
    assert _a_state(client, world) == before


def test_lists_of_orders_never_show_another_chains(client: TestClient[Any], world: World) -> None:
    """Filters naming A's store or one of A's order ids as the member match nothing; B's pages
    hold only B's orders, and none of A's ids, names or notes."""
    b = world.b.headers
    for params in (
        {"store_id": world.a.ids["store"]},
        {"member_id": world.a.ids["user"]},
        {"store_id": world.a.ids["store"], "status": "paid"},
    ):
        page = client.get("/v1/orders", params=params, headers=b)
        assert page.status_code == 200, page.text
        assert page.json()["data"] == []
    page = client.get("/v1/orders", params={"limit": 200}, headers=b)
    assert {o["store_id"] for o in page.json()["data"]} == {world.b.ids["store"]}
    assert [s for s in world.a_secrets() if s in page.text] == []
