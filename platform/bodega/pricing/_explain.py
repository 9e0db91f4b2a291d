"""Why each price is what it is, in a cashier's words: the reasons a quote gives for every
adjustment and for every promotion that did not apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bodega.api.money import format_amount
from bodega.pricing.quote_schemas import AdjustmentLineOut, AdjustmentOut, NotAppliedOut

if TYPE_CHECKING:
    from bodega.pricing._promotions import Applied, NotApplied
    from bodega.pricing.quotes import _Line

__all__ = ["Explainer"]


def _percent(value: Any) -> str:
    """``Decimal("12.50")`` → ``"12.5 %"``."""
    text = format(Decimal(value).normalize(), "f")
    return f"{text} %"


@dataclass(frozen=True)
class Explainer:
    currency: str

    def money(self, amount: int) -> str:
        return format_amount(amount, self.currency)

    def rule(self, promotion: Any) -> str:
        """What a promotion offers: "12.5 % off", "3 for 10.00", "spend 100.00, get 20.00 off"."""
        rule = promotion.rule
        kind = rule.type
        if kind == "percent_off":
            return f"{_percent(rule.percent)} off"
        if kind == "amount_off":
            return f"{self.money(rule.amount)} off each"
        if kind == "fixed_price":
            return f"{self.money(rule.price)} each"
        if kind == "multi_buy":
            return f"{rule.quantity} for {self.money(rule.price)}"
        if kind == "bundle":
            parts = " + ".join(str(item.quantity) for item in rule.items)
            return f"bundle of {parts} for {self.money(rule.price)}"
        if kind == "buy_x_get_y":
            percent = Decimal(rule.percent if rule.percent is not None else 100)
            given = "free" if percent == 100 else f"at {_percent(percent)} off"
            return f"buy {rule.buy} get {rule.get} {given}"
        if rule.repeat:
            (step,) = rule.steps
            return f"every {self.money(step.spend)} spent, {self.money(step.off)} off"
        return "; ".join(
            f"spend {self.money(step.spend)}, get {self.money(step.off)} off" for step in rule.steps
        )

    def promotion(self, applied: Applied, lines: Sequence[_Line]) -> AdjustmentOut:
        promotion = applied.promotion
        reason = self.rule(promotion).capitalize()
        if promotion.rule.type == "threshold":
            spent = sum(lines[position - 1].gross for position, _ in applied.allocations)
            reason += f": spent {self.money(spent)} on what it counts"
        return AdjustmentOut(
            kind="promotion",
            source_id=promotion.id,
            name=promotion.name,
            amount=applied.result.discount,
            reason=reason,
            lines=[
                AdjustmentLineOut(position=position, amount=amount)
                for position, amount in applied.allocations
            ],
        )

    def not_applied(self, item: NotApplied) -> NotAppliedOut:
        promotion, result = item.promotion, item.result
        return NotAppliedOut(
            promotion_id=promotion.id,
            name=promotion.name,
            code=result.status,
            reason=self._why_not(item),
        )

    def _why_not(self, item: NotApplied) -> str:
        promotion, result = item.promotion, item.result
        offer = self.rule(promotion)
        status = result.status
        if status == "blocked":
            return f"{result.blocked_reason} ({offer})"
        if status == "below_threshold":
            return f"Spend {self.money(result.short)} more on what it counts ({offer})"
        if status == "not_enough_units":
            units = "unit" if result.short == 1 else "units"
            return f"Add {result.short} more {units} of what it counts ({offer})"
        if status == "no_reward_items":
            return f"The item it gives is not in the basket ({offer})"
        if status == "nothing_off":
            return f"The price is already at or below the offer ({offer})"
        if status == "not_countable":
            return f"It counts whole units; weighed goods do not count ({offer})"
        other = item.excluded_by
        if other is None:
            return "The items are marked down; an exclusive promotion does not add to a markdown"
        if promotion.exclusive:
            return f"Exclusive: it does not combine with “{other.name}” already on the items"
        return f"The items have “{other.name}”, which combines with no other promotion"

    def markdown_reason(self, *, percent: Any, until: str, hours: Decimal, floored: bool) -> str:
        text = f"{_percent(percent)} off: {hours:.1f} h to {until}"
        return text + " (held at the rule's floor)" if floored else text
