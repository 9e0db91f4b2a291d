"""A plugin of the test suite that adds its own discounts to quotes: it matches a competitor's
price for the SKUs a chain lists (``prices``: SKU -> price), taking the difference off each
such line. ``BEHAVIOUR["mode"]`` makes it fail on demand: "raise", "garbage" (answers a
string), or "ok"."""

from __future__ import annotations

from typing import Any

import msgspec

from bodega.plugins import PluginContext, PluginInfo, hookimpl


class PriceMatch(msgspec.Struct, forbid_unknown_fields=True):
    prices: dict[str, int] = msgspec.field(default_factory=dict)


plugin = PluginInfo(
    name="price_match",
    requires_bodega=">=0.1",
    settings=PriceMatch,
    description="Matches competitors' prices in quotes (a plugin of the test suite).",
)

BEHAVIOUR = {"mode": "ok"}


@hookimpl
def bodega_quote_adjustments(ctx: PluginContext, quote: Any) -> Any:
    mode = BEHAVIOUR["mode"]
    if mode == "raise":
        raise RuntimeError("price_match failed, as asked")
    if mode == "garbage":
        return "not a list"
    prices: dict[str, int] = ctx.settings.prices
    return [
        {
            "position": line.position,
            "amount": line.total - round(line.quantity * prices[line.sku]),
            "name": "Price match",
            "reason": f"Matched at {prices[line.sku]} each",
        }
        for line in quote.lines
        if line.sku in prices and line.total > line.quantity * prices[line.sku]
    ]
