"""Connection URLs."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["with_user"]


def with_user(url: str, user: str) -> str:
    """``url`` with its user replaced by ``user`` and no password (the app role trusts the socket
    or has its own password in ``APP_DATABASE_URL``)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, parts.fragment))
