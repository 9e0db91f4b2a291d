"""A chain's settings of the plugin: its robot, which events it is told of, and how.

Bodega checks settings field by field against the constraints in the annotations (so a
mistake is reported as ``settings.<field>``); ``__post_init__`` checks the same rules with
clearer messages, and also for settings made in Python, where msgspec checks no constraint.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta

from bodega.events.schemas import EVENT_TYPE_PATTERN
from bodega.plugins import Secret
from wecom_notify.messages import MARKDOWN_LIMIT, TEMPLATE_PATTERN, template_problem

__all__ = ["DEFAULT_EVENTS", "ROBOT_HOST", "WeComSettings", "url_problem"]

ROBOT_HOST = "qyapi.weixin.qq.com"
DEFAULT_EVENTS = ("inspection.failed", "device.offline", "inventory.low", "order.refunded")
"""What a small chain wants to hear of at once; it adds more (``product.created`` ...)."""

WebhookUrl = Annotated[
    str,
    Secret,
    Meta(
        min_length=1,
        max_length=2048,
        pattern=r"^https?://[^\s/?#]+([/?#]\S*)?$",
        description=f"The group robot's webhook: https://{ROBOT_HOST}/cgi-bin/webhook/send?key=...",
    ),
]
EventPattern = Annotated[
    str,
    Meta(
        pattern=EVENT_TYPE_PATTERN,
        description='An event type ("inventory.low"), every type of an object ("product.*") '
        'or every event ("*").',
    ),
]
Template = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MARKDOWN_LIMIT,
        pattern=TEMPLATE_PATTERN,
        description="Markdown with {placeholders}: plain names of the event's data fields, "
        "and type, event_id, created_at, summary. {{ and }} are literal braces.",
    ),
]
Mobile = Annotated[
    str,
    Meta(
        pattern=r"^(@all|\+?[0-9]{5,20})$",
        description='A group member\'s mobile number, or "@all".',
    ),
]


class WeComSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Where and what to post for one chain."""

    webhook_url: WebhookUrl
    events: Annotated[list[EventPattern], Meta(max_length=50)] = msgspec.field(
        default_factory=lambda: list(DEFAULT_EVENTS)
    )
    """Which events are posted."""
    templates: Annotated[dict[EventPattern, Template], Meta(max_length=100)] = msgspec.field(
        default_factory=dict
    )
    """The chain's own messages, by event type (or pattern), instead of the defaults."""
    mention_mobiles: Annotated[list[Mobile], Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    """People to @-mention in every message: then messages are sent as text, not markdown."""

    def __post_init__(self) -> None:
        problem = url_problem(self.webhook_url)
        if problem is not None:
            raise ValueError(f"webhook_url {problem}")
        for event_type, template in self.templates.items():
            problem = template_problem(template)
            if problem is not None:
                raise ValueError(f"templates[{event_type!r}]: {problem}")


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a webhook (never repeating it: it holds the robot's key),
    or ``None``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http(s) URL, like https://{ROBOT_HOST}/cgi-bin/webhook/send?key=..."
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password"
    return None
