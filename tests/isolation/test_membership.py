"""Cross-tenant isolation of membership: chain B (an owner with every scope) never reads,
changes or learns of chain A's members, their external ids, consents, exports or erasure,
through REST, GraphQL, the import or the services other domains call.

Naming A's member answers exactly as naming one that never existed; A's phone, email and
external ids are free in B (a 409 would tell B they exist in another chain); A's members stay
as they were."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.api.errors import InvalidInput, NotFound
from bodega.db import engine as db
from bodega.membership import (
    get_member,
    has_consent,
    member_ids_of,
    members_by_ids,
    require_member,
)
from tests.conftest import assert_problem, graphql
from tests.isolation.conftest import MARK, World, a_view, new_uuid, without_id
from tests.platform.catalog.helpers import walk

MEMBERS = "/v1/members"


def _a_state(client: TestClient[Any], world: World) -> dict[str, Any]:
    a, ids = world.a.headers, world.a.ids
    return {key: a_view(client, world, key, ids[key]) for key in ("member", "member_duplicate")} | {
        "consents": walk(client, f"{MEMBERS}/{ids['member']}/consents", a),
        "members": walk(client, MEMBERS, a),
        "events": [e for e in walk(client, "/v1/events", a) if e["type"].startswith("member.")],
    }


def _like_missing(theirs: Any, ident: str, missing: Any, missing_id: str) -> None:
    assert without_id(theirs, ident) == without_id(missing, missing_id)


@pytest.mark.parametrize("path", ["{}", "{}/consents", "{}/export"])
def test_reading_another_chains_member_is_like_reading_nothing(
    client: TestClient[Any], world: World, path: str
) -> None:
    url = f"{MEMBERS}/{path}"
    a_id, missing, b = world.a.ids["member"], new_uuid(), world.b.headers
    theirs = client.get(url.format(a_id), headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.get(url.format(missing), headers=b), missing)
    assert client.get(url.format(world.b.ids["member"]), headers=b).status_code == 200


def test_lists_never_show_another_chains_members(client: TestClient[Any], world: World) -> None:
    """B's pages hold B's members only; searches by A's phone, name, tag or WeChat id match
    nothing."""
    b = world.b.headers
    page = client.get(MEMBERS, params={"limit": 200}, headers=b)
    assert world.b.ids["member"] in page.text
    assert [s for s in world.a_secrets() if s in page.text] == []
    for params in (
        {"phone": world.a.values["member_phone"]},
        {"q": f"Member {MARK}"},
        {"q": world.a.values["member_phone"][-4:], "tag": MARK},
        {"tag": MARK},
        {"channel": "wechat_openid", "external_id": world.a.values["member_openid"]},
    ):
        found = client.get(MEMBERS, params=params, headers=b)
        assert found.status_code == 200, found.text
        assert found.json()["data"] == [], params


def test_changing_another_chains_member_is_like_changing_nothing(
    client: TestClient[Any], world: World
) -> None:
    """Update, link, unlink, record consent, merge (into A's, or A's into B's) and erase:
    404 like a missing id, or 422 on ``duplicate_id`` like a missing one; A unchanged."""
    before = _a_state(client, world)
    a, b, own = world.a.ids, world.b.headers, world.b.ids
    version = before["member"]["version"]
    calls = [
        ("PATCH", "{}", {"version": version, "name": "Taken over"}),
        ("POST", "{}/external-ids", {"channel": "meituan", "external_id": "stolen"}),
        ("DELETE", "{}/external-ids/wechat_openid", None),
        ("POST", "{}/consents", {"purpose": "marketing", "granted": False, "text_version": "x"}),
        ("POST", "{}/merge", {"duplicate_id": own["member_duplicate"], "version": version}),
        ("POST", "{}/merge", {"duplicate_id": a["member_duplicate"], "version": version}),
        ("POST", "{}/erase", {"version": version}),
    ]
    for method, path, body in calls:
        missing = new_uuid()
        url = f"{MEMBERS}/{path}"
        theirs = client.request(method, url.format(a["member"]), json=body, headers=b)
        assert_problem(theirs, 404, "not-found")
        again = client.request(method, url.format(missing), json=body, headers=b)
        _like_missing(theirs, a["member"], again, missing)
    b_version = client.get(f"{MEMBERS}/{own['member']}", headers=b).json()["version"]
    missing = new_uuid()
    theirs = client.post(
        f"{MEMBERS}/{own['member']}/merge",
        json={"duplicate_id": a["member_duplicate"], "version": b_version},
        headers=b,
    )
    assert assert_problem(theirs, 422)["errors"] == [
        {"field": "duplicate_id", "message": "unknown member"}
    ]
    again = client.post(
        f"{MEMBERS}/{own['member']}/merge",
        json={"duplicate_id": missing, "version": b_version},
        headers=b,
    )
    _like_missing(theirs, a["member_duplicate"], again, missing)
    assert _a_state(client, world) == before


def test_naming_another_chains_store_is_like_naming_none(
    client: TestClient[Any], world: World
) -> None:
    before = _a_state(client, world)
    b, own = world.b.headers, world.b.ids
    version = client.get(f"{MEMBERS}/{own['member']}", headers=b).json()["version"]
    for method, url, body in (
        ("POST", MEMBERS, {"email": "new-b@example.com"}),
        ("PATCH", f"{MEMBERS}/{own['member']}", {"version": version}),
    ):
        a_store, missing = world.a.ids["store"], new_uuid()
        theirs = client.request(method, url, json={**body, "home_store_id": a_store}, headers=b)
        assert assert_problem(theirs, 422)["errors"] == [
            {"field": "home_store_id", "message": "unknown store"}
        ]
        again = client.request(method, url, json={**body, "home_store_id": missing}, headers=b)
        _like_missing(theirs, a_store, again, missing)
    assert _a_state(client, world) == before


def test_a_phone_email_or_external_id_is_unique_per_chain(
    client: TestClient[Any], world: World
) -> None:
    """B registers A's member's phone, email and WeChat id, and imports A's duplicate's email:
    accepted in B, nothing about A in the answers, A unchanged."""
    before = _a_state(client, world)
    b, a = world.b.headers, world.a.values
    body = {
        "phone": a["member_phone"],
        "email": a["member_email"],
        "external_ids": [{"channel": "wechat_openid", "external_id": a["member_openid"]}],
    }
    made = client.post(MEMBERS, json=body, headers=b)
    assert made.status_code == 201, made.text
    text = f"email,external_ids\nduplicate-{a['member_email']},meituan:{a['member_openid']}\n"
    imported = client.post(
        f"{MEMBERS}/import", content=text.encode(), headers={**b, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1
    for answer in (made, imported):
        assert [s for s in world.a_secrets() if s in answer.text] == []
    assert _a_state(client, world) == before


def test_the_services_other_domains_call_stay_in_the_chain(
    client: TestClient[Any], world: World
) -> None:
    """As B: A's member is an unknown member (422 on the field), absent from members_by_ids,
    with no ids and no consent."""
    actor = system_actor(world.b.chain.tenant_id, frozenset({"members:read"}))
    a_id = uuid.UUID(world.a.ids["member"])

    async def as_b() -> dict[str, Any]:
        async with db.transaction(client.app.state.engine, world.b.chain.tenant_id):
            try:
                await require_member(actor, a_id, field="member_id")
            except InvalidInput as exc:
                required = exc.errors
            try:
                await get_member(actor, a_id)
            except NotFound as exc:
                read = exc.detail.replace(str(a_id), "<id>")
            return {
                "required": required,
                "read": read,
                "by_ids": await members_by_ids(actor, [a_id]),
                "ids": await member_ids_of(actor, a_id),
                "consent": await has_consent(actor, a_id, "marketing"),
            }

    assert client.blocking_portal.call(as_b) == {
        "required": [{"field": "member_id", "message": "unknown member"}],
        "read": "No member with id <id>.",
        "by_ids": {},
        "ids": [],
        "consent": False,
    }


GQL_READS = {
    "member": "query($id: UUID!) { member(id: $id) { id name phone } }",
    "memberConsents": "query($id: UUID!) { memberConsents(memberId: $id) { data { id } } }",
    "memberExport": "query($id: UUID!) { memberExport(id: $id) { member { id } } }",
}
GQL_MUTATIONS = {
    "updateMember": 'updateMember(id: $id, input: {version: $v, name: "x"}) { id }',
    "addMemberExternalId": (
        'addMemberExternalId(id: $id, input: {channel: "meituan", externalId: "s"}) { id }'
    ),
    "removeMemberExternalId": 'removeMemberExternalId(id: $id, channel: "wechat_openid") { id }',
    "recordMemberConsent": (
        "recordMemberConsent(id: $id, input: "
        '{purpose: "marketing", granted: false, textVersion: "x"}) { id }'
    ),
    "mergeMembers": "mergeMembers(id: $id, input: {duplicateId: $d, version: $v}) { id }",
    "eraseMember": "eraseMember(id: $id, input: {version: $v}) { id }",
}


def _blank(result: dict[str, Any], ident: str) -> str:
    return str(result).replace(ident, "<id>")


@pytest.mark.parametrize("field", sorted(GQL_READS))
def test_graphql_reads_of_another_chains_member(
    client: TestClient[Any], world: World, field: str
) -> None:
    a_id, missing, b = world.a.ids["member"], new_uuid(), world.b.headers
    theirs = graphql(client, b, GQL_READS[field], id=a_id)
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert _blank(theirs, a_id) == _blank(graphql(client, b, GQL_READS[field], id=missing), missing)
    assert "errors" not in graphql(client, b, GQL_READS[field], id=world.b.ids["member"])


@pytest.mark.parametrize("mutation", sorted(GQL_MUTATIONS))
def test_graphql_changes_of_another_chains_member(
    client: TestClient[Any], world: World, mutation: str
) -> None:
    before = _a_state(client, world)
    field = GQL_MUTATIONS[mutation]
    values = {"v": before["member"]["version"], "d": world.b.ids["member_duplicate"]}
    types = {"v": "Int!", "d": "UUID!"}
    extra = {name: value for name, value in values.items() if f"${name}" in field}
    declared = "".join(f", ${name}: {types[name]}" for name in extra)
    query = f"mutation($id: UUID!{declared}) {{ {field} }}"
    a_id, missing, b = world.a.ids["member"], new_uuid(), world.b.headers
    theirs = graphql(client, b, query, id=a_id, **extra)
    assert theirs["data"] == {mutation: None}
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    again = graphql(client, b, query, id=missing, **extra)
    assert _blank(theirs, a_id) == _blank(again, missing)
    assert _a_state(client, world) == before


def test_graphql_lists_creates_and_imports_stay_in_the_chain(
    client: TestClient[Any], world: World
) -> None:
    before = _a_state(client, world)
    a, b = world.a, world.b.headers
    found = graphql(
        client,
        b,
        "query($p: String!, $t: String!, $o: String!) { "
        "byPhone: members(phone: $p) { data { id } } "
        "byTag: members(tag: $t) { data { id } } "
        'byId: members(channel: "wechat_openid", externalId: $o) { data { id } } '
        "all: members(first: 200) { data { id name } } }",
        p=a.values["member_phone"],
        t=MARK,
        o=a.values["member_openid"],
    )
    assert "errors" not in found, found
    assert found["data"]["byTag"] == {"data": []}
    assert [s for s in world.a_secrets() if s in str(found)] == []
    made = graphql(
        client,
        b,
        'mutation($s: UUID!) { createMember(input: {email: "gq-b@example.com", '
        "homeStoreId: $s}) { id } }",
        s=a.ids["store"],
    )
    assert made["data"] == {"createMember": None}
    assert made["errors"][0]["extensions"]["errors"] == [
        {"field": "home_store_id", "message": "unknown store"}
    ]
    merged = graphql(
        client,
        b,
        "mutation($id: UUID!, $d: UUID!, $v: Int!) { mergeMembers(id: $id, "
        "input: {duplicateId: $d, version: $v}) { id } }",
        id=world.b.ids["member"],
        d=a.ids["member_duplicate"],
        v=client.get(f"{MEMBERS}/{world.b.ids['member']}", headers=b).json()["version"],
    )
    assert merged["errors"][0]["extensions"]["errors"] == [
        {"field": "duplicate_id", "message": "unknown member"}
    ]
    imported = graphql(
        client,
        b,
        "mutation($csv: String!) { importMembers(csv: $csv, dryRun: true) { created updated } }",
        csv=f"name,email\nSomeone,{a.values['member_email']}x\n",
    )
    assert imported["data"]["importMembers"] == {"created": 1, "updated": 0}
    assert _a_state(client, world) == before
