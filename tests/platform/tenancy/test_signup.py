from __future__ import annotations

from tests.conftest import assert_problem, sign_up


def test_signup_returns_a_working_token_for_the_owner(client):
    chain = sign_up(client, "Corner Bakery")
    me = client.get("/v1/me", headers=chain.headers)
    assert me.status_code == 200
    body = me.json()
    assert body["kind"] == "user"
    assert body["user"]["role"] == "owner"
    assert body["tenant"]["name"] == "Corner Bakery"
    assert "catalog:write" in body["scopes"]


def test_signup_rejects_unknown_currency_and_writes_nothing(client):
    response = client.post(
        "/v1/signup",
        json={
            "chain_name": "Bad",
            "owner_email": "bad@example.com",
            "password": "long enough",
            "currency": "XYZ",
            "timezone": "Asia/Shanghai",
        },
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "currency"
    login = client.post(
        "/v1/auth/login", json={"email": "bad@example.com", "password": "long enough"}
    )
    assert_problem(login, 401)
