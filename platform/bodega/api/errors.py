"""RFC 9457 problem details: every error the API returns, in one shape.

Services raise :class:`BodegaError` subclasses; Litestar's own exceptions (validation,
authentication, routing, rate limits) and database errors caused by input are mapped here.
``type`` is a stable URI reference documented in ``docs/errors.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import asyncpg
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

__all__ = [
    "BodegaError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Unauthorized",
    "VersionConflict",
    "exception_handlers",
    "problem_response",
    "raise_if_errors",
]

PROBLEM_JSON = "application/problem+json"
_log = structlog.get_logger("bodega.api")


class FieldError(dict[str, Any]):
    """One offending field: ``{"field": "gtin", "message": "...", "row": 3?}``."""

    def __init__(self, field: str, message: str, **extra: Any) -> None:
        super().__init__(field=field, message=message, **extra)


class BodegaError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, *, errors: Sequence[FieldError] = (), **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.extra = extra


class InvalidInput(BodegaError):
    status = 422
    slug = "validation-error"
    title = "The request is not valid"


def _joined(errors: Sequence[FieldError]) -> str:
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


def raise_if_errors(errors: Sequence[FieldError], detail: str | None = None) -> None:
    """Refuse the whole request when checks found problems: one 422 naming every field
    (``detail`` defaults to the fields and messages joined)."""
    if errors:
        raise InvalidInput(detail or _joined(errors), errors=list(errors))


class Unauthorized(BodegaError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(BodegaError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(BodegaError):
    status = 404
    slug = "not-found"
    title = "Not found"

    def __init__(self, resource: str, ident: object = None) -> None:
        detail = f"No {resource} with id {ident}." if ident is not None else f"No such {resource}."
        super().__init__(detail)


class Conflict(BodegaError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class VersionConflict(Conflict):
    slug = "version-conflict"
    title = "The object was changed by someone else"

    def __init__(self, resource: str, current_version: int) -> None:
        super().__init__(
            f"This {resource} has changed since you read it (current version {current_version}); "
            "read it again and retry with the current version.",
            current_version=current_version,
        )


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict with the current state"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "The request is not valid"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    request: Request[Any, Any, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    default_slug, default_title = _STATUS_SLUGS.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": f"/problems/{slug or default_slug}",
        "title": title or default_title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = request.scope.get("state", {}).get("request_id")
        if request_id:
            body["request_id"] = request_id
    body.update({k: v for k, v in extra.items() if v not in (None, [], {})})
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _bodega_error(request: Request[Any, Any, Any], exc: BodegaError) -> Response[dict[str, Any]]:
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        request=request,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extra,
    )


_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")


def _field_of(item: dict[str, Any]) -> str:
    """The offending field; msgspec reports a missing one at its object, in the message."""
    missing = _MISSING_FIELD.search(item.get("message", ""))
    if missing and item.get("key") in (None, "data"):
        return missing.group(1)
    return item.get("key") or item.get("source") or "body"


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = [
        FieldError(_field_of(item), item.get("message", ""))
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    if not errors:  # the request itself is malformed (not JSON, wrong media type)
        return problem_response(400, exc.detail, request=request)
    return problem_response(
        422,
        _joined(errors),
        slug=InvalidInput.slug,
        title=InvalidInput.title,
        request=request,
        errors=errors,
    )


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    headers = dict(exc.headers or {})
    if exc.status_code == 429 and "RateLimit-Reset" in headers:
        headers["Retry-After"] = headers["RateLimit-Reset"]
    return problem_response(exc.status_code, exc.detail, request=request, headers=headers)


def _database_error(
    request: Request[Any, Any, Any], exc: asyncpg.PostgresError
) -> Response[dict[str, Any]]:
    """Database errors that input can cause answer 4xx; anything else is a logged 500."""
    if isinstance(exc, asyncpg.UniqueViolationError):
        return problem_response(
            409, "An object with the same unique value exists.", request=request
        )
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return problem_response(
            409, "The object is referenced by, or refers to, another object.", request=request
        )
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        return problem_response(
            409, "A concurrent change conflicted with this one; retry.", request=request
        )
    if isinstance(exc, asyncpg.DataError | asyncpg.CheckViolationError):
        return problem_response(
            422, f"Invalid value: {exc.args[0] if exc.args else exc}", request=request
        )
    return _unexpected(request, exc)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    _log.exception("unhandled error", path=request.url.path, exc_info=exc)
    return problem_response(500, "Something went wrong on our side.", request=request)


exception_handlers: dict[type[Exception], Any] = {
    BodegaError: _bodega_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    asyncpg.PostgresError: _database_error,
    Exception: _unexpected,
}
