"""Counting a plugin's failures, for its circuit breaker.

Failures in a row are counted per chain and plugin in the database
(``tenant_plugins.failure_count``), so every process (API servers, workers) adds to the same
count and a restart forgets nothing; ``plugin_failure_threshold`` of them trip the plugin
off for the chain (``tripped_until``), which every process then sees.
"""

from __future__ import annotations

from prometheus_client import Counter

__all__ = ["FAILURES"]

FAILURES = Counter(
    "bodega_plugin_failures",
    "Plugin calls that raised or overran their time budget.",
    ["plugin", "where"],
)
