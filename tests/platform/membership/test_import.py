"""Member import from CSV: every row checked first, then all written or none."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import Chain, assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.membership.helpers import MEMBERS, member, state

CSV = {"Content-Type": "text/csv"}


def _import(client: TestClient[Any], chain: Chain, text: str | bytes, **params: Any) -> Any:
    body = text.encode() if isinstance(text, str) else text
    return client.post(
        f"{MEMBERS}/import", content=body, params=params, headers={**chain.headers, **CSV}
    )


FILE = (
    "\ufeffPhone,Email,Name,Birthday,Tags,External_IDs,Marketing_Consent\r\n"
    "138 0000 0001,,Zhang San,1991-03-04,vip;baker,wechat_openid:oZhang,yes\r\n"
    ",Li.Si@Example.com,Li Si,,,,no\r\n"
    '+852 5123 4567,,Chan,1980/12/01,"vip, hk",meituan:77;eleme:E-77,\r\n'
)


def test_a_file_registers_members_and_a_second_import_changes_nothing(client):
    shop = sign_up(client, "Import Shop")
    dry = _import(client, shop, FILE, dry_run="true", consent_text_version="2026-01")
    assert dry.status_code == 200, dry.text
    assert dry.json() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "dry_run": True}
    assert walk(client, MEMBERS, shop.headers) == []
    done = _import(client, shop, FILE, consent_text_version="2026-01")
    assert done.status_code == 200, done.text
    assert done.json() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "dry_run": False}
    zhang, li, chan = walk(client, MEMBERS, shop.headers)
    assert (zhang["phone"], zhang["name"], zhang["birthday"], zhang["tags"]) == (
        "+8613800000001",
        "Zhang San",
        "1991-03-04",
        ["vip", "baker"],
    )
    assert zhang["joined_channel"] == "import"
    assert zhang["consents"]["marketing"] == {
        **zhang["consents"]["marketing"],
        "granted": True,
        "text_version": "2026-01",
        "channel": "import",
    }
    assert (li["email"], li["consents"]["marketing"]["granted"]) == ("li.si@example.com", False)
    assert (chan["phone"], chan["birthday"], chan["tags"]) == (
        "+85251234567",
        "1980-12-01",
        ["vip", "hk"],
    )
    assert chan["consents"]["marketing"] is None
    assert {e["channel"] for e in chan["external_ids"]} == {"meituan", "eleme"}
    events = walk(client, "/v1/events", shop.headers, type="member.*")
    assert len([e for e in events if e["type"] == "member.created"]) == 3
    again = _import(client, shop, FILE, consent_text_version="2026-01")
    assert again.json() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "dry_run": False}
    assert walk(client, "/v1/events", shop.headers, type="member.*") == events


def test_a_known_member_is_completed_not_duplicated(client):
    shop = sign_up(client, "Import Update Shop")
    known = member(client, shop, phone="13800000002", tags=["old"])
    text = (
        "phone,email,name,tags,external_ids,marketing_consent\n"
        "13800000002,known@example.com,Wang Wu,new,wechat_openid:oWang,yes\n"
    )
    done = _import(client, shop, text, consent_text_version="v3")
    assert done.json() == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0, "dry_run": False}
    (after,) = walk(client, MEMBERS, shop.headers)
    assert after["id"] == known["id"]
    assert (after["email"], after["name"], after["tags"]) == (
        "known@example.com",
        "Wang Wu",
        ["old", "new"],
    )
    assert [e["external_id"] for e in after["external_ids"]] == ["oWang"]
    assert after["consents"]["marketing"]["text_version"] == "v3"
    assert after["version"] == 2
    (update,) = walk(client, "/v1/events", shop.headers, type="member.updated")
    assert update["data"]["changed"] == ["email", "external_ids", "name", "tags"]
    assert "Wang" not in str(update)


def test_bad_rows_are_all_named_and_nothing_is_written(client, chain):
    member(client, chain, phone="13800000003")
    member(
        client,
        chain,
        phone="13800000004",
        email="four@example.com",
        external_ids=[{"channel": "meituan", "external_id": "M-4"}],
    )
    before = state(client, chain)
    text = (
        "phone,email,name,birthday,tags,external_ids,marketing_consent\n"
        "12,,,,,,\n"  # row 2
        ",,Nobody,,,,\n"  # row 3
        "13800000005,bad-email,,31.12.1990,,,\n"  # row 4
        "13800000006,,,,,meituan,maybe\n"  # row 5
        "13800000006,,,,,,\n"  # row 6: same phone as row 5
        "13800000007,,,,,meituan:M-4,\n"  # row 7: another member's id
        "13800000008,,,,,wechat_openid:a;wechat_openid:b,\n"  # row 8
        "+86 138 0000 0003,x@example.com,,,,,\n"  # row 9: updates a member ...
        "13800000009,X@example.com,,,,,\n"  # row 10: ... whose email row 9 also gives
    )
    problem = assert_problem(_import(client, chain, text), 422)
    assert "nothing was imported" in problem["detail"]
    assert sorted((e["row"], e["field"]) for e in problem["errors"]) == [
        (2, "phone"),
        (3, "email"),
        (3, "phone"),
        (4, "birthday"),
        (4, "email"),
        (5, "external_ids"),
        (5, "marketing_consent"),
        (6, "phone"),
        (8, "external_ids"),
        (10, "email"),
    ]
    # the checks against existing members run once the file itself is sound
    text = (
        "phone,email,external_ids\n"
        "13800000007,,meituan:M-4\n"  # another member's id
        "13800000003,four@example.com,\n"  # the phone and the email of two members
        "13800000004,,meituan:M-5\n"  # the member has another meituan id
    )
    problem = assert_problem(_import(client, chain, text), 422)
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [
        (2, "external_ids"),
        (3, "email"),
        (4, "external_ids"),
    ]
    assert state(client, chain) == before


def test_the_file_itself_must_fit(client, chain):
    before = state(client, chain)
    cases = [
        ("name,shoe_size\nLi,42\n", 422, [(1, "shoe_size"), (1, "phone")]),
        ("phone,marketing_consent\n13800000010,yes\n", 422, [(None, "consent_text_version")]),
    ]
    for text, status, fields in cases:
        problem = assert_problem(_import(client, chain, text), status)
        assert [(e.get("row"), e["field"]) for e in problem["errors"]] == fields
    bad_version = _import(client, chain, "phone\n13800000010\n", consent_text_version="v 1")
    assert [e["field"] for e in assert_problem(bad_version, 422)["errors"]] == [
        "consent_text_version"
    ]
    assert_problem(_import(client, chain, b"phone\n\xff\xfe\n"), 400)
    assert_problem(_import(client, chain, 'phone\n"13800000010\n'), 422)
    assert state(client, chain) == before
