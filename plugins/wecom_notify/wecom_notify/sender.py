"""Posting to the chain's robot: one function (:func:`post`) for the job, which tries again
when WeCom is away or busy, and for the test route, which does not.

The robot answers HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; errcode 45009 means
rate limited (20 messages a minute per robot), and any other errcode (93000: no such robot)
will not change by trying again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import msgspec
from arq import Retry

from wecom_notify.settings import ROBOT_HOST

if TYPE_CHECKING:
    from bodega.plugins import PluginContext

__all__ = ["MAX_ATTEMPTS", "RATE_LIMITED", "RETRY_DELAYS", "Answer", "post", "send_message"]

RATE_LIMITED = 45009
RETRY_DELAYS = (1, 5, 30, 120)
"""Seconds to wait before the 2nd, 3rd ... try."""
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT_S = 10


class _RobotAnswer(msgspec.Struct):
    errcode: int
    errmsg: str = ""


@dataclass(frozen=True)
class Answer:
    """What became of one post: WeCom's ``errcode`` (``None`` when no robot answered) and
    whether trying again later may help."""

    errcode: int | None
    errmsg: str
    transient: bool = False

    @property
    def delivered(self) -> bool:
        return self.errcode == 0


def refusal(url: str, allow_private_networks: bool) -> str | None:
    """Why ``url`` is not posted to, or ``None``. Only WeCom's robot API is called, so a
    chain cannot make the platform call its internal network (unless the deployment allows
    it, for development)."""
    if allow_private_networks:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname != ROBOT_HOST or parts.port not in (None, 443):
        return f"only https://{ROBOT_HOST}/ is allowed"
    return None


async def post(ctx: PluginContext, body: dict[str, Any]) -> Answer:
    """Post ``body`` to the chain's robot once."""
    url = ctx.settings.webhook_url
    refused = refusal(url, ctx.host.settings.webhooks_allow_private_networks)
    if refused is not None:
        return Answer(None, f"webhook_url refused: {refused}")
    try:
        response = await ctx.http.post(
            url,
            content=msgspec.json.encode(body),
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT_S,
        )
    except httpx.TransportError as exc:
        return Answer(None, f"WeCom could not be reached: {type(exc).__name__}", transient=True)
    status = response.status_code
    if status == 429 or status >= 500:
        return Answer(None, f"WeCom answered HTTP {status}", transient=True)
    if status != 200:
        return Answer(None, f"the webhook answered HTTP {status}: is it a WeCom robot's?")
    try:
        answer = msgspec.json.decode(response.content, type=_RobotAnswer)
    except msgspec.DecodeError:
        return Answer(None, "the webhook did not answer as WeCom robots do")
    return Answer(answer.errcode, answer.errmsg, transient=answer.errcode == RATE_LIMITED)


async def send_message(ctx: PluginContext, payload: dict[str, Any]) -> None:
    """The job posting one event's message (``payload``: ``body``, ``type``, ``event_id``)."""
    answer = await post(ctx, payload["body"])
    if answer.delivered:
        return
    log = ctx.log.bind(
        event_type=payload.get("type"),
        event_id=payload.get("event_id"),
        attempt=ctx.attempt,
        errcode=answer.errcode,
        errmsg=answer.errmsg,
    )
    if answer.transient and ctx.attempt < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[ctx.attempt - 1]
        log.info("WeCom did not take the message; trying again", retry_in_s=delay)
        raise Retry(defer=delay)
    log.warning("WeCom message not delivered; given up")
