"""Ordering tables: sales orders, their lines, payments and refunds, and the per-store
counter that numbers orders."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Boolean,
    Integer,
    Numeric,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ["Order", "OrderCounter", "OrderLine", "OrderPayment", "OrderRefund", "OrderRefundLine"]


class Order(Table, tablename="orders"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    number = Integer()
    channel = Varchar(length=16)
    status = Varchar(length=24)
    member_id = UUID(null=True, default=None)
    note = Varchar(length=500, default="")
    external_ref = Varchar(length=64, null=True, default=None)
    promised_at = Timestamptz(null=True, default=None)
    currency = Varchar(length=3)
    subtotal = BigInt()
    discount_total = BigInt()
    total = BigInt()
    tax_total = BigInt()
    taxes = JSONB()
    paid_total = BigInt(default=0)
    change = BigInt(default=0)
    refunded_total = BigInt(default=0)
    created_by = UUID()
    created_at = Timestamptz()
    paid_at = Timestamptz(null=True, default=None)
    fulfilled_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    adjustments = JSONB()
    promotion_ids = Array(base_column=UUID())


class OrderLine(Table, tablename="order_lines"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    order_id = UUID()
    position = Integer()
    product_id = UUID()
    sku = Varchar(length=64)
    name = Varchar(length=200)
    unit = Varchar(length=8)
    quantity = Numeric(digits=(12, 3))
    list_price = BigInt()
    unit_price = BigInt()
    price_overridden = Boolean(default=False)
    discount_percent = Numeric(digits=(5, 2), null=True, default=None)
    gross = BigInt()
    discount = BigInt()
    total = BigInt()
    tax_rate = Numeric(digits=(5, 2))
    adjustments = JSONB()
    refunded_quantity = Numeric(digits=(12, 3), default=Decimal(0))
    refunded_amount = BigInt(default=0)


class OrderPayment(Table, tablename="order_payments"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    order_id = UUID()
    position = Integer()
    method = Varchar(length=16)
    amount = BigInt()
    tendered = BigInt()
    reference = Varchar(length=255, null=True, default=None)
    refunded = BigInt(default=0)
    created_at = Timestamptz()


class OrderRefund(Table, tablename="order_refunds"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    order_id = UUID()
    amount = BigInt()
    reason = Varchar(length=500, default="")
    payments = JSONB()
    created_by = UUID()
    created_at = Timestamptz()


class OrderRefundLine(Table, tablename="order_refund_lines"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    refund_id = UUID()
    line_id = UUID()
    quantity = Numeric(digits=(12, 3))
    amount = BigInt()
    restock = Boolean()


class OrderCounter(Table, tablename="order_counters"):
    """The last order number given in a store (order numbers count up per store)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    store_id = UUID()
    last_number = Integer()
