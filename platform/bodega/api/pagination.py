"""Cursor pagination: ``?limit=&cursor=`` answering ``{"data": [...], "next_cursor": ...}``.

IDs are time-ordered UUIDs, so a page is "the next ``limit`` rows after this id".
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import KwargDefinition

from bodega.api.errors import FieldError, InvalidInput

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "named_page",
    "page_of",
]

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(msgspec.Struct, Generic[T]):
    data: list[T]
    next_cursor: str | None = None


def named_page(item: type[T], name: str) -> Any:
    """``Page[item]`` under its own name in OpenAPI (``ProductPage``, not ``Page[ProductOut]``),
    which is what client generators turn into class names. Annotate routes with the result."""
    return Annotated[Page[item], KwargDefinition(schema_component_key=name)]  # type: ignore[valid-type]


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "The cursor is not one this API returned.",
            errors=[FieldError("cursor", "invalid cursor")],
        ) from None


def page_of(items: Sequence[T], limit: int) -> Page[T]:
    """Build a page from ``limit + 1`` fetched items (the extra one says there is more)."""
    data = list(items[:limit])
    more = len(items) > limit
    next_cursor = encode_cursor(data[-1].id) if more and data else None  # type: ignore[attr-defined]
    return Page(data=data, next_cursor=next_cursor)
