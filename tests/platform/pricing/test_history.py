"""Price history and "was" prices: the lowest price of the prior 30 days from the store's
history, the list prices and the price lists of the till. History in the past is written
directly as the database owner (the API only ever writes it as things happen)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bodega.catalog import list_price_history
from bodega.pricing import prior_lowest_prices
from tests.conftest import as_owner, assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.pricing.helpers import (
    HISTORY,
    LISTS,
    call_service,
    price_list,
    product,
    store,
)

NOW = datetime.now(UTC)


def _days(n: float) -> datetime:
    return NOW + timedelta(days=n)


@pytest.fixture(scope="module")
def owner(client):
    return sign_up(client, "History Deli")


@pytest.fixture(scope="module")
def shops(client, owner):
    return store(client, owner, "H-1")["id"], store(client, owner, "H-2")["id"]


def _list_prices(settings, product_id: str, *prices: tuple[float, int]) -> None:
    """Replace the product's list price history with ``(days from now, price)`` rows."""
    as_owner(
        settings, "DELETE FROM list_price_history WHERE product_id = $1", uuid.UUID(product_id)
    )
    for days, price in prices:
        as_owner(
            settings,
            "INSERT INTO list_price_history (id, tenant_id, product_id, price, effective_from)"
            " SELECT gen_random_uuid(), tenant_id, id, $2, $3 FROM products WHERE id = $1",
            uuid.UUID(product_id),
            price,
            _days(days),
        )


def _store_prices(settings, store_id: str, product_id: str, *prices: tuple[float, int]) -> None:
    for days, price in prices:
        as_owner(
            settings,
            "INSERT INTO price_history (id, tenant_id, store_id, product_id, price,"
            " effective_from, source)"
            " SELECT gen_random_uuid(), tenant_id, $2, id, $3, $4, 'price_change'"
            "   FROM products WHERE id = $1",
            uuid.UUID(product_id),
            uuid.UUID(store_id),
            price,
            _days(days),
        )


def _lowest(client, owner, store_id, *product_ids, at=NOW, days=30):
    found = call_service(
        client,
        owner,
        prior_lowest_prices,
        store_id=uuid.UUID(store_id),
        product_ids=[uuid.UUID(p) for p in product_ids],
        at=at,
        days=days,
    )
    return {str(k): v for k, v in found.items()}


def test_a_store_price_that_ended_31_days_ago_does_not_count(client, settings, owner, shops):
    """Store prices 700 (40 days ago), 1200 (31 days ago), 900 (5 days ago); list 1500: the
    lowest of 30 days is 900 (1200 was in force when the window opened); of 45 days 700; and
    six days ago, 700 (still in force when that window opened)."""
    here, there = shops
    p = product(client, owner, "H-P", list_price=1500)["id"]
    _list_prices(settings, p, (-60, 1500))
    _store_prices(settings, here, p, (-40, 700), (-31, 1200), (-5, 900))
    _store_prices(settings, there, p, (-10, 100))
    assert _lowest(client, owner, here, p) == {p: 900}
    assert _lowest(client, owner, here, p, days=45) == {p: 700}
    assert _lowest(client, owner, here, p, at=_days(-6)) == {p: 700}
    assert _lowest(client, owner, there, p) == {p: 100}


def test_a_price_raised_then_reduced_within_30_days(client, settings, owner, shops):
    """List prices 1000 (60 days ago), raised to 1300 (20 days ago), reduced to 1100 (3 days
    ago): "was" is 1000 today; once the raise is more than 30 days old, the lowest is 1100."""
    here, _ = shops
    q = product(client, owner, "H-Q", list_price=1100)["id"]
    _list_prices(settings, q, (-60, 1000), (-20, 1300), (-3, 1100))
    assert _lowest(client, owner, here, q) == {q: 1000}
    assert _lowest(client, owner, here, q, at=_days(11)) == {q: 1100}
    assert _lowest(client, owner, here, q, at=_days(9)) == {q: 1000}  # 1000 until the raise
    assert _lowest(client, owner, here, q, at=_days(-1)) == {q: 1000}
    history = call_service(client, owner, list_price_history, [uuid.UUID(q)], since=_days(-30))
    assert [price for _, price in history[uuid.UUID(q)]] == [1000, 1300, 1100]
    since_ten = call_service(client, owner, list_price_history, [uuid.UUID(q)], since=_days(-10))
    assert since_ten == {uuid.UUID(q): [(_days(-20), 1300), (_days(-3), 1100)]}


def test_price_lists_of_the_till_count_when_they_overlapped(client, settings, owner, shops):
    """Counted: everyone's lists for the store (or every store) and the till (or every
    channel) in force during the window, and archived ones until they were archived. Not
    counted: members' lists, other channels, other stores, lists that ended before the window,
    start after it, or were archived before it."""
    here, there = shops
    r = product(client, owner, "H-R", list_price=2000)["id"]
    _list_prices(settings, r, (-60, 2000))
    price_list(
        client,
        owner,
        "Last week",
        {r: 1800},
        valid_from=str(_days(-10)),
        valid_until=str(_days(-5)),
    )
    assert _lowest(client, owner, here, r) == {r: 1800}
    price_list(client, owner, "Members", {r: 1000}, audience="members")
    price_list(client, owner, "Delivery", {r: 900}, channels=["delivery"])
    price_list(client, owner, "Other store", {r: 800}, store_ids=[there])
    price_list(client, owner, "Long gone", {r: 700}, valid_until=str(_days(-35)))
    price_list(client, owner, "Tomorrow", {r: 600}, valid_from=str(_days(1)))
    old = price_list(client, owner, "Archived long ago", {r: 500})
    client.delete(f"{LISTS}/{old['id']}", headers=owner.headers)
    as_owner(
        settings,
        "UPDATE price_lists SET updated_at = $2 WHERE id = $1",
        uuid.UUID(old["id"]),
        _days(-40),
    )
    assert _lowest(client, owner, here, r) == {r: 1800}
    recent = price_list(client, owner, "Archived today", {r: 1600}, channels=["pos", "online"])
    client.delete(f"{LISTS}/{recent['id']}", headers=owner.headers)
    assert _lowest(client, owner, here, r) == {r: 1600}
    assert _lowest(client, owner, there, r) == {r: 800}


def test_unknown_and_other_chains_products_are_absent(client, owner, shops):
    here, _ = shops
    mine = product(client, owner, "H-MINE", list_price=10)["id"]
    foreign = product(client, sign_up(client), "H-FOREIGN")["id"]
    missing = "0190c0de-0000-7000-8000-000000000005"
    assert _lowest(client, owner, here, mine, foreign, missing) == {mine: 10}
    assert _lowest(client, owner, here) == {}


def test_the_history_of_a_store_newest_first(client, settings, owner, shops):
    """GET /v1/price-history: the store's own rows, newest first, pages of any size, by
    product; another store's rows, or another chain's store, show nothing."""
    here, there = shops
    s = product(client, owner, "H-S")["id"]
    t = product(client, owner, "H-T")["id"]
    _store_prices(settings, here, s, (-9, 90), (-2, 20), (-5, 50))
    _store_prices(settings, here, t, (-3, 30))
    _store_prices(settings, there, s, (-1, 10))
    rows = walk(client, HISTORY, owner.headers, limit=1, store_id=here, product_id=s)
    assert [(r["price"], r["store_id"], r["product_id"]) for r in rows] == [
        (20, here, s),
        (50, here, s),
        (90, here, s),
    ]
    both = walk(client, HISTORY, owner.headers, limit=2, store_id=here)
    assert [r["price"] for r in both if r["product_id"] in (s, t)] == [20, 30, 50, 90]
    foreign_store = store(client, sign_up(client), "H-X")["id"]
    assert walk(client, HISTORY, owner.headers, store_id=foreign_store) == []
    no_store = assert_problem(client.get(HISTORY, headers=owner.headers), 400)
    assert "store_id" in no_store["detail"]
