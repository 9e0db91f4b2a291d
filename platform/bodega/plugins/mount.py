"""Where plugins meet requests: their routes under ``/v1/plugins/<name>/`` and their GraphQL
fields, each answering only for chains that have enabled the plugin, and each counting the
plugin's failures (a failure is answered 502, never blamed on the core)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, Router
from litestar.di import NamedDependency, Provide
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import FieldExtension

from bodega.api.auth import Actor, actor_of
from bodega.api.errors import BodegaError, NotFound, Unauthorized, problem_response
from bodega.plugins.context import PluginContext
from bodega.plugins.manager import PluginError, PluginHost, TenantPlugins

if TYPE_CHECKING:
    from strawberry.types import Info

__all__ = [
    "CurrentPlugin",
    "PluginFailed",
    "PluginField",
    "PluginNotEnabled",
    "PluginUnavailable",
    "plugin_routers",
    "tenant_plugins_for",
]

CurrentPlugin = NamedDependency[PluginContext]
"""Type of a plugin route's ``plugin`` parameter: the caller's chain's context."""

_TENANT = "plugin_tenant"
_ERROR = "plugin_error"


class PluginUnavailable(BodegaError):
    status = 503
    slug = "plugin-unavailable"
    title = "The plugin is paused after repeated failures"

    def __init__(self, name: str, retry_after_s: int) -> None:
        super().__init__(
            f"The plugin {name} failed repeatedly and is paused for your chain; it is tried "
            f"again in {retry_after_s} s (see GET /v1/plugins/{name}).",
            plugin=name,
        )
        self.headers = {"Retry-After": str(retry_after_s)}


class PluginNotEnabled(NotFound):
    def __init__(self, name: str) -> None:
        BodegaError.__init__(
            self,
            f"Your chain has not enabled the plugin {name} (or no such plugin is installed); "
            f"see GET /v1/plugins.",
        )


class PluginFailed(BodegaError):
    status = 502
    slug = "plugin-failed"
    title = "A plugin failed"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The plugin {name} failed while answering; the error is logged with this "
            "request's id. Nothing was changed.",
            plugin=name,
        )


async def tenant_plugins_for(
    host: PluginHost, actor: Actor | None, name: str, *, known: TenantPlugins | None = None
) -> TenantPlugins:
    """The caller's chain's plugins (``known``, when the request read them already), if
    ``name`` is among the active ones: else 401 (no caller), 404 (not enabled by the chain)
    or 503 (tripped, with Retry-After)."""
    if actor is None:
        raise Unauthorized("Send 'Authorization: Bearer <access token or API key>'.")
    tenant = known or await host.for_tenant(actor.tenant_id)
    if name in tenant.tripped:
        wait = (tenant.tripped[name] - host.clock()).total_seconds()
        raise PluginUnavailable(name, max(1, math.ceil(wait)))
    if name not in tenant.settings:
        raise PluginNotEnabled(name)
    return tenant


class _Outcome(ASGIMiddleware):
    """Counts each answered request as a success or failure of the plugin (after the guard
    let it through; a 404 for a chain without the plugin counts as neither)."""

    def __init__(self, host: PluginHost, name: str) -> None:
        self.host, self.name = host, name

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        await next_app(scope, receive, send)
        state = scope["state"]
        tenant = state.get(_TENANT)
        if tenant is not None:
            engine = scope["litestar_app"].state.engine
            await self.host.outcome(engine, tenant, self.name, "route", state.get(_ERROR))


def _router(host: PluginHost, name: str, handlers: list[Any]) -> Router:
    async def enabled(connection: Any, _: Any) -> None:
        tenant = await tenant_plugins_for(host, actor_of(connection), name)
        connection.scope["state"][_TENANT] = tenant

    def provide_plugin(request: Request[Any, Any, Any]) -> PluginContext:
        return host.context(name, request.scope["state"][_TENANT], request.app.state.engine)

    def failed(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        request.scope["state"][_ERROR] = exc
        error = PluginFailed(name)
        return problem_response(
            error.status, error.detail, slug=error.slug, title=error.title, request=request
        )

    router = Router(
        path=f"/v1/plugins/{name}",
        route_handlers=handlers,
        guards=[enabled],
        dependencies={"plugin": Provide(provide_plugin, sync_to_thread=False)},
        middleware=[_Outcome(host, name)],
        exception_handlers={Exception: failed},
        tags=[f"plugin: {name}"],
    )
    if any(route.path == router.path for route in router.routes):
        raise PluginError(
            f"plugin {name!r} has a route at {router.path} itself, which is the plugin's own "
            f"resource (GET/PUT/DELETE): give its routes a path below it, like "
            f"{router.path}/status."
        )
    return router


def plugin_routers(host: PluginHost) -> list[Router]:
    """One router per plugin with routes."""
    return [_router(host, name, handlers) for name, handlers in host.routes().items()]


class PluginField(FieldExtension):
    """Put on every GraphQL field a plugin contributes: the field answers only for chains
    that enabled the plugin, and its failures count against the plugin."""

    def __init__(self, host: PluginHost, name: str) -> None:
        super().__init__()
        self.host, self.name = host, name

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        context = info.context
        tenant = await context.plugin_state(self.name)
        engine = context.request.app.state.engine
        try:
            result = await next_(source, info, **kwargs)
        except BodegaError:
            raise  # the plugin's own answer (invalid input, not found ...)
        except Exception as exc:
            await self.host.outcome(engine, tenant, self.name, "graphql", exc)
            raise PluginFailed(self.name) from exc
        await self.host.outcome(engine, tenant, self.name, "graphql", None)
        return result
