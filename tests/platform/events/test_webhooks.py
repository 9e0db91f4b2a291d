"""Webhooks end to end: a real receiver on 127.0.0.1, the real worker (in burst mode), the
worker's clock under the test's control for retries and dead letters."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from bodega.events.delivery import RETRY_DELAYS, RETRY_WINDOW
from bodega.events.signing import verify
from bodega.settings import Settings
from tests.conftest import Chain, api_key, assert_problem, graphql, run_jobs, sign_up
from tests.platform.events.receiver import Receiver, receiving


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


class Clock:
    """The worker's clock: starts now, moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _endpoint(
    client: TestClient[Any], chain: Chain, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "description": "till sync"}
    if types is not None:
        body["event_types"] = types
    made = client.post("/v1/webhook-endpoints", json=body, headers=chain.headers)
    assert made.status_code == 201, made.text
    return made.json()


def _product(client: TestClient[Any], chain: Chain, sku: str = "P1") -> dict[str, Any]:
    made = client.post(
        "/v1/products", json={"sku": sku, "name": "Loaf", "list_price": 350}, headers=chain.headers
    )
    assert made.status_code == 201, made.text
    return made.json()


def _deliveries(client: TestClient[Any], chain: Chain, endpoint_id: str) -> list[dict[str, Any]]:
    page = client.get(
        "/v1/webhook-deliveries", params={"endpoint_id": endpoint_id}, headers=chain.headers
    )
    assert page.status_code == 200, page.text
    return page.json()["data"]


def _detail(client: TestClient[Any], chain: Chain, delivery_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/webhook-deliveries/{delivery_id}", headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_change_is_delivered_signed(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """Creating a product POSTs product.created, signed with the endpoint's secret; the body is
    the event as /v1/events returns it; the delivery and its attempt are recorded."""
    chain = sign_up(client)
    made = _endpoint(client, chain, receiver.url(), ["product.*"])
    secret = made["secret"]
    assert secret.startswith("whsec_")
    assert (
        "secret"
        not in client.get(
            f"/v1/webhook-endpoints/{made['endpoint']['id']}", headers=chain.headers
        ).json()
    )
    product = _product(client, chain)

    assert run_jobs(settings) == 1
    (request,) = receiver.requests
    headers = request.headers
    assert verify(secret, headers["Bodega-Signature"], request.body, now=int(time.time()))
    assert not verify(
        "whsec_other", headers["Bodega-Signature"], request.body, now=int(time.time())
    )
    event = json.loads(request.body)
    assert (event["type"], event["tenant_id"]) == ("product.created", str(chain.tenant_id))
    assert event["data"] == product
    assert headers["Bodega-Event-Id"] == event["id"]
    assert headers["Bodega-Event-Type"] == "product.created"
    assert headers["Content-Type"] == "application/json"
    listed = client.get(f"/v1/events/{event['id']}", headers=chain.headers)
    assert listed.json() == event

    (delivery,) = _deliveries(client, chain, made["endpoint"]["id"])
    assert headers["Bodega-Delivery-Id"] == delivery["id"]
    assert (delivery["status"], delivery["attempt_count"]) == ("succeeded", 1)
    (attempt,) = _detail(client, chain, delivery["id"])["attempts"]
    assert attempt["status_code"] == 200
    assert attempt["response_excerpt"] == "answered 200"
    assert attempt["latency_ms"] >= 0
    assert run_jobs(settings) == 0  # delivered once; nothing left to do


def test_only_matching_types_after_the_endpoint_exists(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """Filters with wildcards pick the types; events from before the endpoint are not sent."""
    chain = sign_up(client)
    _product(client, chain, "BEFORE")
    stores = _endpoint(client, chain, receiver.url("/stores"), ["store.created"])
    _endpoint(client, chain, receiver.url("/products"), ["product.*"])
    everything = _endpoint(client, chain, receiver.url("/all"))
    assert everything["endpoint"]["event_types"] == ["*"]
    store = client.post("/v1/stores", json={"code": "S1", "name": "Main"}, headers=chain.headers)
    product = _product(client, chain, "AFTER")
    patched = client.patch(
        f"/v1/products/{product['id']}",
        json={"name": "Rye", "version": product["version"]},
        headers=chain.headers,
    )
    assert patched.status_code == 200
    run_jobs(settings)
    got = {(r.path, r.headers["Bodega-Event-Type"]) for r in receiver.requests}
    assert got == {
        ("/stores", "store.created"),
        ("/products", "product.created"),
        ("/products", "product.updated"),
        ("/all", "webhook_endpoint.created"),  # its own: made in the same transaction
        ("/all", "store.created"),
        ("/all", "product.created"),
        ("/all", "product.updated"),
    }
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert {b["data"]["id"] for b in bodies} == {
        store.json()["id"],
        product["id"],
        everything["endpoint"]["id"],
    }
    assert len(_deliveries(client, chain, stores["endpoint"]["id"])) == 1


def test_failures_are_retried_on_the_schedule(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """500, then a timeout, then 200: three attempts, each after the scheduled wait (within
    the jitter); the same event id every time."""
    chain = sign_up(client)
    made = _endpoint(client, chain, receiver.url(), ["product.*"])
    receiver.answer(500)
    receiver.answer(200, delay=settings.webhook_timeout_seconds + 1)  # too late: a timeout
    _product(client, chain)
    clock = Clock()
    run_jobs(settings, clock)
    (delivery,) = _deliveries(client, chain, made["endpoint"]["id"])
    assert (delivery["status"], delivery["last_status_code"]) == ("pending", 500)
    for attempt, wait in enumerate(RETRY_DELAYS[:2], start=1):
        due = datetime.fromisoformat(delivery["next_attempt_at"])
        assert wait * 0.9 <= due - clock.now <= wait * 1.1 + timedelta(seconds=1)
        clock.now = due - timedelta(seconds=1)
        assert run_jobs(settings, clock) == 0  # not due yet
        clock.now = due
        run_jobs(settings, clock)
        (delivery,) = _deliveries(client, chain, made["endpoint"]["id"])
        assert delivery["attempt_count"] == attempt + 1
    assert delivery["status"] == "succeeded"
    attempts = _detail(client, chain, delivery["id"])["attempts"]
    assert [a["status_code"] for a in attempts] == [500, None, 200]
    assert "no answer within" in attempts[1]["error"]
    ids = receiver.event_ids()
    assert len(ids) == 3
    assert len(set(ids)) == 1


def test_dead_letter_disable_and_replay(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """A receiver failing for three days: the delivery is retried on the schedule, then dead-
    lettered; the endpoint is disabled (event and audit entry). Re-enabled and replayed, the
    dead letter is delivered."""
    chain = sign_up(client)
    made = _endpoint(client, chain, receiver.url(), ["product.*"])
    endpoint_id = made["endpoint"]["id"]
    receiver.answer(*[503] * 40)
    _product(client, chain)
    clock = Clock()
    start = clock.now
    run_jobs(settings, clock)
    for _ in range(40):
        (delivery,) = _deliveries(client, chain, endpoint_id)
        if delivery["status"] != "pending":
            break
        clock.now = datetime.fromisoformat(delivery["next_attempt_at"])
        run_jobs(settings, clock)
    assert delivery["status"] == "dead"
    assert datetime.fromisoformat(delivery["dead_at"]) <= start + RETRY_WINDOW
    assert clock.now - start > RETRY_WINDOW - RETRY_DELAYS[-1] * 1.1
    attempts = _detail(client, chain, delivery["id"])["attempts"]
    assert len(attempts) == delivery["attempt_count"] >= 10
    assert {a["status_code"] for a in attempts} == {503}
    times = [datetime.fromisoformat(a["attempted_at"]) for a in attempts]
    for (earlier, later), wait in zip(itertools.pairwise(times), RETRY_DELAYS, strict=False):
        assert wait * 0.9 <= later - earlier <= wait * 1.1

    endpoint = client.get(f"/v1/webhook-endpoints/{endpoint_id}", headers=chain.headers).json()
    assert endpoint["enabled"] is False
    assert (
        "failed for 2 days" in endpoint["disabled_reason"]
        or "failed for 3 days" in (endpoint["disabled_reason"])
    )
    disabled = client.get(
        "/v1/events", params={"type": "webhook_endpoint.disabled"}, headers=chain.headers
    ).json()["data"]
    assert [e["data"]["id"] for e in disabled] == [endpoint_id]
    audit = client.get(
        "/v1/audit-log", params={"resource_id": endpoint_id}, headers=chain.headers
    ).json()["data"]
    assert [(e["action"], e["actor_kind"]) for e in audit][-1] == (
        "webhook_endpoint.disabled",
        "system",
    )
    assert made["secret"] not in json.dumps(audit)

    # While disabled, new events are not delivered to it.
    _product(client, chain, "P2")
    run_jobs(settings, clock)
    assert len(_deliveries(client, chain, endpoint_id)) == 1

    enabled = client.patch(
        f"/v1/webhook-endpoints/{endpoint_id}",
        json={"enabled": True, "version": endpoint["version"]},
        headers=chain.headers,
    )
    assert enabled.status_code == 200, enabled.text
    assert (enabled.json()["disabled_reason"], enabled.json()["failing_since"]) == (None, None)
    replay = client.post(
        "/v1/webhook-deliveries/replay",
        json={"endpoint_id": endpoint_id, "until": (start + timedelta(days=30)).isoformat()},
        headers=chain.headers,
    )
    assert replay.status_code == 200, replay.text
    assert replay.json() == {"replayed": 1}
    requests_before = len(receiver.requests)
    receiver.plan.clear()  # the receiver is fixed
    run_jobs(settings, clock)
    (delivery,) = _deliveries(client, chain, endpoint_id)
    assert (delivery["status"], delivery["dead_at"]) == ("succeeded", None)
    assert len(receiver.requests) == requests_before + 1
    again = client.post(
        "/v1/webhook-deliveries/replay", json={"endpoint_id": endpoint_id}, headers=chain.headers
    )
    assert again.json() == {"replayed": 0}  # nothing dead any more


def test_a_refusal_is_dead_at_once_and_can_be_retried(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """A 404 will not change by retrying: dead after one attempt. Retried by hand, it starts a
    new retry window: a failure waits the schedule's first wait again; then it is delivered."""
    chain = sign_up(client)
    made = _endpoint(client, chain, receiver.url(), ["product.*"])
    receiver.answer(404, 500)
    _product(client, chain)
    run_jobs(settings)
    (delivery,) = _deliveries(client, chain, made["endpoint"]["id"])
    assert (delivery["status"], delivery["attempt_count"]) == ("dead", 1)
    assert delivery["last_error"] == "HTTP 404"
    retried = client.post(f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=chain.headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    clock = Clock()
    run_jobs(settings, clock)
    (delivery,) = _deliveries(client, chain, made["endpoint"]["id"])
    wait = datetime.fromisoformat(delivery["next_attempt_at"]) - clock.now
    assert RETRY_DELAYS[0] * 0.9 <= wait <= RETRY_DELAYS[0] * 1.1 + timedelta(seconds=1)
    clock.now += wait
    run_jobs(settings, clock)
    detail = _detail(client, chain, delivery["id"])
    assert (detail["status"], [a["status_code"] for a in detail["attempts"]]) == (
        "succeeded",
        [404, 500, 200],
    )
    audit = client.get(
        "/v1/audit-log", params={"resource_id": delivery["id"]}, headers=chain.headers
    ).json()["data"]
    assert [e["action"] for e in audit] == ["webhook_delivery.retried"]


def test_rotation_signs_with_both_secrets_during_the_overlap(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    chain = sign_up(client)
    made = _endpoint(client, chain, receiver.url(), ["product.*"])
    old, endpoint_id = made["secret"], made["endpoint"]["id"]
    rotated = client.post(
        f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
        json={"overlap_hours": 24},
        headers=chain.headers,
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old
    assert rotated.json()["endpoint"]["previous_secret_expires_at"]
    _product(client, chain, "A")
    run_jobs(settings)
    request = receiver.requests[-1]
    header = request.headers["Bodega-Signature"]
    assert header.count("v1=") == 2
    now = int(time.time())
    assert verify(new, header, request.body, now=now)
    assert verify(old, header, request.body, now=now)
    assert not verify(old, header, request.body + b" ", now=now)
    assert not verify(new, header, request.body, now=now + 3600)  # too old a timestamp

    immediate = client.post(
        f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
        json={"overlap_hours": 0},
        headers=chain.headers,
    )
    newest = immediate.json()["secret"]
    _product(client, chain, "B")
    run_jobs(settings)
    request = receiver.requests[-1]
    assert request.headers["Bodega-Signature"].count("v1=") == 1
    assert verify(newest, request.headers["Bodega-Signature"], request.body, now=int(time.time()))
    assert not verify(new, request.headers["Bodega-Signature"], request.body, now=int(time.time()))
    audit = client.get(
        "/v1/audit-log", params={"resource_id": endpoint_id}, headers=chain.headers
    ).text
    assert "webhook_endpoint.secret_rotated" in audit
    for secret in (old, new, newest):
        assert secret not in audit


def test_private_addresses_are_refused_unless_allowed(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """By default a tenant cannot make the platform call loopback or private networks."""
    chain = sign_up(client)
    made = _endpoint(client, chain, receiver.url(), ["product.*"])
    _product(client, chain)
    run_jobs(msgspec.structs.replace(settings, webhooks_allow_private_networks=False))
    (delivery,) = _deliveries(client, chain, made["endpoint"]["id"])
    assert delivery["status"] == "dead"
    assert "not a public address" in delivery["last_error"]
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "/relative"}, "url"),
        ({"url": "https://user:pw@example.com/"}, "url"),
        ({"url": "https://" + "a" * 64 + ".example.com/"}, "url"),
        ({"url": "https://[::1/"}, "url"),
        ({"url": "https://example.com/", "event_types": ["Product.Created"]}, "event_types"),
        ({"url": "https://example.com/", "event_types": []}, "event_types"),
        ({"url": "https://example.com/", "event_types": ["product.created.x"]}, "event_types"),
    ],
)
def test_bad_endpoints_are_refused(
    client: TestClient[Any], chain: Chain, body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/webhook-endpoints", json=body, headers=chain.headers)
    problem = assert_problem(response, 422)
    assert field in json.dumps(problem)


def test_events_list_filters(client: TestClient[Any]) -> None:
    """/v1/events filters by exact type, by "object.*", by time; a bad filter is a 422."""
    chain = sign_up(client)
    product = _product(client, chain)
    client.post("/v1/stores", json={"code": "S1", "name": "Main"}, headers=chain.headers)

    def types(**params: Any) -> list[str]:
        page = client.get("/v1/events", params=params, headers=chain.headers)
        assert page.status_code == 200, page.text
        return [e["type"] for e in page.json()["data"]]

    assert types() == ["tenant.created", "user.created", "product.created", "store.created"]
    assert types(type="product.created") == types(type="product.*") == ["product.created"]
    assert types(type="*") == types()
    events = client.get("/v1/events", headers=chain.headers).json()["data"]
    third = events[2]["created_at"]
    assert types(since=third) == ["product.created", "store.created"]
    assert types(until=third) == ["tenant.created", "user.created"]
    assert types(limit=1) == ["tenant.created"]
    assert events[2]["data"]["id"] == product["id"]
    for bad in ("product.%", "product", "product.*.x"):
        assert_problem(client.get("/v1/events", params={"type": bad}, headers=chain.headers), 422)
    staff = api_key(client, chain, "catalog:read")
    assert_problem(client.get("/v1/events", headers=staff), 403)
    assert types(type="api_key.*") == ["api_key.created"]


def test_graphql_manages_endpoints_and_reads_deliveries(
    client: TestClient[Any], settings: Settings, receiver: Receiver
) -> None:
    """The same through GraphQL: create an endpoint (secret once), read events, deliveries
    with their attempts, rotate, retry."""
    chain = sign_up(client)
    made = graphql(
        client,
        chain.headers,
        "mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) "
        "{ secret endpoint { id eventTypes enabled } } }",
        input={"url": receiver.url(), "eventTypes": ["product.*"]},
    )["data"]["createWebhookEndpoint"]
    assert made["secret"].startswith("whsec_")
    assert made["endpoint"]["eventTypes"] == ["product.*"]
    _product(client, chain)
    run_jobs(settings)
    result = graphql(
        client,
        chain.headers,
        'query { events(type: "product.*") { data { id type data } } '
        'webhookDeliveries(status: "succeeded") { data { id eventId } } }',
    )["data"]
    (event,) = result["events"]["data"]
    (delivery,) = result["webhookDeliveries"]["data"]
    assert delivery["eventId"] == event["id"]
    assert event["data"]["sku"] == "P1"
    detail = graphql(
        client,
        chain.headers,
        "query($id: UUID!) { webhookDelivery(id: $id) { status attempts { statusCode } } }",
        id=delivery["id"],
    )["data"]["webhookDelivery"]
    assert detail == {"status": "succeeded", "attempts": [{"statusCode": 200}]}
    retried = graphql(
        client,
        chain.headers,
        "mutation($id: UUID!) { retryWebhookDelivery(id: $id) { status } }",
        id=delivery["id"],
    )
    assert retried["data"]["retryWebhookDelivery"] == {"status": "pending"}
    rotated = graphql(
        client,
        chain.headers,
        "mutation($id: UUID!) { rotateWebhookSecret(id: $id, input: {overlapHours: 2}) "
        "{ secret endpoint { previousSecretExpiresAt } } }",
        id=made["endpoint"]["id"],
    )["data"]["rotateWebhookSecret"]
    assert rotated["secret"] != made["secret"]
    assert rotated["endpoint"]["previousSecretExpiresAt"]
    bad = graphql(client, chain.headers, '{ webhookDeliveries(status: "lost") { data { id } } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
