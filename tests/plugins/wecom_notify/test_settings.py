"""The settings Struct on its own: defaults, and the checks made however it is built."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from wecom_notify.settings import DEFAULT_EVENTS, WeComSettings

from bodega.plugins.info import secret_fields

URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def test_defaults() -> None:
    settings = msgspec.convert({"webhook_url": URL}, WeComSettings)
    assert settings.events == list(DEFAULT_EVENTS)
    assert "inventory.low" in settings.events
    assert settings.templates == {}
    assert settings.mention_mobiles == []
    assert secret_fields(WeComSettings) == {"webhook_url"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "must be an http(s) URL"),
        ("ftp://qyapi.weixin.qq.com/send", "must be an http(s) URL"),
        ("https:///cgi-bin/webhook/send", "must be an http(s) URL"),
        ("https://qyapi.weixin.qq.com:port/send", "is not a valid URL"),
        ("https://[::1/send", "is not a valid URL"),
        ("https://user:pw@qyapi.weixin.qq.com/send", "user name or password"),
    ],
)
def test_a_bad_url_is_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ValueError, match="webhook_url") as raised:
        WeComSettings(webhook_url=url)
    assert message in str(raised.value)
    assert url not in str(raised.value)  # never repeated: it holds the robot's key


@pytest.mark.parametrize(
    "values",
    [
        {"webhook_url": "ftp://x/y"},
        {"webhook_url": URL, "templates": {"product.created": "{data.__class__}"}},
        {"webhook_url": URL, "templates": {"product.created": "{name[0]}"}},
        {"webhook_url": URL, "templates": {"Product!": "{name}"}},
        {"webhook_url": URL, "events": ["product"]},
        {"webhook_url": URL, "mention_mobiles": ["someone"]},
        {"webhook_url": URL, "colour": "red"},
    ],
)
def test_invalid_values_do_not_decode(values: dict[str, Any]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(values, WeComSettings)


def test_a_template_is_checked_when_built_in_python() -> None:
    with pytest.raises(ValueError, match=r"templates\['product\.\*'\]: placeholder \{x\[0\]\}"):
        WeComSettings(webhook_url=URL, templates={"product.*": "{x[0]}"})


def test_valid_settings() -> None:
    settings = msgspec.convert(
        {
            "webhook_url": "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k",
            "events": ["product.*", "*", "inventory.low"],
            "templates": {"product.*": "**{name}** {{sku}}", "*": "{type}"},
            "mention_mobiles": ["13800001111", "+8613900002222", "@all"],
        },
        WeComSettings,
    )
    assert settings.templates["*"] == "{type}"
