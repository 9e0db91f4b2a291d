"""The demand calendar through REST: CRUD with versions, one entry per day and store, checks."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, sign_up
from tests.platform.catalog.helpers import create, walk

PATH = "/v1/demand-calendar"


@pytest.fixture(scope="module")
def shop(client, chain):
    return create(client, chain, "/v1/stores", code="CAL-S", name="Calendar shop")


def test_entry_round_trip(client, chain, shop):
    made = create(client, chain, PATH, day="2027-02-06", multiplier="1.8", label="Spring Festival")
    assert (made["store_id"], made["multiplier"], made["version"]) == (None, "1.800", 1)
    own = create(
        client,
        chain,
        PATH,
        day="2027-02-06",
        multiplier="0.4",
        label="typhoon",
        store_id=shop["id"],
    )
    path = f"{PATH}/{made['id']}"
    assert client.get(path, headers=chain.headers).json() == made
    changed = client.patch(
        path,
        json={"version": 1, "multiplier": 2, "label": "Spring Festival eve"},
        headers=chain.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["multiplier"], changed.json()["version"]) == ("2.000", 2)
    assert_problem(
        client.patch(path, json={"version": 1, "label": "stale"}, headers=chain.headers),
        409,
        "version-conflict",
    )
    by_store = walk(client, PATH, chain.headers, store_id=shop["id"])
    assert [e["id"] for e in by_store] == [own["id"]]
    in_range = walk(client, PATH, chain.headers, since="2027-02-01", until="2027-02-28")
    assert {e["id"] for e in in_range} == {made["id"], own["id"]}
    assert walk(client, PATH, chain.headers, since="2027-03-01") == []
    assert client.delete(path, headers=chain.headers).status_code == 204
    assert_problem(client.get(path, headers=chain.headers), 404)
    events = walk(client, "/v1/events", chain.headers, type="demand_calendar_entry.*")
    assert [e["type"] for e in events] == [
        "demand_calendar_entry.created",
        "demand_calendar_entry.created",
        "demand_calendar_entry.updated",
        "demand_calendar_entry.deleted",
    ]


def test_one_entry_per_day_and_store(client, chain, shop):
    create(client, chain, PATH, day="2027-10-01", multiplier="1.3", label="National Day")
    again = client.post(
        PATH,
        json={"day": "2027-10-01", "multiplier": "1.2", "label": "again"},
        headers=chain.headers,
    )
    assert assert_problem(again, 409)["errors"][0]["field"] == "day"
    store_day = client.post(
        PATH,
        json={"day": "2027-10-01", "multiplier": "1.2", "label": "fair", "store_id": shop["id"]},
        headers=chain.headers,
    )
    assert store_day.status_code == 201, store_day.text
    moved = client.patch(
        f"{PATH}/{store_day.json()['id']}",
        json={"version": 1, "store_id": None},
        headers=chain.headers,
    )
    assert_problem(moved, 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"multiplier": "-1"}, "multiplier"),
        ({"multiplier": "101"}, "multiplier"),
        ({"multiplier": "1.2345"}, "multiplier"),
        ({"label": ""}, "label"),
        ({"day": "not a day"}, "day"),
        ({"store_id": "00000000-0000-7000-8000-000000000000"}, "store_id"),
    ],
)
def test_bad_entries_are_refused(client, chain, body, field):
    before = walk(client, PATH, chain.headers)
    full = {"day": "2027-05-01", "multiplier": "1.5", "label": "Labour Day", **body}
    problem = assert_problem(client.post(PATH, json=full, headers=chain.headers), 422)
    assert field in str(problem["errors"]), problem
    assert walk(client, PATH, chain.headers) == before


def test_managers_set_days_for_their_stores_only(client):
    owner = sign_up(client)
    mine = create(client, owner, "/v1/stores", code="CM1", name="Mine")
    other = create(client, owner, "/v1/stores", code="CM2", name="Other")
    invite = client.post(
        "/v1/invitations",
        json={"email": "cal-manager@example.com", "role": "manager", "store_ids": [mine["id"]]},
        headers=owner.headers,
    )
    accepted = client.post(
        "/v1/invitations/accept",
        json={"token": invite.json()["token"], "password": "manager-pass-1", "name": "M"},
    )
    manager = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    body = {"day": "2027-06-01", "multiplier": "0.5", "label": "road works"}
    for store_id, status in ((mine["id"], 201), (other["id"], 403), (None, 403)):
        response = client.post(PATH, json={**body, "store_id": store_id}, headers=manager)
        assert response.status_code == status, response.text
    chain_wide = create(client, owner, PATH, **body)
    assert_problem(client.delete(f"{PATH}/{chain_wide['id']}", headers=manager), 403)
