"""The plugin end to end: enabled over REST, events posted by the real worker (through its
job, retried), the test route, and settings refused with the field named."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from bodega.app import create_app
from bodega.settings import Settings
from tests.conftest import Chain, api_key, assert_problem, run_jobs, sign_up
from tests.plugins.wecom_notify.robot import Robot, closed_port, robot_at

PLUGIN = "/v1/plugins/wecom_notify"
TEST_ROUTE = f"{PLUGIN}/test"


@pytest.fixture
def robot() -> Iterator[Robot]:
    with robot_at(uuid.uuid4().hex) as r:
        yield r


def _enable(client: TestClient[Any], chain: Chain, **settings: Any) -> dict[str, Any]:
    response = client.put(PLUGIN, json={"settings": settings}, headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _product(
    client: TestClient[Any], chain: Chain, name: str = "Sourdough loaf", sku: str = "BRD-001"
) -> dict[str, Any]:
    made = client.post(
        "/v1/products", json={"sku": sku, "name": name, "list_price": 350}, headers=chain.headers
    )
    assert made.status_code == 201, made.text
    return made.json()


def _plugin(client: TestClient[Any], chain: Chain) -> dict[str, Any]:
    response = client.get(PLUGIN, headers=chain.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_chosen_event_is_posted_for_the_chain_that_enabled_the_plugin(
    client: TestClient[Any], settings: Settings, robot: Robot, chain: Chain, other_chain: Chain
) -> None:
    _enable(client, chain, webhook_url=robot.url(), events=["product.*"])
    _product(client, chain, name="Sourdough loaf", sku="BRD-001")
    _product(client, other_chain, name="Other loaf", sku="OTH-001")  # not enabled there

    run_jobs(settings)
    (message,) = robot.messages
    assert message.delivered
    assert message.key == robot.key
    assert message.msgtype == "markdown"
    assert message.content.startswith("**New product** Sourdough loaf\n> SKU: BRD-001")
    assert run_jobs(settings) == 0  # posted once; nothing left to do


def test_only_the_chosen_events_are_posted(
    client: TestClient[Any], settings: Settings, robot: Robot
) -> None:
    """By default a chain hears of failed inspections, offline devices, low stock and
    refunds, not of every product; it can choose exact types."""
    chain = sign_up(client)
    enabled = _enable(client, chain, webhook_url=robot.url())
    assert enabled["settings"]["events"] == [
        "inspection.failed",
        "device.offline",
        "inventory.low",
        "order.refunded",
    ]
    product = _product(client, chain)
    run_jobs(settings)
    assert robot.messages == []

    _enable(client, chain, webhook_url=robot.url(), events=["product.updated"])
    _product(client, chain, sku="BRD-002")
    patched = client.patch(
        f"/v1/products/{product['id']}",
        json={"name": "Rye loaf", "version": product["version"]},
        headers=chain.headers,
    )
    assert patched.status_code == 200, patched.text
    run_jobs(settings)
    (message,) = robot.delivered()
    assert message.content.startswith("**Product changed** Rye loaf\n> SKU: BRD-001 (version 2)")


def test_the_chains_templates_and_mentions(
    client: TestClient[Any], settings: Settings, robot: Robot
) -> None:
    """A template of the chain's is used for its type; a field the event lacks is left
    empty; with people to mention the message is text."""
    chain = sign_up(client)
    _enable(
        client,
        chain,
        webhook_url=robot.url(),
        events=["product.created", "store.*"],
        templates={"product.created": "{name} [{no_such_field}] {{sku}} {sku}"},
        mention_mobiles=["13800001111"],
    )
    _product(client, chain, name="Baguette", sku="BAG-1")
    store = client.post("/v1/stores", json={"code": "S1", "name": "Main"}, headers=chain.headers)
    assert store.status_code == 201, store.text
    run_jobs(settings)
    bodies = sorted((m.body for m in robot.delivered()), key=lambda b: b["text"]["content"])
    assert bodies[0] == {
        "msgtype": "text",
        "text": {
            "content": "Baguette [] {sku} BAG-1",
            "mentioned_mobile_list": ["13800001111"],
        },
    }
    fallback = bodies[1]["text"]["content"]  # store.created has no default template
    assert fallback.startswith("store.created\n> name: Main\n> code: S1\n> status: open\n> id: ")
    assert len(bodies) == 2


def test_the_webhook_url_is_shown_masked_and_kept_when_sent_back(
    client: TestClient[Any], settings: Settings, robot: Robot
) -> None:
    chain = sign_up(client)
    enabled = _enable(client, chain, webhook_url=robot.url(), events=["product.created"])
    read = _plugin(client, chain)
    for shown in (enabled, read):
        masked = shown["settings"]["webhook_url"]
        assert masked.startswith("••••")
        assert robot.key not in masked
        assert "127.0.0.1" not in masked
        assert robot.key not in msgspec.json.encode(shown).decode()
    assert read["enabled"]
    assert read["scopes"] == ["events:read"]
    assert read["routes_path"] == f"{PLUGIN}/"
    assert read["settings_schema"]["$defs"]["WeComSettings"]["required"] == ["webhook_url"]

    changed = {**read["settings"], "events": ["product.*"]}  # the masked URL sent back
    response = client.put(
        PLUGIN, json={"settings": changed, "version": read["version"]}, headers=chain.headers
    )
    assert response.status_code == 200, response.text
    _product(client, chain)
    run_jobs(settings)
    assert len(robot.delivered()) == 1  # still the robot's URL


def test_a_rate_limited_message_is_posted_after_a_retry(
    client: TestClient[Any], settings: Settings, robot: Robot
) -> None:
    chain = sign_up(client)
    _enable(client, chain, webhook_url=robot.url(), events=["product.created"])
    robot.will_answer(errcode=45009)
    _product(client, chain)
    run_jobs(settings)  # waits for the retry, a second later
    first, second = robot.messages
    assert (first.reply.errcode, second.delivered) == (45009, True)
    assert first.body == second.body
    assert run_jobs(settings) == 0


def test_a_server_error_is_retried(
    client: TestClient[Any], settings: Settings, robot: Robot
) -> None:
    chain = sign_up(client)
    _enable(client, chain, webhook_url=robot.url(), events=["product.created"])
    robot.will_answer(status=500)
    _product(client, chain)
    run_jobs(settings)
    assert [m.reply.status for m in robot.messages] == [500, 200]
    assert len(robot.delivered()) == 1


def test_an_invalid_robot_is_not_retried_and_breaks_nothing(
    client: TestClient[Any], settings: Settings, robot: Robot
) -> None:
    chain = sign_up(client)
    _enable(client, chain, webhook_url=robot.url(key="revoked"), events=["product.created"])
    _product(client, chain, sku="A")
    run_jobs(settings)
    assert [m.reply.errcode for m in robot.messages] == [93000]  # not tried again
    read = _plugin(client, chain)
    assert (read["enabled"], read["tripped_until"]) == (True, None)

    _enable(client, chain, webhook_url=robot.url(), events=["product.created"])
    _product(client, chain, name="Bagel", sku="B")
    run_jobs(settings)
    assert [m.reply.errcode for m in robot.messages] == [93000, 0]
    assert "Bagel" in robot.messages[1].content


def test_the_test_route_posts_a_message(client: TestClient[Any], robot: Robot) -> None:
    chain = sign_up(client)
    _enable(client, chain, webhook_url=robot.url())
    response = client.post(TEST_ROUTE, json={"text": "**Hello** 你好"}, headers=chain.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"delivered": True, "errcode": 0, "errmsg": "ok"}
    response = client.post(TEST_ROUTE, headers=chain.headers)  # no body: the default text
    assert response.status_code == 200, response.text
    first, second = robot.delivered()
    assert first.body == {"msgtype": "markdown", "markdown": {"content": "**Hello** 你好"}}
    assert "test message" in second.content


def test_the_test_route_reports_wecoms_refusal(client: TestClient[Any], robot: Robot) -> None:
    chain = sign_up(client)
    _enable(client, chain, webhook_url=robot.url())
    robot.will_answer(errcode=93000)
    problem = assert_problem(
        client.post(TEST_ROUTE, json={"text": "hi"}, headers=chain.headers),
        422,
        "validation-error",
    )
    assert problem["errcode"] == 93000
    assert [e["field"] for e in problem["errors"]] == ["settings.webhook_url"]
    assert "invalid webhook url" in problem["detail"]
    assert len(robot.messages) == 1  # not retried

    robot.will_answer(errcode=45009)
    problem = assert_problem(client.post(TEST_ROUTE, headers=chain.headers), 422)
    assert problem["errcode"] == 45009
    assert "a minute" in problem["detail"]


@pytest.mark.parametrize("unreachable", ["closed port", "server error"])
def test_the_test_route_reports_an_unreachable_wecom(
    client: TestClient[Any], robot: Robot, unreachable: str
) -> None:
    """502, the plugin's own answer: it does not count against the plugin, which is never
    tripped off for it."""
    chain = sign_up(client)
    if unreachable == "closed port":
        url = f"http://127.0.0.1:{closed_port()}/cgi-bin/webhook/send?key={robot.key}"
    else:
        url = robot.url()
        robot.will_answer(status=500, times=10)
    _enable(client, chain, webhook_url=url)
    for _ in range(6):  # more than the failures that trip a plugin
        problem = assert_problem(
            client.post(TEST_ROUTE, headers=chain.headers), 502, "wecom-unreachable"
        )
        assert "nothing was sent" in problem["detail"]
    assert _plugin(client, chain)["tripped_until"] is None


def test_the_test_route_is_for_chains_that_enabled_the_plugin_and_their_managers(
    client: TestClient[Any], robot: Robot, other_chain: Chain
) -> None:
    assert_problem(client.post(TEST_ROUTE, headers=other_chain.headers), 404, "not-found")
    chain = sign_up(client)
    _enable(client, chain, webhook_url=robot.url())
    reader = api_key(client, chain, "plugins:read")
    assert_problem(client.post(TEST_ROUTE, headers=reader), 403, "forbidden")
    assert_problem(client.post(TEST_ROUTE), 401)
    for body in ({"text": ""}, {"text": "hi", "colour": "red"}):
        assert_problem(client.post(TEST_ROUTE, json=body, headers=chain.headers), 422)
    assert robot.messages == []


def test_only_wecom_is_called_unless_private_networks_are_allowed(
    settings: Settings, robot: Robot
) -> None:
    strict = msgspec.structs.replace(settings, webhooks_allow_private_networks=False)
    with TestClient(create_app(strict), raise_server_exceptions=False) as client:
        chain = sign_up(client)
        _enable(client, chain, webhook_url=robot.url())
        problem = assert_problem(client.post(TEST_ROUTE, headers=chain.headers), 422)
        assert [e["field"] for e in problem["errors"]] == ["settings.webhook_url"]
        assert "https://qyapi.weixin.qq.com/" in problem["detail"]
    assert robot.messages == []


@pytest.mark.parametrize(
    ("settings_sent", "field"),
    [
        ({}, "settings.webhook_url"),
        ({"webhook_url": "not a url"}, "settings.webhook_url"),
        ({"webhook_url": "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "settings.webhook_url"),
        ({"colour": "red"}, "settings.colour"),
        ({"templates": {"product.created": "{data.__class__}"}}, "settings.templates"),
        ({"templates": {"product.created": "{name[0]}"}}, "settings.templates"),
        ({"templates": {"product.created": "{name"}}, "settings.templates"),
        ({"events": ["Product created"]}, "settings.events"),
        ({"mention_mobiles": ["the manager"]}, "settings.mention_mobiles"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(
    client: TestClient[Any], robot: Robot, settings_sent: dict[str, Any], field: str
) -> None:
    chain = sign_up(client)
    values = {"webhook_url": robot.url(), **settings_sent} if settings_sent else {}
    response = client.put(PLUGIN, json={"settings": values}, headers=chain.headers)
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert robot.key not in response.text
    assert not _plugin(client, chain)["enabled"]
