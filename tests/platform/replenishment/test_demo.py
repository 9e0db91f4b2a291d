"""The demo chain's simulated history: repeatable, plausible, written once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from statistics import mean

import msgspec
import pytest

from bodega.inventory import daily_history
from bodega.manifest import Manifest, apply_manifest
from bodega.replenishment import run_suggestions
from bodega.replenishment.demo import write_demo_history
from tests.conftest import sign_up
from tests.platform.catalog.helpers import create, walk
from tests.platform.replenishment.helpers import call_service, product, store_today, supplier

DAYS = 120


def demo_chain(client):
    """Two stores (a high street, a metro station), a daily bakery, a distributor."""
    owner = sign_up(client)
    stores = [
        create(client, owner, "/v1/stores", code=code, name=code) for code in ("HIGH", "METRO")
    ]
    bakery = supplier(client, owner, "BAKE", lead_time_days=1, order_days=list(range(1, 8)))
    dist = supplier(client, owner, "DIST", lead_time_days=2, order_days=[1, 3, 5])
    items = {
        "bread": product(
            client, owner, "BREAD", supplier_id=bakery["id"], list_price=850, shelf_life_days=1
        ),
        "cake": product(client, owner, "CAKE", supplier_id=bakery["id"], list_price=9800),
        "cola": product(
            client, owner, "COLA", supplier_id=dist["id"], list_price=300, case_pack=24
        ),
    }
    return owner, stores, items


def history_of(client, owner, store, items):
    end = store_today() - timedelta(days=1)
    found = call_service(
        client,
        owner,
        daily_history,
        uuid.UUID(store["id"]),
        start=end - timedelta(days=DAYS - 1),
        end=end,
    )
    return {name: found[uuid.UUID(item["id"])] for name, item in items.items()}


@pytest.fixture(scope="module")
def demo(client):
    owner, stores, items = demo_chain(client)
    written = call_service(client, owner, write_demo_history, days=DAYS, seed=3)
    return owner, stores, items, written


def test_the_history_is_plausible(client, demo):
    owner, stores, items, written = demo
    assert (written.days, written.stores, written.products) == (DAYS, 2, 3)
    high = history_of(client, owner, stores[0], items)
    metro = history_of(client, owner, stores[1], items)
    for h in (*high.values(), *metro.values()):
        assert len(h.sold) == DAYS
        assert min(h.closing) >= 0
        assert all(s >= 0 for s in h.sold)
    saturdays = [i for i in range(DAYS) if (high["cola"].start + timedelta(days=i)).weekday() == 5]
    tuesdays = [i for i in range(DAYS) if (high["cola"].start + timedelta(days=i)).weekday() == 1]
    for name in ("cola", "bread"):
        assert mean(high[name].sold[i] for i in saturdays) > mean(
            high[name].sold[i] for i in tuesdays
        )
        assert mean(metro[name].sold[i] for i in saturdays) < mean(
            metro[name].sold[i] for i in tuesdays
        )
    cake_days = sum(1 for s in high["cake"].sold if s > 0)
    assert 0 < cake_days < DAYS / 2  # a slow, intermittent item
    empty = sum(1 for h in (*high.values(), *metro.values()) for c in h.closing if c <= 0)
    assert empty > 0  # some days ran out
    losses = walk(
        client, "/v1/stock-movements", owner.headers, kind="loss", product_id=items["bread"]["id"]
    )
    assert losses
    assert all(m["reason"] == "expired" for m in losses)
    calendar = walk(client, "/v1/demand-calendar", owner.headers)
    assert written.calendar_entries == len(calendar) > 0
    assert {e["label"] for e in calendar if e["store_id"] == stores[1]["id"]} == {"Typhoon"}


def test_the_history_is_repeatable_and_written_once(client, demo):
    owner, stores, items, _ = demo
    assert call_service(client, owner, write_demo_history, days=DAYS, seed=3) is None
    twin, twin_stores, twin_items = demo_chain(client)
    call_service(client, twin, write_demo_history, days=DAYS, seed=3)
    for store, twin_store in zip(stores, twin_stores, strict=True):
        ours = history_of(client, owner, store, items)
        theirs = history_of(client, twin, twin_store, twin_items)
        assert [h.sold for h in ours.values()] == [h.sold for h in theirs.values()]


def test_suggestions_read_the_demo_history(client, demo):
    owner, stores, items, _ = demo
    made = call_service(client, owner, run_suggestions, uuid.UUID(stores[0]["id"]))
    detail = client.get(f"/v1/suggestion-runs/{made.id}", headers=owner.headers).json()
    by_product = {line["product_id"]: line for line in detail["lines"]}
    assert by_product[items["cake"]["id"]]["classification"] in ("intermittent", "lumpy")
    assert by_product[items["cola"]["id"]]["classification"] in ("smooth", "erratic")
    bread = by_product[items["bread"]["id"]]["reasons"]
    assert bread["freshness_cap"] is not None  # 1 day of shelf life against L + R = 2


def test_a_manifest_writes_history_once(client):
    tenant = uuid.uuid4()
    raw = {
        "tenant": {
            "id": str(tenant),
            "name": "History",
            "currency": "CNY",
            "timezone": "Asia/Shanghai",
        },
        "owner": {"email": f"h-{tenant.hex[:6]}@example.com", "password": "history-pass"},
        "stores": [{"code": "H1", "name": "One"}],
        "products": [{"sku": "H-BREAD", "name": "Bread", "price": "6.00", "shelf_life_days": "2"}],
        "history": {"days": 30},
    }
    manifest = msgspec.convert(raw, Manifest)
    engine = client.app.state.engine
    first = client.blocking_portal.call(apply_manifest, engine, manifest)
    again = client.blocking_portal.call(apply_manifest, engine, manifest)
    assert first.history_days_written == 30
    assert "history_days_written" not in msgspec.to_builtins(again)
