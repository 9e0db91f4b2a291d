"""A failing plugin never breaks the core: its failures are counted, it is tripped off for the
chain after repeated failures (an event says so), and it recovers after the cool-down."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain, assert_problem, run_jobs, sign_up
from tests.plugins import flaky

THRESHOLD = 3
_skus = itertools.count()


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
    flaky.BEHAVIOUR["mode"] = "raise"
    flaky.CALLS.clear()
    yield flaky.BEHAVIOUR
    flaky.BEHAVIOUR["mode"] = "raise"


def _chain_with_plugins(client: TestClient[Any]) -> Chain:
    chain = sign_up(client)
    for name in ("flaky", "stamps"):
        response = client.put(f"/v1/plugins/{name}", json={}, headers=chain.headers)
        assert response.status_code == 200, response.text
    return chain


def _product(client: TestClient[Any], chain: Chain) -> None:
    body = {"sku": f"F{next(_skus)}", "name": "Bun", "list_price": 120}
    response = client.post("/v1/products", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text  # the core answers whatever the plugin


def _plugin_events(client: TestClient[Any], chain: Chain) -> list[str]:
    events = client.get("/v1/events?type=plugin.*", headers=chain.headers).json()["data"]
    return [e["type"] for e in events if e["data"]["name"] == "flaky"]


def _stamped(client: TestClient[Any], chain: Chain) -> int:
    return len(client.get("/v1/plugins/stamps/stamps/", headers=chain.headers).json())


def test_a_failing_event_handler_trips_and_recovers(
    client: TestClient[Any], settings: Settings, behaviour: dict[str, str]
) -> None:
    chain = _chain_with_plugins(client)
    for _ in range(THRESHOLD - 1):
        _product(client, chain)
    run_jobs(settings)
    assert flaky.CALLS == ["product.created"] * (THRESHOLD - 1)
    assert _stamped(client, chain) == THRESHOLD - 1  # the other plugin went on
    assert client.get("/v1/plugins/flaky", headers=chain.headers).json()["tripped_until"] is None

    _product(client, chain)
    run_jobs(settings)  # the third failure in a row trips it
    state = client.get("/v1/plugins/flaky", headers=chain.headers).json()
    assert state["tripped_until"] is not None
    assert "RuntimeError: flaky failed, as asked" in state["tripped_reason"]
    assert _plugin_events(client, chain) == ["plugin.enabled", "plugin.tripped"]

    calls = len(flaky.CALLS)
    _product(client, chain)
    run_jobs(settings)
    assert len(flaky.CALLS) == calls  # tripped: not called
    assert _stamped(client, chain) == THRESHOLD + 1

    behaviour["mode"] = "ok"
    later = datetime.now(UTC) + timedelta(seconds=settings.plugin_cooldown_seconds + 5)
    _product(client, chain)
    run_jobs(settings, clock=lambda: later)  # past the cool-down: tried again, and it works
    assert flaky.CALLS[-1] == "product.created"
    state = client.get("/v1/plugins/flaky", headers=chain.headers).json()
    assert (state["tripped_until"], state["tripped_reason"]) == (None, None)
    assert _plugin_events(client, chain)[-1] == "plugin.recovered"


def test_a_slow_handler_counts_as_a_failure(
    client: TestClient[Any], settings: Settings, behaviour: dict[str, str]
) -> None:
    behaviour["mode"] = "slow"
    chain = _chain_with_plugins(client)
    for _ in range(THRESHOLD):
        _product(client, chain)
    run_jobs(settings)
    state = client.get("/v1/plugins/flaky", headers=chain.headers).json()
    assert "TimeoutError" in state["tripped_reason"]
    assert _stamped(client, chain) == THRESHOLD


def test_a_failing_route_answers_502_then_503_while_tripped(
    client: TestClient[Any], behaviour: dict[str, str]
) -> None:
    chain = _chain_with_plugins(client)
    for _ in range(THRESHOLD):
        failed = client.get("/v1/plugins/flaky/answer", headers=chain.headers)
        body = assert_problem(failed, 502, "plugin-failed")
        assert "flaky" in body["detail"]
        assert "as asked" not in failed.text  # the error is logged, not shown
    paused = client.get("/v1/plugins/flaky/answer", headers=chain.headers)
    assert_problem(paused, 503, "plugin-unavailable")
    assert 0 < int(paused.headers["retry-after"]) <= 60
    assert flaky.CALLS == ["route"] * THRESHOLD
    # the core and other plugins go on; enabling it again resets the breaker
    assert client.get("/v1/plugins/stamps/stamps/", headers=chain.headers).status_code == 200
    behaviour["mode"] = "ok"
    assert client.put("/v1/plugins/flaky", json={}, headers=chain.headers).status_code == 200
    answered = client.get("/v1/plugins/flaky/answer", headers=chain.headers)
    assert answered.json() == {"mode": "ok"}


def test_a_success_resets_the_count(client: TestClient[Any], behaviour: dict[str, str]) -> None:
    chain = _chain_with_plugins(client)
    for mode in ["raise", "raise", "ok", "raise", "raise", "ok"]:
        behaviour["mode"] = mode
        client.get("/v1/plugins/flaky/answer", headers=chain.headers)
    assert client.get("/v1/plugins/flaky", headers=chain.headers).json()["tripped_until"] is None
