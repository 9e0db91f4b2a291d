"""A suggested order as a terminal table (``bodega replenish``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from bodega.catalog import ProductOut, StoreOut, SupplierOut
from bodega.replenishment.schemas import SuggestionLineOut, SuggestionRunOut

__all__ = ["suggestion_summary"]


def _n(value: Decimal | str | None) -> str:
    if value is None:
        return ""
    shown = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP).normalize()
    return f"{shown:f}"


def _money(minor: int) -> str:
    return f"{minor / 100:,.2f}"


def suggestion_summary(
    store: StoreOut,
    run: SuggestionRunOut,
    lines: list[SuggestionLineOut],
    products: Mapping[uuid.UUID, ProductOut],
    suppliers: Mapping[uuid.UUID, SupplierOut],
) -> Group:
    """The lines to order (by supplier, then SKU) and each supplier's total and minimum."""
    table = Table(title=f"Suggested order for {store.code} {store.name}, {run.first_day}")
    for column in ("SKU", "Product", "Demand", "Per day", "On hand", "On order", "Order"):
        table.add_column(
            column, justify="right" if column not in ("SKU", "Product", "Demand") else "left"
        )
    table.add_column("Supplier")
    totals: dict[uuid.UUID | None, int] = defaultdict(int)
    counts: dict[uuid.UUID | None, int] = defaultdict(int)

    def order_key(line: SuggestionLineOut) -> tuple[str, str]:
        supplier = suppliers.get(line.supplier_id) if line.supplier_id else None
        return (supplier.code if supplier else "~", products[line.product_id].sku)

    for line in sorted(lines, key=order_key):
        product = products[line.product_id]
        supplier = suppliers.get(line.supplier_id) if line.supplier_id else None
        r = line.reasons
        table.add_row(
            product.sku,
            product.name,
            line.classification,
            _n(r["daily_forecast"]),
            _n(r["on_hand"]),
            _n(r["on_order"]),
            Text(_n(line.quantity), style="bold"),
            supplier.code if supplier else "(none)",
        )
        value = (line.quantity * line.unit_cost).to_integral_value(ROUND_HALF_UP)
        totals[line.supplier_id] += int(value)
        counts[line.supplier_id] += 1
    by_supplier = Table(title="By supplier (at cost)")
    for column in ("Supplier", "Lines", "Value", "Minimum"):
        by_supplier.add_column(column, justify="left" if column == "Supplier" else "right")
    for supplier_id, total in sorted(totals.items(), key=lambda kv: str(kv[0])):
        supplier = suppliers.get(supplier_id) if supplier_id else None
        minimum = _money(supplier.min_order) if supplier and supplier.min_order else "-"
        name = f"{supplier.code} {supplier.name}" if supplier else "(no supplier: not ordered)"
        by_supplier.add_row(name, str(counts[supplier_id]), _money(total), minimum)
    footer = Text(
        f"Run {run.id}: {run.order_line_count} of {run.line_count} products to order. "
        f"Review and edit with PATCH /v1/suggestion-lines/{{id}}, then "
        f"POST /v1/suggestion-runs/{run.id}/purchase-orders drafts the purchase orders."
    )
    return Group(table, by_supplier, footer)
