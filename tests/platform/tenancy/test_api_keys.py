"""API keys: scoped, shown once, usable as Bearer, revocable, with a last-used time."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import assert_problem
from tests.platform.catalog.helpers import snapshot


def create_key(client, headers, *scopes, name="integration"):
    response = client.post(
        "/v1/api-keys", json={"name": name, "scopes": list(scopes)}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_secret_is_shown_once_and_never_listed_or_audited(client, chain):
    """The create answer holds the secret; list, get and the audit log (even of the revocation,
    which records the stored row) show neither it nor its hash."""
    created = create_key(client, chain.headers, "catalog:read", "catalog:read", name="POS")
    secret, key = created["secret"], created["api_key"]
    assert secret.startswith("bdg_sk_")
    assert len(secret) > 32
    assert key["prefix"] == secret[: len(key["prefix"])]
    assert len(key["prefix"]) < len(secret) // 2
    assert key["scopes"] == ["catalog:read"]
    assert key["last_used_at"] is None
    assert key["revoked_at"] is None
    listed = client.get("/v1/api-keys", headers=chain.headers)
    one = client.get(f"/v1/api-keys/{key['id']}", headers=chain.headers)
    assert client.delete(f"/v1/api-keys/{key['id']}", headers=chain.headers).status_code == 204
    log = client.get("/v1/audit-log", params={"resource_id": key["id"]}, headers=chain.headers)
    assert [e["action"] for e in log.json()["data"]] == ["api_key.created", "api_key.revoked"]
    for response in (listed, one, log):
        assert response.status_code == 200
        assert secret not in response.text
        assert hashlib.sha256(secret.encode()).hexdigest() not in response.text
        assert "secret" not in response.text
    assert key["id"] in {k["id"] for k in listed.json()["data"]}


def test_key_works_as_bearer_within_its_scopes(client, chain):
    """A catalog:read key reads products (200), cannot create them or read the audit log."""
    secret = create_key(client, chain.headers, "catalog:read")["secret"]
    me = client.get("/v1/me", headers=bearer(secret)).json()
    assert me["kind"] == "api_key"
    assert me["scopes"] == ["catalog:read"]
    assert me["tenant"]["id"] == str(chain.tenant_id)
    assert client.get("/v1/products", headers=bearer(secret)).status_code == 200
    before = snapshot(client, chain)
    assert_problem(
        client.post(
            "/v1/products",
            json={"sku": "K-1", "name": "x", "list_price": 1},
            headers=bearer(secret),
        ),
        403,
        "forbidden",
    )
    assert_problem(client.get("/v1/audit-log", headers=bearer(secret)), 403)
    assert snapshot(client, chain) == before
    writer = create_key(client, chain.headers, "catalog:read", "catalog:write")["secret"]
    made = client.post(
        "/v1/products",
        json={"sku": "K-1", "name": "By key", "list_price": 1},
        headers=bearer(writer),
    )
    assert made.status_code == 201, made.text


@pytest.mark.parametrize("scopes", [["catalog:read", "catalog:delete"], [], ["CATALOG:READ"]])
def test_unknown_or_no_scopes_are_refused_and_create_no_key(client, chain, scopes):
    """Unknown scopes (exact names) or none: a 400/422 problem naming scopes; no key appears."""
    before = client.get("/v1/api-keys", headers=chain.headers).json()
    response = client.post(
        "/v1/api-keys", json={"name": "bad", "scopes": scopes}, headers=chain.headers
    )
    assert response.status_code in (400, 422)
    problem = assert_problem(response, response.status_code)
    assert {e["field"].split("[")[0] for e in problem["errors"]} == {"scopes"}
    assert client.get("/v1/api-keys", headers=chain.headers).json() == before


def test_a_key_cannot_mint_a_key_with_more_scopes(client, chain):
    """A key managing keys may create keys within its own scopes only (403 beyond them)."""
    manager = create_key(client, chain.headers, "api_keys:manage", "catalog:read")["secret"]
    assert create_key(client, bearer(manager), "catalog:read")["api_key"]["scopes"] == [
        "catalog:read"
    ]
    response = client.post(
        "/v1/api-keys",
        json={"name": "escalate", "scopes": ["catalog:write"]},
        headers=bearer(manager),
    )
    assert_problem(response, 403, "forbidden")


def test_revoked_key_is_refused(client, chain):
    """After DELETE the key answers 401 and the list shows when it was revoked."""
    created = create_key(client, chain.headers, "catalog:read")
    assert client.get("/v1/products", headers=bearer(created["secret"])).status_code == 200
    assert (
        client.delete(f"/v1/api-keys/{created['api_key']['id']}", headers=chain.headers).status_code
        == 204
    )
    assert_problem(
        client.get("/v1/products", headers=bearer(created["secret"])), 401, "unauthorized"
    )
    assert (
        client.get(f"/v1/api-keys/{created['api_key']['id']}", headers=chain.headers).json()[
            "revoked_at"
        ]
        is not None
    )


def test_last_used_at_is_set_when_the_key_is_used(client, chain):
    """last_used_at stays empty until the first authenticated call, then records it."""
    created = create_key(client, chain.headers, "catalog:read")
    path = f"/v1/api-keys/{created['api_key']['id']}"
    assert client.get(path, headers=chain.headers).json()["last_used_at"] is None
    assert client.get("/v1/stores", headers=bearer(created["secret"])).status_code == 200
    used = client.get(path, headers=chain.headers).json()["last_used_at"]
    assert used is not None
    assert used >= created["api_key"]["created_at"]
