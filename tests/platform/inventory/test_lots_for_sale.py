"""The next lot to sell (first expiry, first out, among lots with stock left) and a lot found
by its code: what markdowns by expiry read."""

from __future__ import annotations

import uuid
from datetime import date

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.inventory import LotOut, lot_by_code, lots_for_sale
from tests.platform.inventory.helpers import adjust, product, receive, store


def _call(client, chain, fn, **kwargs):
    actor = system_actor(chain.tenant_id, frozenset({"inventory:read"}))

    async def run():
        async with db.transaction(client.app.state.engine, chain.tenant_id):
            return await fn(actor, **kwargs)

    return client.blocking_portal.call(run)


def _lot(code: str, expires_on: str, quantity: int) -> dict:
    return {"lot_code": code, "expires_on": expires_on, "quantity": quantity}


def test_the_lot_that_expires_first_is_sold_first(client, chain, other_chain):
    shop, annex = store(client, chain, "L-1"), store(client, chain, "L-2")
    milk, yogurt, bread = (product(client, chain, sku) for sku in ("L-MILK", "L-YOG", "L-BREAD"))
    receive(
        client,
        chain,
        shop["id"],
        {"product_id": milk["id"], **_lot("M-LATE", "2031-03-10", 5)},
        {"product_id": milk["id"], **_lot("M-SOON", "2031-03-02", 2)},
        {"product_id": yogurt["id"], **_lot("Y-1", "2031-04-01", 3)},
    )
    receive(client, chain, annex["id"], {"product_id": bread["id"], **_lot("B-1", "2031-01-01", 1)})
    wanted = [uuid.UUID(p["id"]) for p in (milk, yogurt, bread)]

    def next_lots(store_id: str) -> dict[str, str]:
        found = _call(
            client, chain, lots_for_sale, store_id=uuid.UUID(store_id), product_ids=wanted
        )
        return {str(product_id): lot.code for product_id, lot in found.items()}

    assert next_lots(shop["id"]) == {milk["id"]: "M-SOON", yogurt["id"]: "Y-1"}
    adjust(client, chain, shop["id"], milk["id"], -2)  # the soonest lot is sold out
    assert next_lots(shop["id"]) == {milk["id"]: "M-LATE", yogurt["id"]: "Y-1"}
    assert next_lots(annex["id"]) == {bread["id"]: "B-1"}
    assert _call(client, chain, lots_for_sale, store_id=uuid.UUID(shop["id"]), product_ids=[]) == {}
    # another chain's store and products find nothing
    theirs = store(client, other_chain, "L-9")
    assert (
        _call(client, chain, lots_for_sale, store_id=uuid.UUID(theirs["id"]), product_ids=wanted)
        == {}
    )

    sold_out = _call(
        client,
        chain,
        lot_by_code,
        store_id=uuid.UUID(shop["id"]),
        product_id=wanted[0],
        lot_code="M-SOON",
    )
    assert isinstance(sold_out, LotOut)
    assert (sold_out.code, sold_out.expires_on, sold_out.on_hand) == ("M-SOON", date(2031, 3, 2), 0)
    for store_id, code in ((shop["id"], "M-NONE"), (annex["id"], "M-SOON")):
        missing = _call(
            client,
            chain,
            lot_by_code,
            store_id=uuid.UUID(store_id),
            product_id=wanted[0],
            lot_code=code,
        )
        assert missing is None
