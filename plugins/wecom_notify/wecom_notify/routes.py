"""The plugin's REST route: ``POST /v1/plugins/wecom_notify/test`` sends a test message."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from msgspec import Meta

from bodega.api.auth import requires
from bodega.api.errors import BodegaError, FieldError, InvalidInput
from bodega.api.routing import post
from bodega.plugins import CurrentPlugin
from wecom_notify.messages import robot_body
from wecom_notify.sender import RATE_LIMITED
from wecom_notify.sender import post as post_to_robot

__all__ = ["SendTestIn", "SendTestOut", "WeComController", "WeComUnreachable"]

DEFAULT_TEST_TEXT = "**Bodega test message**\nThis chain's WeCom robot is connected."


class WeComUnreachable(BodegaError):
    status = 502
    slug = "wecom-unreachable"
    title = "WeCom could not be reached"


class SendTestIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=2000)] = DEFAULT_TEST_TEXT
    """The message (markdown)."""


class SendTestOut(msgspec.Struct, kw_only=True):
    delivered: bool
    errcode: int
    errmsg: str


_UNREACHABLE = ResponseSpec(
    data_container=dict[str, Any],
    description="WeCom could not be reached, or answered with a server error",
    media_type="application/problem+json",
    generate_examples=False,
)


class WeComController(Controller):
    path = "/"

    @post(
        "/test",
        status_code=200,
        guards=[requires("plugins:manage")],
        summary="Send a test message to the chain's WeCom robot",
        description="Sent at once and not retried. 422 when WeCom refuses it (the answer "
        "has WeCom's `errcode`), 502 when WeCom cannot be reached.",
        responses={502: _UNREACHABLE},
    )
    async def send_test(
        self, plugin: CurrentPlugin, data: JSONBody[SendTestIn | None] = None
    ) -> SendTestOut:
        text = (data or SendTestIn()).text
        answer = await post_to_robot(plugin, robot_body(text, plugin.settings.mention_mobiles))
        if answer.delivered:
            return SendTestOut(delivered=True, errcode=0, errmsg=answer.errmsg)
        if answer.errcode is None and answer.transient:
            raise WeComUnreachable(f"{answer.errmsg}; nothing was sent. Try again later.")
        code = f" (errcode {answer.errcode})" if answer.errcode is not None else ""
        advice = (
            "The robot takes 20 messages a minute: try again in a minute."
            if answer.errcode == RATE_LIMITED
            else "Check the robot's webhook URL."
        )
        raise InvalidInput(
            f"WeCom did not take the message: {answer.errmsg}{code}. {advice}",
            errors=[FieldError("settings.webhook_url", answer.errmsg)],
            errcode=answer.errcode,
        )
