"""Tiers: earned by rolling 12-month spend or points, or bought as a premium plan on the
chain's Stripe.

Other domains use :func:`member_benefits` (the price list and points multiplier of a
member's tier now: quotes), :func:`points_multiplier` (the same multiplier as points earning's
``MultiplierSource``) and :func:`member_export` (a member's tier history and premium plan, for
the member's copy of their data).
"""

from bodega.tiers.benefits import member_benefits, member_export, points_multiplier
from bodega.tiers.schemas import TierBenefitsOut, TierOut
from bodega.tiers.service import get_tier, tiers_by_ids

__all__ = [
    "TierBenefitsOut",
    "TierOut",
    "get_tier",
    "member_benefits",
    "member_export",
    "points_multiplier",
    "tiers_by_ids",
]
