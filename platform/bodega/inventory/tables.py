"""Inventory tables: the movement ledger, the levels derived from it, lots of fresh goods, and
the documents that write movements: losses, stocktakes (counts) and transfers."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Boolean,
    Date,
    Integer,
    Numeric,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = [
    "Loss",
    "StockLevel",
    "StockLot",
    "StockMovement",
    "Stocktake",
    "StocktakeLine",
    "Transfer",
    "TransferLine",
]


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


class Loss(Table, tablename="losses"):
    """Stock written off in a store (expired, damaged, stolen...); its lines are the ``loss``
    movements whose ``source_id`` is the loss."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    reason = Varchar(length=16)
    note = Varchar(length=500, default="")
    value = BigInt()
    transfer_id = UUID(null=True, default=None)
    recorded_by = UUID()
    occurred_at = Timestamptz()


class Stocktake(Table, tablename="stocktakes"):
    """A count of a store (all products or some categories): open, then posted or cancelled.
    At most one is open per store."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    status = Varchar(length=16)
    category_ids = Array(base_column=UUID())
    note = Varchar(length=500, default="")
    zero_uncounted = Boolean(default=False)
    totals = JSONB(null=True, default=None)
    opened_by = UUID()
    opened_at = Timestamptz()
    posted_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    closed_by = UUID(null=True, default=None)
    version = Integer(default=1)


class StocktakeLine(Table, tablename="stocktake_lines"):
    """A product of a stocktake: what the books said when it was first counted, and what was
    counted; its variance and cost are fixed at posting."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    stocktake_id = UUID()
    product_id = UUID()
    expected = Numeric(digits=(14, 3))
    counted = Numeric(digits=(14, 3), null=True, default=None)
    first_counted_at = Timestamptz(null=True, default=None)
    last_counted_at = Timestamptz(null=True, default=None)
    variance = Numeric(digits=(14, 3), null=True, default=None)
    unit_cost = BigInt(null=True, default=None)


class Transfer(Table, tablename="transfers"):
    """Stock sent from one store to another: in transit, then received or cancelled."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    from_store_id = UUID()
    to_store_id = UUID()
    status = Varchar(length=16)
    note = Varchar(length=500, default="")
    sent_by = UUID()
    sent_at = Timestamptz()
    received_by = UUID(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)
    cancelled_by = UUID(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class TransferLine(Table, tablename="transfer_lines"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    transfer_id = UUID()
    product_id = UUID()
    quantity = Numeric(digits=(14, 3))
    received = Numeric(digits=(14, 3), null=True, default=None)
    unit_cost = BigInt()
