"""GraphQL for pricing: price lists and their items, scheduled price changes, a store's price
history, and quotes (the REST services)."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any, get_args

import strawberry
from strawberry.types import Info

from bodega.api.errors import FieldError, InvalidInput
from bodega.api.money import TaxLineOut
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.pricing import history, price_changes, price_lists, quote_schemas, schemas
from bodega.pricing.quotes import quote_basket

__all__ = ["Adjustment", "LineAdjustment", "PricingMutation", "PricingQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "pricing:read", "pricing:write"

PriceListItemCounts = object_type(schemas.ItemCounts, name="PriceListItemCounts")
PriceList = object_type(
    schemas.PriceListOut, namespace={"ItemCounts": PriceListItemCounts}, name="PriceList"
)
PriceListItem = object_type(schemas.PriceListItemOut, name="PriceListItem")
PriceChange = object_type(schemas.PriceChangeOut, name="PriceChange")
PriceHistoryEntry = object_type(schemas.PriceHistoryOut, name="PriceHistoryEntry")
PriceListPage = page_type(PriceList, "PriceListPage")
PriceListItemPage = page_type(PriceListItem, "PriceListItemPage")
PriceChangePage = page_type(PriceChange, "PriceChangePage")
PriceHistoryPage = page_type(PriceHistoryEntry, "PriceHistoryPage")

PriceListInput = input_type(schemas.PriceListIn, name="PriceListInput")
PriceListUpdateInput = input_type(schemas.PriceListUpdate, name="PriceListUpdateInput")
PriceListItemsInput = input_type(
    schemas.PriceListItemsIn,
    name="PriceListItemsInput",
    namespace={"PriceListItemIn": input_type(schemas.PriceListItemIn, name="PriceListItemInput")},
)
PriceChangeInput = input_type(schemas.PriceChangeIn, name="PriceChangeInput")
CancelPriceChangeInput = input_type(schemas.CancelPriceChangeIn, name="CancelPriceChangeInput")


AdjustmentLine = object_type(quote_schemas.AdjustmentLineOut, name="AdjustmentLine")
Adjustment = object_type(
    quote_schemas.AdjustmentOut, name="Adjustment", namespace={"AdjustmentLineOut": AdjustmentLine}
)
LineAdjustment = object_type(quote_schemas.LineAdjustmentOut, name="LineAdjustment")
PriceSource = object_type(quote_schemas.PriceSourceOut, name="PriceSource")
QuoteLine = object_type(
    quote_schemas.QuoteLineOut,
    name="QuoteLine",
    namespace={"PriceSourceOut": PriceSource, "LineAdjustmentOut": LineAdjustment},
)
NotApplied = object_type(quote_schemas.NotAppliedOut, name="NotApplied")
QuoteTaxLine = object_type(TaxLineOut, name="QuoteTaxLine")
Quote = object_type(
    quote_schemas.QuoteOut,
    name="Quote",
    namespace={
        "QuoteLineOut": QuoteLine,
        "AdjustmentOut": Adjustment,
        "NotAppliedOut": NotApplied,
        "TaxLineOut": QuoteTaxLine,
    },
)
QuoteLineInput = input_type(quote_schemas.QuoteLineIn, name="QuoteLineInput")
QuoteInput = input_type(
    quote_schemas.QuoteIn, name="QuoteInput", namespace={"QuoteLineIn": QuoteLineInput}
)


def _one_of(value: str | None, literal: Any, field: str) -> str | None:
    allowed = get_args(literal)
    if value is not None and value not in allowed:
        raise InvalidInput(
            f"{field} is one of {', '.join(allowed)}.",
            errors=[FieldError(field, "unknown status")],
        )
    return value


@strawberry.type
class PricingQuery:
    @strawberry.field(
        description="Price a basket (nothing is saved): every adjustment with its reason, and "
        "why other promotions did not apply."
    )
    async def quote(self, info: InfoT, input: QuoteInput) -> Quote:  # type: ignore[valid-type]
        quote = functools.partial(
            quote_basket,
            plugins=info.context.plugins,
            engine=info.context.request.app.state.engine,
        )
        return await call(info, READ, quote, from_input(input, quote_schemas.QuoteIn))

    @strawberry.field(
        description="Price lists, oldest first, by status, store (the lists applying there), "
        "product, or the moment they are in force."
    )
    async def price_lists(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        status: str | None = None,
        store_id: uuid.UUID | None = None,
        product_id: uuid.UUID | None = None,
        active_at: datetime | None = None,
    ) -> PriceListPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            price_lists.list_price_lists,
            limit=page_limit(first),
            cursor=after,
            status=_one_of(status, schemas.PriceListStatus, "status"),
            store_id=store_id,
            product_id=product_id,
            active_at=active_at,
        )

    @strawberry.field(description="One price list.")
    async def price_list(self, info: InfoT, id: uuid.UUID) -> PriceList:  # type: ignore[valid-type]
        return await call(info, READ, price_lists.get_price_list, id)

    @strawberry.field(description="A price list's items, oldest first.")
    async def price_list_items(
        self,
        info: InfoT,
        price_list_id: uuid.UUID,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> PriceListItemPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            price_lists.list_price_list_items,
            price_list_id,
            limit=page_limit(first),
            cursor=after,
        )

    @strawberry.field(description="Price changes, oldest first, by product, store or status.")
    async def price_changes(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        product_id: uuid.UUID | None = None,
        store_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> PriceChangePage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            price_changes.list_price_changes,
            limit=page_limit(first),
            cursor=after,
            product_id=product_id,
            store_id=store_id,
            status=_one_of(status, schemas.PriceChangeStatus, "status"),
        )

    @strawberry.field(description="One price change.")
    async def price_change(self, info: InfoT, id: uuid.UUID) -> PriceChange:  # type: ignore[valid-type]
        return await call(info, READ, price_changes.get_price_change, id)

    @strawberry.field(description="A store's regular price changes, newest first.")
    async def price_history(
        self,
        info: InfoT,
        store_id: uuid.UUID,
        product_id: uuid.UUID | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> PriceHistoryPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            history.list_price_history_of_store,
            store_id=store_id,
            product_id=product_id,
            limit=page_limit(first),
            cursor=after,
        )


@strawberry.type
class PricingMutation:
    @strawberry.mutation(description="Create a price list (then set its items).")
    async def create_price_list(self, info: InfoT, input: PriceListInput) -> PriceList | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PriceListIn)
        return await mutate(info, WRITE, price_lists.create_price_list, data)

    @strawberry.mutation(description="Change an active price list (send its current version).")
    async def update_price_list(
        self, info: InfoT, id: uuid.UUID, input: PriceListUpdateInput
    ) -> PriceList | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PriceListUpdate)
        return await mutate(info, WRITE, price_lists.update_price_list, id, data)

    @strawberry.mutation(description="Archive a price list: it applies nowhere from now on.")
    async def archive_price_list(self, info: InfoT, id: uuid.UUID) -> PriceList | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, price_lists.archive_price_list, id)

    @strawberry.mutation(
        description="Set the prices of up to 1,000 products on a price list (added or "
        "replaced; others stay)."
    )
    async def set_price_list_items(
        self, info: InfoT, id: uuid.UUID, input: PriceListItemsInput
    ) -> PriceList | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PriceListItemsIn)
        return await mutate(info, WRITE, price_lists.set_price_list_items, id, data)

    @strawberry.mutation(description="Take a product off a price list.")
    async def remove_price_list_item(
        self, info: InfoT, id: uuid.UUID, product_id: uuid.UUID
    ) -> PriceList | None:  # type: ignore[valid-type]
        return await mutate(info, WRITE, price_lists.remove_price_list_item, id, product_id)

    @strawberry.mutation(
        description="Schedule a price change (one already due is applied at once)."
    )
    async def schedule_price_change(
        self, info: InfoT, input: PriceChangeInput
    ) -> PriceChange | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.PriceChangeIn)
        return await mutate(info, WRITE, price_changes.schedule_price_change, data)

    @strawberry.mutation(description="Cancel a scheduled price change.")
    async def cancel_price_change(
        self, info: InfoT, id: uuid.UUID, input: CancelPriceChangeInput
    ) -> PriceChange | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.CancelPriceChangeIn)
        return await mutate(info, WRITE, price_changes.cancel_price_change, id, data)
