"""The API conventions every route shares: problem details, request ids, idempotency,
optimistic concurrency, all-or-nothing writes, pagination, rate limits."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import msgspec
from litestar.testing import TestClient

from bodega.app import create_app
from tests.conftest import api_key, assert_problem, sign_up

PRODUCT = {"sku": "BRD-1", "name": "Sourdough", "list_price": 1680, "tax_rate": "9"}


def _products(client, chain):
    return client.get("/v1/products", params={"limit": 200}, headers=chain.headers).json()["data"]


def test_malformed_json_is_a_400_problem(client, chain):
    response = client.post(
        "/v1/products",
        content=b"{not json",
        headers={**chain.headers, "content-type": "application/json"},
    )
    assert_problem(response, 400)


def test_nul_characters_are_refused_and_nothing_is_written(client):
    chain = sign_up(client)
    body = {**PRODUCT, "name": "Bread\u0000"}
    assert_problem(client.post("/v1/products", json=body, headers=chain.headers), 400)
    assert_problem(client.get("/v1/products", params={"q": "a\x00b"}, headers=chain.headers), 400)
    assert _products(client, chain) == []


def test_request_id_is_echoed_or_made_and_present_on_errors(client, chain):
    ok = client.get("/v1/me", headers={**chain.headers, "X-Request-ID": "pos-7.retry-2"})
    assert ok.headers["x-request-id"] == "pos-7.retry-2"
    denied = client.get("/v1/me", headers={"Authorization": "Bearer nonsense"})
    body = assert_problem(denied, 401)
    assert denied.headers["x-request-id"] == body["request_id"]


def test_stale_version_is_a_409_and_changes_nothing(client):
    chain = sign_up(client)
    created = client.post("/v1/products", json=PRODUCT, headers=chain.headers).json()
    url = f"/v1/products/{created['id']}"
    first = client.patch(url, json={"version": 1, "list_price": 1800}, headers=chain.headers)
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "list_price": 1}, headers=chain.headers)
    assert assert_problem(stale, 409, "version-conflict")["current_version"] == 2
    assert client.get(url, headers=chain.headers).json()["list_price"] == 1800


def test_failed_request_writes_nothing_not_even_an_audit_entry(client):
    chain = sign_up(client)
    body = {**PRODUCT, "category_id": str(uuid.uuid4())}
    assert_problem(client.post("/v1/products", json=body, headers=chain.headers), 422)
    assert _products(client, chain) == []
    audit = client.get(
        "/v1/audit-log", params={"resource": "product"}, headers=chain.headers
    ).json()
    assert audit["data"] == []


def test_idempotent_retry_returns_the_first_answer_and_creates_once(client):
    chain = sign_up(client)
    headers = {**chain.headers, "Idempotency-Key": "pos-42-sale-1"}
    first = client.post("/v1/products", json=PRODUCT, headers=headers)
    again = client.post("/v1/products", json=PRODUCT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(_products(client, chain)) == 1


def test_same_idempotency_key_with_another_body_is_a_422(client):
    chain = sign_up(client)
    headers = {**chain.headers, "Idempotency-Key": "k-1"}
    assert client.post("/v1/products", json=PRODUCT, headers=headers).status_code == 201
    other = client.post("/v1/products", json={**PRODUCT, "sku": "BRD-2"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")
    assert len(_products(client, chain)) == 1


def test_a_failed_request_is_not_stored_so_its_corrected_retry_runs(client):
    chain = sign_up(client)
    headers = {**chain.headers, "Idempotency-Key": "k-2"}
    bad = {**PRODUCT, "gtin": "4006381333932"}
    assert_problem(client.post("/v1/products", json=bad, headers=headers), 422)
    assert client.post("/v1/products", json=PRODUCT, headers=headers).status_code == 201


def test_concurrent_retries_with_one_key_create_one_object(client):
    chain = sign_up(client)
    headers = {**chain.headers, "Idempotency-Key": "flaky-network"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(lambda _: client.post("/v1/products", json=PRODUCT, headers=headers), range(4))
        )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(_products(client, chain)) == 1


def test_idempotency_keys_are_per_tenant(client):
    a, b = sign_up(client), sign_up(client)
    for chain in (a, b):
        response = client.post(
            "/v1/products", json=PRODUCT, headers={**chain.headers, "Idempotency-Key": "shared"}
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert _products(client, a)[0]["id"] != _products(client, b)[0]["id"]


def test_pagination_walks_every_object_once(client):
    chain = sign_up(client)
    for n in range(7):
        client.post(
            "/v1/stores", json={"code": f"S{n}", "name": f"Store {n}"}, headers=chain.headers
        )
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/stores", params=params, headers=chain.headers).json()
        seen += [s["code"] for s in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"S{n}" for n in range(7)]
    assert_problem(client.get("/v1/stores", params={"limit": 0}, headers=chain.headers), 422)
    foreign = client.get("/v1/stores", params={"cursor": "not+a/cursor"}, headers=chain.headers)
    assert assert_problem(foreign, 422)["errors"][0]["field"] == "cursor"


def test_audit_log_records_who_changed_what_without_secrets(client):
    chain = sign_up(client)
    product = client.post("/v1/products", json=PRODUCT, headers=chain.headers).json()
    client.patch(
        f"/v1/products/{product['id']}", json={"version": 1, "name": "Rye"}, headers=chain.headers
    )
    client.delete(f"/v1/products/{product['id']}", headers=chain.headers)
    key = client.post(
        "/v1/api-keys", json={"name": "POS", "scopes": ["catalog:read"]}, headers=chain.headers
    ).json()
    entries = client.get(
        "/v1/audit-log", params={"resource_id": product["id"]}, headers=chain.headers
    ).json()["data"]
    assert [e["action"] for e in entries] == [
        "product.created",
        "product.updated",
        "product.deleted",
    ]
    assert entries[1]["before"]["name"] == "Sourdough"
    assert entries[1]["after"]["name"] == "Rye"
    assert {e["actor_id"] for e in entries} == {str(chain.owner_id)}
    everything = msgspec.json.encode(
        client.get("/v1/audit-log", params={"limit": 200}, headers=chain.headers).json()
    )
    assert key["secret"].encode() not in everything
    assert b"password_hash" not in everything
    assert b"secret_hash" not in everything


def test_rate_limit_answers_429_with_retry_after_per_credential(settings):
    limited = msgspec.structs.replace(
        settings, rate_limit_per_minute=3, redis_prefix=f"{settings.redis_prefix}-limited"
    )
    with TestClient(create_app(limited), raise_server_exceptions=False) as client:
        chain = sign_up(client)
        other = api_key(client, chain, "catalog:read")
        answers = [client.get("/v1/stores", headers=chain.headers) for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[-1].headers["ratelimit-remaining"] == "0"
        blocked = client.get("/v1/stores", headers=chain.headers)
        assert_problem(blocked, 429)
        assert int(blocked.headers["retry-after"]) > 0
        assert "ratelimit-limit" in blocked.headers
        assert client.get("/v1/stores", headers=other).status_code == 200


def test_health_ready_and_metrics(client):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/ready").json() == {"status": "ready", "database": True, "redis": True}
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert (
        'litestar_request_duration_seconds_count{app_name="bodega",method="GET",path="/ready"'
        in metrics.text
    )
