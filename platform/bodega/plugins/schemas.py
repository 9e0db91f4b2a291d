"""What the plugins API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from bodega.api.pagination import named_page

__all__ = ["PluginEnable", "PluginOut", "PluginPage"]


class PluginOut(msgspec.Struct, kw_only=True):
    """A plugin as one chain sees it: installed, enabled or not, and its settings."""

    name: str
    description: str
    plugin_version: str | None
    """The installed plugin's version; ``null`` once it has been uninstalled."""
    installed: bool
    enabled: bool
    settings: dict[str, Any] | None
    """The chain's settings, secrets masked; ``null`` before it was first enabled."""
    settings_schema: dict[str, Any] | None
    """JSON Schema of the settings (for forms); ``null`` when not installed."""
    scopes: list[str]
    """What the plugin may do for the chain once enabled."""
    routes_path: str | None
    """Where the plugin's own REST routes are, if it has any."""
    enabled_at: datetime | None
    tripped_until: datetime | None
    """While set and in the future, the plugin failed repeatedly and is not called."""
    tripped_reason: str | None
    version: int
    """Version of the chain's configuration (0 before it was first enabled)."""


class PluginEnable(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Enable a plugin, or change its settings.

    ``settings`` replaces the stored settings, except secret fields left out (or sent back
    masked), which keep their stored value; leave ``settings`` out to keep them all.
    """

    settings: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    version: int | None = None
    """The configuration's current version, to refuse a change made meanwhile (409)."""


PluginPage = named_page(PluginOut, "PluginPage")
