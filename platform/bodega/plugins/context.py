"""``PluginContext``: what a plugin's per-tenant code receives (hooks, routes, jobs)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from bodega.api.auth import Actor
from bodega.db import engine as db

if TYPE_CHECKING:
    import httpx
    from piccolo.engine.postgres import PostgresEngine

    from bodega.plugins.manager import PluginHost

__all__ = ["PluginContext"]


class PluginContext:
    """One chain's view of one plugin.

    ``settings`` is the chain's settings Struct (secrets included); ``actor`` is who the
    plugin's changes are recorded as: ``system`` of the chain, holding only the plugin's
    declared scopes; ``attempt``, in a job, is which try this is (raise
    ``arq.Retry(defer=...)`` to try again), else 1.

    A plain class rather than a dataclass: Litestar would otherwise inspect its fields when
    handing it to a route as a dependency.
    """

    __slots__ = ("actor", "attempt", "engine", "host", "plugin", "settings", "tenant_id")

    def __init__(
        self,
        *,
        plugin: str,
        tenant_id: uuid.UUID,
        settings: Any,
        actor: Actor,
        host: PluginHost,
        engine: PostgresEngine,
        attempt: int = 1,
    ) -> None:
        self.plugin = plugin
        self.tenant_id = tenant_id
        self.settings = settings
        self.actor = actor
        self.host = host
        self.engine = engine
        self.attempt = attempt

    @property
    def http(self) -> httpx.AsyncClient:
        """The process's shared HTTP client (connection pooling); set a timeout per call."""
        return self.host.http_client()

    @property
    def log(self) -> Any:
        return structlog.get_logger(f"bodega.plugins.{self.plugin}").bind(
            plugin=self.plugin, tenant_id=str(self.tenant_id)
        )

    def now(self) -> datetime:
        return self.host.clock()

    async def enqueue(
        self, job: str | Callable[..., Any], *args: Any, key: str | None = None
    ) -> bool:
        """Queue the plugin's tenant job ``job`` (the function or its name) with ``args``
        for this chain; with ``key``, a job already queued under it is not queued again.
        Raises a Redis error when Redis is unreachable."""
        short = job if isinstance(job, str) else job.__name__
        queue = await self.host.queue()
        return await queue.enqueue(
            f"{self.plugin}.{short}", *args, tenant_id=self.tenant_id, key=key
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A transaction scoped to this chain, for jobs (routes and event handlers already
        run in one)."""
        async with db.transaction(self.engine, self.tenant_id) as tx:
            yield tx
