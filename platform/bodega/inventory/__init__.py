"""Inventory: the stock movement ledger, levels, lots, and what other domains post to it;
losses, stocktakes and transfers (``losses``, ``stocktakes``, ``transfers`` modules)."""

from bodega.inventory.schemas import History, MovementIn, MovementKind, MovementOut, StockLevelOut
from bodega.inventory.service import daily_history, on_hand, post_movements

__all__ = [
    "History",
    "MovementIn",
    "MovementKind",
    "MovementOut",
    "StockLevelOut",
    "daily_history",
    "on_hand",
    "post_movements",
]
