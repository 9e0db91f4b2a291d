"""Promotions and markdown rules: what they are, whether they may apply to a sale, how often
they were used, and what fresh goods cost as their expiry or the store's closing nears.

The quote engine (``bodega.pricing``) reads :func:`active_promotions`, caches what it compiled
from them by :func:`promotions_generation`, and asks :func:`blocked_reason` about each one;
making an order claims uses (:func:`claim_promotion_uses`), cancelling it gives them back.
Markdowns: :func:`markdown_rules_for` a store, then the pure functions of ``markdown_prices``.
"""

from bodega.promotions.conditions import blocked_reason
from bodega.promotions.conflicts import PromotionConflict
from bodega.promotions.markdown_prices import (
    hours_to_closing,
    hours_to_expiry,
    markdown_price,
    markdown_step,
)
from bodega.promotions.markdowns import get_markdown_rule, markdown_rules_for
from bodega.promotions.promotions import (
    active_promotions,
    get_promotion,
    promotions_by_ids,
    promotions_generation,
)
from bodega.promotions.schemas import (
    MarkdownRuleOut,
    MarkdownStepOut,
    PromotionOut,
    RuleOut,
)
from bodega.promotions.usage import (
    PromotionExhausted,
    claim_promotion_uses,
    member_promotion_uses,
    release_promotion_uses,
)

__all__ = [
    "MarkdownRuleOut",
    "MarkdownStepOut",
    "PromotionConflict",
    "PromotionExhausted",
    "PromotionOut",
    "RuleOut",
    "active_promotions",
    "blocked_reason",
    "claim_promotion_uses",
    "get_markdown_rule",
    "get_promotion",
    "hours_to_closing",
    "hours_to_expiry",
    "markdown_price",
    "markdown_rules_for",
    "markdown_step",
    "member_promotion_uses",
    "promotions_by_ids",
    "promotions_generation",
    "release_promotion_uses",
]
