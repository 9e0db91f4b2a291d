"""Invitations and roles: managers change their stores only, auditors read, owners remain."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import create, snapshot

PASSWORD = "another long password"  # noqa: S105


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def invite(client, headers, role, store_ids=(), email=None):
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    response = client.post(
        "/v1/invitations",
        json={"email": email, "role": role, "store_ids": [str(s) for s in store_ids]},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def accept(client, token, password=PASSWORD):
    response = client.post(
        "/v1/invitations/accept", json={"token": token, "password": password, "name": "Invitee"}
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def stores(client, chain):
    return [
        create(client, chain, "/v1/stores", code=f"ST-{n}", name=f"Store {n}") for n in range(2)
    ]


@pytest.fixture(scope="module")
def manager(client, chain, stores):
    """A manager of the first store only, who joined through an invitation."""
    created = invite(client, chain.headers, "manager", [stores[0]["id"]])
    assert created["invitation"]["store_ids"] == [stores[0]["id"]]
    assert created["token"].startswith("bdg_inv_")
    session = accept(client, created["token"])
    assert session["user"]["role"] == "manager"
    assert session["user"]["store_ids"] == [stores[0]["id"]]
    return session


def test_invitation_tokens_are_shown_once(client, chain, manager):
    """Listing invitations shows who was invited and when it was accepted, never the token."""
    listed = client.get("/v1/invitations", headers=chain.headers)
    assert listed.status_code == 200
    (entry,) = [i for i in listed.json()["data"] if i["email"] == manager["user"]["email"]]
    assert entry["accepted_at"] is not None
    assert "token" not in entry
    assert "token_hash" not in entry
    assert "bdg_inv_" not in listed.text


def test_manager_changes_only_their_own_stores(client, chain, stores, manager):
    """A manager may PATCH the store they manage; another store is a 403 that changes nothing."""
    headers = bearer(manager["access_token"])
    own, other = stores
    changed = client.patch(
        f"/v1/stores/{own['id']}",
        json={"version": 1, "name": "Renamed by manager"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Renamed by manager"
    before = snapshot(client, chain)
    assert_problem(
        client.patch(
            f"/v1/stores/{other['id']}", json={"version": 1, "name": "Hijacked"}, headers=headers
        ),
        403,
        "forbidden",
    )
    assert_problem(client.delete(f"/v1/stores/{own['id']}", headers=headers), 403)
    assert snapshot(client, chain) == before


def test_manager_reads_the_catalog_but_cannot_change_products_or_users(
    client, chain, stores, manager
):
    """Managers hold catalog:read and stores:write only: other writes are 403."""
    headers = bearer(manager["access_token"])
    assert client.get("/v1/products", headers=headers).status_code == 200
    before = snapshot(client, chain)
    assert_problem(
        client.post(
            "/v1/products", json={"sku": "MGR-1", "name": "No", "list_price": 1}, headers=headers
        ),
        403,
        "forbidden",
    )
    assert_problem(client.post("/v1/categories", json={"name": "No"}, headers=headers), 403)
    assert_problem(
        client.post(
            "/v1/invitations", json={"email": "x@example.com", "role": "staff"}, headers=headers
        ),
        403,
    )
    assert_problem(
        client.post(
            "/v1/api-keys", json={"name": "k", "scopes": ["catalog:read"]}, headers=headers
        ),
        403,
    )
    assert_problem(client.get("/v1/audit-log", headers=headers), 403)
    assert snapshot(client, chain) == before


def test_auditor_reads_the_audit_log_but_writes_nothing(client, chain, stores):
    """An auditor sees the audit log and the catalog; every write is a 403."""
    session = accept(client, invite(client, chain.headers, "auditor")["token"])
    headers = bearer(session["access_token"])
    log = client.get("/v1/audit-log", headers=headers)
    assert log.status_code == 200
    assert "user.created" in {e["action"] for e in log.json()["data"]}
    assert client.get("/v1/stores", headers=headers).status_code == 200
    before = snapshot(client, chain)
    assert_problem(
        client.post(
            "/v1/products", json={"sku": "AUD-1", "name": "No", "list_price": 1}, headers=headers
        ),
        403,
    )
    assert_problem(
        client.patch(
            f"/v1/stores/{stores[1]['id']}", json={"version": 1, "name": "No"}, headers=headers
        ),
        403,
    )
    assert_problem(
        client.patch(
            f"/v1/users/{chain.owner_id}", json={"version": 1, "name": "No"}, headers=headers
        ),
        403,
    )
    assert snapshot(client, chain) == before


def test_inviting_an_existing_user_is_a_409(client, chain, manager):
    """Inviting the email of an existing user (any case) is a 409 and creates no invitation."""
    before = client.get("/v1/invitations", headers=chain.headers).json()
    for email in (manager["user"]["email"], manager["user"]["email"].upper()):
        response = client.post(
            "/v1/invitations", json={"email": email, "role": "staff"}, headers=chain.headers
        )
        assert_problem(response, 409, "conflict")
    assert client.get("/v1/invitations", headers=chain.headers).json() == before


def test_revoked_or_used_invitations_cannot_be_accepted(client, chain):
    """Accepting a revoked invitation, or one already accepted, is a 404 and creates no user."""
    revoked = invite(client, chain.headers, "staff")
    assert (
        client.delete(
            f"/v1/invitations/{revoked['invitation']['id']}", headers=chain.headers
        ).status_code
        == 204
    )
    users_before = client.get("/v1/users", headers=chain.headers).json()
    body = {"token": revoked["token"], "password": PASSWORD}
    assert_problem(client.post("/v1/invitations/accept", json=body), 404, "not-found")
    assert client.get("/v1/users", headers=chain.headers).json() == users_before
    used = invite(client, chain.headers, "staff")
    accept(client, used["token"])
    assert_problem(
        client.post("/v1/invitations/accept", json={"token": used["token"], "password": PASSWORD}),
        404,
    )
    assert_problem(
        client.post(
            "/v1/invitations/accept", json={"token": "bdg_inv_made-up", "password": PASSWORD}
        ),
        404,
    )


@pytest.mark.parametrize(
    ("role", "stores_of", "field"),
    [
        ("manager", "none", "store_ids"),
        ("manager", "unknown", "store_ids"),
        ("auditor", "own", "store_ids"),
        ("janitor", "none", "role"),
    ],
)
def test_role_and_store_rules_for_invitations(client, chain, stores, role, stores_of, field):
    """Managers need a real store of the chain, other roles none; unknown roles are refused."""
    store_ids = {"none": [], "unknown": [str(uuid.uuid4())], "own": [stores[0]["id"]]}[stores_of]
    before = snapshot(client, chain)
    response = client.post(
        "/v1/invitations",
        json={"email": "rules@example.com", "role": role, "store_ids": store_ids},
        headers=chain.headers,
    )
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]][:1] == [field]
    assert snapshot(client, chain) == before


def test_the_last_active_owner_cannot_be_demoted_or_disabled(client):
    """Demoting or disabling the only owner is a 409; with a second owner the first may go."""
    chain = sign_up(client)
    path = f"/v1/users/{chain.owner_id}"
    for change in ({"role": "auditor"}, {"status": "disabled"}):
        assert_problem(
            client.patch(path, json={"version": 1, **change}, headers=chain.headers),
            409,
            "conflict",
        )
    assert client.get(path, headers=chain.headers).json()["version"] == 1
    second = accept(client, invite(client, chain.headers, "owner")["token"])
    demoted = client.patch(
        path, json={"version": 1, "role": "auditor"}, headers=bearer(second["access_token"])
    )
    assert demoted.status_code == 200
    assert demoted.json()["role"] == "auditor"
    second_path = f"/v1/users/{second['user']['id']}"
    assert_problem(
        client.patch(
            second_path,
            json={"version": 1, "status": "disabled"},
            headers=bearer(second["access_token"]),
        ),
        409,
    )
    assert_problem(
        client.post(
            "/v1/products", json={"sku": "X", "name": "x", "list_price": 1}, headers=chain.headers
        ),
        403,
    )


def test_disabling_a_user_revokes_their_sessions_and_blocks_login(client, chain, stores):
    """A disabled user's tokens stop working and login fails; re-enabled, they log in again."""
    invited = invite(client, chain.headers, "staff")
    session = accept(client, invited["token"])
    headers, email = bearer(session["access_token"]), session["user"]["email"]
    assert client.get("/v1/products", headers=headers).status_code == 200
    path = f"/v1/users/{session['user']['id']}"
    disabled = client.patch(path, json={"version": 1, "status": "disabled"}, headers=chain.headers)
    assert disabled.status_code == 200
    assert disabled.json()["status"] == "disabled"
    assert_problem(client.get("/v1/products", headers=headers), 401)
    assert_problem(client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}), 401)
    assert (
        client.patch(
            path, json={"version": 2, "status": "active"}, headers=chain.headers
        ).status_code
        == 200
    )
    assert_problem(
        client.get("/v1/products", headers=headers), 401
    )  # the old session stays revoked
    assert (
        client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 200
    )
