"""Real servers for every test: embedded PostgreSQL and Redis by default (one each per test
session), or the servers at DATABASE_URL / REDIS_URL. Each test module gets a fresh database
copied from a migrated template, so modules never see each other's rows.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from litestar.testing import TestClient

from bodega.app import create_app
from bodega.db.embedded import EmbeddedServers
from bodega.db.migrate import migrate
from bodega.jobs.worker import build_registry, drain, job_context
from bodega.settings import Settings, get_settings
from tests.plugins.distributions import TEST_PLUGINS, installed, write_distribution

TEMPLATE = f"bodega_template_{os.getpid()}"
_database_numbers = itertools.count()


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at the session's servers, with a migrated template database; the
    suite's own plugins are installed (through entry points) for the session."""
    base = get_settings()
    site = tmp_path_factory.mktemp("site-packages")
    write_distribution(site, "bodega-test-plugins", TEST_PLUGINS)
    servers = EmbeddedServers(tmp_path_factory.mktemp("embedded"), delete_on_stop=True)
    with installed(site):
        yield from _servers(base, servers)


def _servers(base: Settings, servers: EmbeddedServers) -> Iterator[Settings]:
    try:
        database_url = base.database_url or servers.start_postgres()
        redis_url = base.redis_url or servers.start_redis()
        settings = base.with_servers(database_url, redis_url)
        asyncio.run(
            _admin(
                database_url, f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}"
            )
        )
        asyncio.run(
            migrate(settings.with_servers(_with_database(database_url, TEMPLATE), redis_url))
        )
        yield settings
        asyncio.run(_admin(database_url, f"DROP DATABASE IF EXISTS {TEMPLATE}"))
    finally:
        servers.stop()


@pytest.fixture(scope="module")
def settings(server_settings: Settings) -> Iterator[Settings]:
    """A fresh database for this test module, copied from the migrated template."""
    assert server_settings.database_url
    assert server_settings.redis_url
    name = f"bodega_test_{os.getpid()}_{next(_database_numbers)}"
    asyncio.run(_admin(server_settings.database_url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    yield Settings(
        database_url=_with_database(server_settings.database_url, name),
        redis_url=server_settings.redis_url,
        redis_prefix=name,
        log_format="json",
        log_level="WARNING",
        rate_limit_per_minute=100_000,
        webhooks_allow_private_networks=True,  # the tests' receivers listen on 127.0.0.1
        webhook_timeout_seconds=2,
    )
    asyncio.run(
        _admin(server_settings.database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Chain:
    """A signed-up chain: its id, its owner's token, and headers that authenticate as the owner."""

    tenant_id: uuid.UUID
    token: str
    owner_id: uuid.UUID

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up(client: TestClient[Any], name: str | None = None, **overrides: Any) -> Chain:
    name = name or f"Chain {uuid.uuid4().hex[:8]}"
    body = {
        "chain_name": name,
        "owner_email": f"owner-{uuid.uuid4().hex[:8]}@example.com",
        "password": "correct horse battery",
        "currency": "CNY",
        "timezone": "Asia/Shanghai",
        **overrides,
    }
    response = client.post("/v1/signup", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return Chain(
        tenant_id=uuid.UUID(data["tenant"]["id"]),
        token=data["access_token"],
        owner_id=uuid.UUID(data["user"]["id"]),
    )


@pytest.fixture(scope="module")
def chain(client: TestClient[Any]) -> Chain:
    return sign_up(client, "Golden Crust")


@pytest.fixture(scope="module")
def other_chain(client: TestClient[Any]) -> Chain:
    return sign_up(client, "Other Mart")


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


def run_jobs(settings: Settings, clock: Callable[[], datetime] | None = None) -> int:
    """Run the worker (relay, sweep, jobs) until nothing is due, as `bodega worker --burst`
    does; ``clock`` replaces the worker's clock. Returns how many jobs ran."""

    async def main() -> int:
        options = {"clock": clock} if clock else {}
        async with job_context(settings, pool_size=2, **options) as context:
            return await drain(context, build_registry(settings, context.plugins))

    return asyncio.run(main())
