"""Registering, finding and changing members, and their ids on other channels."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.api.errors import InvalidInput
from bodega.membership import get_member, member_ids_of, members_by_ids, require_member
from bodega.tenancy import scopes_of_role
from tests.conftest import Chain, api_key, assert_problem, sign_up
from tests.platform.catalog.helpers import create, walk
from tests.platform.membership.helpers import MEMBERS, call_service, member, read, state


def _events(client: TestClient[Any], chain: Chain, type_: str) -> list[dict[str, Any]]:
    return walk(client, "/v1/events", chain.headers, type=type_)


def test_registering_normalises_phone_email_and_tags(client, chain):
    shop = create(client, chain, "/v1/stores", code="M-1", name="Members store")
    made = member(
        client,
        chain,
        phone="138 0013 8000",
        email="Li.Wei@Example.COM",
        name="  Li Wei ",
        birthday="1990-05-31",
        tags=[" vip ", "vip", "baker"],
        home_store_id=shop["id"],
        joined_channel="miniprogram",
        external_ids=[{"channel": "wechat_openid", "external_id": "oLiWei01"}],
        consents=[{"purpose": "marketing", "granted": True, "text_version": "2026-01"}],
    )
    assert made["phone"] == "+8613800138000"  # read in the chain's country (Asia/Shanghai)
    assert made["email"] == "li.wei@example.com"
    assert made["name"] == "Li Wei"
    assert made["tags"] == ["vip", "baker"]
    assert made["status"] == "active"
    assert made["version"] == 1
    assert [(e["channel"], e["external_id"]) for e in made["external_ids"]] == [
        ("wechat_openid", "oLiWei01")
    ]
    assert made["consents"]["marketing"]["granted"] is True
    assert made["consents"]["biometric"] is None
    assert read(client, chain, made["id"]) == made
    (event,) = [
        e for e in _events(client, chain, "member.created") if e["data"]["id"] == made["id"]
    ]
    assert event["data"]["home_store_id"] == shop["id"]
    assert event["data"]["joined_channel"] == "miniprogram"
    audit = walk(client, "/v1/audit-log", chain.headers, resource_id=made["id"])
    assert {a["action"] for a in audit} == {"member.created", "member.consent_recorded"}
    for text in (str(event), str(audit)):
        for personal in ("8613800138000", "li.wei", "Li Wei", "oLiWei01", "1990-05-31", "baker"):
            assert personal not in text


def test_numbers_with_a_country_code_are_read_as_written(client, chain):
    made = member(client, chain, phone="+49 30 901820")
    assert made["phone"] == "+4930901820"


def test_a_chain_whose_country_is_unclear_needs_country_codes(client):
    euro = sign_up(client, "Euro Shop", currency="EUR", timezone="UTC")
    refused = client.post(MEMBERS, json={"phone": "030 901820"}, headers=euro.headers)
    body = assert_problem(refused, 422)
    assert body["errors"] == [{"field": "phone", "message": "give the country code (+86...)"}]
    assert member(client, euro, phone="+49 30 901820")["phone"] == "+4930901820"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["phone", "email"]),
        ({"name": "Only a name"}, ["phone", "email"]),
        ({"phone": "123"}, ["phone"]),
        ({"phone": "+999 12345678"}, ["phone"]),
        ({"email": "not-an-email"}, ["email"]),
        ({"phone": "abcdefg", "email": "a@b"}, ["phone", "email"]),
        ({"phone": "13800138001", "tags": ["  "]}, ["tags"]),
        ({"phone": "13800138001", "birthday": "1990-02-30"}, ["birthday"]),
        ({"phone": "13800138001", "joined_channel": "Till 1"}, ["joined_channel"]),
        ({"phone": "13800138001", "shoe_size": 42}, ["data"]),  # "unknown field `shoe_size`"
        (
            {
                "phone": "13800138001",
                "external_ids": [
                    {"channel": "meituan", "external_id": "1"},
                    {"channel": "meituan", "external_id": "2"},
                ],
            },
            ["external_ids"],
        ),
        (
            {
                "phone": "13800138001",
                "consents": [
                    {"purpose": "marketing", "granted": True, "text_version": "v1"},
                    {"purpose": "marketing", "granted": False, "text_version": "v1"},
                ],
            },
            ["consents"],
        ),
        (
            {
                "phone": "13800138001",
                "consents": [{"purpose": "spam", "granted": True, "text_version": "v1"}],
            },
            ["consents[0].purpose"],
        ),
        ({"phone": "13800138001", "home_store_id": str(uuid.uuid4())}, ["home_store_id"]),
    ],
)
def test_bad_registrations_name_each_field_and_write_nothing(client, chain, body, fields):
    before = state(client, chain)
    problem = assert_problem(client.post(MEMBERS, json=body, headers=chain.headers), 422)
    assert [e["field"] for e in problem["errors"]] == fields
    assert state(client, chain) == before


def test_nul_characters_are_refused_before_anything_runs(client, chain):
    for body in ({"email": "nul\u0000@example.com"}, {"phone": "13800138001", "name": "Li\u0000"}):
        assert_problem(client.post(MEMBERS, json=body, headers=chain.headers), 400)


def test_a_known_phone_email_or_external_id_answers_who_has_it(client, chain):
    """409 member-exists names the field and the member, however the phone or email is written."""
    first = member(
        client,
        chain,
        phone="13900139000",
        email="known@example.com",
        external_ids=[{"channel": "meituan", "external_id": "MT-1"}],
    )
    before = state(client, chain)
    for body, field in (
        ({"phone": "+86 139-0013-9000"}, "phone"),
        ({"email": "KNOWN@example.com"}, "email"),
        (
            {
                "email": "new@example.com",
                "external_ids": [{"channel": "meituan", "external_id": "MT-1"}],
            },
            "external_id",
        ),
    ):
        problem = assert_problem(
            client.post(MEMBERS, json=body, headers=chain.headers), 409, "member-exists"
        )
        assert problem["field"] == field
        assert problem["member_id"] == first["id"]
        assert problem["errors"] == [
            {"field": field, "message": f"already registered to member {first['id']}"}
        ]
    assert state(client, chain) == before


def test_an_unknown_member_is_not_found(client, chain):
    assert_problem(client.get(f"{MEMBERS}/{uuid.uuid4()}", headers=chain.headers), 404, "not-found")


def test_finding_members(client):
    shop = sign_up(client, "Search Shop")
    li = member(client, shop, phone="13700137001", name="Li Wei", tags=["vip"])
    lin = member(
        client,
        shop,
        phone="13700137002",
        name="Lin Fang",
        external_ids=[{"channel": "wechat_openid", "external_id": "oLin"}],
    )
    wang = member(client, shop, email="wang@example.com", name="Wang_Li", tags=["vip", "baker"])

    def found(**params: Any) -> list[str]:
        return [m["id"] for m in walk(client, MEMBERS, shop.headers, limit=1, **params)]

    assert found() == [li["id"], lin["id"], wang["id"]]
    assert found(phone="+86 137 0013 7001") == [li["id"]]
    assert found(phone="137-0013-7002") == [lin["id"]]
    assert found(q="li") == [li["id"], lin["id"]]
    assert found(q="LIN") == [lin["id"]]
    assert found(q="7002") == [lin["id"]]
    assert found(q="%") == []
    assert found(q="Wang_") == [wang["id"]]
    assert found(tag="vip") == [li["id"], wang["id"]]
    assert found(tag="baker", q="wang") == [wang["id"]]
    assert found(status="active") == [li["id"], lin["id"], wang["id"]]
    assert found(status="erased") == []
    assert found(channel="wechat_openid", external_id="oLin") == [lin["id"]]
    assert found(channel="meituan", external_id="oLin") == []
    for params, field in (
        ({"channel": "wechat_openid"}, "external_id"),
        ({"external_id": "oLin"}, "channel"),
        ({"phone": "not a phone"}, "phone"),
    ):
        problem = assert_problem(client.get(MEMBERS, params=params, headers=shop.headers), 422)
        assert [e["field"] for e in problem["errors"]] == [field]
    assert_problem(client.get(MEMBERS, params={"q": "a\u0000"}, headers=shop.headers), 400)


def test_changing_a_member(client, chain):
    made = member(client, chain, phone="13600136000", name="Zhao")
    taken = member(client, chain, phone="13600136001", email="taken@example.com")
    url = f"{MEMBERS}/{made['id']}"
    changed = client.patch(
        url,
        json={"version": 1, "name": "Zhao Min", "email": "Zhao@Example.com", "tags": ["vip"]},
        headers=chain.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["email"], body["tags"], body["version"]) == (
        "Zhao Min",
        "zhao@example.com",
        ["vip"],
        2,
    )
    without_phone = client.patch(url, json={"version": 2, "phone": None}, headers=chain.headers)
    assert without_phone.status_code == 200, without_phone.text
    assert without_phone.json()["phone"] is None
    before = state(client, chain)
    for patch, status, fields in (
        ({"version": 3, "email": None}, 422, ["phone", "email"]),
        ({"version": 3, "phone": "12"}, 422, ["phone"]),
        ({"version": 3, "email": "nope"}, 422, ["email"]),
        ({"version": 3, "tags": [""]}, 422, ["tags[0]"]),
        ({"version": 3, "home_store_id": str(uuid.uuid4())}, 422, ["home_store_id"]),
        ({"version": 3, "phone": "136 0013 6001"}, 409, ["phone"]),
        ({"version": 3, "email": "TAKEN@example.com"}, 409, ["email"]),
        ({"version": 1, "name": "Stale"}, 409, []),
    ):
        problem = assert_problem(client.patch(url, json=patch, headers=chain.headers), status)
        assert [e["field"] for e in problem.get("errors", [])] == fields
    assert state(client, chain) == before
    assert taken["id"] in str(before)
    updates = [e for e in _events(client, chain, "member.updated") if e["data"]["id"] == made["id"]]
    assert [e["data"]["changed"] for e in updates] == [["email", "name", "tags"], ["phone"]]
    assert "Zhao" not in str(updates)
    assert "zhao@" not in str(updates)


def test_linking_and_unlinking_external_ids(client, chain):
    made = member(client, chain, phone="13500135000")
    other = member(
        client, chain, phone="13500135001", external_ids=[{"channel": "eleme", "external_id": "E1"}]
    )
    url = f"{MEMBERS}/{made['id']}/external-ids"
    linked = client.post(
        url, json={"channel": "wechat_openid", "external_id": "oW1"}, headers=chain.headers
    )
    assert linked.status_code == 200, linked.text
    assert [e["channel"] for e in linked.json()["external_ids"]] == ["wechat_openid"]
    assert linked.json()["version"] == 2
    before = state(client, chain)
    again = client.post(
        url, json={"channel": "wechat_openid", "external_id": "oW2"}, headers=chain.headers
    )
    assert_problem(again, 409, "conflict")
    theirs = client.post(url, json={"channel": "eleme", "external_id": "E1"}, headers=chain.headers)
    assert assert_problem(theirs, 409, "member-exists")["member_id"] == other["id"]
    bad = client.post(url, json={"channel": "WeChat", "external_id": "x y"}, headers=chain.headers)
    assert sorted(e["field"] for e in assert_problem(bad, 422)["errors"]) in (
        ["channel"],
        ["channel", "external_id"],
    )
    assert state(client, chain) == before
    removed = client.delete(f"{url}/wechat_openid", headers=chain.headers)
    assert removed.status_code == 204, removed.text
    assert read(client, chain, made["id"])["external_ids"] == []
    assert_problem(client.delete(f"{url}/wechat_openid", headers=chain.headers), 404)
    found = walk(client, MEMBERS, chain.headers, channel="wechat_openid", external_id="oW1")
    assert found == []
    updates = [e for e in _events(client, chain, "member.updated") if e["data"]["id"] == made["id"]]
    assert [e["data"]["changed"] for e in updates] == [["external_ids"], ["external_ids"]]
    assert "oW1" not in str(updates)


def test_what_other_domains_call(client, chain):
    """require_member, get_member, members_by_ids and member_ids_of, as the chain."""
    made = member(client, chain, phone="13400134000")
    ident = uuid.UUID(made["id"])
    other = sign_up(client, "Elsewhere")
    theirs = uuid.UUID(member(client, other, phone="13400134000")["id"])
    found = call_service(client, chain, require_member, ident, field="member_id")
    assert found.id == ident
    assert call_service(client, chain, get_member, ident).phone == "+8613400134000"
    for unknown in (theirs, uuid.uuid4()):
        with pytest.raises(InvalidInput) as refused:
            call_service(client, chain, require_member, unknown, field="buyer_id")
        assert refused.value.errors == [{"field": "buyer_id", "message": "unknown member"}]
    by_ids = call_service(client, chain, members_by_ids, [ident, theirs, uuid.uuid4()])
    assert list(by_ids) == [ident]
    assert call_service(client, chain, member_ids_of, ident) == [ident]
    assert call_service(client, chain, member_ids_of, theirs) == []


def test_who_may_read_and_register_members(client, chain):
    assert {"members:read", "members:write"} <= scopes_of_role("staff")
    assert {"members:read", "members:write"} <= scopes_of_role("manager")
    assert "members:read" in scopes_of_role("auditor")
    assert "members:write" not in scopes_of_role("auditor")
    reader = api_key(client, chain, "members:read")
    assert client.get(MEMBERS, headers=reader).status_code == 200
    refused = client.post(MEMBERS, json={"phone": "13300133000"}, headers=reader)
    assert_problem(refused, 403, "forbidden")
    nobody = api_key(client, chain, "catalog:read")
    assert_problem(client.get(MEMBERS, headers=nobody), 403, "forbidden")


def test_staff_register_members_with_their_own_store_as_home(client, chain):
    mine = create(client, chain, "/v1/stores", code="M-STAFF", name="Staff store")
    elsewhere = create(client, chain, "/v1/stores", code="M-OTHER", name="Other store")
    invited = client.post(
        "/v1/invitations",
        json={"email": "till-members@example.com", "role": "staff", "store_ids": [mine["id"]]},
        headers=chain.headers,
    )
    assert invited.status_code == 201, invited.text
    accepted = client.post(
        "/v1/invitations/accept",
        json={
            "token": invited.json()["token"],
            "name": "Till",
            "password": "correct horse battery",
        },
    )
    assert accepted.status_code == 201, accepted.text
    staff = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    made = client.post(
        MEMBERS, json={"phone": "13300133001", "home_store_id": mine["id"]}, headers=staff
    )
    assert made.status_code == 201, made.text
    refused = client.post(
        MEMBERS, json={"phone": "13300133002", "home_store_id": elsewhere["id"]}, headers=staff
    )
    assert_problem(refused, 403, "forbidden")
    assert walk(client, MEMBERS, chain.headers, phone="13300133002") == []
