"""Logging in and out: access tokens, wrong credentials, revoked sessions."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import Chain, assert_problem, sign_up

PASSWORD = "correct horse battery"  # noqa: S105 (what sign_up uses)


def owner_email(client, chain):
    return client.get("/v1/me", headers=chain.headers).json()["user"]["email"]


def login(client, email, password=PASSWORD, **extra):
    return client.post("/v1/auth/login", json={"email": email, "password": password, **extra})


def test_login_with_the_right_password_returns_a_working_token(client, chain):
    """Login (email in any case) answers a new bearer token that /v1/me accepts."""
    email = owner_email(client, chain)
    response = login(client, email.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"  # noqa: S105
    assert body["access_token"] != chain.token
    assert body["user"]["email"] == email
    assert body["tenant"]["id"] == str(chain.tenant_id)
    assert "password_hash" not in body["user"]
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["user"]["id"] == str(chain.owner_id)


@pytest.mark.parametrize("case", ["wrong password", "unknown email"])
def test_wrong_credentials_are_a_401_problem_that_reveals_nothing(client, chain, case):
    """A wrong password and an unknown email give the same 401 problem."""
    email = (
        owner_email(client, chain)
        if case == "wrong password"
        else f"nobody-{uuid.uuid4().hex[:6]}@example.com"
    )
    problem = assert_problem(login(client, email, "wrong password!"), 401, "unauthorized")
    assert "access_token" not in problem
    assert problem["detail"] == "The email or password is wrong."


def test_logout_revokes_only_the_token_used(client, chain):
    """After logout the token is refused (401); another session of the same user keeps working."""
    email = owner_email(client, chain)
    first = login(client, email).json()["access_token"]
    second = login(client, email).json()["access_token"]
    assert (
        client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {first}"}).status_code
        == 204
    )
    assert_problem(
        client.get("/v1/me", headers={"Authorization": f"Bearer {first}"}), 401, "unauthorized"
    )
    assert_problem(client.get("/v1/products", headers={"Authorization": f"Bearer {first}"}), 401)
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


@pytest.mark.parametrize(
    "authorization", [None, "Bearer ", "Basic b3duZXI6cGFzcw==", "Bearer bdg_at_not-a-real-token"]
)
def test_missing_or_bad_credentials_are_401_problems(client, authorization):
    """No header, an empty or foreign scheme, or an unknown token: 401 problem+json, never data."""
    headers = {"Authorization": authorization} if authorization is not None else {}
    assert_problem(client.get("/v1/products", headers=headers), 401, "unauthorized")


def test_same_email_and_password_in_two_chains_needs_the_tenant_id(client):
    """One email and password in two chains must name the chain: 409, then 200 with tenant_id."""
    email = f"twice-{uuid.uuid4().hex[:6]}@example.com"
    first: Chain = sign_up(client, owner_email=email)
    second: Chain = sign_up(client, owner_email=email)
    assert_problem(login(client, email), 409)
    chosen = login(client, email, tenant_id=str(second.tenant_id))
    assert chosen.status_code == 200
    assert chosen.json()["tenant"]["id"] == str(second.tenant_id)
    assert login(client, email, tenant_id=str(first.tenant_id)).json()["tenant"]["id"] == str(
        first.tenant_id
    )
    assert_problem(login(client, email, tenant_id=str(uuid.uuid4())), 401)
