"""Suggested store orders through REST: run, read, edit with versions, convert, events, scopes.

The history is 10 a day for 8 weeks up to yesterday, so the forecast is 10 a day whatever
today's weekday: the numbers below do not depend on the date the suite runs.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from bodega.replenishment import run_suggestions
from tests.conftest import api_key, assert_problem, sign_up
from tests.platform.catalog.helpers import create, walk
from tests.platform.replenishment.helpers import (
    call_service,
    product,
    store_today,
    supplier,
    write_history,
)

DAYS = 56


@pytest.fixture(scope="module")
def shop(client, chain):
    return create(client, chain, "/v1/stores", code="R-SHOP", name="Shop")


@pytest.fixture(scope="module")
def dairy(client, chain):
    """Every day, next-day delivery: L = 1, R = 1, so two days are covered: 20 needed."""
    return supplier(client, chain, "DAIRY", lead_time_days=1, order_days=list(range(1, 8)))


@pytest.fixture(scope="module")
def items(client, chain, shop, dairy):
    """MILK sells 10 a day in cases of 6, 4 left; TEA has no supplier; OLD is archived."""
    milk = product(client, chain, "MILK", supplier_id=dairy["id"], case_pack=6, cost_price=200)
    tea = product(client, chain, "TEA", cost_price=100)
    old = product(client, chain, "OLD", supplier_id=dairy["id"])
    start = store_today() - timedelta(days=DAYS)
    for item in (milk, tea, old):
        write_history(
            client,
            chain,
            shop["id"],
            item["id"],
            start=start,
            sales=[10] * DAYS,
            receipts={0: 10 * DAYS + 4},
        )
    archived = client.patch(
        f"/v1/products/{old['id']}",
        json={"status": "archived", "version": old["version"]},
        headers=chain.headers,
    )
    assert archived.status_code == 200, archived.text
    return {"milk": milk, "tea": tea, "old": old}


@pytest.fixture(scope="module")
def made(client, chain, shop, items):
    response = client.post(
        f"/v1/stores/{shop['id']}/suggestions",
        json={"service_level": "0.5"},
        headers={**chain.headers, "Idempotency-Key": "run-1"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def lines_by_sku(client, chain, run, items):
    detail = client.get(f"/v1/suggestion-runs/{run['id']}", headers=chain.headers)
    assert detail.status_code == 200, detail.text
    skus = {item["id"]: sku for sku, item in items.items()}
    return {skus[line["product_id"]]: line for line in detail.json()["lines"]}


def test_a_run_suggests_whole_cases_for_every_stocked_product(client, chain, made, items):
    """MILK: 10 a day over 2 days = 20, 4 on hand: 16 short, 3 cases of 6 = 18. TEA: 16
    (cases of 1). The archived product is left out."""
    assert made["status"] == "completed"
    assert made["line_count"] == 2
    assert made["order_line_count"] == 2
    assert made["service_level"] == "0.500"
    assert made["first_day"] == str(store_today())
    assert made["suggested_value"] == 18 * 200 + 16 * 100
    lines = lines_by_sku(client, chain, made, items)
    assert set(lines) == {"milk", "tea"}
    milk = lines["milk"]
    assert milk["daily"] == ["10.000", "10.000"]
    assert (milk["suggested_quantity"], milk["quantity"]) == ("18.000", "18.000")
    assert milk["edited_quantity"] is None
    assert milk["reasons"]["order_up_to"] == "20.000"
    assert milk["reasons"]["rounding"] == "2.000"
    assert lines["tea"]["supplier_id"] is None
    assert lines["tea"]["quantity"] == "16.000"
    again = client.post(
        f"/v1/stores/{made['store_id']}/suggestions",
        json={"service_level": "0.5"},
        headers={**chain.headers, "Idempotency-Key": "run-1"},
    )
    assert again.json() == made  # the retry got the first answer, not a second run


def test_runs_are_listed_and_read(client, chain, made, shop):
    listed = walk(client, "/v1/suggestion-runs", chain.headers, store_id=shop["id"])
    assert [r["id"] for r in listed] == [made["id"]]
    assert walk(client, "/v1/suggestion-runs", chain.headers, status="converted") == []
    only = client.get(
        f"/v1/suggestion-runs/{made['id']}", params={"ordered_only": True}, headers=chain.headers
    ).json()
    assert len(only["lines"]) == 2
    line = only["lines"][0]
    assert client.get(f"/v1/suggestion-lines/{line['id']}", headers=chain.headers).json() == line
    assert_problem(client.get(f"/v1/suggestion-runs/{line['id']}", headers=chain.headers), 404)


def test_bad_run_requests_write_nothing(client, chain, shop, made):
    before = walk(client, "/v1/suggestion-runs", chain.headers)
    path = f"/v1/stores/{shop['id']}/suggestions"
    for body, field in (
        ({"service_level": "0.3"}, "service_level"),
        ({"service_level": "0.9555"}, "service_level"),
        ({"history_days": 5}, "history_days"),
    ):
        problem = assert_problem(client.post(path, json=body, headers=chain.headers), 422)
        assert field in str(problem), problem
    missing = "/v1/stores/00000000-0000-7000-8000-000000000000/suggestions"
    assert_problem(client.post(missing, json={}, headers=chain.headers), 404)
    assert walk(client, "/v1/suggestion-runs", chain.headers) == before


def test_editing_a_line_keeps_the_suggestion_and_bumps_the_run(client, chain, made, items):
    milk = lines_by_sku(client, chain, made, items)["milk"]
    path = f"/v1/suggestion-lines/{milk['id']}"
    odd = client.patch(
        path, json={"version": milk["version"], "quantity": 20}, headers=chain.headers
    )
    problem = assert_problem(odd, 422)
    assert problem["errors"][0]["field"] == "quantity"
    assert "18 or 24" in problem["detail"]
    edited = client.patch(
        path, json={"version": milk["version"], "quantity": 24}, headers=chain.headers
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["suggested_quantity"], body["edited_quantity"], body["quantity"]) == (
        "18.000",
        "24.000",
        "24.000",
    )
    assert body["edited_by"] == str(chain.owner_id)
    assert body["version"] == milk["version"] + 1
    stale = client.patch(
        path, json={"version": milk["version"], "quantity": 6}, headers=chain.headers
    )
    assert_problem(stale, 409, "version-conflict")
    run = client.get(f"/v1/suggestion-runs/{made['id']}", headers=chain.headers).json()
    assert (run["edited_count"], run["version"]) == (1, made["version"] + 1)
    back = client.patch(
        path, json={"version": body["version"], "quantity": None}, headers=chain.headers
    )
    assert back.json()["quantity"] == "18.000"
    assert back.json()["edited_by"] is None
    again = client.patch(
        path, json={"version": back.json()["version"], "quantity": 0}, headers=chain.headers
    )
    assert again.json()["quantity"] == "0.000"
    run = client.get(f"/v1/suggestion-runs/{made['id']}", headers=chain.headers).json()
    assert (run["edited_count"], run["order_line_count"]) == (1, 1)
    restored = client.patch(
        path, json={"version": again.json()["version"], "quantity": 24}, headers=chain.headers
    )
    assert restored.status_code == 200, restored.text


def test_converting_drafts_one_purchase_order_per_supplier(client, chain, made, items, dairy):
    """MILK (edited to 24) goes to the dairy's draft; TEA has no supplier: counted, not ordered."""
    run = client.get(f"/v1/suggestion-runs/{made['id']}", headers=chain.headers).json()
    path = f"/v1/suggestion-runs/{made['id']}/purchase-orders"
    stale = client.post(path, json={"version": made["version"]}, headers=chain.headers)
    assert_problem(stale, 409, "version-conflict")
    done = client.post(path, json={"version": run["version"]}, headers=chain.headers)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["run"]["status"] == "converted"
    assert body["run"]["converted_by"] == str(chain.owner_id)
    assert body["lines_without_supplier"] == 1
    (drafted,) = body["purchase_orders"]
    assert (drafted["supplier_id"], drafted["line_count"]) == (dairy["id"], 1)
    order = client.get(f"/v1/purchase-orders/{drafted['id']}", headers=chain.headers).json()
    assert (order["status"], order["source"], order["suggestion_run_id"]) == (
        "draft",
        "suggestion",
        made["id"],
    )
    assert [(line["product_id"], Decimal(line["quantity"])) for line in order["lines"]] == [
        (items["milk"]["id"], 24)
    ]
    assert order["total"] == 24 * 200 == drafted["total"]
    lines = lines_by_sku(client, chain, body["run"], items)
    assert lines["milk"]["purchase_order_id"] == drafted["id"]
    assert lines["tea"]["purchase_order_id"] is None
    twice = client.post(path, json={"version": body["run"]["version"]}, headers=chain.headers)
    assert_problem(twice, 409, "conflict")
    late = client.patch(
        f"/v1/suggestion-lines/{lines['milk']['id']}",
        json={"version": lines["milk"]["version"], "quantity": 6},
        headers=chain.headers,
    )
    assert_problem(late, 409, "conflict")


def test_runs_and_conversions_are_events_and_audited(client, chain, made):
    events = walk(client, "/v1/events", chain.headers, type="suggestion_run.*")
    assert [(e["type"], e["data"]["id"]) for e in events] == [
        ("suggestion_run.completed", made["id"]),
        ("suggestion_run.converted", made["id"]),
    ]
    audit = walk(client, "/v1/audit-log", chain.headers, resource_id=made["id"])
    assert [a["action"] for a in audit] == ["suggestion_run.completed", "suggestion_run.converted"]


def test_scopes_and_managers(client):
    """Reading needs purchasing:read, running purchasing:write; a manager runs suggestions for
    their own stores only."""
    owner = sign_up(client)
    mine = create(client, owner, "/v1/stores", code="M1", name="Mine")
    other = create(client, owner, "/v1/stores", code="M2", name="Other")
    reader = api_key(client, owner, "purchasing:read")
    assert_problem(
        client.post(f"/v1/stores/{mine['id']}/suggestions", json={}, headers=reader), 403
    )
    assert client.get("/v1/suggestion-runs", headers=reader).status_code == 200
    assert_problem(client.get("/v1/suggestion-runs"), 401)
    invite = client.post(
        "/v1/invitations",
        json={"email": "rep-manager@example.com", "role": "manager", "store_ids": [mine["id"]]},
        headers=owner.headers,
    )
    accepted = client.post(
        "/v1/invitations/accept",
        json={"token": invite.json()["token"], "password": "manager-pass-1", "name": "M"},
    )
    manager = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    ran = client.post(f"/v1/stores/{mine['id']}/suggestions", json={}, headers=manager)
    assert ran.status_code == 201, ran.text
    assert ran.json()["line_count"] == 0
    assert_problem(
        client.post(f"/v1/stores/{other['id']}/suggestions", json={}, headers=manager), 403
    )


def test_forecast_accuracy_compares_past_runs_with_sales(client):
    """A run three days ago forecast 10 a day (L = 2, R = 1: three days). Then 12, 8 and 10
    sold: |12 - 10| + |8 - 10| + |10 - 10| = 4 of 30 sold, WAPE 0.1333; the misses cancel
    out, bias 0. The run's one line was edited: edit rate 1."""
    owner = sign_up(client)
    shop = create(client, owner, "/v1/stores", code="ACC", name="Accurate")
    two_days = supplier(client, owner, "TWO", lead_time_days=2, order_days=list(range(1, 8)))
    item = product(client, owner, "ACC-1", supplier_id=two_days["id"])
    today = store_today()
    run_day = today - timedelta(days=3)
    write_history(
        client,
        owner,
        shop["id"],
        item["id"],
        start=run_day - timedelta(days=28),
        sales=[10] * 28 + [12, 8, 10],
        receipts={0: 400},
    )
    made = call_service(client, owner, run_suggestions, uuid.UUID(shop["id"]), today=run_day)
    detail = client.get(f"/v1/suggestion-runs/{made.id}", headers=owner.headers).json()
    (line,) = detail["lines"]
    assert line["daily"] == ["10.000"] * 3
    client.patch(
        f"/v1/suggestion-lines/{line['id']}",
        json={"version": line["version"], "quantity": 1},
        headers=owner.headers,
    )
    response = client.get(
        f"/v1/stores/{shop['id']}/forecast-accuracy", params={"days": 7}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["since"], body["until"]) == (
        str(today - timedelta(days=7)),
        str(today - timedelta(days=1)),
    )
    assert (body["runs"], body["days_compared"], body["lines"], body["edited_lines"]) == (
        1,
        3,
        1,
        1,
    )
    assert (body["actual"], body["forecast"]) == ("30.000", "30.000")
    assert (Decimal(body["wape"]), Decimal(body["bias"])) == (Decimal("0.1333"), Decimal(0))
    assert body["edit_rate"] == "1.0000"
    assert body["by_classification"] == [
        {"classification": "smooth", "days_compared": 3, "wape": "0.1333", "bias": "0.0000"}
    ]
    bad = client.get(
        f"/v1/stores/{shop['id']}/forecast-accuracy", params={"days": 0}, headers=owner.headers
    )
    assert_problem(bad, 422)
