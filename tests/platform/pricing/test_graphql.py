"""Pricing through GraphQL: the same services as REST, the same rules and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import graphql, sign_up
from tests.platform.pricing.helpers import product, state, store

LIST = """id name storeIds channels audience validFrom validUntil priority status itemCount
itemsChanged { created updated removed } version"""
CREATE = f"""mutation($input: PriceListInput!) {{ createPriceList(input: $input) {{ {LIST} }} }}"""
UPDATE = f"""mutation($id: UUID!, $input: PriceListUpdateInput!) {{
  updatePriceList(id: $id, input: $input) {{ {LIST} }} }}"""
ITEMS = f"""mutation($id: UUID!, $input: PriceListItemsInput!) {{
  setPriceListItems(id: $id, input: $input) {{ {LIST} }} }}"""
REMOVE = f"""mutation($id: UUID!, $productId: UUID!) {{
  removePriceListItem(id: $id, productId: $productId) {{ {LIST} }} }}"""
ARCHIVE = f"""mutation($id: UUID!) {{ archivePriceList(id: $id) {{ {LIST} }} }}"""
READ = """query($id: UUID!, $store: UUID!) {
  priceList(id: $id) { id name itemCount }
  priceListItems(priceListId: $id) { data { productId price } nextCursor }
  priceLists(storeId: $store, status: "active") { data { id } } }"""
CHANGE = """id productId price storeIds effectiveAt status note version appliedAt cancelledAt"""
SCHEDULE = f"""mutation($input: PriceChangeInput!) {{
  schedulePriceChange(input: $input) {{ {CHANGE} }} }}"""
CANCEL = f"""mutation($id: UUID!, $input: CancelPriceChangeInput!) {{
  cancelPriceChange(id: $id, input: $input) {{ {CHANGE} }} }}"""
CHANGES = """query($product: UUID!, $store: UUID!) {
  priceChanges(productId: $product, status: "scheduled") { data { id } }
  history: priceHistory(storeId: $store, productId: $product) {
    data { price source sourceId effectiveFrom } } }"""


def test_price_lists_from_creation_to_archive(client):
    owner = sign_up(client)
    h = owner.headers
    shop = store(client, owner, "G-1")["id"]
    cake = product(client, owner, "G-CAKE", list_price=2500)["id"]
    made = graphql(
        client,
        h,
        CREATE,
        input={"name": "Members cake", "storeIds": [shop], "audience": "members", "priority": 2},
    )
    pl = made["data"]["createPriceList"]
    assert (pl["name"], pl["storeIds"], pl["audience"], pl["itemCount"]) == (
        "Members cake",
        [shop],
        "members",
        0,
    )
    items = {"items": [{"productId": cake, "price": 2000}]}
    set_ = graphql(client, h, ITEMS, id=pl["id"], input=items)["data"]["setPriceListItems"]
    assert (set_["itemCount"], set_["itemsChanged"]) == (
        1,
        {"created": 1, "updated": 0, "removed": 0},
    )
    read = graphql(client, h, READ, id=pl["id"], store=shop)["data"]
    assert read["priceList"]["itemCount"] == 1
    assert read["priceListItems"] == {
        "data": [{"productId": cake, "price": 2000}],
        "nextCursor": None,
    }
    assert pl["id"] in [p["id"] for p in read["priceLists"]["data"]]

    changed = graphql(client, h, UPDATE, id=pl["id"], input={"version": 1, "channels": ["pos"]})
    assert changed["data"]["updatePriceList"]["channels"] == ["pos"]
    removed = graphql(client, h, REMOVE, id=pl["id"], productId=cake)["data"]["removePriceListItem"]
    assert removed["itemsChanged"] == {"created": 0, "updated": 0, "removed": 1}
    archived = graphql(client, h, ARCHIVE, id=pl["id"])["data"]["archivePriceList"]
    assert (archived["status"], archived["version"]) == ("archived", 3)


def test_errors_name_the_fields_and_write_nothing(client):
    owner = sign_up(client)
    h = owner.headers
    cake = product(client, owner, "G-BAD")["id"]
    pl = graphql(client, h, CREATE, input={"name": "Fine"})["data"]["createPriceList"]
    before = state(client, owner)
    window = graphql(
        client,
        h,
        CREATE,
        input={
            "name": "x",
            "validFrom": "2030-01-02T00:00:00Z",
            "validUntil": "2030-01-01T00:00:00Z",
        },
    )
    assert window["data"] == {"createPriceList": None}
    error = window["errors"][0]["extensions"]
    assert (error["code"], error["errors"]) == (
        "BAD_USER_INPUT",
        [{"field": "valid_until", "message": "must be after valid_from"}],
    )
    items = {"items": [{"productId": cake, "price": 1}, {"productId": pl["id"], "price": 1}]}
    unknown = graphql(client, h, ITEMS, id=pl["id"], input=items)
    assert unknown["errors"][0]["extensions"]["errors"] == [
        {"field": "items[1].product_id", "message": "unknown product"}
    ]
    negative = graphql(
        client, h, ITEMS, id=pl["id"], input={"items": [{"productId": cake, "price": -5}]}
    )
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    stale = graphql(client, h, UPDATE, id=pl["id"], input={"version": 7, "name": "y"})
    assert stale["errors"][0]["extensions"]["type"] == "/problems/version-conflict"
    assert state(client, owner) == before
    bad_status = graphql(client, h, '{ priceLists(status: "old") { data { id } } }')
    assert bad_status["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_price_changes_scheduled_cancelled_and_applied(client):
    owner = sign_up(client)
    h = owner.headers
    shop = store(client, owner, "G-2")["id"]
    tea = product(client, owner, "G-TEA", list_price=600)["id"]
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    scheduled = graphql(
        client, h, SCHEDULE, input={"productId": tea, "price": 550, "effectiveAt": later}
    )["data"]["schedulePriceChange"]
    assert (scheduled["status"], scheduled["version"]) == ("scheduled", 1)
    listed = graphql(client, h, CHANGES, product=tea, store=shop)["data"]
    assert listed["priceChanges"]["data"] == [{"id": scheduled["id"]}]
    cancelled = graphql(client, h, CANCEL, id=scheduled["id"], input={"version": 1})
    assert cancelled["data"]["cancelPriceChange"]["status"] == "cancelled"

    now = graphql(
        client, h, SCHEDULE, input={"productId": tea, "price": 580, "storeIds": [shop], "note": "x"}
    )["data"]["schedulePriceChange"]
    assert now["status"] == "applied"
    history = graphql(client, h, CHANGES, product=tea, store=shop)["data"]["history"]["data"]
    assert [(r["price"], r["source"], r["sourceId"]) for r in history] == [
        (580, "price_change", now["id"])
    ]
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    refused = graphql(
        client, h, SCHEDULE, input={"productId": tea, "price": 1, "effectiveAt": past}
    )
    assert refused["errors"][0]["extensions"]["errors"][0]["field"] == "effective_at"
