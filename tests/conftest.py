"""Real servers for every test: embedded PostgreSQL and Redis by default (one each per test
session), or the servers at DATABASE_URL / REDIS_URL. Each test module gets a fresh database
copied from a migrated template, so modules never see each other's rows.

The helpers (``Chain``, ``sign_up``, ``run_jobs`` ...) are ``bodega.testing``'s, which plugin
authors use too; they are re-exported here for the suite's modules.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from litestar.testing import TestClient

from bodega.app import create_app
from bodega.db.migrate import migrate
from bodega.settings import Settings
from bodega.testing import (
    Chain,
    create_database,
    drop_database,
    run_jobs,
    running_servers,
    settings_for_tests,
    sign_up,
)
from tests.plugins.distributions import TEST_PLUGINS, installed, write_distribution

__all__ = ["Chain", "api_key", "as_owner", "assert_problem", "graphql", "run_jobs", "sign_up"]

TEMPLATE = f"bodega_template_{os.getpid()}"
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at the session's servers, with a migrated template database; the
    suite's own plugins are installed (through entry points) for the session."""
    site = tmp_path_factory.mktemp("site-packages")
    write_distribution(site, "bodega-test-plugins", TEST_PLUGINS)
    with installed(site), running_servers(tmp_path_factory.mktemp("embedded")) as server:
        assert server.database_url is not None
        template = create_database(server.database_url, TEMPLATE)
        asyncio.run(migrate(server.with_servers(template, server.redis_url or "")))
        yield server
        drop_database(server.database_url, TEMPLATE)


@pytest.fixture(scope="module")
def settings(server_settings: Settings) -> Iterator[Settings]:
    """A fresh database for this test module, copied from the migrated template."""
    assert server_settings.database_url
    name = f"bodega_test_{os.getpid()}_{next(_database_numbers)}"
    url = create_database(server_settings.database_url, name, template=TEMPLATE)
    yield settings_for_tests(server_settings, url, name)
    drop_database(server_settings.database_url, name)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def chain(client: TestClient[Any]) -> Chain:
    return sign_up(client, "Golden Crust")


@pytest.fixture(scope="module")
def other_chain(client: TestClient[Any]) -> Chain:
    return sign_up(client, "Other Mart")


def as_owner(settings: Settings, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Run ``sql`` as the database owner, past RLS and the app role's grants (to see every
    chain's rows, or write what the API never would)."""
    assert settings.database_url is not None

    async def main() -> list[asyncpg.Record]:
        connection = await asyncpg.connect(settings.database_url)
        try:
            return await connection.fetch(sql, *args)
        finally:
            await connection.close()

    return asyncio.run(main())


def api_key(client: TestClient[Any], chain: Chain, *scopes: str) -> dict[str, str]:
    """Headers authenticating with a new API key of ``chain`` holding ``scopes``."""
    response = client.post(
        "/v1/api-keys", json={"name": "test key", "scopes": list(scopes)}, headers=chain.headers
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['secret']}"}


def graphql(
    client: TestClient[Any], headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status`` (and ``type`` ending in ``slug``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    assert body["title"]
    assert body["type"].startswith("/problems/")
    if slug is not None:
        assert body["type"] == f"/problems/{slug}", body
    return body
