"""Orders through GraphQL: the same services as REST, so the same totals, states and problem
types (in each error's extensions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import graphql
from tests.platform.ordering.helpers import get, movements, product, receive, store

ORDER = """id number status total taxTotal change paidTotal refundedTotal version
  taxes { rate gross tax net }
  lines { id quantity unitPrice gross discount total taxRate refundedQuantity }
  payments { method amount tendered reference refunded }
  refunds { amount lines { lineId quantity restock } payments { method amount } }"""
CREATE = f"mutation($input: OrderInput!) {{ createOrder(input: $input) {{ {ORDER} }} }}"
PAY = (
    f"mutation($id: UUID!, $input: PayOrderInput!) "
    f"{{ payOrder(id: $id, input: $input) {{ {ORDER} }} }}"
)
REFUND = (
    f"mutation($id: UUID!, $input: RefundOrderInput!) "
    f"{{ refundOrder(id: $id, input: $input) {{ {ORDER} }} }}"
)


@pytest.fixture(scope="module")
def shop(client, chain):
    return store(client, chain)


@pytest.fixture(scope="module")
def goods(client, chain, shop):
    cola = product(client, chain, price=350, tax_rate="13")
    cheese = product(client, chain, price=2580, tax_rate="9", unit="kg")
    for item, quantity in ((cola, "100"), (cheese, "10")):
        receive(client, chain, shop["id"], item["id"], quantity)
    return cola, cheese


def _create(client, chain, shop, lines, **fields) -> dict:
    data = {"channel": "pos", "storeId": shop["id"], "lines": lines, **fields}
    result = graphql(client, chain.headers, CREATE, input=data)
    assert "errors" not in result, result
    return result["data"]["createOrder"]


def test_create_pay_refund_and_read(client, chain, shop, goods):
    cola, cheese = goods
    made = _create(
        client,
        chain,
        shop,
        [
            {"productId": cola["id"], "quantity": "2", "discountAmount": 100},
            {"productId": cheese["id"], "quantity": "0.455", "discountPercent": "10"},
        ],
        note="no bag",
    )
    assert (made["status"], made["total"], made["taxTotal"]) == ("open", 600 + 1057, 69 + 87)
    assert [t["rate"] for t in made["taxes"]] == ["9.00", "13.00"]
    assert [x["quantity"] for x in made["lines"]] == ["2", "0.455"]
    rest = get(client, chain, made["id"])
    assert (rest["total"], rest["note"]) == (made["total"], "no bag")

    paid = graphql(client, chain.headers, PAY, id=made["id"], input={
        "payments": [{"method": "card", "amount": 1000, "reference": "T-1"},
                     {"method": "cash", "amount": 1000}],
    })  # fmt: skip
    assert "errors" not in paid, paid
    body = paid["data"]["payOrder"]
    assert (body["status"], body["change"], body["paidTotal"]) == ("paid", 343, 1657)
    assert [(p["method"], p["amount"], p["tendered"]) for p in body["payments"]] == [
        ("card", 1000, 1000),
        ("cash", 657, 1000),
    ]
    assert len(movements(client, chain, made["id"])) == 2

    line_id = body["lines"][0]["id"]
    refunded = graphql(client, chain.headers, REFUND, id=made["id"], input={
        "lines": [{"lineId": line_id, "quantity": "1", "restock": False}],
    })  # fmt: skip
    assert "errors" not in refunded, refunded
    order = refunded["data"]["refundOrder"]
    assert (order["status"], order["refundedTotal"]) == ("partially_refunded", 300)
    assert order["refunds"][0]["lines"] == [{"lineId": line_id, "quantity": "1", "restock": False}]
    assert order["refunds"][0]["payments"] == [{"method": "card", "amount": 300}]

    everything = graphql(client, chain.headers, REFUND, id=made["id"], input={})
    assert everything["data"]["refundOrder"]["status"] == "refunded"
    fulfil = graphql(
        client, chain.headers, "mutation($id: UUID!) { fulfilOrder(id: $id) { status } }",
        id=made["id"],
    )  # fmt: skip
    assert fulfil["errors"][0]["extensions"]["type"] == "/problems/order-state"

    listed = graphql(
        client,
        chain.headers,
        'query($s: UUID) { orders(storeId: $s, status: "refunded") { data { id } } }',
        s=shop["id"],
    )
    assert listed["data"]["orders"]["data"] == [{"id": made["id"]}]
    one = graphql(client, chain.headers, "query($id: UUID!) { order(id: $id) { id status } }",
                  id=made["id"])  # fmt: skip
    assert one["data"]["order"] == {"id": made["id"], "status": "refunded"}


def test_fulfil_and_cancel(client, chain, shop, goods):
    cola, _ = goods
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    made = _create(client, chain, shop, [{"productId": cola["id"], "quantity": "1"}],
                   channel="pickup", promisedAt=soon)  # fmt: skip
    paid = graphql(client, chain.headers, PAY, id=made["id"],
                   input={"payments": [{"method": "cash", "amount": 350}]})  # fmt: skip
    version = paid["data"]["payOrder"]["version"]
    stale = graphql(
        client, chain.headers,
        "mutation($id: UUID!, $v: Int) { fulfilOrder(id: $id, version: $v) { status } }",
        id=made["id"], v=version + 1,
    )  # fmt: skip
    assert stale["errors"][0]["extensions"]["type"] == "/problems/version-conflict"
    done = graphql(
        client, chain.headers,
        "mutation($id: UUID!, $v: Int) { fulfilOrder(id: $id, version: $v) { status } }",
        id=made["id"], v=version,
    )  # fmt: skip
    assert done["data"]["fulfilOrder"] == {"status": "fulfilled"}
    dropped = _create(client, chain, shop, [{"productId": cola["id"], "quantity": "1"}])
    cancel = "mutation($id: UUID!) { cancelOrder(id: $id) { status } }"
    assert graphql(client, chain.headers, cancel, id=dropped["id"])["data"]["cancelOrder"] == {
        "status": "cancelled"
    }
    again = graphql(client, chain.headers, cancel, id=dropped["id"])
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"


def test_errors_carry_the_same_problem_types(client, chain, shop, goods):
    cola, _ = goods
    bad = graphql(client, chain.headers, CREATE, input={
        "channel": "pos", "storeId": shop["id"],
        "lines": [{"productId": cola["id"], "quantity": "1.5"}],
    })  # fmt: skip
    extensions = bad["errors"][0]["extensions"]
    assert (extensions["code"], extensions["type"]) == (
        "BAD_USER_INPUT",
        "/problems/validation-error",
    )
    assert extensions["errors"][0]["field"] == "lines[0].quantity"
    made = _create(client, chain, shop, [{"productId": cola["id"], "quantity": "1"}])
    short = graphql(client, chain.headers, PAY, id=made["id"],
                    input={"payments": [{"method": "cash", "amount": 349}]})  # fmt: skip
    assert short["data"] == {"payOrder": None}
    assert short["errors"][0]["extensions"]["type"] == "/problems/validation-error"
    wallet = graphql(client, chain.headers, PAY, id=made["id"],
                     input={"payments": [{"method": "wallet", "amount": 350}]})  # fmt: skip
    assert wallet["errors"][0]["extensions"]["type"] == "/problems/payment-method-unavailable"
    assert get(client, chain, made["id"])["status"] == "open"
    missing = graphql(client, chain.headers, "query($id: UUID!) { order(id: $id) { id } }",
                      id="01a20000-0000-7000-8000-00000000dead")  # fmt: skip
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
