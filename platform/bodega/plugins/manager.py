"""The plugin host: discovery, start-up contributions, per-tenant hook calls, failure isolation.

``build_plugin_manager(settings)`` loads every distribution that declares an entry point in
the ``bodega.plugins`` group (unless ``BODEGA_DISABLE_PLUGIN_AUTOLOAD``) and the modules
named in ``BODEGA_PLUGINS``, checks them and registers them with pluggy. A plugin that
cannot be loaded, implements an unknown hook or needs another Bodega version stops the
start with a :class:`PluginError` saying which plugin and what to do.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import inspect
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import Distribution, EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

import msgspec
import pluggy
import structlog
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from bodega import __version__
from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.plugins import hookspecs
from bodega.plugins.breaker import FAILURES
from bodega.plugins.context import PluginContext
from bodega.plugins.info import GraphQLTypes, PluginInfo
from bodega.settings import Settings

if TYPE_CHECKING:
    import httpx
    from piccolo.engine.postgres import PostgresEngine

    from bodega.jobs.queue import JobQueue
    from bodega.jobs.registry import JobRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "InstalledPlugin",
    "PluginError",
    "PluginHost",
    "TenantPlugins",
    "build_plugin_manager",
]

ENTRY_POINT_GROUP = "bodega.plugins"
SETTINGS_CACHE_SIZE = 10_000
_log = structlog.get_logger("bodega.plugins")


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message names it and says what to do."""


@dataclass(frozen=True)
class InstalledPlugin:
    info: PluginInfo
    module: Any
    version: str
    description: str
    distribution: str | None

    @property
    def name(self) -> str:
        return self.info.name


@dataclass(frozen=True)
class TenantPlugins:
    """The plugins one chain has enabled, as this process sees them now."""

    tenant_id: uuid.UUID
    settings: Mapping[str, Any]
    """Enabled and installed plugins with valid settings, tripped ones included."""
    tripped: Mapping[str, datetime] = field(default_factory=dict)
    """Plugins tripped off until the given time."""
    recovering: frozenset[str] = frozenset()
    """Plugins whose cool-down has passed: the next call decides (success: recovered)."""
    enabled_at: Mapping[str, datetime] = field(default_factory=dict)
    """When each was (last) enabled, by the database's clock, which also dates events."""
    failing: frozenset[str] = frozenset()
    """Plugins that failed on their last call (a success resets their count)."""

    @property
    def active(self) -> frozenset[str]:
        return frozenset(self.settings) - frozenset(self.tripped)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PluginHost:
    """The installed plugins and how Bodega calls them."""

    def __init__(self, settings: Settings, manager: pluggy.PluginManager) -> None:
        self.settings = settings
        self.manager = manager
        self.plugins: dict[str, InstalledPlugin] = {}
        self._failing: set[tuple[uuid.UUID, str]] = set()
        """Failed since the chain's state was read: a success must reset the count."""
        self._tripped: dict[tuple[uuid.UUID, str], datetime] = {}
        """Tripped by this process since the chain's state was read."""
        self.clock: Callable[[], datetime] = _utcnow
        self._settings_cache: dict[tuple[uuid.UUID, str, int], Any] = {}
        self._callers: dict[tuple[str, frozenset[str]], pluggy.HookCaller] = {}
        self._http: httpx.AsyncClient | None = None
        self._queue: JobQueue | None = None
        self._owns_queue = False
        self._background: set[asyncio.Task[Any]] = set()

    def __deepcopy__(self, memo: dict[int, Any]) -> PluginHost:
        """The one host of the process: Litestar copies what routers hold; not this."""
        return self

    # Loading -----------------------------------------------------------------------------------

    def add(
        self, module: Any, *, entry_point: str | None = None, dist: Distribution | None = None
    ) -> InstalledPlugin:
        """Check and register the plugin ``module`` (its ``plugin`` is a ``PluginInfo``)."""
        where = f"entry point {entry_point!r}" if entry_point else f"module {module.__name__!r}"
        info = getattr(module, "plugin", None)
        if not isinstance(info, PluginInfo):
            raise PluginError(
                f"{where} is not a Bodega plugin: its module must define "
                "`plugin = bodega.plugins.PluginInfo(name=..., requires_bodega=...)`."
            )
        if entry_point is not None and entry_point != info.name:
            raise PluginError(
                f"{where} loads plugin {info.name!r}: name the entry point {info.name!r}."
            )
        if info.name in self.plugins:
            raise PluginError(f"two plugins are named {info.name!r}: uninstall one of them.")
        version = info.version or (dist.version if dist else "0")
        _check_compatible(info, version)
        _check_scopes(info)
        description = info.description or (dist.metadata.get("Summary", "") if dist else "")
        try:
            self.manager.register(module, name=info.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {info.name!r}: {exc}") from exc
        installed = InstalledPlugin(
            info, module, version, description or "", dist.name if dist else None
        )
        self.plugins[info.name] = installed
        return installed

    @property
    def routed(self) -> frozenset[str]:
        """The plugins that have REST routes."""
        return frozenset(i.plugin_name for i in self.manager.hook.bodega_routes.get_hookimpls())

    def hooks_of(self, name: str) -> list[str]:
        """The hooks plugin ``name`` implements."""
        plugin = self.manager.get_plugin(name)
        return sorted(caller.name for caller in self.manager.get_hookcallers(plugin) or [])

    # Start-up contributions ---------------------------------------------------------------------

    def contributions(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a start-up hook of every installed plugin: ``[(plugin, result)]``."""
        caller = getattr(self.manager.hook, hook)
        return [
            (impl.plugin_name, _invoke(impl, kwargs)) for impl in reversed(caller.get_hookimpls())
        ]

    def piccolo_apps(self) -> list[str]:
        apps: list[str] = []
        for name, result in self.contributions("bodega_piccolo_apps"):
            for app in result or []:
                if not isinstance(app, str):
                    raise PluginError(
                        f"plugin {name!r}: bodega_piccolo_apps must return module paths "
                        f"like '{name}.piccolo_app', got {app!r}"
                    )
                apps.append(app)
        return apps

    def routes(self) -> dict[str, list[Any]]:
        return {
            name: list(result) for name, result in self.contributions("bodega_routes") if result
        }

    def graphql_types(self) -> list[tuple[str, GraphQLTypes]]:
        found = []
        for name, result in self.contributions("bodega_graphql"):
            if result is None:
                continue
            if not isinstance(result, GraphQLTypes):
                raise PluginError(f"plugin {name!r}: bodega_graphql must return GraphQLTypes")
            found.append((name, result))
        return found

    def register_jobs(self, registry: JobRegistry) -> None:
        from bodega.plugins.jobs import PluginJobs

        caller = self.manager.hook.bodega_jobs
        for impl in reversed(caller.get_hookimpls()):
            jobs = PluginJobs(registry, self, impl.plugin_name)
            try:
                _invoke(impl, {"jobs": jobs, "settings": self.settings})
            except ValueError as exc:  # a name taken already
                raise PluginError(f"plugin {impl.plugin_name!r}: {exc}") from exc

    # Per tenant ---------------------------------------------------------------------------------

    async def for_tenant(self, tenant_id: uuid.UUID) -> TenantPlugins:
        """The chain's enabled plugins, read in the current transaction. Settings are decoded
        once per configuration version and cached, never per request."""
        rows = await db.fetch(
            "SELECT name, version, tripped_until, enabled_at, failure_count FROM tenant_plugins"
            " WHERE tenant_id = $1 AND enabled",
            tenant_id,
        )
        now = self.clock()
        settings: dict[str, Any] = {}
        tripped: dict[str, datetime] = {}
        recovering = set()
        missing = []
        for row in rows:
            name = row["name"]
            if name not in self.plugins:
                continue  # enabled once, uninstalled since
            until = row["tripped_until"]
            if until is not None and until > now:
                tripped[name] = until
            elif until is not None:
                recovering.add(name)
            cached = self._settings_cache.get((tenant_id, name, row["version"]))
            if cached is None:
                missing.append(name)
            else:
                settings[name] = cached
        if missing:
            settings |= await self._load_settings(tenant_id, missing)
        enabled_at = {row["name"]: row["enabled_at"] for row in rows}
        failing = frozenset(row["name"] for row in rows if row["failure_count"])
        return TenantPlugins(
            tenant_id, settings, tripped, frozenset(recovering), enabled_at, failing
        )

    async def _load_settings(self, tenant_id: uuid.UUID, names: list[str]) -> dict[str, Any]:
        rows = await db.fetch(
            "SELECT name, version, settings::text AS settings FROM tenant_plugins"
            " WHERE tenant_id = $1 AND name = ANY($2::text[])",
            tenant_id,
            names,
        )
        loaded = {}
        for row in rows:
            name = row["name"]
            try:
                value = msgspec.json.decode(row["settings"], type=self.plugins[name].info.settings)
            except msgspec.ValidationError as exc:  # the plugin was upgraded incompatibly
                _log.warning(
                    "plugin settings no longer valid; the chain must enable it again",
                    plugin=name,
                    tenant_id=str(tenant_id),
                    error=str(exc),
                )
                continue
            if len(self._settings_cache) >= SETTINGS_CACHE_SIZE:
                del self._settings_cache[next(iter(self._settings_cache))]
            self._settings_cache[(tenant_id, name, row["version"])] = value
            loaded[name] = value
        return loaded

    def context(
        self, name: str, tenant: TenantPlugins, engine: PostgresEngine, *, attempt: int = 1
    ) -> PluginContext:
        info = self.plugins[name].info
        return PluginContext(
            plugin=name,
            tenant_id=tenant.tenant_id,
            settings=tenant.settings[name],
            actor=system_actor(tenant.tenant_id, frozenset(info.scopes)),
            host=self,
            engine=engine,
            attempt=attempt,
        )

    def implementers(self, hook: str, tenant: TenantPlugins) -> list[Any]:
        """The hook's implementations of the chain's active plugins (pluggy's
        ``subset_hook_caller``, cached per set of plugins), in pluggy's call order."""
        active = tenant.active
        key = (hook, active)
        caller = self._callers.get(key)
        if caller is None:
            others = [self.plugins[name].module for name in self.plugins if name not in active]
            caller = self.manager.subset_hook_caller(hook, others)
            self._callers[key] = caller
        return list(reversed(caller.get_hookimpls()))

    async def call(
        self,
        hook: str,
        tenant: TenantPlugins,
        engine: PostgresEngine,
        *,
        only: Callable[[str], bool] = lambda _: True,
        **kwargs: Any,
    ) -> list[tuple[str, Any]]:
        """Call a per-tenant hook of each of the chain's active plugins (those ``only``
        accepts), each on its own: ``[(plugin, result)]`` of those that succeeded. A plugin
        that raises or overruns its budget is logged, counted and skipped (and tripped after
        repeated failures)."""
        results = []
        for impl in self.implementers(hook, tenant):
            name = impl.plugin_name
            until = self._tripped.get((tenant.tenant_id, name))
            if not only(name) or (until is not None and until > self.clock()):
                continue
            args = {**kwargs, "ctx": self.context(name, tenant, engine)}
            try:
                with structlog.contextvars.bound_contextvars(plugin=name):
                    async with db.savepoint():  # a failing plugin's writes are undone
                        result = await self._within_budget(impl, args)
            except Exception as exc:
                await self.outcome(engine, tenant, name, hook, exc)
                continue
            await self.outcome(engine, tenant, name, hook, None)
            results.append((name, result))
        return results

    async def _within_budget(self, impl: Any, args: dict[str, Any]) -> Any:
        budget = self.settings.plugin_timeout_seconds
        started = time.monotonic()
        result = _invoke(impl, args)
        if inspect.isawaitable(result):
            async with asyncio.timeout(budget - (time.monotonic() - started)):
                result = await result
        elapsed = time.monotonic() - started
        if elapsed > budget:
            raise TimeoutError(f"took {elapsed:.1f} s, over the budget of {budget} s")
        return result

    # Failures -----------------------------------------------------------------------------------

    async def outcome(
        self,
        engine: PostgresEngine,
        tenant: TenantPlugins,
        name: str,
        where: str,
        error: BaseException | None,
    ) -> None:
        """Account for one call of plugin ``name`` for ``tenant``: a success clears its
        failures (and ends a cool-down, emitting ``plugin.recovered``); a failure is logged
        and counted, and trips the plugin once repeated (or at once after a cool-down)."""
        from bodega.plugins import service

        key = (tenant.tenant_id, name)
        if error is None:
            if name in tenant.recovering or name in tenant.failing or key in self._failing:
                self._failing.discard(key)
                self._tripped.pop(key, None)
                await _own_transaction(
                    engine,
                    tenant.tenant_id,
                    lambda: service.record_success(self, tenant.tenant_id, name),
                )
            return
        reason = f"{where}: {type(error).__name__}: {error}"[:500]
        _log.warning(
            "plugin failed",
            plugin=name,
            tenant_id=str(tenant.tenant_id),
            where=where,
            exc_info=error,
        )
        FAILURES.labels(plugin=name, where=where).inc()
        self._failing.add(key)
        until = self.clock() + timedelta(seconds=self.settings.plugin_cooldown_seconds)
        tripped = await _own_transaction(
            engine,
            tenant.tenant_id,
            lambda: service.record_failure(
                self, tenant.tenant_id, name, until, reason, at_once=name in tenant.recovering
            ),
        )
        if tripped:
            self._tripped[key] = until

    # Connections -------------------------------------------------------------------------------

    def use(self, *, http: httpx.AsyncClient | None = None, queue: JobQueue | None = None) -> None:
        """Share a process's HTTP client and job queue with the plugins (the worker's)."""
        self._http = http or self._http
        self._queue = queue or self._queue

    def http_client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(timeout=10)
        return self._http

    async def queue(self) -> JobQueue:
        """The job queue, connected on first use (the API needs it only for plugins)."""
        if self._queue is None:
            from bodega.jobs.queue import connect_queue

            assert self.settings.redis_url is not None
            self._queue = await connect_queue(self.settings.redis_url, self.settings.redis_prefix)
            self._owns_queue = True
        return self._queue

    async def aclose(self) -> None:
        """Close what the host opened itself."""
        if self._owns_queue and self._queue is not None:
            await self._queue.close()
            self._queue = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _invoke(impl: Any, kwargs: Mapping[str, Any]) -> Any:
    """Call one implementation with the arguments it declares (as pluggy does)."""
    return impl.function(*[kwargs[name] for name in impl.argnames])


async def _own_transaction(
    engine: PostgresEngine, tenant_id: uuid.UUID, write: Callable[[], Awaitable[Any]]
) -> Any:
    """Run ``write`` in a transaction of its own, committed whatever becomes of the caller's
    (a failing request rolls back; the record of its plugin's failure must not)."""

    async def run() -> Any:
        async with db.transaction(engine, tenant_id):
            return await write()

    try:
        return await asyncio.create_task(run(), context=contextvars.Context())
    except Exception:
        _log.exception("could not record a plugin's state", tenant_id=str(tenant_id))
        return None


def _check_compatible(info: PluginInfo, version: str) -> None:
    try:
        wanted = SpecifierSet(info.requires_bodega)
    except InvalidSpecifier as exc:
        raise PluginError(
            f"plugin {info.name!r}: requires_bodega {info.requires_bodega!r} is not a version "
            "specifier like '>=0.1,<0.2'"
        ) from exc
    if not wanted.contains(Version(__version__), prereleases=True):
        raise PluginError(
            f"plugin {info.name!r} {version} needs Bodega {info.requires_bodega}, but this is "
            f"Bodega {__version__}: install a version of the plugin made for it, or uninstall "
            "the plugin."
        )


def _check_scopes(info: PluginInfo) -> None:
    from bodega.tenancy import SCOPES

    unknown = sorted(set(info.scopes) - set(SCOPES))
    if unknown:
        raise PluginError(
            f"plugin {info.name!r} asks for unknown scopes {unknown}; known: {sorted(SCOPES)}"
        )


def _load(entry_point: EntryPoint) -> Any:
    try:
        return entry_point.load()
    except Exception as exc:
        dist = entry_point.dist.name if entry_point.dist else "?"
        raise PluginError(
            f"plugin {entry_point.name!r} (distribution {dist}) failed to load: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def build_plugin_manager(settings: Settings) -> PluginHost:
    """Discover, check and register the installed plugins."""
    manager = pluggy.PluginManager("bodega")
    manager.add_hookspecs(hookspecs)
    host = PluginHost(settings, manager)
    found: Iterable[EntryPoint] = (
        () if settings.disable_plugin_autoload else entry_points(group=ENTRY_POINT_GROUP)
    )
    for entry_point in sorted(found, key=lambda ep: ep.name):
        host.add(_load(entry_point), entry_point=entry_point.name, dist=entry_point.dist)
    for path in settings.plugins:
        try:
            module = importlib.import_module(path)
        except ImportError as exc:
            raise PluginError(
                f"BODEGA_PLUGINS names {path!r}, which cannot be imported: {exc}"
            ) from exc
        host.add(module)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        name = manager.get_name(exc.plugin)
        raise PluginError(f"plugin {name!r}: {exc}") from exc
    return host
