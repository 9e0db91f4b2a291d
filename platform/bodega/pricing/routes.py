"""REST for pricing: price lists and their items, scheduled price changes, price history, and
quotes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, delete, get, patch, post, put
from bodega.pricing import history, price_changes, price_lists
from bodega.pricing.quote_schemas import QuoteIn, QuoteOut
from bodega.pricing.quotes import quote_basket
from bodega.pricing.schemas import (
    CancelPriceChangeIn,
    PriceChangeIn,
    PriceChangeOut,
    PriceChangePage,
    PriceChangeStatus,
    PriceHistoryPage,
    PriceListIn,
    PriceListItemPage,
    PriceListItemsIn,
    PriceListOut,
    PriceListPage,
    PriceListStatus,
    PriceListUpdate,
)

__all__ = [
    "PriceChangeController",
    "PriceHistoryController",
    "PriceListController",
    "QuoteController",
]

READ = [requires("pricing:read")]
WRITE = [requires("pricing:write")]
PriceListId = FromPath[uuid.UUID]


class PriceListController(Controller):
    path = "/v1/price-lists"
    tags = ["pricing"]

    @post("/", guards=WRITE, summary="Create a price list (its items are set with PUT .../items)")
    async def create_price_list(
        self, actor: CurrentActor, data: JSONBody[PriceListIn]
    ) -> PriceListOut:
        return await price_lists.create_price_list(actor, data)

    @get("/", guards=READ, summary="List price lists, by status, store, product or moment")
    async def list_price_lists(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: FromQuery[PriceListStatus | None] = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        product_id: FromQuery[uuid.UUID | None] = None,
        active_at: FromQuery[datetime | None] = None,
    ) -> PriceListPage:
        return await price_lists.list_price_lists(
            actor,
            limit=limit,
            cursor=cursor,
            status=status,
            store_id=store_id,
            product_id=product_id,
            active_at=active_at,
        )

    @get("/{price_list_id:uuid}", guards=READ, summary="One price list")
    async def get_price_list(self, actor: CurrentActor, price_list_id: PriceListId) -> PriceListOut:
        return await price_lists.get_price_list(actor, price_list_id)

    @patch("/{price_list_id:uuid}", guards=WRITE, summary="Change an active price list")
    async def update_price_list(
        self, actor: CurrentActor, price_list_id: PriceListId, data: JSONBody[PriceListUpdate]
    ) -> PriceListOut:
        return await price_lists.update_price_list(actor, price_list_id, data)

    @delete("/{price_list_id:uuid}", guards=WRITE, summary="Archive a price list")
    async def archive_price_list(self, actor: CurrentActor, price_list_id: PriceListId) -> None:
        await price_lists.archive_price_list(actor, price_list_id)

    @put(
        "/{price_list_id:uuid}/items",
        guards=WRITE,
        summary="Set the prices of up to 1,000 products (added or replaced; others stay)",
    )
    async def set_price_list_items(
        self, actor: CurrentActor, price_list_id: PriceListId, data: JSONBody[PriceListItemsIn]
    ) -> PriceListOut:
        return await price_lists.set_price_list_items(actor, price_list_id, data)

    @get("/{price_list_id:uuid}/items", guards=READ, summary="A price list's items")
    async def list_price_list_items(
        self,
        actor: CurrentActor,
        price_list_id: PriceListId,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> PriceListItemPage:
        return await price_lists.list_price_list_items(
            actor, price_list_id, limit=limit, cursor=cursor
        )

    @delete(
        "/{price_list_id:uuid}/items/{product_id:uuid}",
        guards=WRITE,
        summary="Take a product off a price list",
    )
    async def remove_price_list_item(
        self, actor: CurrentActor, price_list_id: PriceListId, product_id: FromPath[uuid.UUID]
    ) -> None:
        await price_lists.remove_price_list_item(actor, price_list_id, product_id)


class PriceChangeController(Controller):
    path = "/v1/price-changes"
    tags = ["pricing"]

    @post(
        "/",
        guards=WRITE,
        summary="Schedule a price change (one already due is applied at once)",
    )
    async def schedule_price_change(
        self, actor: CurrentActor, data: JSONBody[PriceChangeIn]
    ) -> PriceChangeOut:
        return await price_changes.schedule_price_change(actor, data)

    @get("/", guards=READ, summary="List price changes, by product, store or status")
    async def list_price_changes(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        product_id: FromQuery[uuid.UUID | None] = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[PriceChangeStatus | None] = None,
    ) -> PriceChangePage:
        return await price_changes.list_price_changes(
            actor,
            limit=limit,
            cursor=cursor,
            product_id=product_id,
            store_id=store_id,
            status=status,
        )

    @get("/{price_change_id:uuid}", guards=READ, summary="One price change")
    async def get_price_change(
        self, actor: CurrentActor, price_change_id: FromPath[uuid.UUID]
    ) -> PriceChangeOut:
        return await price_changes.get_price_change(actor, price_change_id)

    @post(
        "/{price_change_id:uuid}/cancel",
        guards=WRITE,
        status_code=200,
        summary="Cancel a scheduled price change",
    )
    async def cancel_price_change(
        self,
        actor: CurrentActor,
        price_change_id: FromPath[uuid.UUID],
        data: JSONBody[CancelPriceChangeIn],
    ) -> PriceChangeOut:
        return await price_changes.cancel_price_change(actor, price_change_id, data)


class PriceHistoryController(Controller):
    path = "/v1/price-history"
    tags = ["pricing"]

    @get("/", guards=READ, summary="A store's regular price changes, newest first")
    async def list_price_history(
        self,
        actor: CurrentActor,
        store_id: FromQuery[uuid.UUID],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        product_id: FromQuery[uuid.UUID | None] = None,
    ) -> PriceHistoryPage:
        return await history.list_price_history_of_store(
            actor, store_id=store_id, product_id=product_id, limit=limit, cursor=cursor
        )


class QuoteController(Controller):
    path = "/v1/quotes"
    tags = ["pricing"]

    @post(
        "/",
        guards=READ,
        status_code=200,
        summary="Price a basket (nothing is saved): every adjustment with its reason, and why "
        "other promotions did not apply",
    )
    async def quote(
        self, actor: CurrentActor, data: JSONBody[QuoteIn], request: Request[Any, Any, Any]
    ) -> QuoteOut:
        return await quote_basket(
            actor, data, plugins=request.app.state.plugins, engine=request.app.state.engine
        )
