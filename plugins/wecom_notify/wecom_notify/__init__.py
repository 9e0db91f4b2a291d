"""WeCom notifications: a chain's chosen events, posted to its WeCom (企业微信) group robot.

The event handler only renders the message and queues it; the job
(:func:`~wecom_notify.sender.send_message`) posts it, trying again while WeCom is away or
rate limits the robot.
"""

from __future__ import annotations

from collections.abc import Awaitable
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from bodega.plugins import PluginContext, PluginInfo, PluginJobs, hookimpl
from wecom_notify.messages import render, robot_body, template_for
from wecom_notify.routes import WeComController
from wecom_notify.sender import send_message
from wecom_notify.settings import WeComSettings

if TYPE_CHECKING:
    from bodega.events import EventOut

__all__ = ["bodega_handle_event", "bodega_jobs", "bodega_routes", "plugin"]

plugin = PluginInfo(
    name="wecom_notify",
    requires_bodega=">=0.1,<0.2",
    settings=WeComSettings,
    scopes=("events:read",),
    description="Posts the chain's chosen events to its WeCom (企业微信) group robot.",
)


@hookimpl
def bodega_handle_event(ctx: PluginContext, event: EventOut) -> Awaitable[Any] | None:
    settings: WeComSettings = ctx.settings
    if not any(fnmatchcase(event.type, pattern) for pattern in settings.events):
        return None
    content = render(template_for(settings.templates, event.type), event)
    payload = {
        "type": event.type,
        "event_id": str(event.id),
        "body": robot_body(content, settings.mention_mobiles),
    }
    return ctx.enqueue(send_message, payload, key=str(event.id))


@hookimpl
def bodega_jobs(jobs: PluginJobs) -> None:
    jobs.tenant_job(send_message)


@hookimpl
def bodega_routes() -> list[Any]:
    return [WeComController]
