"""Route decorators and parameters shared by every domain's routes.

The decorators are Litestar's, with the problem responses every handler can give
documented in OpenAPI, so clients (and schemathesis) know each status they may meet.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Any

import litestar
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter

from bodega.api.auth import Actor, actor_of
from bodega.api.errors import BodegaError, Unauthorized
from bodega.api.pagination import MAX_LIMIT

__all__ = [
    "NO_AUTH",
    "PUBLIC",
    "CsvImportOperation",
    "CurrentActor",
    "Cursor",
    "Limit",
    "delete",
    "get",
    "patch",
    "post",
    "provide_actor",
    "put",
    "read_csv",
]


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=dict[str, Any],
        description=description,
        media_type="application/problem+json",
        generate_examples=False,
    )


PROBLEMS = {
    400: _problem("Malformed request (problem details)"),
    401: _problem("Missing, invalid or expired credentials"),
    403: _problem("The credentials lack the scope this needs"),
    404: _problem("No such object in your chain"),
    409: _problem("Conflict: stale version, duplicate or referenced object"),
    413: _problem("Request body too large"),
    422: _problem("Invalid input; `errors` names the fields"),
    429: _problem("Rate limited; see Retry-After"),
}

PUBLIC = {"anonymous_transaction": True}
"""``opt`` of routes that need no credentials but write (signup, login): they still run in a
transaction, committed or rolled back by the response status like every other write."""


NO_AUTH: list[dict[str, list[str]]] = [{}]
"""OpenAPI ``security`` of public routes: no credentials needed."""


def _with_problems(decorator: Any) -> Any:
    @functools.wraps(decorator)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["responses"] = {**PROBLEMS, **kwargs.get("responses", {})}
        return decorator(*args, **kwargs)

    return wrapper


get = _with_problems(litestar.get)
post = _with_problems(litestar.post)
patch = _with_problems(litestar.patch)
put = _with_problems(litestar.put)
delete = _with_problems(litestar.delete)

Limit = Annotated[
    int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size (1-{MAX_LIMIT}).")
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        pattern="^[A-Za-z0-9_-]{22}$", description="`next_cursor` of the previous page."
    ),
]
CurrentActor = NamedDependency[Actor]
"""The authenticated caller (the ``actor`` dependency); guards have checked its scope."""


def provide_actor(request: litestar.Request[Any, Any, Any]) -> Actor:
    """The ``actor`` dependency: the authenticated caller (guards have checked the scope)."""
    actor = actor_of(request)
    if actor is None:
        raise Unauthorized("Send 'Authorization: Bearer <access token or API key>'.")
    return actor


@dataclass
class CsvImportOperation(Operation):
    """An import reads its body itself (CSV, not JSON); this documents it in OpenAPI."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The spreadsheet saved as CSV (UTF-8), first row the column names.",
            content={"text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
        )


async def read_csv(request: litestar.Request[Any, Any, Any]) -> str:
    """An import's CSV body as text; 400 when it is not UTF-8."""
    body = await request.body()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodegaError(
            "The file is not UTF-8 text; save the spreadsheet as CSV UTF-8."
        ) from None
