"""The rules a purchase order follows: which lines are valid, what they cost, when goods can
come. Drafting, editing and sending all check lines here, so a draft that was valid when
written is checked again when sent (a product may have been archived since)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput, raise_if_errors
from bodega.api.quantities import quantity_errors
from bodega.catalog import ProductOut, SupplierOut, products_by_ids, suppliers_by_ids
from bodega.purchasing.schemas import PurchaseOrderLineIn

__all__ = [
    "checked_lines",
    "earliest_delivery",
    "line_total",
    "plain",
    "stored",
    "supplier_of",
    "today_in",
]

MAX_DAYS_AHEAD = 366


def line_total(quantity: Decimal, unit_cost: int) -> int:
    """What a quantity costs in minor units, rounded half up (0.455 kg at 1999 is 910)."""
    return int((quantity * unit_cost).to_integral_value(ROUND_HALF_UP))


def stored(quantity: Decimal) -> Decimal:
    """A quantity as the database keeps it and the API answers it: three decimals."""
    return quantity.quantize(Decimal("0.001"))


def plain(quantity: Decimal) -> Decimal:
    """For messages: ``12`` rather than ``12.000``; ``0.455`` as it is."""
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()


def today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def earliest_delivery(today: date, supplier: SupplierOut) -> date:
    """The supplier's next order day (``today`` if it is one; any day if it names none) plus
    its lead time: the first delivery an order placed now can bring."""
    day = today
    if supplier.order_days:
        while day.isoweekday() not in supplier.order_days:
            day += timedelta(days=1)
    return day + timedelta(days=supplier.lead_time_days)


def check_expected_on(expected_on: date, today: date) -> None:
    if expected_on < today:
        raise_if_errors([FieldError("expected_on", f"in the past (today is {today} at the store)")])
    if expected_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise_if_errors([FieldError("expected_on", "more than a year ahead")])


async def supplier_of(actor: Actor, supplier_id: Any, field: str = "supplier_id") -> SupplierOut:
    found = (await suppliers_by_ids(actor, [supplier_id])).get(supplier_id)
    if found is None:
        raise InvalidInput(
            f"No supplier with id {supplier_id}.", errors=[FieldError(field, "unknown supplier")]
        )
    return found


def _case_pack_problem(product: ProductOut, quantity: Decimal) -> str | None:
    """Counted goods come in whole cases; weighed goods in any weight."""
    pack = product.case_pack
    if product.unit == "kg" or pack <= 1 or quantity % pack == 0:
        return None
    lower = (quantity // pack) * pack
    choices = f"{lower} or {lower + pack}" if lower > 0 else f"{pack}"
    return f"{product.sku} comes in cases of {pack}: order {choices}"


def _line_problems(
    line: PurchaseOrderLineIn, product: ProductOut, supplier: SupplierOut, field: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    if product.status != "active":
        errors.append(FieldError(f"{field}.product_id", f"{product.sku} is archived"))
    if product.supplier_id is not None and product.supplier_id != supplier.id:
        errors.append(
            FieldError(
                f"{field}.product_id",
                f"{product.sku} comes from another supplier, not {supplier.code}",
            )
        )
    quantity = quantity_errors(line.quantity, f"{field}.quantity", unit=product.unit)
    errors += quantity
    if not quantity and (problem := _case_pack_problem(product, line.quantity)):
        errors.append(FieldError(f"{field}.quantity", problem))
    return errors


async def checked_lines(
    actor: Actor, lines: Sequence[PurchaseOrderLineIn], supplier: SupplierOut
) -> list[dict[str, Any]]:
    """The lines as stored (``product_id``, ``quantity``, ``unit_cost``), or a 422 listing
    every problem, each naming its line: ``lines[2].quantity``."""
    if not lines:
        return []
    products = await products_by_ids(actor, list({line.product_id for line in lines}))
    errors: list[FieldError] = []
    seen: dict[Any, int] = {}
    checked = []
    for i, line in enumerate(lines):
        field = f"lines[{i}]"
        product = products.get(line.product_id)
        if product is None:
            errors.append(FieldError(f"{field}.product_id", "unknown product"))
            continue
        if product.id in seen:
            errors.append(
                FieldError(
                    f"{field}.product_id",
                    f"{product.sku} is on lines[{seen[product.id]}] already; one line per product",
                )
            )
            continue
        seen[product.id] = i
        errors += _line_problems(line, product, supplier, field)
        unit_cost = product.cost_price if line.unit_cost is None else line.unit_cost
        checked.append(
            {"product_id": product.id, "quantity": line.quantity, "unit_cost": unit_cost}
        )
    raise_if_errors(errors)
    return checked
