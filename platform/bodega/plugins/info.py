"""What a plugin says about itself (``PluginInfo``) and how its per-tenant settings are kept.

Settings are a msgspec Struct of the plugin's. A field annotated ``Secret`` is write-only:
it is stored, handed to the plugin, and shown to API callers only masked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import msgspec

__all__ = [
    "NAME_PATTERN",
    "GraphQLTypes",
    "NoSettings",
    "PluginInfo",
    "Secret",
    "fingerprint",
    "mask",
    "secret_fields",
]

NAME_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
_NAME = re.compile(NAME_PATTERN)

Secret = msgspec.Meta(extra={"secret": True})
"""Mark a settings field write-only: ``webhook_url: Annotated[str, Secret]``."""

MASK = "••••"


class NoSettings(msgspec.Struct, forbid_unknown_fields=True):
    """The settings of a plugin that has none."""


@dataclass(frozen=True, kw_only=True)
class PluginInfo:
    """A plugin's declaration: the module named by its entry point has one, as ``plugin``.

    ``name`` is the entry point's name and the plugin's REST prefix (``/v1/plugins/<name>/``);
    ``requires_bodega`` is a version specifier (``">=0.1,<0.2"``) checked at start;
    ``scopes`` are the API scopes the plugin acts with for a chain: only a user holding all of
    them may enable it; ``settings`` is the Struct a chain's settings must fit.
    ``version`` and ``description`` default to the distribution's.
    """

    name: str
    requires_bodega: str
    settings: type[msgspec.Struct] = NoSettings
    scopes: tuple[str, ...] = ()
    description: str | None = None
    version: str | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(
                f"plugin name {self.name!r} must be 2-40 lower-case letters, digits or _, "
                "starting with a letter"
            )
        if not (isinstance(self.settings, type) and issubclass(self.settings, msgspec.Struct)):
            raise TypeError(f"plugin {self.name!r}: settings must be a msgspec Struct class")


def secret_fields(struct: type[msgspec.Struct]) -> frozenset[str]:
    """The names of the fields of ``struct`` marked ``Secret``."""
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    return frozenset(field.encode_name for field in info.fields if _is_secret(field.type))


def _is_secret(kind: msgspec.inspect.Type) -> bool:
    """``Annotated[str, Secret]``, also inside ``... | None``."""
    if isinstance(kind, msgspec.inspect.Metadata):
        return bool((kind.extra or {}).get("secret")) or _is_secret(kind.type)
    if isinstance(kind, msgspec.inspect.UnionType):
        return any(_is_secret(member) for member in kind.types)
    return False


def mask(struct: type[msgspec.Struct], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as callers see them: each secret replaced by the mask and a short
    fingerprint (enough to tell two apart), never any of its characters: the end of a
    URL may be all of its key."""
    secrets = secret_fields(struct)
    return {
        key: fingerprint(value) if key in secrets and value else value
        for key, value in values.items()
    }


def fingerprint(secret: Any) -> str:
    """How a secret is shown: ``••••`` and 6 hex digits of its SHA-256."""
    return MASK + hashlib.sha256(str(secret).encode()).hexdigest()[:6]


@dataclass(frozen=True, kw_only=True)
class GraphQLTypes:
    """What ``bodega_graphql`` returns: strawberry types whose fields join the schema's
    ``Query`` and ``Mutation``. Name the fields after the plugin (``wecom_notify_test``)."""

    query: type | None = None
    mutation: type | None = None
