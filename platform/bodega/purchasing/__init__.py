"""Purchasing: purchase orders to suppliers and the goods receipts that fill them.

Other domains use :func:`on_order` (what is still coming to a store) and
:func:`create_purchase_order` (the suggested store orders draft their purchase orders with it).
"""

from bodega.purchasing.schemas import PurchaseOrderIn, PurchaseOrderLineIn, PurchaseOrderOut
from bodega.purchasing.service import create_purchase_order, get_purchase_order, on_order

__all__ = [
    "PurchaseOrderIn",
    "PurchaseOrderLineIn",
    "PurchaseOrderOut",
    "create_purchase_order",
    "get_purchase_order",
    "on_order",
]
