"""The messages: default templates, rendering an event with one, and the robot's request body.

A template is markdown with ``{name}`` placeholders, filled from the event's ``data`` and
``{type}``, ``{event_id}``, ``{created_at}`` and ``{summary}`` (a few telling fields of
``data``, one per line). Placeholders are plain names only: ``str.format`` would otherwise
let a chain's template reach attributes and items of the values (``{name.__class__}``), so
anything else is refused when the settings are saved (:func:`template_problem`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from datetime import datetime

    from bodega.events import EventOut

__all__ = [
    "DEFAULT_TEMPLATES",
    "FALLBACK_TEMPLATE",
    "MARKDOWN_LIMIT",
    "SUMMARY_FIELDS",
    "TEMPLATE_PATTERN",
    "TEXT_LIMIT",
    "render",
    "robot_body",
    "summary",
    "template_for",
    "template_problem",
    "truncate",
]

MARKDOWN_LIMIT = 4096
"""Most bytes (UTF-8) of a markdown message's content the robot accepts."""
TEXT_LIMIT = 2048
"""Most bytes (UTF-8) of a text message's content the robot accepts."""
ELLIPSIS = "…"

TEMPLATE_PATTERN = r"^(?:[^{}]|\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\})*$"
"""Templates whose placeholders are all plain names (``{{`` and ``}}`` are literal braces):
the settings check this field by field; :func:`template_problem` says what is wrong."""
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MARKUP = re.compile(r"</?font[^>]*>|\*\*")

SUMMARY_FIELDS = ("name", "code", "sku", "status", "id")
"""Fields of ``data`` that ``{summary}`` shows, when present."""

_FOOTER = '\n<font color="comment">{created_at}</font>'
FALLBACK_TEMPLATE = "**{type}**\n{summary}" + _FOOTER
"""For event types without a template of the chain's or a default one."""
DEFAULT_TEMPLATES: dict[str, str] = {
    "inspection.failed": '**<font color="warning">Inspection failed</font>**\n{summary}' + _FOOTER,
    "device.offline": '**<font color="warning">Device offline</font>**\n{summary}' + _FOOTER,
    "inventory.low": '**<font color="warning">Low stock</font>**\n{summary}' + _FOOTER,
    "order.refunded": "**Order refunded**\n{summary}" + _FOOTER,
    "product.created": "**New product** {name}\n> SKU: {sku}" + _FOOTER,
    "product.updated": "**Product changed** {name}\n> SKU: {sku} (version {version})" + _FOOTER,
    "product.deleted": "**Product deleted** {name}\n> SKU: {sku}" + _FOOTER,
}


def template_problem(template: str) -> str | None:
    """What makes ``template`` unusable (a placeholder that is not a plain name, a lone
    brace), or ``None`` when it is fine."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"{exc}; write {{{{ and }}}} for literal braces"
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if not _PLAIN_NAME.match(field) or spec or conversion:
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return (
                f"placeholder {{{shown}}} is not allowed: use plain names of the event's data "
                "fields, like {name}"
            )
    return None


def template_for(templates: Mapping[str, str], event_type: str) -> str:
    """The template for ``event_type``: the chain's for exactly that type, else its one for
    every type of the object (``product.*``), else its one for everything (``*``), else the
    default for the type, else the fallback."""
    kind = event_type.partition(".")[0]
    for key in (event_type, f"{kind}.*", "*"):
        if key in templates:
            return templates[key]
    return DEFAULT_TEMPLATES.get(event_type, FALLBACK_TEMPLATE)


class _Fields(dict[str, str]):
    """The values of a template's placeholders; one the event lacks is left empty."""

    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, event: EventOut) -> str:
    """``template`` (checked by :func:`template_problem`) filled in for ``event``. The
    event's own ``type``, ``event_id``, ``created_at`` and ``summary`` win over fields of
    ``data`` with the same names."""
    fields = _Fields({key: _text(value) for key, value in event.data.items()})
    fields.update(
        type=event.type,
        event_id=str(event.id),
        created_at=_when(event.created_at),
        summary=summary(event.data),
    )
    return template.format_map(fields)


def summary(data: Mapping[str, Any]) -> str:
    """The :data:`SUMMARY_FIELDS` present in ``data``, one quoted line each."""
    return "\n".join(
        f"> {key}: {_text(data[key])}" for key in SUMMARY_FIELDS if data.get(key) not in (None, "")
    )


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, between characters, ending in "…"
    when it was cut."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode())
    # Cutting may split the last character's bytes; "ignore" drops only that partial one.
    return encoded[:room].decode(errors="ignore") + ELLIPSIS


def robot_body(content: str, mention_mobiles: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON the robot is sent: markdown, or, to @-mention people (which markdown cannot),
    text without the markdown's emphasis and colours."""
    if mention_mobiles:
        return {
            "msgtype": "text",
            "text": {
                "content": truncate(_MARKUP.sub("", content), TEXT_LIMIT),
                "mentioned_mobile_list": list(mention_mobiles),
            },
        }
    return {"msgtype": "markdown", "markdown": {"content": truncate(content, MARKDOWN_LIMIT)}}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return msgspec.json.encode(value).decode()


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
