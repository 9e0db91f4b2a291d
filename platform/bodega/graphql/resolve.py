"""How resolvers call services, and how service errors become GraphQL errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import msgspec
import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from bodega.api.auth import Actor, require_scope
from bodega.api.errors import BodegaError, InvalidInput, Unauthorized
from bodega.api.pagination import MAX_LIMIT
from bodega.db import engine as db
from bodega.graphql.context import Context

__all__ = ["ProblemErrors", "authenticated", "call", "mutate", "page_limit"]

T = TypeVar("T")
_CODES = {
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    422: "BAD_USER_INPUT",
    502: "PLUGIN_FAILED",
    503: "UNAVAILABLE",
}
_log = structlog.get_logger("bodega.graphql")


def authenticated(info: Info[Context, Any]) -> Actor:
    if info.context.actor is None:
        raise Unauthorized("Send 'Authorization: Bearer <access token or API key>'.")
    return info.context.actor


async def call(
    info: Info[Context, Any],
    scope: str | None,
    fn: Callable[..., Awaitable[T]],
    *args: Any,
    **kwargs: Any,
) -> T:
    """A read: check the scope (``None``: any authenticated caller), call the service."""
    actor = authenticated(info) if scope is None else require_scope(info.context.actor, scope)
    return await fn(actor, *args, **kwargs)


async def mutate(
    info: Info[Context, Any], scope: str, fn: Callable[..., Awaitable[T]], *args: Any
) -> T:
    """A change, atomic on its own: a failing mutation leaves nothing written even when other
    mutations of the same request succeed (and commit with the request)."""
    actor = require_scope(info.context.actor, scope)
    async with db.savepoint():
        return await fn(actor, *args)


def _extensions(exc: BaseException) -> dict[str, Any] | None:
    if isinstance(exc, msgspec.ValidationError):
        exc = InvalidInput(str(exc))
    if isinstance(exc, BodegaError):
        return {
            "code": _CODES.get(exc.status, "BAD_REQUEST"),
            "status": exc.status,
            "type": f"/problems/{exc.slug}",
            **({"errors": exc.errors} if exc.errors else {}),
            **{k: v for k, v in exc.extra.items() if v is not None},
        }
    return None


class ProblemErrors(SchemaExtension):
    """Give service errors a code, status and problem type; hide unexpected ones."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        result = self.execution_context.result
        if not result or not result.errors:
            return
        mapped = []
        for error in result.errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                mapped.append(error)
                continue
            extensions = _extensions(original)
            if extensions is None:
                _log.error("graphql resolver failed", exc_info=original, path=error.path)
                mapped.append(
                    GraphQLError(
                        "Something went wrong on our side.",
                        path=error.path,
                        extensions={"code": "INTERNAL_SERVER_ERROR", "status": 500},
                    )
                )
                continue
            message = str(original.detail) if isinstance(original, BodegaError) else str(original)
            mapped.append(
                GraphQLError(
                    message,
                    nodes=error.nodes,
                    path=error.path,
                    original_error=original,
                    extensions=extensions,
                )
            )
        result.errors = mapped


def page_limit(first: int) -> int:
    if not 1 <= first <= MAX_LIMIT:
        raise InvalidInput(f"first must be from 1 to {MAX_LIMIT}.")
    return first
