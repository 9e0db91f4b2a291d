"""``bodega_validate_order``: the chain's enabled plugins check an order before it is paid. A
problem refuses the payment (422 naming the plugin); a plugin that fails or overruns its
budget refuses it too (502; the hook fails closed), and a tripped one pauses payments (503)
until it recovers or the chain disables it. Nothing is written when a payment is refused."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest

from bodega.settings import Settings
from tests.conftest import assert_problem, sign_up
from tests.platform.ordering.helpers import (
    cash,
    line,
    movements,
    order,
    pay,
    product,
    receive,
    state,
    store,
)
from tests.plugins import order_rules

THRESHOLD = 3


@pytest.fixture(scope="module")
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings,
        plugin_failure_threshold=THRESHOLD,
        plugin_timeout_seconds=0.5,
        plugin_cooldown_seconds=60,
    )


@pytest.fixture
def behaviour() -> Iterator[dict[str, str]]:
    order_rules.BEHAVIOUR["mode"] = "ok"
    order_rules.SEEN.clear()
    yield order_rules.BEHAVIOUR
    order_rules.BEHAVIOUR["mode"] = "ok"


def _shop(client, rules: dict | None):
    """A new chain with a store, two products in stock and (unless None) the plugin enabled."""
    chain = sign_up(client)
    if rules is not None:
        enabled = client.put("/v1/plugins/order_rules", json={"settings": rules},
                             headers=chain.headers)  # fmt: skip
        assert enabled.status_code == 200, enabled.text
    shop = store(client, chain)
    wine = product(client, chain, price=8800, sku="WINE-1")
    bread = product(client, chain, price=1200, sku="BREAD-1")
    for item in (wine, bread):
        receive(client, chain, shop["id"], item["id"], "50")
    return chain, shop, wine, bread


def test_a_refusal_names_the_plugin_and_writes_nothing(client, settings, behaviour):
    chain, shop, wine, bread = _shop(client, {"refused_skus": ["WINE-1"], "max_total": 10_000})
    made = order(client, chain, shop["id"], [line(wine), line(bread, 2)])  # 11,200
    before = state(client, chain, settings, made["id"], [wine["id"], bread["id"]])
    refused = assert_problem(pay(client, chain, made["id"], cash(20_000)), 422, "order-refused")
    assert refused["plugins"] == ["order_rules"]
    assert "order_rules" in refused["detail"]
    assert refused["errors"] == [
        {"field": "order", "message": "WINE-1 may not be sold here.", "plugin": "order_rules"},
        {"field": "order", "message": "Orders over 10000 need a manager.", "plugin": "order_rules"},
    ]
    assert state(client, chain, settings, made["id"], [wine["id"], bread["id"]]) == before
    (seen,) = order_rules.SEEN
    assert (str(seen.id), seen.status, seen.total) == (made["id"], "open", 11_200)
    assert [(p.method, p.amount, p.tendered) for p in seen.payments] == [("cash", 11_200, 20_000)]

    fine = order(client, chain, shop["id"], [line(bread, 2)])
    paid = pay(client, chain, fine["id"], cash(2400))
    assert paid.status_code == 200, paid.text
    paid_payment = paid.json()["payments"][0]["id"]
    assert str(order_rules.SEEN[-1].payments[0].id) == paid_payment  # it saw the payment's own id


def test_an_awaitable_answer_is_awaited(client, behaviour):
    chain, shop, wine, _ = _shop(client, {"refused_skus": ["WINE-1"]})
    behaviour["mode"] = "async"
    made = order(client, chain, shop["id"], [line(wine)])
    assert_problem(pay(client, chain, made["id"], cash(8800)), 422, "order-refused")


def test_chains_without_the_plugin_are_not_asked(client, behaviour):
    chain, shop, wine, _ = _shop(client, None)
    made = order(client, chain, shop["id"], [line(wine)])
    assert pay(client, chain, made["id"], cash(8800)).status_code == 200
    assert order_rules.SEEN == []


@pytest.mark.parametrize("mode", ["raise", "slow", "garbage"])
def test_a_failing_plugin_fails_the_payment_closed(client, settings, behaviour, mode):
    chain, shop, _, bread = _shop(client, {})
    behaviour["mode"] = mode
    made = order(client, chain, shop["id"], [line(bread)])
    before = state(client, chain, settings, made["id"], [bread["id"]])
    failed = assert_problem(pay(client, chain, made["id"], cash(1200)), 502, "plugin-failed")
    assert failed["plugin"] == "order_rules"
    assert "as asked" not in failed["detail"]
    assert state(client, chain, settings, made["id"], [bread["id"]]) == before
    plugin = client.get("/v1/plugins/order_rules", headers=chain.headers).json()
    assert plugin["tripped_until"] is None  # one failure counts, it does not trip yet


def test_a_tripped_plugin_pauses_payments_until_disabled(client, settings, behaviour):
    chain, shop, _, bread = _shop(client, {})
    behaviour["mode"] = "raise"
    made = order(client, chain, shop["id"], [line(bread)])
    for _ in range(THRESHOLD):
        assert_problem(pay(client, chain, made["id"], cash(1200)), 502, "plugin-failed")
    calls = len(order_rules.SEEN)
    response = pay(client, chain, made["id"], cash(1200))
    paused = assert_problem(response, 503, "plugin-unavailable")
    assert paused["plugin"] == "order_rules"
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert len(order_rules.SEEN) == calls  # tripped: not asked
    assert movements(client, chain, made["id"]) == []
    assert client.delete("/v1/plugins/order_rules", headers=chain.headers).status_code == 204
    paid = pay(client, chain, made["id"], cash(1200))
    assert paid.status_code == 200, paid.text
