"""A plugin of the test suite that fails on demand (``BEHAVIOUR["mode"]``): its handler of
product events and its route raise ("raise"), overrun the time budget ("slow") or work
("ok"); other events it takes in its stride."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller

from bodega.api.routing import get
from bodega.plugins import PluginInfo, hookimpl

plugin = PluginInfo(name="flaky", requires_bodega=">=0.1", description="Fails on demand.")

BEHAVIOUR = {"mode": "raise"}
CALLS: list[str] = []
"""Types of the events its handler was called with, and "route" for each route call."""


def _misbehave() -> Any:
    if BEHAVIOUR["mode"] == "raise":
        raise RuntimeError("flaky failed, as asked")
    if BEHAVIOUR["mode"] == "slow":
        return asyncio.sleep(30)
    return None


@hookimpl
def bodega_handle_event(event: Any) -> Any:
    if not event.type.startswith("product."):
        return None
    CALLS.append(event.type)
    return _misbehave()


class FlakyController(Controller):
    path = "/answer"

    @get("/")
    async def answer(self) -> dict[str, str]:
        CALLS.append("route")
        pending = _misbehave()
        if pending is not None:
            await pending
        return {"mode": BEHAVIOUR["mode"]}


@hookimpl
def bodega_routes() -> list[Any]:
    return [FlakyController]
