"""Pricing: price lists (by store, channel, audience and validity), scheduled price changes,
price history and "was" prices.

Quotes (:func:`quote_basket`, :func:`price_basket`) put regular prices, markdowns, promotions
and plugins' discounts together, each explained; orders are priced by :func:`price_basket`.
Other domains also use :func:`regular_prices` (what a store charges before markdowns and
promotions) and :func:`prior_lowest_prices` (the lowest price of the prior 30 days, the only
"was" price a reduction may show).
"""

from bodega.pricing.history import prior_lowest_prices
from bodega.pricing.price_changes import apply_due_price_changes, schedule_price_change
from bodega.pricing.price_lists import get_price_list
from bodega.pricing.quote_schemas import (
    AdjustmentOut,
    LineAdjustmentOut,
    PluginAdjustment,
    QuoteIn,
    QuoteLineOut,
    QuoteOut,
)
from bodega.pricing.quotes import BasketItem, PricedBasket, price_basket, quote_basket
from bodega.pricing.resolve import RegularPrice, regular_prices
from bodega.pricing.schemas import (
    PriceChangedOut,
    PriceChangeIn,
    PriceChangeOut,
    PriceListOut,
)

__all__ = [
    "AdjustmentOut",
    "BasketItem",
    "LineAdjustmentOut",
    "PluginAdjustment",
    "PriceChangeIn",
    "PriceChangeOut",
    "PriceChangedOut",
    "PriceListOut",
    "PricedBasket",
    "QuoteIn",
    "QuoteLineOut",
    "QuoteOut",
    "RegularPrice",
    "apply_due_price_changes",
    "get_price_list",
    "price_basket",
    "prior_lowest_prices",
    "quote_basket",
    "regular_prices",
    "schedule_price_change",
]
