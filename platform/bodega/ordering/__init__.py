"""Ordering: sales orders across channels (till, pickup, delivery, vending, online), their
payments, fulfilment, cancellation and refunds."""

from bodega.ordering.payment import pay_order
from bodega.ordering.refunds import refund_order
from bodega.ordering.schemas import (
    OrderIn,
    OrderLineOut,
    OrderOut,
    PayIn,
    PaymentOut,
    RefundIn,
    RefundOut,
)
from bodega.ordering.service import (
    cancel_order,
    create_order,
    fulfil_order,
    get_order,
    list_orders,
    orders_by_ids,
)
from bodega.ordering.stats import (
    MemberOrderStats,
    member_activity_sql,
    member_order_stats,
    recent_member_orders,
)

__all__ = [
    "MemberOrderStats",
    "OrderIn",
    "OrderLineOut",
    "OrderOut",
    "PayIn",
    "PaymentOut",
    "RefundIn",
    "RefundOut",
    "cancel_order",
    "create_order",
    "fulfil_order",
    "get_order",
    "list_orders",
    "member_activity_sql",
    "member_order_stats",
    "orders_by_ids",
    "pay_order",
    "recent_member_orders",
    "refund_order",
]
