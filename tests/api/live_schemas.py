"""The live API descriptions, built without servers (nothing connects until start-up).

They describe the core alone: installed plugins (each its own distribution) are left out.
"""

from __future__ import annotations

from typing import Any

from bodega.app import create_app
from bodega.graphql import build_schema
from bodega.plugins import build_plugin_manager
from bodega.plugins.reference import hook_reference
from bodega.settings import Settings

__all__ = ["graphql_sdl", "hook_reference", "openapi_document"]

CORE = Settings(
    database_url="postgresql://unused/db",
    redis_url="redis://unused:6379/0",
    disable_plugin_autoload=True,
)


def openapi_document() -> dict[str, Any]:
    return create_app(CORE).openapi_schema.to_schema()


def graphql_sdl() -> str:
    return build_schema(build_plugin_manager(CORE)).as_str() + "\n"
