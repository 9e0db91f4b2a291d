"""Per-request GraphQL context: the caller, and dataloaders that batch relation look-ups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from litestar import Request
from strawberry.dataloader import DataLoader
from strawberry.litestar.controller import BaseContext

from bodega.api.auth import Actor, actor_of

if TYPE_CHECKING:
    from bodega.plugins import PluginContext, PluginHost, TenantPlugins

__all__ = ["Context", "context_getter"]

K = TypeVar("K")
V = TypeVar("V")


class Context(BaseContext, kw_only=True):
    actor: Actor | None
    loaders: dict[str, DataLoader[Any, Any]]
    chain_plugins: Any = None
    """The caller's chain's plugins (``TenantPlugins``), read once per request."""

    def loader(
        self, name: str, fetch: Callable[[Actor, Sequence[K]], Awaitable[dict[K, V]]]
    ) -> DataLoader[K, V | None]:
        """One batching loader per relation and request: ``fetch(actor, keys) -> {key: value}``."""
        if name not in self.loaders:
            actor = self.actor

            async def load(keys: Sequence[K]) -> list[V | None]:
                assert actor is not None
                found = await fetch(actor, keys)
                return [found.get(k) for k in keys]

            self.loaders[name] = DataLoader(load_fn=load)
        return self.loaders[name]

    @property
    def plugins(self) -> PluginHost:
        return self.request.app.state.plugins

    async def plugin_state(self, name: str) -> TenantPlugins:
        """The caller's chain's plugins, read once per request however many plugin fields
        it asks for; an error when the chain has not enabled plugin ``name``."""
        from bodega.plugins.mount import tenant_plugins_for

        self.chain_plugins = await tenant_plugins_for(
            self.plugins, self.actor, name, known=self.chain_plugins
        )
        return self.chain_plugins

    async def plugin(self, name: str) -> PluginContext:
        """The caller's chain's context of plugin ``name`` (for a plugin's resolvers); an
        error when the chain has not enabled it."""
        tenant = await self.plugin_state(name)
        return self.plugins.context(name, tenant, self.request.app.state.engine)


async def context_getter(request: Request[Any, Any, Any]) -> Context:
    return Context(actor=actor_of(request), loaders={})
