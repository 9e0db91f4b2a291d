"""Purchasing tables: purchase orders to suppliers, their lines, and goods receipts."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, Integer, Numeric, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["GoodsReceipt", "GoodsReceiptLine", "PurchaseOrder", "PurchaseOrderLine"]


class PurchaseOrder(Table, tablename="purchase_orders"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    number = Integer()
    supplier_id = UUID()
    store_id = UUID()
    status = Varchar(length=24, default="draft")
    expected_on = Date()
    note = Varchar(length=1000, default="")
    source = Varchar(length=32, default="manual")
    suggestion_run_id = UUID(null=True, default=None)
    total = BigInt(default=0)
    received_value = BigInt(default=0)
    closed_short = Boolean(default=False)
    reason = Varchar(length=500, default="")
    sent_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    created_by = UUID()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class PurchaseOrderLine(Table, tablename="purchase_order_lines"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    purchase_order_id = UUID()
    position = Integer()
    product_id = UUID()
    quantity = Numeric(digits=(14, 3))
    unit_cost = BigInt()
    received = Numeric(digits=(14, 3))
    rejected = Numeric(digits=(14, 3))


class GoodsReceipt(Table, tablename="goods_receipts"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    purchase_order_id = UUID()
    store_id = UUID()
    supplier_id = UUID()
    note = Varchar(length=1000, default="")
    over_receipt = Boolean(default=False)
    total = BigInt(default=0)
    order_status = Varchar(length=24)
    received_at = Timestamptz()
    created_by = UUID()


class GoodsReceiptLine(Table, tablename="goods_receipt_lines"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    goods_receipt_id = UUID()
    purchase_order_line_id = UUID()
    position = Integer()
    product_id = UUID()
    received = Numeric(digits=(14, 3))
    rejected = Numeric(digits=(14, 3))
    reject_reason = Varchar(length=200, null=True, default=None)
    lot_code = Varchar(length=64, null=True, default=None)
    expires_on = Date(null=True, default=None)
    unit_cost = BigInt()
    value = BigInt()
    movement_id = UUID(null=True, default=None)
