"""A plugin's life for a chain: installed (through its entry point) but not enabled, enabled
with settings for chain A only, its hooks, routes, GraphQL fields and jobs working for A and
never for B, its settings changed and validated, then disabled."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import asyncpg
import pytest
from litestar.testing import TestClient

from bodega.jobs.worker import build_registry, job_context
from bodega.plugins.info import fingerprint
from bodega.settings import Settings
from tests.conftest import Chain, api_key, assert_problem, graphql, run_jobs

TOKEN = "tok_live_0123456789abcdef"  # noqa: S105 (a made-up secret)
MASKED = fingerprint(TOKEN)
_skus = itertools.count()


def _enable(client: TestClient[Any], chain: Chain, name: str, **body: Any) -> Any:
    return client.put(f"/v1/plugins/{name}", json=body, headers=chain.headers)


def _product(client: TestClient[Any], chain: Chain) -> None:
    body = {"sku": f"S{next(_skus)}", "name": "Loaf", "list_price": 350}
    response = client.post("/v1/products", json=body, headers=chain.headers)
    assert response.status_code == 201, response.text


def _stamps(client: TestClient[Any], chain: Chain) -> list[dict[str, Any]]:
    response = client.get("/v1/plugins/stamps/stamps/", headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _stamps_in_database(settings: Settings, chain: Chain) -> int:
    """Counted as the owner, past RLS: what the chain really has."""

    async def count() -> int:
        connection = await asyncpg.connect(settings.database_url)
        try:
            return await connection.fetchval(
                "SELECT count(*) FROM stamps WHERE tenant_id = $1", chain.tenant_id
            )
        finally:
            await connection.close()

    return asyncio.run(count())


@pytest.fixture(scope="module")
def enabled(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    response = _enable(client, chain, "stamps", settings={"label": "A", "api_token": TOKEN})
    assert response.status_code == 200, response.text
    return response.json()


def test_installed_plugins_are_listed_but_not_enabled(
    client: TestClient[Any], other_chain: Chain
) -> None:
    response = client.get("/v1/plugins", headers=other_chain.headers)
    assert response.status_code == 200, response.text
    plugins = {p["name"]: p for p in response.json()["data"]}
    stamps = plugins["stamps"]
    assert (stamps["installed"], stamps["enabled"], stamps["version"]) == (True, False, 0)
    assert stamps["plugin_version"] == "1.0"  # the distribution's
    assert stamps["scopes"] == ["catalog:read"]
    assert stamps["routes_path"] == "/v1/plugins/stamps/"
    assert stamps["settings"] is None
    assert "label" in json.dumps(stamps["settings_schema"])
    assert plugins["flaky"]["routes_path"] == "/v1/plugins/flaky/"


def test_enabling_masks_secrets_and_is_audited(
    client: TestClient[Any], chain: Chain, enabled: dict[str, Any]
) -> None:
    assert enabled["enabled"] is True
    assert enabled["version"] == 1
    assert enabled["settings"] == {"label": "A", "api_token": MASKED, "limit": 10}
    events = client.get("/v1/events?type=plugin.*", headers=chain.headers).json()["data"]
    assert [e["type"] for e in events] == ["plugin.enabled"]
    audit = client.get("/v1/audit-log", headers=chain.headers).json()["data"]
    assert any(entry["action"] == "plugin.enabled" for entry in audit)
    everything = json.dumps(events) + json.dumps(audit)
    assert TOKEN not in everything
    assert "0123456789" not in everything


def test_routes_answer_the_enabled_chain_only(
    client: TestClient[Any], chain: Chain, other_chain: Chain, enabled: dict[str, Any]
) -> None:
    mine = client.get("/v1/plugins/stamps/stamps/whoami", headers=chain.headers)
    assert mine.status_code == 200, mine.text
    # the plugin sees the secret; its actor holds only the plugin's scopes
    assert mine.json() == {"label": "A", "token": TOKEN, "scopes": ["catalog:read"]}
    theirs = client.get("/v1/plugins/stamps/stamps/whoami", headers=other_chain.headers)
    assert_problem(theirs, 404, "not-found")
    assert_problem(client.get("/v1/plugins/stamps/stamps/whoami"), 401)
    # B sees the plugin as not enabled, and nothing of A's settings
    seen = client.get("/v1/plugins/stamps", headers=other_chain.headers).json()
    assert (seen["enabled"], seen["settings"], seen["version"]) == (False, None, 0)
    assert_problem(client.delete("/v1/plugins/stamps", headers=other_chain.headers), 404)


def test_event_handlers_run_for_the_enabled_chain_only(
    client: TestClient[Any],
    settings: Settings,
    chain: Chain,
    other_chain: Chain,
    enabled: dict[str, Any],
) -> None:
    before = _stamps_in_database(settings, chain)
    _product(client, chain)
    _product(client, other_chain)
    run_jobs(settings)
    assert _stamps_in_database(settings, chain) == before + 1
    assert _stamps_in_database(settings, other_chain) == 0
    assert {"event_type": "product.created", "label": "A"} in _stamps(client, chain)


def test_graphql_fields_answer_the_enabled_chain_only(
    client: TestClient[Any], chain: Chain, other_chain: Chain, enabled: dict[str, Any]
) -> None:
    mine = graphql(client, chain.headers, "{ stampsCount }")
    assert "errors" not in mine, mine
    assert mine["data"]["stampsCount"] == len(_stamps(client, chain))
    theirs = graphql(client, other_chain.headers, "{ stampsCount }")
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_jobs_and_cron_jobs_run_for_enabled_chains(
    client: TestClient[Any],
    settings: Settings,
    chain: Chain,
    other_chain: Chain,
    enabled: dict[str, Any],
) -> None:
    queued = client.post(
        "/v1/plugins/stamps/stamps/later", json={"note": "later-1"}, headers=chain.headers
    )
    assert queued.status_code == 202, queued.text
    assert queued.json() == {"queued": True}
    run_jobs(settings)
    assert {"event_type": "later", "label": "later-1"} in _stamps(client, chain)

    async def nightly() -> int:
        async with job_context(settings, pool_size=1) as context:
            registry = build_registry(settings, context.plugins)
            return await registry.crons["stamps.nightly.cron"].fn(context)

    assert asyncio.run(nightly()) == 1  # one chain has the plugin enabled
    run_jobs(settings)
    assert {"event_type": "nightly", "label": "A"} in _stamps(client, chain)
    assert _stamps_in_database(settings, other_chain) == 0


def test_changing_settings_keeps_secrets_and_checks_the_version(
    client: TestClient[Any], chain: Chain, enabled: dict[str, Any]
) -> None:
    current = client.get("/v1/plugins/stamps", headers=chain.headers).json()
    changed = _enable(client, chain, "stamps", settings={"label": "B"}, version=current["version"])
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"]["api_token"] == MASKED  # left out: kept
    assert changed.json()["version"] == current["version"] + 1
    stale = _enable(client, chain, "stamps", settings={"label": "C"}, version=current["version"])
    assert_problem(stale, 409, "version-conflict")
    echoed = _enable(client, chain, "stamps", settings=changed.json()["settings"])
    assert echoed.status_code == 200, echoed.text
    whoami = client.get("/v1/plugins/stamps/stamps/whoami", headers=chain.headers).json()
    assert (whoami["label"], whoami["token"]) == ("B", TOKEN)  # the mask sent back: kept
    events = client.get("/v1/events?type=plugin.*", headers=chain.headers).json()["data"]
    assert [e["type"] for e in events][-1] == "plugin.updated"


def test_invalid_settings_name_every_field_and_change_nothing(
    client: TestClient[Any], chain: Chain, enabled: dict[str, Any]
) -> None:
    before = client.get("/v1/plugins/stamps", headers=chain.headers).json()
    response = _enable(client, chain, "stamps", settings={"label": 5, "limit": 0, "colour": "red"})
    body = assert_problem(response, 422, "validation-error")
    assert {e["field"] for e in body["errors"]} == {
        "settings.label",
        "settings.limit",
        "settings.colour",
    }
    assert client.get("/v1/plugins/stamps", headers=chain.headers).json() == before
    assert_problem(_enable(client, chain, "stamps", settingz={}), 422)
    assert_problem(_enable(client, chain, "nonesuch", settings={}), 404)
    assert_problem(client.put("/v1/plugins/Bad-Name", json={}, headers=chain.headers), 422)


def test_enabling_needs_the_plugins_scopes(client: TestClient[Any], other_chain: Chain) -> None:
    manage_only = api_key(client, other_chain, "plugins:manage")
    response = client.put("/v1/plugins/stamps", json={}, headers=manage_only)
    body = assert_problem(response, 403, "forbidden")
    assert "catalog:read" in body["detail"]
    read_only = api_key(client, other_chain, "plugins:read", "catalog:read")
    assert_problem(client.put("/v1/plugins/stamps", json={}, headers=read_only), 403)
    assert client.get("/v1/plugins", headers=read_only).status_code == 200


def test_disabling_stops_everything_and_keeps_the_settings(
    client: TestClient[Any], settings: Settings, chain: Chain, enabled: dict[str, Any]
) -> None:
    assert client.delete("/v1/plugins/stamps", headers=chain.headers).status_code == 204
    assert_problem(client.get("/v1/plugins/stamps/stamps/", headers=chain.headers), 404)
    before = _stamps_in_database(settings, chain)
    _product(client, chain)
    run_jobs(settings)
    assert _stamps_in_database(settings, chain) == before
    shown = client.get("/v1/plugins/stamps", headers=chain.headers).json()
    assert shown["enabled"] is False
    assert shown["settings"]["api_token"] == MASKED
    assert_problem(client.delete("/v1/plugins/stamps", headers=chain.headers), 404)
    again = _enable(client, chain, "stamps")  # no settings sent: the kept ones
    assert again.status_code == 200, again.text
    assert again.json()["enabled"] is True
    types = [
        e["type"]
        for e in client.get("/v1/events?type=plugin.*", headers=chain.headers).json()["data"]
    ]
    assert types[-2:] == ["plugin.disabled", "plugin.enabled"]
