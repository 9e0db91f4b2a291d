"""Testing Bodega and plugins for it: real servers, a migrated database, a client, chains.

Bodega's own suite builds on these helpers; a plugin's tests get them as pytest fixtures by
naming this module in their top-level ``conftest.py``::

    pytest_plugins = ["bodega.testing"]

    def test_greets(bodega_client, bodega_chain, bodega_enable_plugin):
        chain = bodega_chain()
        bodega_enable_plugin(chain, "hello", {"greeting": "Hi"})
        assert bodega_client.get("/v1/plugins/hello/greeting", headers=chain.headers).json()

The servers are real: the embedded PostgreSQL and Redis (started once per test session in a
temporary folder), or those at ``DATABASE_URL`` / ``REDIS_URL``. The database is migrated
with every installed plugin's migrations.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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
from bodega.tiers.sandbox import running_localstripe

__all__ = [
    "Chain",
    "bodega_chain",
    "bodega_client",
    "bodega_enable_plugin",
    "bodega_localstripe",
    "bodega_run_jobs",
    "bodega_settings",
    "create_database",
    "drop_database",
    "run_jobs",
    "running_localstripe",
    "running_servers",
    "settings_for_tests",
    "sign_up",
    "with_database",
]


@dataclass
class Chain:
    """A signed-up chain: its id, its owner's token, and headers that authenticate as the owner."""

    tenant_id: uuid.UUID
    token: str
    owner_id: uuid.UUID

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database of the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(with_database(url, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create database ``name`` (a copy of ``template``, if given); return its URL."""
    copy = f" TEMPLATE {template}" if template else ""
    asyncio.run(
        _admin(server_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}{copy}")
    )
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    asyncio.run(_admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextmanager
def running_servers(folder: Path) -> Iterator[Settings]:
    """Settings with the URLs of running servers: ``DATABASE_URL`` / ``REDIS_URL`` if set,
    else embedded ones started in ``folder`` (and stopped, with their data, afterwards)."""
    base = get_settings()
    servers = EmbeddedServers(folder, delete_on_stop=True)
    try:
        database_url = base.database_url or servers.start_postgres()
        redis_url = base.redis_url or servers.start_redis()
        yield base.with_servers(database_url, redis_url)
    finally:
        servers.stop()


def settings_for_tests(
    server: Settings, database_url: str, prefix: str, *, log_level: str = "WARNING"
) -> Settings:
    """Settings for tests on ``database_url``: quiet logs, no rate limit to speak of, and
    webhooks (and plugins) allowed to call receivers on 127.0.0.1."""
    return Settings(
        database_url=database_url,
        redis_url=server.redis_url,
        redis_prefix=prefix,
        log_format="json",
        log_level=log_level,
        rate_limit_per_minute=100_000,
        webhooks_allow_private_networks=True,
        webhook_timeout_seconds=2,
        disable_plugin_autoload=server.disable_plugin_autoload,
        plugins=server.plugins,
    )


def sign_up(client: TestClient[Any], name: str | None = None, **overrides: Any) -> Chain:
    """Sign up a new chain through the API, as a new customer would."""
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


def run_jobs(settings: Settings, clock: Callable[[], datetime] | None = None) -> int:
    """Run the worker (relay, plugins' event handlers, jobs) until nothing is due, as
    `bodega worker --burst` does; ``clock`` replaces the worker's clock. Returns how many
    jobs ran."""

    async def main() -> int:
        options = {"clock": clock} if clock else {}
        async with job_context(settings, pool_size=2, **options) as context:
            return await drain(context, build_registry(settings, context.plugins))

    return asyncio.run(main())


# Fixtures for plugins' tests ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def bodega_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a fresh, migrated database (with every installed plugin's tables)."""
    with running_servers(tmp_path_factory.mktemp("bodega-servers")) as server:
        assert server.database_url is not None
        name = f"bodega_plugin_test_{os.getpid()}"
        settings = settings_for_tests(server, create_database(server.database_url, name), name)
        asyncio.run(migrate(settings))
        yield settings
        drop_database(server.database_url, name)


@pytest.fixture(scope="session")
def bodega_client(bodega_settings: Settings) -> Iterator[TestClient[Any]]:
    """A client of the API (with the installed plugins), in the test's process."""
    with TestClient(create_app(bodega_settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def bodega_chain(bodega_client: TestClient[Any]) -> Callable[..., Chain]:
    """Sign up a new chain: ``bodega_chain()`` or ``bodega_chain("Name", currency="EUR")``."""
    return lambda name=None, **overrides: sign_up(bodega_client, name, **overrides)


@pytest.fixture
def bodega_enable_plugin(bodega_client: TestClient[Any]) -> Callable[..., dict[str, Any]]:
    """Enable a plugin for a chain: ``bodega_enable_plugin(chain, "name", {settings})``;
    returns the plugin as ``GET /v1/plugins/{name}`` shows it."""

    def enable(chain: Chain, name: str, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {} if settings is None else {"settings": settings}
        response = bodega_client.put(f"/v1/plugins/{name}", json=body, headers=chain.headers)
        assert response.status_code == 200, response.text
        return response.json()

    return enable


@pytest.fixture(scope="session")
def bodega_localstripe() -> Iterator[str]:
    """The URL of a localstripe server for the session (see :func:`running_localstripe`)."""
    with running_localstripe() as url:
        yield url


@pytest.fixture
def bodega_run_jobs(bodega_settings: Settings) -> Callable[..., int]:
    """Run the worker until nothing is due: events reach plugins, queued jobs run."""
    return lambda clock=None: run_jobs(bodega_settings, clock)
