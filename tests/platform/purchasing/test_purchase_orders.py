"""Purchase orders through REST: the whole flow from draft to received, editing drafts, the
supplier's rules (case packs, minimum order, order days) and the state machine's refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import create, walk
from tests.platform.inventory.helpers import ledger, level
from tests.platform.purchasing.helpers import (
    PO,
    act,
    coming,
    draft,
    get_order,
    product,
    receive,
    sent,
    state,
    store_today,
    supplier,
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return create(client, chain, "/v1/stores", code="SH-01", name="Metro")


@pytest.fixture(scope="module")
def kitchen(client, chain):
    """The central kitchen: any day, two days' lead time, no minimum."""
    return supplier(client, chain, "KITCHEN", lead_time_days=2)


@pytest.fixture(scope="module")
def milk(client, chain, kitchen):
    return product(client, chain, "MILK", cost_price=450, case_pack=6, supplier_id=kitchen["id"])


@pytest.fixture(scope="module")
def cheese(client, chain):
    """Weighed, from any supplier."""
    return product(client, chain, "CHEESE", unit="kg", cost_price=8001, case_pack=5)


def test_the_whole_flow_from_draft_to_received(client, chain, shop, kitchen, milk, cheese):
    """Draft, edit, send, receive part with a rejection, receive the rest: statuses, totals,
    stock, ledger, costs and events all agree."""
    order = draft(client, chain, shop["id"], kitchen["id"], (milk["id"], 12), note="Weekend")
    assert order["status"] == "draft"
    assert order["version"] == 1
    assert order["number"] >= 1
    assert order["expected_on"] == str(store_today() + timedelta(days=2))
    assert [(li["quantity"], li["unit_cost"], li["total"]) for li in order["lines"]] == [
        ("12.000", 450, 5400)
    ]
    assert order["total"] == 5400
    assert order["source"] == "manual"
    assert order["suggestion_run_id"] is None
    assert get_order(client, chain, order["id"]) == order

    lines = [
        {"product_id": milk["id"], "quantity": 18, "unit_cost": 440},
        {"product_id": cheese["id"], "quantity": "2.5"},
    ]
    edited = client.patch(
        f"{PO}/{order['id']}", json={"version": 1, "lines": lines}, headers=chain.headers
    )
    assert edited.status_code == 200, edited.text
    order = edited.json()
    # 18 x 440 = 7920; 2.5 kg x 8001 = 20002.5 -> 20003 (half up)
    assert [(li["position"], li["total"]) for li in order["lines"]] == [(0, 7920), (1, 20003)]
    assert order["lines"][1]["unit_cost"] == 8001  # the product's cost price
    assert (order["total"], order["version"], order["note"]) == (27923, 2, "Weekend")
    stale = client.patch(
        f"{PO}/{order['id']}", json={"version": 1, "note": "x"}, headers=chain.headers
    )
    assert_problem(stale, 409, "version-conflict")

    order = sent(client, chain, order)
    assert (order["status"], order["version"], order["warnings"]) == ("sent", 3, [])
    assert order["sent_at"] is not None
    assert coming(client, chain, shop["id"]) == {
        milk["id"]: Decimal("18.000"),
        cheese["id"]: Decimal("2.500"),
    }

    milk_line, cheese_line = (li["id"] for li in order["lines"])
    first = receive(
        client,
        chain,
        order["id"],
        {"line_id": milk_line, "received": 12, "rejected": 6, "reject_reason": "crushed"},
        note="Van 1",
    )
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert (receipt["order_status"], receipt["total"]) == ("partially_received", 12 * 440)
    (line,) = receipt["lines"]
    assert (line["received"], line["rejected"], line["reject_reason"]) == (
        "12.000",
        "6.000",
        "crushed",
    )
    order = get_order(client, chain, order["id"])
    assert order["status"] == "partially_received"
    assert order["version"] == 4
    assert [li["open"] for li in order["lines"]] == ["0.000", "2.500"]
    assert coming(client, chain, shop["id"]) == {cheese["id"]: Decimal("2.500")}

    second = receive(client, chain, order["id"], {"line_id": cheese_line, "received": "2.5"})
    assert second.status_code == 201, second.text
    order = get_order(client, chain, order["id"])
    assert (order["status"], order["received_value"]) == ("received", 5280 + 20003)
    assert order["received_at"] is not None
    assert order["closed_short"] is False
    assert coming(client, chain, shop["id"]) == {}

    assert level(client, chain, shop["id"], milk["id"]) == 12
    assert level(client, chain, shop["id"], cheese["id"]) == Decimal("2.5")
    moves = [m for r in (receipt, second.json()) for m in ledger(client, chain, source_id=r["id"])]
    assert [(m["kind"], m["quantity"], m["unit_cost"], m["value"]) for m in moves] == [
        ("receipt", "12.000", 440, 5280),
        ("receipt", "2.500", 8001, 20003),
    ]
    assert {m["source_type"] for m in moves} == {"goods_receipt"}
    assert line["movement_id"] == moves[0]["id"]

    receipts = client.get(f"{PO}/{order['id']}/receipts", headers=chain.headers).json()["data"]
    assert [r["id"] for r in receipts] == [receipt["id"], second.json()["id"]]
    one = client.get(f"/v1/goods-receipts/{receipt['id']}", headers=chain.headers).json()
    assert one == receipt
    events = [e["type"] for e in walk(client, "/v1/events", chain.headers)]
    for kind in ("created", "updated", "sent", "received"):
        assert f"purchase_order.{kind}" in events
    assert events.count("goods_receipt.created") == 2
    actions = {e["action"] for e in walk(client, "/v1/audit-log", chain.headers)}
    assert {"purchase_order.sent", "goods_receipt.created", "purchase_order.received"} <= actions


def test_a_case_pack_line_that_is_not_whole_cases_is_refused(client, chain, shop, kitchen, milk):
    before = state(client, chain)
    body = {
        "store_id": shop["id"],
        "supplier_id": kitchen["id"],
        "lines": [{"product_id": milk["id"], "quantity": 10}],
    }
    problem = assert_problem(client.post(PO, json=body, headers=chain.headers), 422)
    assert problem["errors"] == [
        {"field": "lines[0].quantity", "message": "MILK comes in cases of 6: order 6 or 12"}
    ]
    body["lines"][0]["quantity"] = 4
    problem = assert_problem(client.post(PO, json=body, headers=chain.headers), 422)
    assert problem["errors"][0]["message"] == "MILK comes in cases of 6: order 6"
    assert state(client, chain) == before


def test_weighed_goods_ignore_the_case_pack(client, chain, shop, kitchen, cheese):
    order = draft(client, chain, shop["id"], kitchen["id"], (cheese["id"], "0.37"))
    assert order["lines"][0]["quantity"] == "0.370"
    assert order["total"] == 2960  # 0.37 x 8001 = 2960.37


def test_the_minimum_order_is_checked_when_sending(client, chain, shop):
    distributor = supplier(client, chain, "DIST-MIN", min_order=100_000)
    juice = product(client, chain, "JUICE", cost_price=1500, supplier_id=distributor["id"])
    order = draft(client, chain, shop["id"], distributor["id"], (juice["id"], 40))
    assert order["total"] == 60_000  # a draft below the minimum is fine
    before = state(client, chain)
    problem = assert_problem(act(client, chain, order, "send"), 422)
    assert problem["missing"] == 40_000
    assert problem["min_order"] == 100_000
    assert "40000" in problem["detail"]
    assert problem["errors"] == [{"field": "total", "message": "below the minimum order by 40000"}]
    assert state(client, chain) == before
    more = client.patch(
        f"{PO}/{order['id']}",
        json={"version": 1, "lines": [{"product_id": juice["id"], "quantity": 70}]},
        headers=chain.headers,
    )
    assert more.status_code == 200, more.text
    assert sent(client, chain, more.json())["status"] == "sent"


def test_sending_on_a_day_the_supplier_takes_no_orders_warns(client, chain, shop):
    today = store_today()
    others = [d for d in range(1, 8) if d != today.isoweekday()]
    weekly = supplier(client, chain, "WEEKLY", lead_time_days=1, order_days=others)
    bread = product(client, chain, "BREAD", supplier_id=weekly["id"])
    order = draft(client, chain, shop["id"], weekly["id"], (bread["id"], 3))
    # ordered today, it is handled on the next order day (tomorrow), delivered a day later
    assert order["expected_on"] == str(today + timedelta(days=2))
    done = sent(client, chain, order)
    assert done["status"] == "sent"
    assert [w["code"] for w in done["warnings"]] == ["not_an_order_day"]
    assert get_order(client, chain, order["id"])["warnings"] == []


def test_a_delivery_date_sooner_than_the_lead_time_is_kept_with_a_warning(
    client, chain, shop, kitchen, milk
):
    order = draft(
        client, chain, shop["id"], kitchen["id"], (milk["id"], 6), expected_on=str(store_today())
    )
    done = sent(client, chain, order)
    assert done["expected_on"] == str(store_today())
    assert [w["code"] for w in done["warnings"]] == ["shorter_than_lead_time"]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"quantity": -6}, "lines[0].quantity", "must not be negative"),
        ({"quantity": 0}, "lines[0].quantity", "must not be zero"),
        ({"quantity": 1.5}, "lines[0].quantity", None),
        ({"quantity": "NaN"}, "lines[0].quantity", "not a number"),
        (
            {"quantity": 6, "product_id": "01937a10-0000-7000-8000-000000000001"},
            "lines[0].product_id",
            "unknown product",
        ),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(
    client, chain, shop, kitchen, milk, line, field, message
):
    before = state(client, chain)
    body = {
        "store_id": shop["id"],
        "supplier_id": kitchen["id"],
        "lines": [{"product_id": milk["id"], **line}],
    }
    problem = assert_problem(client.post(PO, json=body, headers=chain.headers), 422)
    assert field in {e["field"] for e in problem["errors"]}
    if message:
        assert message in {e["message"] for e in problem["errors"]}
    assert state(client, chain) == before


def test_products_of_another_supplier_archived_or_twice_are_refused(
    client, chain, shop, kitchen, milk
):
    other = supplier(client, chain, "OTHER")
    theirs = product(client, chain, "THEIRS", supplier_id=other["id"])
    gone = product(client, chain, "GONE", status="archived")
    before = state(client, chain)
    body = {
        "store_id": shop["id"],
        "supplier_id": kitchen["id"],
        "lines": [
            {"product_id": milk["id"], "quantity": 6},
            {"product_id": theirs["id"], "quantity": 1},
            {"product_id": gone["id"], "quantity": 1},
            {"product_id": milk["id"], "quantity": 12},
        ],
    }
    problem = assert_problem(client.post(PO, json=body, headers=chain.headers), 422)
    assert problem["errors"] == [
        {
            "field": "lines[1].product_id",
            "message": "THEIRS comes from another supplier, not KITCHEN",
        },
        {"field": "lines[2].product_id", "message": "GONE is archived"},
        {
            "field": "lines[3].product_id",
            "message": "MILK is on lines[0] already; one line per product",
        },
    ]
    assert state(client, chain) == before


def test_unknown_store_supplier_or_a_past_date_is_refused(client, chain, shop, kitchen):
    before = state(client, chain)
    missing = "01937a10-0000-7000-8000-000000000002"
    cases = [
        ({"store_id": missing, "supplier_id": kitchen["id"]}, "store_id"),
        ({"store_id": shop["id"], "supplier_id": missing}, "supplier_id"),
        (
            {
                "store_id": shop["id"],
                "supplier_id": kitchen["id"],
                "expected_on": str(store_today() - timedelta(days=1)),
            },
            "expected_on",
        ),
    ]
    for body, field in cases:
        problem = assert_problem(client.post(PO, json=body, headers=chain.headers), 422)
        assert [e["field"] for e in problem["errors"]] == [field]
    assert state(client, chain) == before


def test_illegal_transitions_are_refused_and_change_nothing(client, chain, shop, kitchen, milk):
    order = draft(client, chain, shop["id"], kitchen["id"], (milk["id"], 6))
    line = order["lines"][0]["id"]
    before = state(client, chain)
    problem = assert_problem(
        receive(client, chain, order["id"], {"line_id": line, "received": 6}), 409
    )
    assert problem["current_status"] == "draft"
    assert "send it" in problem["detail"]
    assert_problem(act(client, chain, order, "close"), 409)
    assert state(client, chain) == before

    order = sent(client, chain, order)
    before = state(client, chain)
    edit = client.patch(
        f"{PO}/{order['id']}",
        json={"version": order["version"], "note": "late"},
        headers=chain.headers,
    )
    assert "only a draft" in assert_problem(edit, 409)["detail"]
    assert_problem(act(client, chain, order, "send"), 409)
    assert_problem(act(client, chain, order, "close"), 409)
    assert state(client, chain) == before

    cancelled = act(client, chain, order, "cancel", reason="Kitchen closed")
    assert cancelled.status_code == 200, cancelled.text
    order = cancelled.json()
    assert (order["status"], order["reason"]) == ("cancelled", "Kitchen closed")
    assert order["cancelled_at"] is not None
    before = state(client, chain)
    for response in (
        receive(client, chain, order["id"], {"line_id": line, "received": 6}),
        act(client, chain, order, "cancel"),
        act(client, chain, order, "send"),
        client.patch(
            f"{PO}/{order['id']}", json={"version": order["version"]}, headers=chain.headers
        ),
    ):
        assert_problem(response, 409)
    assert state(client, chain) == before


def test_a_partially_received_order_is_closed_not_cancelled(client, chain, kitchen, milk):
    shop = create(client, chain, "/v1/stores", code="SH-CLOSE", name="Station")
    order = sent(client, chain, draft(client, chain, shop["id"], kitchen["id"], (milk["id"], 12)))
    line = order["lines"][0]["id"]
    assert receive(client, chain, order["id"], {"line_id": line, "received": 6}).status_code == 201
    order = get_order(client, chain, order["id"])
    assert coming(client, chain, shop["id"], [milk["id"]]) == {milk["id"]: Decimal("6.000")}
    before = state(client, chain)
    assert "close it instead" in assert_problem(act(client, chain, order, "cancel"), 409)["detail"]
    assert_problem(act(client, chain, {**order, "version": 1}, "close"), 409, "version-conflict")
    assert state(client, chain) == before

    closed = act(client, chain, order, "close", reason="Out of stock at the kitchen")
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["status"], body["closed_short"]) == ("received", True)
    assert body["lines"][0]["open"] == "6.000"  # still short, but no longer on order
    assert coming(client, chain, shop["id"], [milk["id"]]) == {}
    assert_problem(receive(client, chain, order["id"], {"line_id": line, "received": 6}), 409)


def test_a_draft_changes_supplier_and_store(client, chain, shop, kitchen, milk, cheese):
    other_shop = create(client, chain, "/v1/stores", code="SH-02", name="Harbour")
    other = supplier(client, chain, "SECOND")
    order = draft(client, chain, shop["id"], kitchen["id"], (cheese["id"], 1), (milk["id"], 6))
    before = get_order(client, chain, order["id"])
    moved = client.patch(
        f"{PO}/{order['id']}",
        json={"version": 1, "supplier_id": other["id"]},
        headers=chain.headers,
    )
    problem = assert_problem(moved, 422)  # milk comes from the kitchen
    assert [e["field"] for e in problem["errors"]] == ["lines[1].product_id"]
    assert get_order(client, chain, order["id"]) == before
    moved = client.patch(
        f"{PO}/{order['id']}",
        json={
            "version": 1,
            "supplier_id": other["id"],
            "store_id": other_shop["id"],
            "lines": [{"product_id": cheese["id"], "quantity": 1}],
        },
        headers=chain.headers,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["supplier_id"], moved.json()["store_id"]) == (
        other["id"],
        other_shop["id"],
    )
    assert len(moved.json()["lines"]) == 1


def test_lists_filter_by_store_supplier_and_status(client, chain, shop, kitchen, milk):
    order = draft(client, chain, shop["id"], kitchen["id"], (milk["id"], 6))
    mine = walk(client, PO, chain.headers, store_id=shop["id"], status="draft")
    assert order["id"] in {o["id"] for o in mine}
    assert {(o["store_id"], o["status"]) for o in mine} == {(shop["id"], "draft")}
    assert all(
        o["supplier_id"] == kitchen["id"]
        for o in walk(client, PO, chain.headers, supplier_id=kitchen["id"])
    )
    pages = walk(client, PO, chain.headers, limit=2)
    assert len(pages) == len({o["id"] for o in pages})
    assert_problem(client.get(PO, params={"status": "lost"}, headers=chain.headers), 422)


def test_orders_are_numbered_in_sequence(client, chain, shop, kitchen):
    one = draft(client, chain, shop["id"], kitchen["id"])
    two = draft(client, chain, shop["id"], kitchen["id"])
    assert two["number"] == one["number"] + 1
    assert one["lines"] == []
    assert one["total"] == 0
    problem = assert_problem(act(client, chain, one, "send"), 422)
    assert problem["errors"] == [{"field": "lines", "message": "no lines"}]


def test_a_suggestion_names_its_run(client, chain, shop, kitchen, milk):
    run = "01937a10-0000-7000-8000-0000000000aa"
    order = draft(
        client,
        chain,
        shop["id"],
        kitchen["id"],
        (milk["id"], 6),
        source="suggestion",
        suggestion_run_id=run,
    )
    assert (order["source"], order["suggestion_run_id"]) == ("suggestion", run)


def test_managers_order_only_for_their_stores(client, chain, shop, kitchen, milk):
    other_shop = create(client, chain, "/v1/stores", code="SH-03", name="Airport")
    invite = client.post(
        "/v1/invitations",
        json={"email": "po-manager@example.com", "role": "manager", "store_ids": [shop["id"]]},
        headers=chain.headers,
    )
    assert invite.status_code == 201, invite.text
    accepted = client.post(
        "/v1/invitations/accept",
        json={"token": invite.json()["token"], "password": "manager-pass-1", "name": "M"},
    )
    assert accepted.status_code == 201, accepted.text
    manager = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    line = [{"product_id": milk["id"], "quantity": 6}]
    for target, status in ((shop, 201), (other_shop, 403)):
        body = {"store_id": target["id"], "supplier_id": kitchen["id"], "lines": line}
        assert client.post(PO, json=body, headers=manager).status_code == status
    theirs = draft(client, chain, other_shop["id"], kitchen["id"], (milk["id"], 6))
    assert client.get(f"{PO}/{theirs['id']}", headers=manager).status_code == 200
    refused = client.post(f"{PO}/{theirs['id']}/send", json={"version": 1}, headers=manager)
    assert_problem(refused, 403)
    auditor_key = client.post(
        "/v1/api-keys", json={"name": "read", "scopes": ["purchasing:read"]}, headers=chain.headers
    ).json()["secret"]
    reader = {"Authorization": f"Bearer {auditor_key}"}
    assert client.get(PO, headers=reader).status_code == 200
    assert_problem(client.post(PO, json={}, headers=reader), 403)
