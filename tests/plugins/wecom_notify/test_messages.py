"""Messages without servers: templates, rendering, truncation, the robot's request body."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wecom_notify.messages import (
    DEFAULT_TEMPLATES,
    FALLBACK_TEMPLATE,
    MARKDOWN_LIMIT,
    TEMPLATE_PATTERN,
    TEXT_LIMIT,
    render,
    robot_body,
    template_for,
    template_problem,
    truncate,
)

from bodega.events import EventOut

EVENT_ID = uuid.UUID("01a206d1-7689-72a2-b8ea-b0ee9a5faf50")


def _event(event_type: str = "product.created", **data: object) -> EventOut:
    return EventOut(
        id=EVENT_ID,
        type=event_type,
        tenant_id=uuid.uuid4(),
        data=data,
        created_at=datetime(2026, 11, 23, 13, 12, 0, tzinfo=timezone(timedelta(hours=8))),
    )


def test_placeholders_are_filled_from_data_and_the_event() -> None:
    event = _event(name="Sourdough", sku="BRD-001", version=2, archived=False, tags=["a", "b"])
    rendered = render(
        "{type} {event_id} {created_at}: {name} ({sku}) v{version} {archived} {tags}", event
    )
    assert rendered == (
        f"product.created {EVENT_ID} 2026-11-23 05:12:00 UTC: "
        'Sourdough (BRD-001) v2 false ["a","b"]'
    )


def test_missing_and_null_fields_are_empty() -> None:
    assert render("[{nothing}] [{gtin}] [{name}]", _event(gtin=None, name="Rye")) == "[] [] [Rye]"


def test_the_events_own_fields_win_and_braces_can_be_written() -> None:
    event = _event("device.offline", type="scale", name="Scale 2")
    assert render("{{{type}}} {name} {{literal}}", event) == "{device.offline} Scale 2 {literal}"


def test_values_are_not_formatted_again() -> None:
    """A value holding braces is shown as it is, never read as a template."""
    assert render("{name}", _event(name="{sku.__class__} {0}")) == "{sku.__class__} {0}"


def test_summary_shows_the_telling_fields_present() -> None:
    event = _event("order.refunded", id="o-1", name="Order 7", status="refunded", total=None)
    assert render("{summary}", event) == "> name: Order 7\n> status: refunded\n> id: o-1"
    assert render("{summary}", _event()) == ""


@pytest.mark.parametrize(
    "template",
    [
        "{data.__class__}",
        "{name.__class__.__mro__}",
        "{name[0]}",
        "{0}",
        "{}",
        "{name!r}",
        "{name:>10}",
        "{name:{width}}",
        "{ name}",
        "{na-me}",
        "{名}",
        "a { b",
        "a } b",
        "{name",
        "{{name}",
    ],
)
def test_only_plain_placeholders_are_allowed(template: str) -> None:
    assert template_problem(template) is not None
    assert re.match(TEMPLATE_PATTERN, template) is None


@pytest.mark.parametrize(
    "template",
    [
        "",
        "plain text",
        "**{name}** {sku}\n> {created_at}",
        "{_private} {a1}",
        "{{not a placeholder}} {{{name}}}",
        "}}{{",
        "中文 {name} 😀",
    ],
)
def test_plain_placeholders_are_allowed(template: str) -> None:
    assert template_problem(template) is None
    assert re.match(TEMPLATE_PATTERN, template) is not None


def test_problems_name_the_placeholder() -> None:
    problem = template_problem("Hi {data.__class__}")
    assert problem is not None
    assert "{data.__class__}" in problem


def test_the_default_templates_are_valid_and_render() -> None:
    for event_type, template in [*DEFAULT_TEMPLATES.items(), ("x.y", FALLBACK_TEMPLATE)]:
        assert template_problem(template) is None, event_type
        assert "2026-11-23 05:12:00 UTC" in render(template, _event(event_type, name="N"))


def test_the_fallback_shows_the_type_and_a_few_fields() -> None:
    event = _event("supplier.created", id="s-1", name="Mill & Co", code="MILL", phone="555")
    rendered = render(template_for({}, "supplier.created"), event)
    assert rendered.startswith("**supplier.created**\n")
    assert "> name: Mill & Co\n> code: MILL\n> id: s-1" in rendered
    assert "555" not in rendered


def test_the_most_specific_template_is_used() -> None:
    templates = {"product.updated": "exact", "product.*": "object", "*": "any"}
    assert template_for(templates, "product.updated") == "exact"
    assert template_for(templates, "product.created") == "object"
    assert template_for(templates, "store.created") == "any"
    assert template_for({"product.*": "object"}, "store.created") == FALLBACK_TEMPLATE
    assert template_for({}, "inventory.low") == DEFAULT_TEMPLATES["inventory.low"]
    assert template_for({"*": "any"}, "inventory.low") == "any"


def test_short_text_is_kept() -> None:
    assert truncate("", 10) == ""
    assert truncate("a" * MARKDOWN_LIMIT, MARKDOWN_LIMIT) == "a" * MARKDOWN_LIMIT
    assert truncate("库存" * 10, 60) == "库存" * 10


@pytest.mark.parametrize("lead", [0, 1, 2, 3])
def test_truncation_cuts_between_characters(lead: int) -> None:
    """Whichever byte of a 3- or 4-byte character the limit falls on, the character is
    dropped whole."""
    for character in ("库", "😀"):
        text = "a" * lead + character * 3000
        cut = truncate(text, MARKDOWN_LIMIT)
        encoded = cut.encode()
        assert len(encoded) <= MARKDOWN_LIMIT
        assert len(encoded) > MARKDOWN_LIMIT - len(character.encode()) - len("…".encode())
        assert cut.endswith("…")
        assert text.startswith(cut[:-1])


@given(st.text(), st.integers(min_value=3, max_value=64))
def test_truncation_never_exceeds_the_limit(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert len(cut.encode()) <= limit
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1]))


def test_the_body_is_markdown_without_mentions() -> None:
    body = robot_body("**Low stock** 面粉" + "x" * 5000)
    assert body["msgtype"] == "markdown"
    assert set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert content.startswith("**Low stock** 面粉")
    assert len(content.encode()) <= MARKDOWN_LIMIT


def test_the_body_is_text_with_mentions() -> None:
    body = robot_body(
        '**<font color="warning">Low stock</font>** flour' + "x" * 5000, ["13800001111"]
    )
    assert body["msgtype"] == "text"
    text = body["text"]
    assert text["mentioned_mobile_list"] == ["13800001111"]
    assert text["content"].startswith("Low stock flour")
    assert len(text["content"].encode()) <= TEXT_LIMIT
