"""Strawberry types and inputs generated from the API's msgspec Structs.

REST and GraphQL then describe each object once: the same fields, and inputs validated by
the same Struct (with its constraints) before the same service runs.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar, Union, get_args, get_origin
from uuid import UUID

import msgspec
import strawberry
from strawberry.scalars import JSON

__all__ = ["SCALARS", "Long", "from_input", "input_type", "object_type", "page_type"]

S = TypeVar("S", bound=msgspec.Struct)
_SCALARS = (str, int, bool, UUID, Decimal, datetime, date)
_INT32_MAX = 2**31 - 1


def _parse_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Long must be a whole number")
    return value


Long = typing.NewType("Long", int)
SCALARS = {
    Long: strawberry.scalar(
        name="Long",
        description="A whole number beyond GraphQL's 32-bit Int (money in minor units).",
        serialize=int,
        parse_value=_parse_long,
    )
}
"""Custom scalars, for ``StrawberryConfig(scalar_map=...)``."""


def _graphql_annotation(annotation: Any, namespace: dict[str, Any]) -> tuple[Any, bool]:
    """Map a Struct field's type to a strawberry one; also say whether it may be UNSET."""
    if get_origin(annotation) is typing.Annotated:
        base, *metadata = get_args(annotation)
        limits = [m.le for m in metadata if isinstance(m, msgspec.Meta) and m.le is not None]
        if base is int and any(limit > _INT32_MAX for limit in limits):
            return Long, False
        return _graphql_annotation(base, namespace)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not msgspec.UnsetType]
        unset = len(members) < len(get_args(annotation))
        optional = type(None) in members
        inner = [m for m in members if m is not type(None)]
        mapped, _ = _graphql_annotation(inner[0], namespace)
        return (mapped | None if optional else mapped), unset
    if origin is Literal:
        return str, False
    if origin is list:
        item, _ = _graphql_annotation(get_args(annotation)[0], namespace)
        return list[item], False  # type: ignore[valid-type]
    if origin is dict:
        return JSON, False
    if annotation in _SCALARS:
        return annotation, False
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return namespace[annotation.__name__], False
    raise TypeError(f"no GraphQL type for {annotation!r}")


def _fields(
    struct: type[msgspec.Struct], namespace: dict[str, Any]
) -> dict[str, tuple[Any, bool, Any]]:
    hints = typing.get_type_hints(struct, include_extras=True)
    result = {}
    for field in msgspec.structs.fields(struct):
        annotation, unset = _graphql_annotation(hints[field.name], namespace)
        result[field.name] = (annotation, unset, field)
    return result


def object_type(
    struct: type[msgspec.Struct],
    *,
    name: str | None = None,
    extra: dict[str, Any] | None = None,
    namespace: dict[str, Any] | None = None,
) -> type:
    """A strawberry output type with the Struct's fields (plus ``extra`` resolver fields)."""
    ns = namespace or {}
    annotations = {n: a for n, (a, _, _) in _fields(struct, ns).items()}
    cls = type(
        name or struct.__name__.removesuffix("Out"),
        (),
        {"__annotations__": annotations, **(extra or {})},
    )
    cls.__doc__ = struct.__doc__
    return strawberry.type(cls)


def input_type(
    struct: type[msgspec.Struct],
    *,
    name: str | None = None,
    namespace: dict[str, Any] | None = None,
) -> type:
    """A strawberry input with the Struct's fields; omitted optional fields stay UNSET.

    Nested Structs (an order's lines) map to the input types in ``namespace``, by the
    Struct's name."""
    annotations: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for field_name, (annotation, unset, field) in _fields(struct, namespace or {}).items():
        required = field.required and not unset
        annotations[field_name] = annotation if required else annotation | None
        if not required:
            defaults[field_name] = strawberry.UNSET
    # Required fields first, as dataclasses need.
    ordered = dict(sorted(annotations.items(), key=lambda item: item[0] in defaults))
    cls = type(name or struct.__name__ + "Input", (), {"__annotations__": ordered, **defaults})
    cls.__doc__ = struct.__doc__
    return strawberry.input(cls)


def _plain(value: Any) -> Any:
    """An input as plain data, nested inputs too, without the fields left out (UNSET)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__strawberry_definition__"):
        return {k: _plain(v) for k, v in vars(value).items() if v is not strawberry.UNSET}
    return value


def from_input(value: Any, struct: type[S], **extra: Any) -> S:
    """Validate a GraphQL input through its Struct (same constraints as REST)."""
    data = {**_plain(value), **extra}
    return msgspec.convert(msgspec.to_builtins(data), struct, strict=False)


def page_type(item: type, name: str) -> type:
    cls = type(name, (), {"__annotations__": {"data": list[item], "next_cursor": str | None}})  # type: ignore[valid-type]
    cls.__doc__ = (
        f"A page of {item.__name__} objects; pass next_cursor as `after` for the next one."
    )
    return strawberry.type(cls)
