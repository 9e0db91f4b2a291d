"""REST for plugins: which are installed, and enabling or disabling one for the chain."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter

from bodega.api.auth import requires
from bodega.api.routing import CurrentActor, delete, get, put
from bodega.plugins import service
from bodega.plugins.info import NAME_PATTERN
from bodega.plugins.manager import PluginHost
from bodega.plugins.schemas import PluginEnable, PluginOut, PluginPage

__all__ = ["PluginController", "provide_plugin_host"]

READ = [requires("plugins:read")]
MANAGE = [requires("plugins:manage")]

Plugins = NamedDependency[PluginHost]
Name = Annotated[str, PathParameter(pattern=NAME_PATTERN, description="The plugin's name.")]


def provide_plugin_host(request: Request[Any, Any, Any]) -> PluginHost:
    return request.app.state.plugins


class PluginController(Controller):
    path = "/v1/plugins"
    tags = ["plugins"]
    dependencies = {"plugins": Provide(provide_plugin_host, sync_to_thread=False)}

    @get("/", guards=READ, summary="Installed plugins, and which the chain has enabled")
    async def list_plugins(self, actor: CurrentActor, plugins: Plugins) -> PluginPage:
        return await service.list_plugins(actor, plugins)

    @get("/{name:str}", guards=READ, summary="One plugin, with the chain's settings (masked)")
    async def get_plugin(self, actor: CurrentActor, plugins: Plugins, name: Name) -> PluginOut:
        return await service.get_plugin(actor, plugins, name)

    @put(
        "/{name:str}",
        guards=MANAGE,
        summary="Enable a plugin for the chain, or change its settings",
    )
    async def enable_plugin(
        self,
        actor: CurrentActor,
        plugins: Plugins,
        name: Name,
        data: JSONBody[PluginEnable],
    ) -> PluginOut:
        return await service.enable_plugin(actor, plugins, name, data)

    @delete("/{name:str}", guards=MANAGE, summary="Disable a plugin (its settings are kept)")
    async def disable_plugin(self, actor: CurrentActor, plugins: Plugins, name: Name) -> None:
        await service.disable_plugin(actor, plugins, name)
