"""The regular price with hand-made price lists: the most specific list wins (members 4, store
2, channel 1), then priority, then the later start, then the older list; windows are
half-open; without a list, the store's price, else the list price."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bodega.pricing import RegularPrice, regular_prices
from tests.conftest import sign_up
from tests.platform.pricing.helpers import (
    LISTS,
    call_service,
    price_list,
    product,
    regular,
    schedule,
    store,
)


@pytest.fixture(scope="module")
def owner(client):
    return sign_up(client, "Resolving Mart")


@pytest.fixture(scope="module")
def shops(client, owner):
    return store(client, owner, "R-1")["id"], store(client, owner, "R-2")["id"]


def test_the_most_specific_list_wins(client, owner, shops):
    """Store beats chain, channel beats none, store beats channel, members beat all (and only
    for members)."""
    one, two = shops
    p = product(client, owner, "R-P", list_price=1000)["id"]
    assert regular(client, owner, one, p) == {p: (1000, "list_price", None)}
    price_list(client, owner, "Chain", {p: 900})
    price_list(client, owner, "Store one", {p: 850}, store_ids=[one])
    price_list(client, owner, "Delivery", {p: 880}, channels=["delivery"])
    price_list(client, owner, "Members", {p: 700}, audience="members")
    price_list(client, owner, "Members delivery", {p: 650}, audience="members", channels=["pickup"])

    assert regular(client, owner, one, p) == {p: (850, "price_list", "Store one")}
    assert regular(client, owner, two, p) == {p: (900, "price_list", "Chain")}
    assert regular(client, owner, two, p, channel="delivery") == {
        p: (880, "price_list", "Delivery")
    }
    assert regular(client, owner, one, p, channel="delivery") == {
        p: (850, "price_list", "Store one")
    }
    assert regular(client, owner, one, p, member=True) == {p: (700, "price_list", "Members")}
    assert regular(client, owner, two, p, channel="pickup", member=True) == {
        p: (650, "price_list", "Members delivery")
    }
    assert regular(client, owner, two, p, channel="pickup") == {p: (900, "price_list", "Chain")}


def test_a_tier_list_applies_only_to_the_members_of_its_tier(client, owner, shops):
    """A ``tier`` list beats a members list, but only for a member whose tier names it."""
    one, _ = shops
    p = product(client, owner, "R-TIER", list_price=1000)["id"]
    price_list(client, owner, "All members", {p: 800}, audience="members")
    gold = price_list(client, owner, "Gold", {p: 600}, audience="tier")
    silver = price_list(client, owner, "Silver", {p: 700}, audience="tier")
    assert regular(client, owner, one, p) == {p: (1000, "list_price", None)}
    assert regular(client, owner, one, p, member=True) == {p: (800, "price_list", "All members")}
    assert regular(client, owner, one, p, member=True, tier_lists=(gold["id"],)) == {
        p: (600, "price_list", "Gold")
    }
    assert regular(client, owner, one, p, member=True, tier_lists=(silver["id"],)) == {
        p: (700, "price_list", "Silver")
    }


def test_ties_go_to_priority_then_the_later_start_then_the_older_list(client, owner, shops):
    one, _ = shops
    now = datetime.now(UTC)
    q = product(client, owner, "R-Q", list_price=2000)["id"]
    price_list(client, owner, "Early", {q: 1900}, valid_from=str(now - timedelta(days=1)))
    price_list(client, owner, "Late", {q: 1800}, valid_from=str(now - timedelta(hours=1)))
    first = price_list(client, owner, "Prio", {q: 1950}, priority=5)
    assert regular(client, owner, one, q) == {q: (1950, "price_list", "Prio")}
    assert client.delete(f"{LISTS}/{first['id']}", headers=owner.headers).status_code == 204
    assert regular(client, owner, one, q) == {q: (1800, "price_list", "Late")}
    assert regular(client, owner, one, q, at=now - timedelta(hours=2)) == {
        q: (1900, "price_list", "Early")
    }
    assert regular(client, owner, one, q, at=now - timedelta(days=2)) == {
        q: (2000, "list_price", None)
    }

    r = product(client, owner, "R-R", list_price=3000)["id"]
    price_list(client, owner, "First", {r: 2900})
    price_list(client, owner, "Second", {r: 2800})
    assert regular(client, owner, one, r) == {r: (2900, "price_list", "First")}


def test_windows_are_half_open(client, owner, shops):
    """In force from ``valid_from`` (included) until ``valid_until`` (excluded)."""
    one, _ = shops
    start = datetime(2031, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=7)
    w = product(client, owner, "R-W", list_price=500)["id"]
    price_list(client, owner, "Week", {w: 450}, valid_from=str(start), valid_until=str(end))
    tick = timedelta(microseconds=1)
    assert regular(client, owner, one, w, at=start - tick)[w][1] == "list_price"
    assert regular(client, owner, one, w, at=start)[w] == (450, "price_list", "Week")
    assert regular(client, owner, one, w, at=end - tick)[w] == (450, "price_list", "Week")
    assert regular(client, owner, one, w, at=end)[w][1] == "list_price"


def test_without_a_list_the_store_price_then_the_list_price(client, owner, shops):
    """A price change for one store sets its store price; other stores keep the list price;
    a list still beats the store price. Unknown and other chains' products are absent."""
    one, two = shops
    t = product(client, owner, "R-T", list_price=4000)["id"]
    change = schedule(client, owner, product_id=t, price=3500, store_ids=[one])
    assert change["status"] == "applied"
    assert regular(client, owner, one, t) == {t: (3500, "store_price", None)}
    found = call_service(
        client,
        owner,
        regular_prices,
        store_id=uuid.UUID(one),
        channel="pos",
        member=False,
        at=datetime.now(UTC),
        product_ids=[uuid.UUID(t)],
    )
    assert found == {
        uuid.UUID(t): RegularPrice(
            product_id=uuid.UUID(t),
            price=3500,
            list_price=4000,
            source="store_price",
            source_id=uuid.UUID(change["id"]),
            source_name=None,
        )
    }
    assert regular(client, owner, two, t) == {t: (4000, "list_price", None)}
    price_list(client, owner, "Over", {t: 3900}, store_ids=[one])
    assert regular(client, owner, one, t) == {t: (3900, "price_list", "Over")}

    foreign = product(client, sign_up(client), "R-FOREIGN")["id"]
    missing = "0190c0de-0000-7000-8000-000000000002"
    assert regular(client, owner, two, t, foreign, missing) == {t: (4000, "list_price", None)}
    assert regular(client, owner, two) == {}
