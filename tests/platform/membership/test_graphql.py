"""Membership through GraphQL: the same services as REST, the same rules and errors."""

from __future__ import annotations

from tests.conftest import graphql
from tests.platform.membership.helpers import state

MEMBER = """id phone email name birthday tags status mergedInto version joinedChannel
externalIds { channel externalId }
consents { marketing { granted textVersion channel } biometric { granted } }"""

CREATE = f"""mutation($input: MemberInput!) {{ createMember(input: $input) {{ {MEMBER} }} }}"""
UPDATE = f"""mutation($id: UUID!, $input: MemberUpdateInput!) {{
  updateMember(id: $id, input: $input) {{ {MEMBER} }} }}"""
LINK = f"""mutation($id: UUID!, $input: MemberExternalIdInput!) {{
  addMemberExternalId(id: $id, input: $input) {{ {MEMBER} }} }}"""
UNLINK = f"""mutation($id: UUID!, $channel: String!) {{
  removeMemberExternalId(id: $id, channel: $channel) {{ {MEMBER} }} }}"""
CONSENT = """mutation($id: UUID!, $input: MemberConsentInput!) {
  recordMemberConsent(id: $id, input: $input) { id memberId purpose granted textVersion } }"""
MERGE = f"""mutation($id: UUID!, $input: MergeMembersInput!) {{
  mergeMembers(id: $id, input: $input) {{ {MEMBER} }} }}"""
ERASE = f"""mutation($id: UUID!, $input: EraseMemberInput!) {{
  eraseMember(id: $id, input: $input) {{ {MEMBER} }} }}"""
IMPORT = """mutation($csv: String!, $dryRun: Boolean!, $version: String) {
  importMembers(csv: $csv, dryRun: $dryRun, consentTextVersion: $version) {
    rows created updated unchanged dryRun } }"""
READ = f"""query($id: UUID!) {{ member(id: $id) {{ {MEMBER} }} }}"""
FIND = """query($phone: String, $q: String, $tag: String, $status: String, $channel: String,
  $externalId: String) {
  members(first: 10, phone: $phone, q: $q, tag: $tag, status: $status, channel: $channel,
    externalId: $externalId) { data { id } nextCursor } }"""
CONSENTS = """query($id: UUID!) { memberConsents(memberId: $id) { data { purpose granted } } }"""
EXPORT = """query($id: UUID!) { memberExport(id: $id) {
  member { id } mergedMembers { id status } consents { purpose } sections } }"""


def _ok(result: dict, field: str) -> dict:
    assert "errors" not in result, result
    return result["data"][field]


def test_a_member_from_registration_to_erasure(client, chain):
    h = chain.headers
    made = _ok(
        graphql(
            client,
            h,
            CREATE,
            input={
                "phone": "150 0015 0000",
                "name": "Sun Li",
                "tags": ["vip"],
                "externalIds": [{"channel": "meituan", "externalId": "MT-G"}],
                "consents": [{"purpose": "marketing", "granted": True, "textVersion": "v1"}],
            },
        ),
        "createMember",
    )
    assert (made["phone"], made["joinedChannel"], made["version"]) == ("+8615000150000", "pos", 1)
    assert made["consents"] == {
        "marketing": {"granted": True, "textVersion": "v1", "channel": "pos"},
        "biometric": None,
    }
    assert _ok(graphql(client, h, READ, id=made["id"]), "member") == made
    found = _ok(graphql(client, h, FIND, phone="15000150000"), "members")
    assert found == {"data": [{"id": made["id"]}], "nextCursor": None}
    assert _ok(graphql(client, h, FIND, q="0000", tag="vip", status="active"), "members")[
        "data"
    ] == [{"id": made["id"]}]
    assert _ok(graphql(client, h, FIND, channel="meituan", externalId="MT-G"), "members")[
        "data"
    ] == [{"id": made["id"]}]
    changed = _ok(
        graphql(client, h, UPDATE, id=made["id"], input={"version": 1, "email": "Sun@Example.com"}),
        "updateMember",
    )
    assert (changed["email"], changed["version"]) == ("sun@example.com", 2)
    linked = _ok(
        graphql(
            client,
            h,
            LINK,
            id=made["id"],
            input={"channel": "wechat_openid", "externalId": "oSun"},
        ),
        "addMemberExternalId",
    )
    assert {e["channel"] for e in linked["externalIds"]} == {"meituan", "wechat_openid"}
    unlinked = _ok(
        graphql(client, h, UNLINK, id=made["id"], channel="meituan"), "removeMemberExternalId"
    )
    assert [e["channel"] for e in unlinked["externalIds"]] == ["wechat_openid"]
    withdrawn = _ok(
        graphql(
            client,
            h,
            CONSENT,
            id=made["id"],
            input={"purpose": "marketing", "granted": False, "textVersion": "v1"},
        ),
        "recordMemberConsent",
    )
    assert (withdrawn["memberId"], withdrawn["granted"]) == (made["id"], False)
    history = _ok(graphql(client, h, CONSENTS, id=made["id"]), "memberConsents")["data"]
    assert [c["granted"] for c in history] == [True, False]
    dup = _ok(graphql(client, h, CREATE, input={"email": "sun2@example.com"}), "createMember")
    merged = _ok(
        graphql(
            client,
            h,
            MERGE,
            id=made["id"],
            input={"duplicateId": dup["id"], "version": unlinked["version"]},
        ),
        "mergeMembers",
    )
    exported = _ok(graphql(client, h, EXPORT, id=made["id"]), "memberExport")
    assert exported["member"] == {"id": made["id"]}
    assert exported["mergedMembers"] == [{"id": dup["id"], "status": "merged"}]
    assert isinstance(exported["sections"], dict)
    erased = _ok(
        graphql(client, h, ERASE, id=made["id"], input={"version": merged["version"]}),
        "eraseMember",
    )
    assert (erased["status"], erased["phone"], erased["email"], erased["name"]) == (
        "erased",
        None,
        None,
        "",
    )


def test_import_through_graphql(client, chain):
    text = "phone,name,marketing_consent\n15000150001,Zhou,yes\n"
    dry = graphql(client, chain.headers, IMPORT, csv=text, dryRun=True, version="v1")
    assert _ok(dry, "importMembers") == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "dryRun": True,
    }
    bad = graphql(client, chain.headers, IMPORT, csv="phone\n12\n", dryRun=False, version=None)
    (error,) = bad["errors"]
    assert [(e["row"], e["field"]) for e in error["extensions"]["errors"]] == [(2, "phone")]


def test_bad_input_names_the_fields_and_writes_nothing(client, chain):
    before = state(client, chain)
    for query, variables, fields in (
        (CREATE, {"input": {}}, ["phone", "email"]),
        (CREATE, {"input": {"phone": "12345"}}, ["phone"]),
        (FIND, {"status": "gone"}, ["status"]),
        (FIND, {"channel": "meituan"}, ["external_id"]),
        (FIND, {"q": "x" * 101}, ["q"]),
        (UNLINK, {"id": chain.owner_id.hex, "channel": "Bad Channel"}, ["channel"]),
    ):
        result = graphql(client, chain.headers, query, **variables)
        (error,) = result["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", result
        assert [e["field"] for e in error["extensions"]["errors"]] == fields
    assert state(client, chain) == before


def test_reading_needs_the_members_scope(client, chain):
    key = client.post(
        "/v1/api-keys", json={"name": "cat", "scopes": ["catalog:read"]}, headers=chain.headers
    ).json()["secret"]
    result = graphql(client, {"Authorization": f"Bearer {key}"}, FIND)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
