"""What other parts of Bodega read of a member's points: ``points_balance`` (the member 360
view) and ``member_export`` (the member's data export, through the membership export)."""

from __future__ import annotations

import uuid

import pytest

from bodega.api.errors import NotFound
from bodega.points import PointsBalanceOut, member_export, points_balance
from tests.platform.points.helpers import account, adjust, call_service, member, shop


@pytest.fixture(scope="module")
def s(client):
    return shop(client)


def test_points_balance(client, s):
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 25)
    found = call_service(client, s.chain, points_balance, uuid.UUID(ming))
    assert isinstance(found, PointsBalanceOut)
    assert (found.member_id, found.balance) == (uuid.UUID(ming), 25)
    assert [e.points for e in found.expiring] == [25]
    with pytest.raises(NotFound):
        call_service(client, s.chain, points_balance, uuid.uuid4())
    other = shop(client)
    with pytest.raises(NotFound):  # another chain's member is like a missing one
        call_service(client, other.chain, points_balance, uuid.UUID(ming))


def test_the_export_holds_the_ledger_with_reasons(client, s):
    ming = member(client, s.chain)
    adjust(client, s.chain, ming, 25, reason="Birthday")
    adjust(client, s.chain, ming, -5, reason="Typo")
    exported = call_service(client, s.chain, member_export, [uuid.UUID(ming)])
    assert exported["balance"] == 20
    assert [(e.points, e.reason) for e in exported["entries"]] == [(25, "Birthday"), (-5, "Typo")]
    response = client.get(f"/v1/members/{ming}/export", headers=s.headers)
    assert response.status_code == 200, response.text
    section = response.json()["sections"]["points"]
    assert section["balance"] == 20
    assert section["entries"] == account(client, s.chain, ming)["data"]
