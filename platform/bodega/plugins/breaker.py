"""The circuit breaker that trips a failing plugin off for one chain.

Failures are counted per chain and plugin in each process; ``threshold`` failures in a row
trip it. The trip itself is recorded in the database (``tenant_plugins.tripped_until``), so
every process stops calling the plugin for that chain until the cool-down ends.
"""

from __future__ import annotations

from collections.abc import Hashable

from prometheus_client import Counter

__all__ = ["FAILURES", "Breaker"]

FAILURES = Counter(
    "bodega_plugin_failures",
    "Plugin calls that raised or overran their time budget.",
    ["plugin", "where"],
)


class Breaker:
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._failures: dict[Hashable, int] = {}

    def failed(self, key: Hashable, plugin: str, where: str) -> bool:
        """Count a failure; ``True`` when it is the one that trips the breaker."""
        FAILURES.labels(plugin=plugin, where=where).inc()
        count = self._failures.get(key, 0) + 1
        if count >= self.threshold:
            self._failures.pop(key, None)
            return True
        self._failures[key] = count
        return False

    def succeeded(self, key: Hashable) -> None:
        self._failures.pop(key, None)
