"""Plugins' adjustments to a quote (``bodega_quote_adjustments``).

Unlike order validation, this hook fails open: a plugin that raises, overruns its budget or
answers nonsense is left out of the quote (named in ``not_applied``) and counted toward
tripping it; the sale goes on at the price without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from bodega.api.auth import Actor
from bodega.pricing.quote_schemas import (
    AdjustmentLineOut,
    AdjustmentOut,
    LineAdjustmentOut,
    NotAppliedOut,
    PluginAdjustment,
    QuoteOut,
)

if TYPE_CHECKING:
    from piccolo.engine.postgres import PostgresEngine

    from bodega.plugins import PluginHost

__all__ = ["HOOK", "add_plugin_adjustments"]

HOOK = "bodega_quote_adjustments"


def _failed(name: str, why: str) -> NotAppliedOut:
    return NotAppliedOut(
        promotion_id=None, name=name, code="plugin_failed", reason=why, plugin=name
    )


async def add_plugin_adjustments(
    host: PluginHost, engine: PostgresEngine, actor: Actor, quote: QuoteOut
) -> QuoteOut:
    """``quote`` with the adjustments of the chain's plugins implementing the hook."""
    from bodega.pricing.quotes import totalled

    if not host.manager.hook.bodega_quote_adjustments.get_hookimpls():
        return quote  # no installed plugin adjusts quotes: no look-up per quote
    tenant = await host.for_tenant(actor.tenant_id)
    expected = [impl.plugin_name for impl in host.implementers(HOOK, tenant)]
    if not expected:
        return quote
    answers = dict(await host.call(HOOK, tenant, engine, quote=quote))
    lines = {line.position: line for line in quote.lines}
    for name in expected:
        if name in tenant.tripped:
            continue
        if name not in answers:
            quote.not_applied.append(_failed(name, f"The plugin {name} did not answer."))
            continue
        try:
            wanted = msgspec.convert(answers[name] or [], list[PluginAdjustment])
        except msgspec.ValidationError as exc:
            await host.outcome(engine, tenant, name, HOOK, exc)
            quote.not_applied.append(_failed(name, f"The plugin {name} answered wrongly: {exc}"))
            continue
        for wish in wanted:
            line = lines.get(wish.position)
            if line is None or wish.amount <= 0:
                continue
            amount = min(wish.amount, line.gross - line.discount)
            if amount <= 0:
                continue
            line.discount += amount
            line.total = line.gross - line.discount
            line.adjustments.append(
                LineAdjustmentOut(kind="plugin", source_id=None, name=wish.name, amount=amount)
            )
            quote.adjustments.append(
                AdjustmentOut(
                    kind="plugin",
                    source_id=None,
                    name=wish.name,
                    amount=amount,
                    reason=wish.reason or wish.name,
                    lines=[AdjustmentLineOut(position=line.position, amount=amount)],
                    plugin=name,
                )
            )
    return totalled(quote)
