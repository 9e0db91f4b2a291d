"""A member's export and erasure: everything held on them, then nothing personal left."""

from __future__ import annotations

import asyncio
import types
import uuid
from typing import Any

import asyncpg
import pytest

from bodega.api.errors import InvalidInput
from bodega.membership import privacy, require_member
from tests.conftest import as_owner, assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.membership.helpers import MEMBERS, call_service, member, read, state

PERSONAL = {
    "email": "Erase.Me@Example.com",
    "name": "Qian Duoduo",
    "birthday": "1966-06-06",
    "tags": ["tag-of-the-erased"],
}


def _pair(client, chain, suffix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A member with a duplicate merged into it, both with personal data and consents."""
    stays = member(
        client,
        chain,
        phone=f"1391111{suffix}",
        name=f"Qian {suffix}",
        tags=[f"vegan-{suffix}"],
        external_ids=[{"channel": "wechat_openid", "external_id": f"oQian{suffix}"}],
        consents=[{"purpose": "marketing", "granted": True, "text_version": "v1"}],
    )
    dup = member(
        client,
        chain,
        email=f"qian{suffix}@example.com",
        birthday=f"19{suffix[-2:]}-07-07",
        external_ids=[{"channel": "wechat_openid", "external_id": f"oDup{suffix}"}],
        consents=[{"purpose": "biometric", "granted": True, "text_version": "face1"}],
    )
    merged = client.post(
        f"{MEMBERS}/{stays['id']}/merge",
        json={"duplicate_id": dup["id"], "version": 1},
        headers=chain.headers,
    )
    assert merged.status_code == 200, merged.text
    return merged.json(), read(client, chain, dup["id"])


def test_an_export_holds_everything_and_what_other_parts_add(client, chain, monkeypatch):
    stays, dup = _pair(client, chain, "0001")
    asked: list[list[str]] = []

    async def member_export(actor: Any, member_ids: list[uuid.UUID]) -> dict[str, Any]:
        asked.append([str(i) for i in member_ids])
        return {"balance": 120}

    fake = types.ModuleType("bodega.points")
    fake.member_export = member_export  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "bodega.points", fake)
    monkeypatch.setattr(privacy, "EXPORT_SECTIONS", ("points", "not_installed_here"))
    exported = client.get(f"{MEMBERS}/{stays['id']}/export", headers=chain.headers)
    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["member"] == read(client, chain, stays["id"])
    assert body["merged_members"] == [dup]
    assert [(c["member_id"], c["purpose"]) for c in body["consents"]] == [
        (stays["id"], "marketing"),
        (dup["id"], "biometric"),
        (stays["id"], "biometric"),
    ]
    assert body["sections"] == {"points": {"balance": 120}}
    assert asked == [[stays["id"], dup["id"]]]
    audit = walk(client, "/v1/audit-log", chain.headers, resource_id=stays["id"])
    assert audit[-1]["action"] == "member.exported"
    assert_problem(client.get(f"{MEMBERS}/{uuid.uuid4()}/export", headers=chain.headers), 404)
    reader = client.post(
        "/v1/api-keys", json={"name": "r", "scopes": ["members:read"]}, headers=chain.headers
    ).json()["secret"]
    refused = client.get(
        f"{MEMBERS}/{stays['id']}/export", headers={"Authorization": f"Bearer {reader}"}
    )
    assert_problem(refused, 403)


def _traces(settings: Any, needles: list[str]) -> dict[str, list[str]]:
    """As the database owner: which of ``needles`` appear anywhere in the tables that could
    hold a member's data, whatever the chain."""
    tables = ("members", "member_external_ids", "member_consents", "events", "audit_log")

    async def main() -> dict[str, list[str]]:
        connection = await asyncpg.connect(settings.database_url)
        try:
            found: dict[str, list[str]] = {}
            for table in tables:
                for needle in needles:
                    hits = await connection.fetchval(
                        f"SELECT count(*) FROM {table} t"  # noqa: S608
                        " WHERE lower(to_jsonb(t)::text) LIKE '%' || lower($1) || '%'",
                        needle,
                    )
                    if hits:
                        found.setdefault(table, []).append(needle)
            return found
        finally:
            await connection.close()

    return asyncio.run(main())


def test_erasure_leaves_no_personal_data_anywhere(client, settings):
    shop = sign_up(client, "Erasure Shop")
    stays, dup = _pair(client, shop, "0002")
    shop_store = client.post(
        "/v1/stores", json={"code": "E-1", "name": "Erasure store"}, headers=shop.headers
    ).json()
    changed = client.patch(
        f"{MEMBERS}/{stays['id']}",
        json={
            "version": stays["version"],
            "home_store_id": shop_store["id"],
            **PERSONAL,
        },
        headers=shop.headers,
    )
    assert changed.status_code == 200, changed.text
    needles = [
        "13911110002",
        "erase.me@example.com",
        "qian0002@example.com",
        "Qian 0002",
        "Qian Duoduo",
        "oQian0002",
        "oDup0002",
        "1902-07-07",
        "vegan-0002",
        "1966-06-06",
        "tag-of-the-erased",
    ]
    assert set(_traces(settings, needles)) == {"members", "member_external_ids"}
    erased = client.post(
        f"{MEMBERS}/{stays['id']}/erase",
        json={"version": changed.json()["version"]},
        headers=shop.headers,
    )
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["status"] == "erased"
    assert body["erased_at"]
    assert (body["phone"], body["email"], body["name"], body["birthday"], body["tags"]) == (
        None,
        None,
        "",
        None,
        [],
    )
    assert body["external_ids"] == []
    assert body["home_store_id"] == shop_store["id"]  # not personal: the store's figures stay
    assert read(client, shop, dup["id"])["status"] == "erased"
    assert _traces(settings, needles) == {}
    events = walk(client, "/v1/events", shop.headers, type="member.erased")
    assert {e["data"]["id"] for e in events} == {stays["id"], dup["id"]}
    # the erased member is no one's any more: orders and points cannot name it ...
    with pytest.raises(InvalidInput) as refused:
        call_service(client, shop, require_member, uuid.UUID(dup["id"]), field="member_id")
    assert refused.value.errors == [{"field": "member_id", "message": "erased member"}]
    # ... its phone is free for a new registration, and asking again answers the same
    again = member(client, shop, phone="13911110002")
    assert again["id"] != stays["id"]
    retried = client.post(
        f"{MEMBERS}/{stays['id']}/erase", json={"version": 1}, headers=shop.headers
    )
    assert retried.status_code == 200
    assert retried.json() == read(client, shop, stays["id"])
    before = state(client, shop)
    for method, path, change in (
        ("PATCH", "", {"version": body["version"], "name": "Back"}),
        ("POST", "/consents", {"purpose": "marketing", "granted": True, "text_version": "v1"}),
        ("POST", "/external-ids", {"channel": "meituan", "external_id": "M"}),
        ("POST", "/merge", {"duplicate_id": again["id"], "version": body["version"]}),
    ):
        refused = client.request(
            method, f"{MEMBERS}/{stays['id']}{path}", json=change, headers=shop.headers
        )
        assert_problem(refused, 409)
    assert state(client, shop) == before


def test_a_merged_member_is_erased_through_the_member_it_was_merged_into(client, chain):
    stays, dup = _pair(client, chain, "0003")
    before = state(client, chain)
    refused = client.post(
        f"{MEMBERS}/{dup['id']}/erase", json={"version": 2}, headers=chain.headers
    )
    assert assert_problem(refused, 409)["merged_into"] == stays["id"]
    stale = client.post(
        f"{MEMBERS}/{stays['id']}/erase", json={"version": 1}, headers=chain.headers
    )
    assert_problem(stale, 409, "version-conflict")
    missing = client.post(
        f"{MEMBERS}/{uuid.uuid4()}/erase", json={"version": 1}, headers=chain.headers
    )
    assert_problem(missing, 404, "not-found")
    assert state(client, chain) == before


def _answers(settings: Any, chain: Any) -> dict[str, str]:
    """The chain's stored answers of ``Idempotency-Key`` requests, by key."""
    rows = as_owner(
        settings,
        "SELECT key, body FROM idempotency_keys WHERE tenant_id = $1 AND body IS NOT NULL",
        chain.tenant_id,
    )
    return {r["key"]: bytes(r["body"]).decode() for r in rows}


LINK = """mutation ($id: UUID!, $input: MemberExternalIdInput!) {
  addMemberExternalId(id: $id, input: $input) { phone }
}"""


def test_erasure_forgets_stored_answers_and_adjustment_reasons(client, settings):
    shop = sign_up(client, "Forgetful Shop")

    def post(path: str, body: dict[str, Any], key: str) -> Any:
        return client.post(path, json=body, headers={**shop.headers, "Idempotency-Key": key})

    registrations = {
        "a": {"phone": "13922220004", "email": "wang.si@example.com", "name": "Wang Si"},
        "b": {"phone": "13922220005", "email": "li.wu@example.com", "name": "Li Wu"},
    }
    made = {}
    for who, registration in registrations.items():
        created = post(MEMBERS, registration, f"register-{who}")
        assert created.status_code == 201, created.text
        made[who] = created.json()
        adjusted = post(
            f"{MEMBERS}/{made[who]['id']}/points/adjustments",
            {"points": 50, "reason": f"{registration['name']}'s birthday gift"},
            f"adjust-{who}",
        )
        assert adjusted.status_code == 201, adjusted.text
    a, b = made["a"], made["b"]
    linked = client.post(
        "/graphql",
        json={
            "query": LINK,
            "variables": {"id": a["id"], "input": {"channel": "meituan", "externalId": "mWang"}},
        },
        headers={**shop.headers, "Idempotency-Key": "link-a"},
    )
    assert linked.json() == {"data": {"addMemberExternalId": {"phone": a["phone"]}}}
    a_texts = (a["id"], a["phone"], a["email"])
    assert a_texts[1:] == ("+8613922220004", "wang.si@example.com")
    before = _answers(settings, shop)
    assert {k for k, body in before.items() if any(t in body for t in a_texts)} == {
        "register-a",
        "adjust-a",
        "link-a",
    }

    erased = post(f"{MEMBERS}/{a['id']}/erase", {"version": 2}, "erase-a")
    assert erased.status_code == 200, erased.text
    after = _answers(settings, shop)
    # A's answers are gone; the erasure's own (only its id: nothing personal) and B's stay
    assert set(after) == set(before) - {"register-a", "adjust-a", "link-a"} | {"erase-a"}
    assert [k for k, body in after.items() if any(t in body for t in a_texts[1:])] == []
    assert [k for k, body in after.items() if a["id"] in body] == ["erase-a"]
    assert {k: after[k] for k in ("register-b", "adjust-b")} == {
        k: before[k] for k in ("register-b", "adjust-b")
    }
    reasons = as_owner(
        settings,
        "SELECT member_id::text AS member, reason FROM points_entries WHERE tenant_id = $1",
        shop.tenant_id,
    )
    assert sorted((r["member"], r["reason"]) for r in reasons) == sorted(
        [(a["id"], ""), (b["id"], "Li Wu's birthday gift")]
    )

    # retried, A's requests run again instead of replaying A's data: the registration
    # registers a new member (the phone and email are free), the adjustment is refused
    again = post(MEMBERS, registrations["a"], "register-a")
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] not in (a["id"], b["id"])
    refused = post(
        f"{MEMBERS}/{a['id']}/points/adjustments",
        {"points": 50, "reason": "Wang Si's birthday gift"},
        "adjust-a",
    )
    assert assert_problem(refused, 422)["errors"] == [
        {"field": "member_id", "message": "erased member"}
    ]
    # B's and the erasure's answers still replay
    for path, body, key, answer in (
        (MEMBERS, registrations["b"], "register-b", b),
        (f"{MEMBERS}/{a['id']}/erase", {"version": 2}, "erase-a", erased.json()),
    ):
        replayed = post(path, body, key)
        assert replayed.headers["idempotent-replayed"] == "true"
        assert replayed.json() == answer
