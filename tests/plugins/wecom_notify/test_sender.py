"""One try of the job against a robot on 127.0.0.1, as the worker makes it: which answers
are tried again (and after how long), which are given up at once, which URLs are refused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from arq import Retry
from structlog.testing import capture_logs
from wecom_notify.messages import robot_body
from wecom_notify.sender import MAX_ATTEMPTS, RETRY_DELAYS, send_message
from wecom_notify.settings import WeComSettings

from bodega.plugins import TenantPlugins, build_plugin_manager
from bodega.settings import Settings
from tests.plugins.wecom_notify.robot import Robot, closed_port, robot_at

KEY = uuid.uuid4().hex


@pytest.fixture
def robot() -> Iterator[Robot]:
    with robot_at(KEY) as r:
        yield r


def _try(url: str, attempt: int = 1, *, allow_private: bool = True) -> tuple[Any, list[Any]]:
    """Run the job once; what it raised (``None``: it returned) and what it logged."""
    settings = Settings(
        disable_plugin_autoload=True,
        plugins=("wecom_notify",),
        webhooks_allow_private_networks=allow_private,
    )
    payload = {"type": "inventory.low", "event_id": "e-1", "body": robot_body("**Low stock**")}

    async def main() -> Any:
        host = build_plugin_manager(settings)
        tenant = TenantPlugins(uuid.uuid4(), {"wecom_notify": WeComSettings(webhook_url=url)})
        # The job reads no table: it is given no database.
        ctx = host.context("wecom_notify", tenant, None, attempt=attempt)  # type: ignore[arg-type]
        try:
            await send_message(ctx, payload)
        except Retry as retry:
            return retry
        finally:
            await host.aclose()
        return None

    with capture_logs() as logs:
        outcome = asyncio.run(main())
    return outcome, logs


def test_a_delivered_message_is_done(robot: Robot) -> None:
    outcome, logs = _try(robot.url())
    assert outcome is None
    (message,) = robot.delivered()
    assert (message.msgtype, message.content) == ("markdown", "**Low stock**")
    assert logs == []


@pytest.mark.parametrize(("errcode", "status"), [(45009, 200), (0, 500), (0, 503), (0, 429)])
@pytest.mark.parametrize("attempt", range(1, MAX_ATTEMPTS))
def test_busy_or_failing_wecom_is_tried_again_later(
    robot: Robot, errcode: int, status: int, attempt: int
) -> None:
    robot.will_answer(errcode=errcode, status=status)
    outcome, _ = _try(robot.url(), attempt)
    assert isinstance(outcome, Retry)
    assert outcome.defer_score == RETRY_DELAYS[attempt - 1] * 1000
    assert len(robot.messages) == 1


def test_the_delays_grow() -> None:
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert MAX_ATTEMPTS == 5


def test_an_unreachable_robot_is_tried_again() -> None:
    outcome, _ = _try(f"http://127.0.0.1:{closed_port()}/cgi-bin/webhook/send?key={KEY}")
    assert isinstance(outcome, Retry)


def test_the_last_attempt_gives_up(robot: Robot) -> None:
    robot.will_answer(errcode=45009)
    outcome, logs = _try(robot.url(), MAX_ATTEMPTS)
    assert outcome is None
    (log,) = logs
    assert log["log_level"] == "warning"
    assert (log["errcode"], log["attempt"], log["event_id"]) == (45009, MAX_ATTEMPTS, "e-1")


@pytest.mark.parametrize("errcode", [93000, 40008])
def test_a_refusal_by_wecom_is_not_tried_again(robot: Robot, errcode: int) -> None:
    robot.will_answer(errcode=errcode)
    outcome, logs = _try(robot.url())
    assert outcome is None
    assert len(robot.messages) == 1
    (log,) = logs
    assert (log["log_level"], log["errcode"]) == ("warning", errcode)
    assert KEY not in str(log)  # the key is never logged


def test_a_wrong_key_is_not_tried_again(robot: Robot) -> None:
    outcome, logs = _try(robot.url(key="wrong"))
    assert outcome is None
    assert [m.reply.errcode for m in robot.messages] == [93000]
    assert logs[0]["errmsg"] == "invalid webhook url"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/cgi-bin/webhook/send?key={key}",
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}",
        "https://qyapi.weixin.qq.com.example.com/cgi-bin/webhook/send?key={key}",
        "https://example.com/cgi-bin/webhook/send?key={key}",
        "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key={key}",
    ],
)
def test_only_wecom_is_called_unless_private_networks_are_allowed(robot: Robot, url: str) -> None:
    outcome, logs = _try(url.format(port=robot.port, key=KEY), allow_private=False)
    assert outcome is None
    assert robot.messages == []
    (log,) = logs
    assert log["log_level"] == "warning"
    assert "refused" in log["errmsg"]
