"""Scheduled price changes: applied by the worker's job when due (its clock moved by the test),
for every store or some, with the history rows and ``price.changed`` events the shelf labels
follow; applied at once when due at creation; cancelled; and bad input refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bodega.jobs.queue import connect_queue
from bodega.pricing.jobs import JOB_NAME
from tests.conftest import assert_problem, run_jobs, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.pricing.helpers import (
    CHANGES,
    HISTORY,
    Clock,
    events,
    product,
    regular,
    schedule,
    state,
    store,
)


def _at(moment: datetime) -> str:
    return moment.isoformat()


def _moves(client, chain, product_id):
    """The ``price.changed`` events of a product as (store, previous, price)."""
    return sorted(
        (e["data"]["store_id"], e["data"]["previous_price"], e["data"]["price"])
        for e in events(client, chain, "price.changed")
        if e["data"]["product_id"] == product_id
    )


def _history(client, chain, store_id, product_id):
    rows = walk(client, HISTORY, chain.headers, store_id=store_id, product_id=product_id)
    return [(r["price"], r["source"], r["source_id"]) for r in rows]


def test_a_change_for_every_store_takes_effect_when_due(client, settings):
    """Nothing happens before ``effective_at``; then the list price changes (product version,
    ``product.updated``), store prices are dropped, and every store whose price moved gets a
    history row and a ``price.changed`` event; running again changes nothing."""
    owner = sign_up(client)
    a, b, c = (store(client, owner, code)["id"] for code in ("E-A", "E-B", "E-C"))
    bread = product(client, owner, "E-BREAD", list_price=1000)
    p = bread["id"]
    local = schedule(client, owner, product_id=p, price=800, store_ids=[b])
    assert local["status"] == "applied"
    effective = datetime.now(UTC) + timedelta(hours=1)
    change = schedule(client, owner, product_id=p, price=1200, effective_at=_at(effective))
    assert (change["status"], change["store_ids"], change["applied_at"]) == ("scheduled", [], None)

    run_jobs(settings)
    assert client.get(f"{CHANGES}/{change['id']}", headers=owner.headers).json() == change
    assert regular(client, owner, b, p)[p][0] == 800

    clock = Clock()
    clock.now = effective + timedelta(seconds=1)
    assert run_jobs(settings, clock) >= 1
    applied = client.get(f"{CHANGES}/{change['id']}", headers=owner.headers).json()
    assert (applied["status"], applied["version"]) == ("applied", 2)
    assert datetime.fromisoformat(applied["applied_at"]) == clock.now
    now_product = client.get(f"/v1/products/{p}", headers=owner.headers).json()
    assert (now_product["list_price"], now_product["version"]) == (1200, bread["version"] + 1)
    assert (
        regular(client, owner, a, p)
        == regular(client, owner, b, p)
        == {p: (1200, "list_price", None)}
    )
    assert _moves(client, owner, p) == sorted(
        [(b, 1000, 800), (a, 1000, 1200), (b, 800, 1200), (c, 1000, 1200)]
    )
    event = next(
        e["data"] for e in events(client, owner, "price.changed") if e["data"]["price"] == 1200
    )
    assert (event["sku"], event["price_change_id"]) == ("E-BREAD", change["id"])
    assert datetime.fromisoformat(event["effective_at"]) == effective
    assert _history(client, owner, b, p) == [
        (1200, "price_change", change["id"]),
        (800, "price_change", local["id"]),
    ]
    assert _history(client, owner, a, p) == [(1200, "price_change", change["id"])]
    updated = [e for e in events(client, owner, "product.updated") if e["data"]["id"] == p]
    assert updated[-1]["data"]["list_price"] == 1200
    applied_events = [e["data"]["id"] for e in events(client, owner, "price_change.applied")]
    assert applied_events == [local["id"], change["id"]]

    before = state(client, owner)
    run_jobs(settings, clock)
    assert state(client, owner) == before


def test_a_change_to_the_same_price_moves_no_store(client, settings):
    """Applied, but no store's price moved: no history, no ``price.changed``."""
    owner = sign_up(client)
    shop = store(client, owner, "S-1")["id"]
    p = product(client, owner, "S-SAME", list_price=500)["id"]
    same = schedule(client, owner, product_id=p, price=500)
    assert same["status"] == "applied"
    assert _moves(client, owner, p) == []
    assert _history(client, owner, shop, p) == []


def test_changes_for_some_stores_apply_in_order(client, settings):
    """Two changes due together apply in ``effective_at`` order: the later one stands; stores
    not named keep the list price and get no event."""
    owner = sign_up(client)
    a, b, c = (store(client, owner, code)["id"] for code in ("O-A", "O-B", "O-C"))
    p = product(client, owner, "O-MILK", list_price=1000)["id"]
    now = datetime.now(UTC)
    later = schedule(
        client,
        owner,
        product_id=p,
        price=950,
        store_ids=[b, a],
        effective_at=_at(now + timedelta(hours=2)),
    )
    first = schedule(
        client,
        owner,
        product_id=p,
        price=900,
        store_ids=[a],
        effective_at=_at(now + timedelta(hours=1)),
    )
    assert later["store_ids"] == sorted([a, b])
    clock = Clock()
    clock.now = now + timedelta(hours=3)
    run_jobs(settings, clock)
    assert regular(client, owner, a, p) == {p: (950, "store_price", None)}
    assert regular(client, owner, b, p) == {p: (950, "store_price", None)}
    assert regular(client, owner, c, p) == {p: (1000, "list_price", None)}
    assert _moves(client, owner, p) == sorted([(a, 1000, 900), (a, 900, 950), (b, 1000, 950)])
    assert _history(client, owner, a, p) == [
        (950, "price_change", later["id"]),
        (900, "price_change", first["id"]),
    ]
    assert _history(client, owner, c, p) == []
    assert client.get(f"/v1/products/{p}", headers=owner.headers).json()["list_price"] == 1000


def test_a_scheduled_change_can_be_cancelled_and_then_never_applies(client, settings):
    owner = sign_up(client)
    shop = store(client, owner, "C-1")["id"]
    p = product(client, owner, "C-TEA", list_price=700)["id"]
    effective = datetime.now(UTC) + timedelta(hours=1)
    change = schedule(client, owner, product_id=p, price=600, effective_at=_at(effective))
    url = f"{CHANGES}/{change['id']}/cancel"
    assert_problem(
        client.post(url, json={"version": 2}, headers=owner.headers), 409, "version-conflict"
    )
    cancelled = client.post(url, json={"version": 1}, headers=owner.headers)
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["status"], body["version"]) == ("cancelled", 2)
    assert body["cancelled_at"] is not None
    again = client.post(url, json={"version": 2}, headers=owner.headers)
    assert assert_problem(again, 409, "conflict")["current_status"] == "cancelled"

    clock = Clock()
    clock.now = effective + timedelta(hours=1)
    run_jobs(settings, clock)
    assert client.get(f"{CHANGES}/{change['id']}", headers=owner.headers).json() == body
    assert regular(client, owner, shop, p) == {p: (700, "list_price", None)}
    assert [e["data"]["id"] for e in events(client, owner, "price_change.cancelled")] == [
        change["id"]
    ]

    done = schedule(client, owner, product_id=p, price=650)
    applied = client.post(
        f"{CHANGES}/{done['id']}/cancel", json={"version": done["version"]}, headers=owner.headers
    )
    assert "schedule another change" in assert_problem(applied, 409)["detail"]


def test_a_change_due_at_creation_is_applied_in_the_same_request(client):
    """``effective_at`` a minute ago (or left out): applied in the answer, with its history
    and event, before any worker runs."""
    owner = sign_up(client)
    shop = store(client, owner, "D-1")["id"]
    p = product(client, owner, "D-JAM", list_price=300)["id"]
    minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    change = schedule(client, owner, product_id=p, price=280, effective_at=_at(minute_ago))
    assert change["status"] == "applied"
    assert change["applied_at"] is not None
    assert _moves(client, owner, p) == [(shop, 300, 280)]
    assert _history(client, owner, shop, p) == [(280, "price_change", change["id"])]
    now = schedule(client, owner, product_id=p, price=290, note="price war over")
    assert (now["status"], now["note"]) == ("applied", "price war over")
    assert regular(client, owner, shop, p) == {p: (290, "list_price", None)}


def test_changes_are_listed_by_product_store_and_status(client):
    owner = sign_up(client)
    a, b = store(client, owner, "L-A")["id"], store(client, owner, "L-B")["id"]
    p, q = (product(client, owner, sku)["id"] for sku in ("L-P", "L-Q"))
    later = _at(datetime.now(UTC) + timedelta(days=1))
    everywhere = schedule(client, owner, product_id=p, price=1, effective_at=later)
    only_a = schedule(client, owner, product_id=q, price=2, store_ids=[a], effective_at=later)
    done = schedule(client, owner, product_id=q, price=3, store_ids=[b])
    foreign_store = store(client, sign_up(client), "L-X")["id"]

    def ids(**params):
        return [c["id"] for c in walk(client, CHANGES, owner.headers, limit=1, **params)]

    assert ids() == [everywhere["id"], only_a["id"], done["id"]]
    assert ids(product_id=q) == [only_a["id"], done["id"]]
    assert ids(store_id=a) == [everywhere["id"], only_a["id"]]
    assert ids(store_id=b, status="applied") == [done["id"]]
    assert ids(status="scheduled") == [everywhere["id"], only_a["id"]]
    assert ids(store_id=foreign_store) == []
    assert_problem(client.get(CHANGES, params={"status": "late"}, headers=owner.headers), 422)


@pytest.fixture(scope="module")
def strict(client):
    owner = sign_up(client)
    return owner, store(client, owner, "B-1")["id"], product(client, owner, "B-P")["id"]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"effective_at": timedelta(minutes=-10)},
            [
                {
                    "field": "effective_at",
                    "message": "more than 5 minutes in the past: prices change from now on",
                }
            ],
        ),
        (
            {"effective_at": timedelta(days=400)},
            [{"field": "effective_at", "message": "more than a year ahead"}],
        ),
        ({"product_id": "unknown"}, [{"field": "product_id", "message": "unknown product"}]),
        ({"product_id": "foreign"}, [{"field": "product_id", "message": "unknown product"}]),
        ({"store_ids": "one unknown"}, [{"field": "store_ids[1]", "message": "unknown store"}]),
    ],
    ids=["backdated", "too-far-ahead", "unknown-product", "other-chains-product", "unknown-store"],
)
def test_bad_changes_are_refused_with_nothing_written(client, strict, change, errors):
    owner, shop, p = strict
    body = {"product_id": p, "price": 100}
    if "effective_at" in change:
        body["effective_at"] = _at(datetime.now(UTC) + change["effective_at"])
    if change.get("product_id") == "unknown":
        body["product_id"] = "0190c0de-0000-7000-8000-000000000003"
    if change.get("product_id") == "foreign":
        body["product_id"] = product(client, sign_up(client), "B-FOREIGN")["id"]
    if "store_ids" in change:
        body["store_ids"] = [shop, "0190c0de-0000-7000-8000-000000000004"]
    before = state(client, owner)
    problem = assert_problem(client.post(CHANGES, json=body, headers=owner.headers), 422)
    assert problem["errors"] == errors
    assert state(client, owner) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": -1}, "price"),
        ({"effective_at": "2031-01-01T00:00:00"}, "effective_at"),
        ({"note": "x" * 501}, "note"),
        ({"price": 1.5}, "price"),
    ],
)
def test_values_out_of_shape_are_refused(client, strict, body, field):
    owner, _, p = strict
    before = state(client, owner)
    sent = client.post(CHANGES, json={"product_id": p, "price": 1, **body}, headers=owner.headers)
    assert field in assert_problem(sent, 422)["detail"]
    assert state(client, owner) == before


def test_the_sweep_queues_one_job_per_chain(client, settings):
    """Two chains with changes due: each gets its job and its change applied; the job is keyed
    by the chain, so it is never queued twice at once."""
    chains = [sign_up(client) for _ in range(2)]
    effective = datetime.now(UTC) + timedelta(minutes=30)
    made = []
    for n, owner in enumerate(chains):
        p = product(client, owner, f"W-{n}", list_price=100)["id"]
        made.append(schedule(client, owner, product_id=p, price=90, effective_at=_at(effective)))

    async def enqueue_twice() -> list[bool]:
        queue = await connect_queue(settings.redis_url, settings.redis_prefix)
        try:
            key = str(chains[0].tenant_id)
            return [
                await queue.enqueue(JOB_NAME, tenant_id=chains[0].tenant_id, key=key)
                for _ in range(2)
            ]
        finally:
            await queue.close()

    assert asyncio.run(enqueue_twice()) == [True, False]
    run_jobs(settings)  # the queued job runs with the real clock: nothing is due yet
    assert all(
        client.get(f"{CHANGES}/{c['id']}", headers=o.headers).json()["status"] == "scheduled"
        for o, c in zip(chains, made, strict=True)
    )
    clock = Clock()
    clock.now = effective
    run_jobs(settings, clock)
    assert all(
        client.get(f"{CHANGES}/{c['id']}", headers=o.headers).json()["status"] == "applied"
        for o, c in zip(chains, made, strict=True)
    )
