"""The channels a chain sells through. Orders carry one; price lists and promotions may be
limited to some."""

from __future__ import annotations

from typing import Literal

__all__ = ["CHANNELS", "Channel"]

Channel = Literal["pos", "pickup", "delivery", "vending", "online"]
CHANNELS: tuple[str, ...] = ("pos", "pickup", "delivery", "vending", "online")
