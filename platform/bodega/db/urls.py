"""Connection URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from bodega.settings import Settings

__all__ = ["app_database_url", "with_user"]


def with_user(url: str, user: str) -> str:
    """``url`` with its user replaced by ``user`` and no password (the app role trusts the socket
    or has its own password in ``APP_DATABASE_URL``)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, parts.fragment))


def app_database_url(settings: Settings) -> str:
    """The application role's connection: ``APP_DATABASE_URL``, or ``DATABASE_URL`` with the
    app role as user."""
    if settings.app_database_url:
        return settings.app_database_url
    if settings.database_url is None:
        raise RuntimeError("no database configured: run through `bodega serve` or set DATABASE_URL")
    return with_user(settings.database_url, settings.app_role)
