"""Inventory: the stock movement ledger, levels, lots, and what other domains post to it;
losses, stocktakes and transfers (``losses``, ``stocktakes``, ``transfers`` modules); the
next lot to sell (``lots``)."""

from bodega.inventory.lots import lot_by_code, lots_for_sale
from bodega.inventory.schemas import (
    History,
    LotOut,
    MovementIn,
    MovementKind,
    MovementOut,
    StockLevelOut,
)
from bodega.inventory.service import daily_history, on_hand, post_movements

__all__ = [
    "History",
    "LotOut",
    "MovementIn",
    "MovementKind",
    "MovementOut",
    "StockLevelOut",
    "daily_history",
    "lot_by_code",
    "lots_for_sale",
    "on_hand",
    "post_movements",
]
