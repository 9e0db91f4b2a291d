"""GraphQL for plugins (the same services as REST)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.plugins import schemas, service

__all__ = ["PluginsMutation", "PluginsQuery"]

InfoT = Info[Context, Any]
READ, MANAGE = "plugins:read", "plugins:manage"

Plugin = object_type(schemas.PluginOut)
PluginPage = page_type(Plugin, "PluginPage")
PluginEnableInput = input_type(schemas.PluginEnable, name="PluginEnableInput")


@strawberry.type
class PluginsQuery:
    @strawberry.field(description="Installed plugins, and which the chain has enabled.")
    async def plugins(self, info: InfoT) -> PluginPage:  # type: ignore[valid-type]
        return await call(info, READ, service.list_plugins, info.context.plugins)

    @strawberry.field(description="One plugin, with the chain's settings (secrets masked).")
    async def plugin(self, info: InfoT, name: str) -> Plugin:  # type: ignore[valid-type]
        return await call(info, READ, service.get_plugin, info.context.plugins, name)


@strawberry.type
class PluginsMutation:
    @strawberry.mutation(description="Enable a plugin for the chain, or change its settings.")
    async def enable_plugin(
        self, info: InfoT, name: str, input: PluginEnableInput
    ) -> Plugin | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PluginEnable)
        return await mutate(info, MANAGE, service.enable_plugin, info.context.plugins, name, data)

    @strawberry.mutation(description="Disable a plugin (its settings are kept).")
    async def disable_plugin(self, info: InfoT, name: str) -> bool | None:
        await mutate(info, MANAGE, service.disable_plugin, info.context.plugins, name)
        return True
