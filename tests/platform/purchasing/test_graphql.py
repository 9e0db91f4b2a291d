"""Purchasing through GraphQL: the same services as REST, the same rules and errors."""

from __future__ import annotations

from tests.conftest import graphql
from tests.platform.catalog.helpers import create
from tests.platform.inventory.helpers import level
from tests.platform.purchasing.helpers import product, state, supplier

ORDER = """id number status total version expectedOn
lines { id productId quantity unitCost total received rejected open }
warnings { code message }"""

CREATE = f"""mutation($input: PurchaseOrderInput!) {{
  createPurchaseOrder(input: $input) {{ {ORDER} }} }}"""
UPDATE = f"""mutation($id: UUID!, $input: PurchaseOrderUpdateInput!) {{
  updatePurchaseOrder(id: $id, input: $input) {{ {ORDER} }} }}"""
SEND = f"""mutation($id: UUID!, $input: SendPurchaseOrderInput!) {{
  sendPurchaseOrder(id: $id, input: $input) {{ {ORDER} }} }}"""
CANCEL = """mutation($id: UUID!, $input: CancelPurchaseOrderInput!) {
  cancelPurchaseOrder(id: $id, input: $input) { id status reason } }"""
CLOSE = """mutation($id: UUID!, $input: ClosePurchaseOrderInput!) {
  closePurchaseOrder(id: $id, input: $input) { id status closedShort } }"""
RECEIVE = """mutation($id: UUID!, $input: GoodsReceiptInput!) {
  receivePurchaseOrder(id: $id, input: $input) {
    id orderStatus total lines { lineId received rejected lotCode expiresOn movementId } } }"""
READ = f"""query($id: UUID!) {{ purchaseOrder(id: $id) {{ {ORDER}
  receipts {{ id total lines {{ received }} }} }} }}"""


def test_an_order_from_draft_to_received(client, chain):
    shop = create(client, chain, "/v1/stores", code="GQ-01", name="Garden")
    kitchen = supplier(client, chain, "GQ-KITCHEN", lead_time_days=1)
    buns = product(client, chain, "BUNS", cost_price=120, case_pack=10, supplier_id=kitchen["id"])
    h = chain.headers
    made = graphql(
        client,
        h,
        CREATE,
        input={
            "storeId": shop["id"],
            "supplierId": kitchen["id"],
            "lines": [{"productId": buns["id"], "quantity": "20"}],
        },
    )
    assert "errors" not in made, made
    order = made["data"]["createPurchaseOrder"]
    assert (order["status"], order["total"], order["lines"][0]["unitCost"]) == ("draft", 2400, 120)

    changed = graphql(
        client,
        h,
        UPDATE,
        id=order["id"],
        input={"version": 1, "lines": [{"productId": buns["id"], "quantity": "30"}]},
    )
    assert changed["data"]["updatePurchaseOrder"]["total"] == 3600, changed

    sent = graphql(client, h, SEND, id=order["id"], input={"version": 2})
    assert sent["data"]["sendPurchaseOrder"]["status"] == "sent", sent
    line = sent["data"]["sendPurchaseOrder"]["lines"][0]["id"]

    received = graphql(
        client,
        h,
        RECEIVE,
        id=order["id"],
        input={"lines": [{"lineId": line, "received": "20", "rejected": "0"}]},
    )
    receipt = received["data"]["receivePurchaseOrder"]
    assert (receipt["orderStatus"], receipt["total"]) == ("partially_received", 2400), received
    assert receipt["lines"][0]["movementId"]
    closed = graphql(client, h, CLOSE, id=order["id"], input={"version": 4, "reason": "short"})
    assert closed["data"]["closePurchaseOrder"] == {
        "id": order["id"],
        "status": "received",
        "closedShort": True,
    }

    read = graphql(client, h, READ, id=order["id"])["data"]["purchaseOrder"]
    assert [r["id"] for r in read["receipts"]] == [receipt["id"]]
    assert read["lines"][0]["open"] == "10.000"
    assert level(client, chain, shop["id"], buns["id"]) == 20
    listed = graphql(
        client,
        h,
        'query($s: UUID) { purchaseOrders(storeId: $s, status: "received") { data { id } } }',
        s=shop["id"],
    )
    assert listed["data"]["purchaseOrders"]["data"] == [{"id": order["id"]}]


def test_refusals_carry_the_rest_codes_and_change_nothing(client, chain):
    shop = create(client, chain, "/v1/stores", code="GQ-02", name="Quay")
    mill = supplier(client, chain, "GQ-MILL", min_order=10_000)
    flour = product(client, chain, "FLOUR", cost_price=500, supplier_id=mill["id"], case_pack=5)
    h = chain.headers
    before = state(client, chain)
    bad = graphql(
        client,
        h,
        CREATE,
        input={
            "storeId": shop["id"],
            "supplierId": mill["id"],
            "lines": [{"productId": flour["id"], "quantity": "7"}],
        },
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["errors"][0]["extensions"]["errors"][0]["field"] == "lines[0].quantity"
    assert state(client, chain) == before

    order = graphql(
        client,
        h,
        CREATE,
        input={
            "storeId": shop["id"],
            "supplierId": mill["id"],
            "lines": [{"productId": flour["id"], "quantity": "5"}],
        },
    )["data"]["createPurchaseOrder"]
    short = graphql(client, h, SEND, id=order["id"], input={"version": 1})
    assert short["errors"][0]["extensions"]["missing"] == 7_500, short
    draft_receipt = graphql(
        client,
        h,
        RECEIVE,
        id=order["id"],
        input={"lines": [{"lineId": order["lines"][0]["id"], "received": "5"}]},
    )
    assert draft_receipt["errors"][0]["extensions"]["code"] == "CONFLICT"
    cancelled = graphql(client, h, CANCEL, id=order["id"], input={"version": 1, "reason": "No"})
    assert cancelled["data"]["cancelPurchaseOrder"]["status"] == "cancelled", cancelled
    again = graphql(client, h, CANCEL, id=order["id"], input={"version": 2})
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    unknown = graphql(client, h, '{ purchaseOrders(status: "lost") { data { id } } }')
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
