"""Every Piccolo table of every registered app, for binding them to the engine at start-up."""

from __future__ import annotations

from piccolo.table import Table

__all__ = ["all_tables"]


def all_tables() -> list[type[Table]]:
    from bodega.db.piccolo_conf import APP_REGISTRY

    return [table for config in APP_REGISTRY.app_configs.values() for table in config.table_classes]
