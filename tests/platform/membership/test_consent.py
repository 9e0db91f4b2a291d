"""Consent by purpose: an append-only history whose latest record per purpose counts."""

from __future__ import annotations

import uuid

import pytest

from bodega.membership import has_consent
from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import walk
from tests.platform.membership.helpers import MEMBERS, call_service, member, read, state


def _record(client, chain, member_id, **body):
    return client.post(f"{MEMBERS}/{member_id}/consents", json=body, headers=chain.headers)


def test_a_withdrawal_is_a_new_record_and_the_latest_counts(client, chain):
    made = member(client, chain, phone="13200132000")
    ident = uuid.UUID(made["id"])
    assert call_service(client, chain, has_consent, ident, "marketing") is False  # never asked
    given = _record(
        client, chain, made["id"], purpose="marketing", granted=True, text_version="2026-01"
    )
    assert given.status_code == 201, given.text
    assert given.json()["recorded_by"] == str(chain.owner_id)
    assert call_service(client, chain, has_consent, ident, "marketing") is True
    assert call_service(client, chain, has_consent, ident, "biometric") is False
    face = _record(
        client,
        chain,
        made["id"],
        purpose="biometric",
        granted=True,
        text_version="face-v2",
        channel="kiosk",
    )
    assert face.status_code == 201, face.text
    withdrawn = _record(
        client, chain, made["id"], purpose="marketing", granted=False, text_version="2026-01"
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert call_service(client, chain, has_consent, ident, "marketing") is False
    assert call_service(client, chain, has_consent, ident, "biometric") is True
    current = read(client, chain, made["id"])["consents"]
    assert current["marketing"]["granted"] is False
    assert (current["biometric"]["granted"], current["biometric"]["channel"]) == (True, "kiosk")
    history = walk(client, f"{MEMBERS}/{made['id']}/consents", chain.headers, limit=1)
    assert [(c["purpose"], c["granted"]) for c in history] == [
        ("marketing", True),
        ("biometric", True),
        ("marketing", False),
    ]
    events = walk(client, "/v1/events", chain.headers, type="member.consent_recorded")
    assert [e["data"]["id"] for e in events if e["data"]["member_id"] == made["id"]] == [
        c["id"] for c in history
    ]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"purpose": "spam", "granted": True, "text_version": "v1"}, ["purpose"]),
        ({"purpose": "marketing", "granted": "yes", "text_version": "v1"}, ["granted"]),
        ({"purpose": "marketing", "granted": True}, ["text_version"]),
        ({"purpose": "marketing", "granted": True, "text_version": "v 1"}, ["text_version"]),
        (
            {"purpose": "marketing", "granted": True, "text_version": "v1", "channel": "X"},
            ["channel"],
        ),
    ],
)
def test_bad_consents_name_the_field_and_write_nothing(client, chain, body, fields):
    made = member(client, chain, email=f"{uuid.uuid4().hex[:8]}@example.com")
    before = state(client, chain)
    problem = assert_problem(_record(client, chain, made["id"], **body), 422)
    assert [e["field"] for e in problem["errors"]] == fields
    assert state(client, chain) == before


def test_consent_for_an_unknown_or_another_chains_member_is_not_found(client, chain):
    other = sign_up(client, "Consent Elsewhere")
    theirs = member(client, other, phone="13200132001")
    body = {"purpose": "marketing", "granted": True, "text_version": "v1"}
    for ident in (theirs["id"], str(uuid.uuid4())):
        assert_problem(_record(client, chain, ident, **body), 404, "not-found")
        assert_problem(client.get(f"{MEMBERS}/{ident}/consents", headers=chain.headers), 404)
        assert call_service(client, chain, has_consent, uuid.UUID(ident), "marketing") is False
    assert read(client, other, theirs["id"])["consents"]["marketing"] is None
