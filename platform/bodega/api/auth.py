"""Who is calling: the :class:`Actor` on every authenticated request, and the guards.

Authentication itself (looking up a token) happens in the tenant middleware, because the
tenant it finds scopes the request's transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Literal

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from bodega.api.errors import Forbidden, Unauthorized

__all__ = ["Actor", "actor_of", "hash_token", "require_scope", "requires", "system_actor"]

ActorKind = Literal["user", "api_key", "system"]


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticated caller: a user (through an access token), an API key, or the
    ``system`` (command-line tools, tenant manifests, jobs)."""

    tenant_id: uuid.UUID
    kind: ActorKind
    id: uuid.UUID
    scopes: frozenset[str]
    role: str | None = None
    store_ids: tuple[uuid.UUID, ...] = ()
    session_id: uuid.UUID | None = None

    def may(self, scope: str) -> bool:
        return scope in self.scopes


def system_actor(tenant_id: uuid.UUID, scopes: frozenset[str]) -> Actor:
    """The actor of operators' commands and jobs: all given scopes, recorded as ``system``."""
    return Actor(tenant_id=tenant_id, kind="system", id=uuid.UUID(int=0), scopes=scopes)


def hash_token(token: str) -> str:
    """Secrets are random, so a fast hash stores them safely; passwords use argon2."""
    return hashlib.sha256(token.encode()).hexdigest()


def require_scope(actor: Actor | None, scope: str) -> Actor:
    if actor is None:
        raise Unauthorized("Send 'Authorization: Bearer <access token or API key>'.")
    if not actor.may(scope):
        raise Forbidden(f"This needs the '{scope}' scope, which your credentials do not have.")
    return actor


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    return connection.scope.get("state", {}).get("actor")


def requires(scope: str) -> Any:
    """A Litestar guard: the caller must be authenticated and hold ``scope``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        require_scope(actor_of(connection), scope)

    guard.__name__ = f"requires_{scope.replace(':', '_')}"
    return guard
