"""The rules a promotion's body follows. A body that contradicts itself is refused as a whole,
with every offending field named: a field its rule type does not use, a missing one, a window
that ends before it starts, a fixed price for every product, a bundle of one unit, steps that
do not go up, a per-member limit on a promotion open to everyone, ids that are not the chain's.
Creating and changing a promotion both check the whole promotion as it would be stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, raise_if_errors
from bodega.promotions._checks import (
    distinct,
    indexed,
    percent_problem,
    reference_errors,
    two_places,
)
from bodega.promotions.schemas import (
    BundleItemIn,
    HappyHourIn,
    PromotionIn,
    RuleIn,
    ThresholdStepIn,
)

__all__ = ["EVERY_PRODUCT_KINDS", "checked_promotion", "rule_errors"]

_USES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "percent_off": (frozenset({"percent"}), frozenset()),
    "amount_off": (frozenset({"amount"}), frozenset()),
    "fixed_price": (frozenset({"price"}), frozenset()),
    "buy_x_get_y": (
        frozenset({"buy", "get"}),
        frozenset({"percent", "get_product_ids", "get_category_ids"}),
    ),
    "bundle": (frozenset({"items", "price"}), frozenset()),
    "multi_buy": (frozenset({"quantity", "price"}), frozenset()),
    "threshold": (frozenset({"steps"}), frozenset({"repeat"})),
}
"""Rule type -> (the fields it needs, the fields it may take)."""

EVERY_PRODUCT_KINDS = frozenset({"percent_off", "threshold"})
"""The rule types that may apply to every product (no product or category named)."""

_FREE = Decimal(100)


def _given(value: Any) -> bool:
    return value is not None and value is not False and value != []


def _bundle_errors(items: Sequence[BundleItemIn]) -> list[FieldError]:
    errors = []
    first: dict[Any, int] = {}
    for n, item in enumerate(items):
        if item.product_id in first:
            errors.append(
                FieldError(
                    f"rule.items[{n}].product_id",
                    f"in rule.items[{first[item.product_id]}] already: give all its units there",
                )
            )
        first.setdefault(item.product_id, n)
    if items and sum(item.quantity for item in items) < 2:
        errors.append(FieldError("rule.items", "a bundle has at least 2 units in all"))
    return errors


def _step_errors(steps: Sequence[ThresholdStepIn], repeat: bool) -> list[FieldError]:
    errors = []
    for n, step in enumerate(steps):
        field = f"rule.steps[{n}]"
        if step.off >= step.spend:
            errors.append(FieldError(f"{field}.off", f"less than its spend ({step.spend})"))
        if n and step.spend <= steps[n - 1].spend:
            errors.append(
                FieldError(f"{field}.spend", f"more than the step before ({steps[n - 1].spend})")
            )
        if n and step.off <= steps[n - 1].off:
            errors.append(
                FieldError(f"{field}.off", f"more than the step before ({steps[n - 1].off})")
            )
    if repeat and len(steps) != 1:
        errors.append(FieldError("rule.repeat", "a repeating threshold has exactly one step"))
    return errors


def rule_errors(rule: RuleIn) -> list[FieldError]:
    """What is wrong with the rule on its own: the fields its type does not use or needs,
    and the values of those it uses."""
    required, optional = _USES[rule.type]
    errors = []
    for name in RuleIn.__struct_fields__:
        value = getattr(rule, name)
        if name in required and not _given(value):
            errors.append(FieldError(f"rule.{name}", f"required for a {rule.type} rule"))
        elif name != "type" and _given(value) and name not in required | optional:
            errors.append(FieldError(f"rule.{name}", f"not used by a {rule.type} rule"))
    if "percent" in required | optional and rule.percent is not None:
        problem = percent_problem(rule.percent, zero=False, hundred=True)
        errors += [FieldError("rule.percent", problem)] if problem else []
    if rule.type == "bundle":
        errors += _bundle_errors(rule.items)
    if rule.type == "threshold":
        errors += _step_errors(rule.steps, rule.repeat)
    return errors


def _stored_rule(rule: RuleIn) -> dict[str, Any]:
    """The rule as kept: its type and the fields it uses (a buy_x_get_y's percent filled in)."""
    required, optional = _USES[rule.type]
    stored: dict[str, Any] = {"type": rule.type}
    for name in sorted(required | optional):
        value = getattr(rule, name)
        if _given(value):
            stored[name] = distinct(value) if name.endswith("_ids") else value
    if rule.type == "buy_x_get_y":
        stored["percent"] = two_places(rule.percent if rule.percent is not None else _FREE)
    elif rule.percent is not None:
        stored["percent"] = two_places(rule.percent)
    return stored


def _target_errors(data: PromotionIn) -> list[FieldError]:
    kind = data.rule.type
    if kind == "bundle":
        return [
            FieldError(field, "not used by a bundle: its products are rule.items")
            for field in ("product_ids", "category_ids")
            if getattr(data, field)
        ]
    if data.product_ids or data.category_ids or kind in EVERY_PRODUCT_KINDS:
        return []
    return [
        FieldError(
            "product_ids",
            f"name the products or categories a {kind} promotion is for (only percent_off and "
            "threshold promotions may apply to every product)",
        )
    ]


def _window_errors(data: PromotionIn, now: datetime, new_end: bool) -> list[FieldError]:
    start, end = data.starts_at or now, data.ends_at
    if end is None:
        return []
    if new_end and end <= now:
        return [FieldError("ends_at", "in the past: pause or archive the promotion instead")]
    if end <= start:
        return [FieldError("ends_at", f"after starts_at ({start.isoformat()})")]
    return []


def _happy_hour_errors(windows: Sequence[HappyHourIn]) -> list[FieldError]:
    errors = []
    for n, window in enumerate(windows):
        field = f"happy_hours[{n}]"
        if window.start == "24:00":
            errors.append(FieldError(f"{field}.start", "at most 23:59"))
        elif window.end <= window.start:
            errors.append(
                FieldError(
                    f"{field}.end",
                    f"after start ({window.start}); an overnight window is two windows, "
                    f"{window.start}-24:00 and 00:00-{window.end}",
                )
            )
        if len(set(window.days)) != len(window.days):
            errors.append(FieldError(f"{field}.days", "a day listed twice"))
    return errors


def _limit_errors(data: PromotionIn, uses: int) -> list[FieldError]:
    errors = []
    members = data.members_only or bool(data.segments)
    if data.per_member_limit is not None and not members:
        errors.append(
            FieldError(
                "per_member_limit",
                "needs members_only: only a member's uses can be counted",
            )
        )
    if (
        data.per_member_limit is not None
        and data.usage_limit is not None
        and data.per_member_limit > data.usage_limit
    ):
        errors.append(FieldError("per_member_limit", f"more than usage_limit ({data.usage_limit})"))
    if data.usage_limit is not None and data.usage_limit < uses:
        errors.append(FieldError("usage_limit", f"less than the {uses} uses it has had"))
    return errors


def _references(data: PromotionIn) -> dict[str, list[tuple[str, Any]]]:
    rule = data.rule
    return {
        "products": indexed("product_ids", data.product_ids)
        + indexed("rule.get_product_ids", rule.get_product_ids)
        + [(f"rule.items[{n}].product_id", i.product_id) for n, i in enumerate(rule.items)],
        "categories": indexed("category_ids", data.category_ids)
        + indexed("rule.get_category_ids", rule.get_category_ids),
        "stores": indexed("store_ids", data.store_ids),
    }


async def checked_promotion(
    actor: Actor, data: PromotionIn, *, now: datetime, new_end: bool, uses: int = 0
) -> dict[str, Any]:
    """The promotion's columns as stored, or a 422 naming every problem. ``new_end``: the
    end was just given (it must then be in the future); ``uses``: what it has had so far."""
    errors = rule_errors(data.rule)
    errors += _target_errors(data)
    errors += _window_errors(data, now, new_end)
    errors += _happy_hour_errors(data.happy_hours)
    errors += _limit_errors(data, uses)
    unknown, _ = await reference_errors(actor, **_references(data))
    raise_if_errors(errors + unknown)
    return {
        "name": data.name,
        "description": data.description,
        "kind": data.rule.type,
        "rule": msgspec.json.encode(_stored_rule(data.rule)).decode(),
        "product_ids": distinct(data.product_ids),
        "category_ids": distinct(data.category_ids),
        "priority": data.priority,
        "exclusive": data.exclusive,
        "starts_at": data.starts_at or now,
        "ends_at": data.ends_at,
        "store_ids": distinct(data.store_ids),
        "channels": list(dict.fromkeys(data.channels)),
        "members_only": data.members_only or bool(data.segments),
        "segments": list(dict.fromkeys(data.segments)),
        "happy_hours": msgspec.json.encode(
            [{**msgspec.structs.asdict(w), "days": sorted(w.days)} for w in data.happy_hours]
        ).decode(),
        "usage_limit": data.usage_limit,
        "per_member_limit": data.per_member_limit,
    }
