"""Plugins: what an integrator writes against, and how Bodega hosts them.

Everything a plugin author needs is importable from here::

    from bodega.plugins import PluginContext, PluginInfo, Secret, hookimpl
"""

from bodega.api.routing import CurrentActor
from bodega.db.migrate import sql_migration
from bodega.db.rls import tenant_table_sql
from bodega.plugins.context import PluginContext
from bodega.plugins.hookspecs import HOOKSPEC_VERSION, hookimpl
from bodega.plugins.info import GraphQLTypes, NoSettings, PluginInfo, Secret
from bodega.plugins.jobs import PluginJobs
from bodega.plugins.manager import (
    ENTRY_POINT_GROUP,
    InstalledPlugin,
    PluginError,
    PluginHost,
    TenantPlugins,
    build_plugin_manager,
)
from bodega.plugins.mount import CurrentPlugin

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOKSPEC_VERSION",
    "CurrentActor",
    "CurrentPlugin",
    "GraphQLTypes",
    "InstalledPlugin",
    "NoSettings",
    "PluginContext",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "PluginJobs",
    "Secret",
    "TenantPlugins",
    "build_plugin_manager",
    "hookimpl",
    "sql_migration",
    "tenant_table_sql",
]
