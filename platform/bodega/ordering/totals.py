"""The arithmetic of an order, in integer minor units: line amounts, discounts, tax by rate
(:mod:`bodega.api.money`), change, refund shares. Pure functions, so the rules can be read and
tested on their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bodega.api.money import TaxLine, round_half_up, tax_by_rate

__all__ = [
    "LineAmounts",
    "TaxLine",
    "allocate_refund",
    "discounted",
    "line_amounts",
    "refund_share",
    "round_half_up",
    "split_change",
    "tax_by_rate",
]

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    gross: int
    discount: int
    total: int


def discounted(
    amount: int, *, discount_amount: int | None = None, discount_percent: Decimal | None = None
) -> LineAmounts:
    """``amount`` less a cashier's discount: the amount given, or
    ``round_half_up(amount * percent / 100)``.

    Raises ``ValueError`` when the discount is more than the amount (a line never goes below
    zero)."""
    if discount_amount is not None:
        discount = discount_amount
    elif discount_percent is not None:
        discount = round_half_up(amount * discount_percent / _HUNDRED)
    else:
        discount = 0
    if discount > amount:
        raise ValueError(f"the discount ({discount}) is more than the line's amount ({amount})")
    return LineAmounts(amount, discount, amount - discount)


def line_amounts(
    quantity: Decimal,
    unit_price: int,
    *,
    discount_amount: int | None = None,
    discount_percent: Decimal | None = None,
) -> LineAmounts:
    """``gross = round_half_up(quantity * unit_price)`` less the discount (:func:`discounted`)."""
    return discounted(
        round_half_up(quantity * unit_price),
        discount_amount=discount_amount,
        discount_percent=discount_percent,
    )


def split_change(tendered: Sequence[tuple[str, int]], total: int) -> tuple[list[int], int]:
    """What each payment ``(method, amount handed over)`` contributes to ``total``, and the
    change. Only cash may exceed what is due; the change comes off the last cash payments.

    Raises ``ValueError`` when the payments do not cover the total, or when payments other
    than cash exceed it."""
    paid = sum(amount for _, amount in tendered)
    if paid < total:
        raise ValueError(f"the payments ({paid}) do not cover the total ({total})")
    other = sum(amount for method, amount in tendered if method != "cash")
    if other > total:
        raise ValueError(
            f"only cash can be more than the total: the other payments ({other}) exceed it "
            f"({total})"
        )
    change = paid - total
    applied = [amount for _, amount in tendered]
    left = change
    for i in reversed(range(len(tendered))):
        if left == 0:
            break
        if tendered[i][0] == "cash":
            taken = min(left, applied[i])
            applied[i] -= taken
            left -= taken
    return applied, change


def refund_share(
    line_total: int,
    quantity: Decimal,
    refunded_quantity: Decimal,
    refunded_amount: int,
    returning: Decimal,
) -> int:
    """The money a return of ``returning`` units of a line gives back: its share of the line's
    total (``round_half_up(total * returning / quantity)``), and exactly what is left of the
    line when the last units come back, so a line refunded in parts refunds its total."""
    if refunded_quantity + returning >= quantity:
        return line_total - refunded_amount
    share = round_half_up(Decimal(line_total) * returning / quantity)
    return min(share, line_total - refunded_amount)


def allocate_refund(payments: Sequence[tuple[str, int]], amount: int) -> list[int]:
    """Split a refund of ``amount`` over the order's payments ``(payment id, refundable left)``:
    largest refundable first (the earlier payment on a tie), each up to what it has left.

    Raises ``ValueError`` when the payments have less than ``amount`` left."""
    if amount > sum(left for _, left in payments):
        raise ValueError("the refund is more than the payments have left")
    order = sorted(range(len(payments)), key=lambda i: (-payments[i][1], i))
    shares = [0] * len(payments)
    remaining = amount
    for i in order:
        if remaining == 0:
            break
        taken = min(remaining, payments[i][1])
        shares[i] = taken
        remaining -= taken
    return shares
