"""Inventory tables: the movement ledger, the levels derived from it, and lots of fresh goods."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Date, Numeric, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["StockLevel", "StockLot", "StockMovement"]


class StockMovement(Table, tablename="stock_movements"):
    """One change to the stock of a product in a store. Append-only: the app role may not
    update or delete a row; a mistake is corrected by another movement."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    product_id = UUID()
    kind = Varchar(length=16)
    quantity = Numeric(digits=(14, 3))
    reason = Varchar(length=24, null=True, default=None)
    unit_cost = BigInt()
    value = BigInt()
    lot_id = UUID(null=True, default=None)
    source_type = Varchar(length=32)
    source_id = UUID(null=True, default=None)
    note = Varchar(length=500, default="")
    actor_id = UUID()
    occurred_at = Timestamptz()


class StockLevel(Table, tablename="stock_levels"):
    """On hand of a product in a store: the sum of its movements, kept in step with them."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    product_id = UUID()
    on_hand = Numeric(digits=(14, 3))
    reorder_point = Numeric(digits=(14, 3), null=True, default=None)
    updated_at = Timestamptz()


class StockLot(Table, tablename="stock_lots"):
    """A batch of a fresh product in a store, with its expiry: sold first-expiry-first-out."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    product_id = UUID()
    code = Varchar(length=64)
    expires_on = Date()
    on_hand = Numeric(digits=(14, 3))
    received_at = Timestamptz()
