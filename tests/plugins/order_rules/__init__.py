"""A plugin of the test suite that validates orders before they are paid: it refuses orders
over a chain's ``max_total`` and lines of the SKUs it lists. ``BEHAVIOUR["mode"]`` makes it
fail on demand: "raise", "slow" (overruns the budget), "garbage" (answers a string), or
"ok"; "async" answers through an awaitable."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from bodega.plugins import PluginContext, PluginInfo, hookimpl


class OrderRules(msgspec.Struct, forbid_unknown_fields=True):
    max_total: int | None = None
    refused_skus: list[str] = msgspec.field(default_factory=list)


plugin = PluginInfo(
    name="order_rules",
    requires_bodega=">=0.1",
    settings=OrderRules,
    description="Refuses orders by total and SKU (a plugin of the test suite).",
)

BEHAVIOUR = {"mode": "ok"}
SEEN: list[Any] = []
"""The orders it was asked about."""


def _problems(ctx: PluginContext, order: Any) -> list[str]:
    rules: OrderRules = ctx.settings
    problems = [
        f"{line.sku} may not be sold here."
        for line in order.lines
        if line.sku in rules.refused_skus
    ]
    if rules.max_total is not None and order.total > rules.max_total:
        problems.append(f"Orders over {rules.max_total} need a manager.")
    return problems


async def _later(ctx: PluginContext, order: Any) -> list[str]:
    await asyncio.sleep(0)
    return _problems(ctx, order)


@hookimpl
def bodega_validate_order(ctx: PluginContext, order: Any) -> Any:
    SEEN.append(order)
    mode = BEHAVIOUR["mode"]
    if mode == "raise":
        raise RuntimeError("order_rules failed, as asked")
    if mode == "slow":
        return asyncio.sleep(30)
    if mode == "garbage":
        return "not a list"
    if mode == "async":
        return _later(ctx, order)
    return _problems(ctx, order) or None
