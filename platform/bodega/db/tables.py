"""Every Piccolo table of the core and the plugins, for binding them to the engine at start-up."""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.conf.apps import AppRegistry
from piccolo.table import Table

__all__ = ["all_tables", "app_registry"]


def app_registry(plugin_apps: Sequence[str] = ()) -> AppRegistry:
    """The core's Piccolo apps and ``plugin_apps`` (module paths of ``piccolo_app`` modules)."""
    from bodega.db.piccolo_conf import CORE_APPS

    return AppRegistry(apps=[*CORE_APPS, *plugin_apps])


def all_tables(plugin_apps: Sequence[str] = ()) -> list[type[Table]]:
    registry = app_registry(plugin_apps)
    return [table for config in registry.app_configs.values() for table in config.table_classes]
