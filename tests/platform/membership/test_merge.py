"""Merging duplicates: one person registered twice becomes one member; history is kept."""

from __future__ import annotations

import uuid

import pytest

from bodega.membership import member_ids_of, require_member
from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.membership.helpers import MEMBERS, call_service, member, read, state


def _merge(client, chain, survivor, duplicate_id, version=None):
    body = {"duplicate_id": duplicate_id, "version": version or survivor["version"]}
    return client.post(f"{MEMBERS}/{survivor['id']}/merge", json=body, headers=chain.headers)


def test_a_duplicate_folds_into_the_member_that_stays(client, chain):
    till = member(
        client,
        chain,
        phone="13100131000",
        tags=["vip"],
        external_ids=[{"channel": "meituan", "external_id": "MT-9"}],
        consents=[{"purpose": "marketing", "granted": False, "text_version": "v1"}],
    )
    app = member(
        client,
        chain,
        email="Dup@Example.com",
        name="Chen Jie",
        birthday="1985-01-02",
        tags=["baker", "vip"],
        joined_channel="miniprogram",
        external_ids=[
            {"channel": "wechat_openid", "external_id": "oChen"},
            {"channel": "meituan", "external_id": "MT-10"},
        ],
        consents=[{"purpose": "marketing", "granted": True, "text_version": "v2"}],
    )
    merged = _merge(client, chain, till, app["id"])
    assert merged.status_code == 200, merged.text
    stays = merged.json()
    assert (stays["phone"], stays["email"], stays["name"], stays["birthday"]) == (
        "+8613100131000",
        "dup@example.com",
        "Chen Jie",
        "1985-01-02",
    )
    assert stays["tags"] == ["vip", "baker"]
    assert {(e["channel"], e["external_id"]) for e in stays["external_ids"]} == {
        ("meituan", "MT-9"),
        ("wechat_openid", "oChen"),
    }
    assert stays["consents"]["marketing"]["granted"] is True  # the later decision
    assert stays["version"] == 2
    gone = read(client, chain, app["id"])
    assert (gone["status"], gone["merged_into"]) == ("merged", till["id"])
    assert [e["external_id"] for e in gone["external_ids"]] == ["MT-10"]  # its channel was taken
    history = walk(client, f"{MEMBERS}/{till['id']}/consents", chain.headers)
    assert [(c["granted"], c["text_version"]) for c in history] == [(False, "v1"), (True, "v2")]
    assert len(walk(client, f"{MEMBERS}/{app['id']}/consents", chain.headers)) == 1
    survivor, duplicate = uuid.UUID(till["id"]), uuid.UUID(app["id"])
    assert call_service(client, chain, member_ids_of, survivor) == [survivor, duplicate]
    assert call_service(client, chain, member_ids_of, duplicate) == [duplicate]
    found = call_service(client, chain, require_member, duplicate, field="member_id")
    assert found.id == survivor
    found = walk(client, MEMBERS, chain.headers, channel="wechat_openid", external_id="oChen")
    assert [m["id"] for m in found] == [till["id"]]
    (event,) = [
        e
        for e in walk(client, "/v1/events", chain.headers, type="member.merged")
        if e["data"]["id"] == till["id"]
    ]
    assert event["data"]["duplicate_id"] == app["id"]
    assert event["data"]["changed"] == [
        "birthday",
        "consents",
        "email",
        "external_ids",
        "name",
        "tags",
    ]
    audit = walk(client, "/v1/audit-log", chain.headers, resource_id=app["id"])
    assert audit[-1]["action"] == "member.merged"
    assert audit[-1]["after"]["merged_into"] == till["id"]
    assert "Chen" not in str(event) + str(audit)
    assert "dup@" not in str(event) + str(audit)
    # its phone and email are free again for the member that stays; a merged one cannot change
    refused = client.patch(f"{MEMBERS}/{app['id']}", json={"version": 2}, headers=chain.headers)
    assert assert_problem(refused, 409)["merged_into"] == till["id"]


def test_merges_follow_each_other(client, chain):
    a = member(client, chain, phone="13100131001")
    b = member(client, chain, phone="13100131002")
    c = member(client, chain, phone="13100131003")
    assert _merge(client, chain, b, c["id"]).status_code == 200
    b = read(client, chain, b["id"])
    assert _merge(client, chain, a, b["id"]).status_code == 200
    ids = [uuid.UUID(m["id"]) for m in (a, b, c)]
    assert call_service(client, chain, member_ids_of, ids[0]) == ids
    assert call_service(client, chain, require_member, ids[2], field="member_id").id == ids[0]


@pytest.mark.parametrize("case", ["itself", "unknown", "elsewhere", "merged", "stale", "bad"])
def test_refused_merges_change_nothing(client, chain, case):
    stays = member(client, chain, email=f"stay-{case}@example.com")
    dup = member(client, chain, email=f"dup-{case}@example.com")
    other = sign_up(client, f"Merge {case}")
    theirs = member(client, other, email=f"dup-{case}@example.com")
    if case == "merged":
        third = member(client, chain, email=f"third-{case}@example.com")
        assert _merge(client, chain, third, dup["id"]).status_code == 200
    before = state(client, chain)
    duplicate_id, version, status, field = {
        "itself": (stays["id"], 1, 422, "duplicate_id"),
        "unknown": (str(uuid.uuid4()), 1, 422, "duplicate_id"),
        "elsewhere": (theirs["id"], 1, 422, "duplicate_id"),
        "merged": (dup["id"], 1, 409, "duplicate_id"),
        "stale": (dup["id"], 7, 409, None),
        "bad": ("not-an-id", 1, 422, "duplicate_id"),
    }[case]
    problem = assert_problem(_merge(client, chain, stays, duplicate_id, version), status)
    assert [e["field"] for e in problem.get("errors", [])] == ([field] if field else [])
    assert state(client, chain) == before
    assert read(client, other, theirs["id"])["status"] == "active"


def test_merging_into_an_unknown_member_is_not_found(client, chain):
    dup = member(client, chain, phone="13100131009")
    missing = {"id": str(uuid.uuid4()), "version": 1}
    assert_problem(_merge(client, chain, missing, dup["id"]), 404, "not-found")
    assert read(client, chain, dup["id"])["status"] == "active"
