"""Setting up tiers tests: tiers, members with paid orders, the chain's Stripe settings, and
the webhooks localstripe sends, caught and replayed into the API."""

from __future__ import annotations

import http.server
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain, run_jobs
from tests.platform.catalog.helpers import walk

TIERS = "/v1/tiers"
_numbers = itertools.count(1)


def created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def tier(
    client: TestClient[Any], chain: Chain, name: str, rank: int, **body: Any
) -> dict[str, Any]:
    body = {"name": name, "rank": rank, **body}
    return created(client.post(TIERS, json=body, headers=chain.headers))


def at(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``moment``."""
    return lambda: moment


def evaluate(client: TestClient[Any], settings: Settings, chain: Chain, when: datetime) -> None:
    """Ask for an evaluation now, as a manager would; the worker runs it at ``when``."""
    queued = client.post(f"{TIERS}/evaluate", headers=chain.headers)
    assert queued.status_code == 202, queued.text
    assert queued.json() == {"queued": True}
    run_jobs(settings, at(when))


def member(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    body = {"phone": f"+8613{next(_numbers) + 800000000:09d}", "name": "Test member"}
    return created(client.post("/v1/members", json=body, headers=chain.headers))


def member_tier(client: TestClient[Any], chain: Chain, member_id: str) -> dict[str, Any]:
    return created(client.get(f"/v1/members/{member_id}/tier", headers=chain.headers), 200)


def changes(client: TestClient[Any], chain: Chain, member_id: str) -> list[dict[str, Any]]:
    return walk(client, f"/v1/members/{member_id}/tier/changes", chain.headers)


def events(client: TestClient[Any], chain: Chain, pattern: str) -> list[dict[str, Any]]:
    return walk(client, "/v1/events", chain.headers, type=pattern)


@dataclass
class Shop:
    """A store and a product to sell to members."""

    store_id: str
    product_id: str


def shop(client: TestClient[Any], chain: Chain, code: str) -> Shop:
    h = chain.headers
    store = created(client.post("/v1/stores", json={"code": code, "name": code}, headers=h))
    product = created(
        client.post(
            "/v1/products",
            json={"sku": f"{code}-P", "name": "Loaf", "list_price": 1000},
            headers=h,
        )
    )
    return Shop(store["id"], product["id"])


def spend(
    client: TestClient[Any], chain: Chain, where: Shop, member_id: str, amount: int
) -> dict[str, Any]:
    """A paid order of ``amount`` (a multiple of 1000 minor units) for the member."""
    body = {
        "channel": "pos",
        "store_id": where.store_id,
        "member_id": member_id,
        "lines": [{"product_id": where.product_id, "quantity": amount // 1000}],
    }
    order = created(client.post("/v1/orders", json=body, headers=chain.headers))
    paid = client.post(
        f"/v1/orders/{order['id']}/pay",
        json={"payments": [{"method": "cash", "amount": order["total"]}]},
        headers=chain.headers,
    )
    return created(paid, 200)


def stripe_settings(client: TestClient[Any], chain: Chain, secret: str) -> dict[str, Any]:
    body = {"secret_key": f"sk_test_{uuid.uuid4().hex}", "webhook_secret": secret}
    return created(client.put(f"{TIERS}/stripe", json=body, headers=chain.headers), 200)


# localstripe's side ----------------------------------------------------------------------------


def card(localstripe: str, number: str) -> str:
    """A payment method for a test card, made as the member's device would (Stripe.js)."""
    details = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    return stripe_call(localstripe, "POST", "/v1/payment_methods", type="card", card=details)["id"]


def stripe_call(localstripe: str, method: str, path: str, **data: Any) -> dict[str, Any]:
    """A raw call to localstripe, as Stripe itself or the member's browser would act."""
    response = httpx.request(
        method,
        f"{localstripe}{path}",
        json=data or None,
        headers={"Authorization": "Bearer sk_test_operator"},
    )
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Delivery:
    signature: str
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Inbox:
    """What localstripe posted to one registration (signed with its secret)."""

    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, type_: str, about: str, timeout: float = 10) -> Delivery:
        """The first delivery of event ``type_`` whose object is (or names) ``about``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for delivery in self.deliveries:
                    event = delivery.event
                    if event["type"] == type_ and about in json.dumps(event["data"]["object"]):
                        return delivery
            time.sleep(0.1)
        raise AssertionError(f"localstripe sent no {type_} about {about}")


@contextmanager
def receiver() -> Iterator[tuple[Inbox, str]]:
    """An inbox on a local port and its URL: what is posted there is kept."""
    inbox = Inbox()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with inbox.lock:
                inbox.deliveries.append(Delivery(self.headers["Stripe-Signature"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox, f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def webhooks(localstripe: str, secret: str) -> Iterator[Inbox]:
    """A receiver registered with localstripe for every event, signing with ``secret``: the
    API under test is not listening on a port, so the tests replay what this receives."""
    with receiver() as (inbox, url):
        registration = uuid.uuid4().hex
        response = httpx.post(
            f"{localstripe}/_config/webhooks/{registration}", json={"url": url, "secret": secret}
        )
        assert response.status_code == 200, response.text
        yield inbox


def replay(
    client: TestClient[Any], chain: Chain, delivery: Delivery, *, body: bytes | None = None
) -> Any:
    """Post what localstripe sent (or ``body`` under its signature) to the chain's endpoint."""
    return client.post(
        f"/v1/stripe/webhooks/{chain.tenant_id}",
        content=delivery.body if body is None else body,
        headers={"Stripe-Signature": delivery.signature, "Content-Type": "application/json"},
    )
