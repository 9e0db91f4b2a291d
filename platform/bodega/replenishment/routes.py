"""REST for suggested store orders, their accuracy, and the chain's demand calendar."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Controller
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import CurrentActor, Cursor, Limit, delete, get, patch, post
from bodega.replenishment import service
from bodega.replenishment.schemas import (
    CalendarEntryIn,
    CalendarEntryOut,
    CalendarEntryPage,
    CalendarEntryUpdate,
    ConversionOut,
    ConvertIn,
    ForecastAccuracyOut,
    RunStatus,
    SuggestionLineOut,
    SuggestionLineUpdate,
    SuggestionRunDetail,
    SuggestionRunIn,
    SuggestionRunOut,
    SuggestionRunPage,
)

__all__ = ["DemandCalendarController", "SuggestionController"]

READ = [requires("purchasing:read")]
WRITE = [requires("purchasing:write")]
AccuracyDays = Annotated[
    int, QueryParameter(ge=1, le=365, description="Days back from yesterday (1-365).")
]


class SuggestionController(Controller):
    path = "/v1"
    tags = ["suggested orders"]

    @post(
        "/stores/{store_id:uuid}/suggestions",
        guards=WRITE,
        summary="Suggest what a store should order today (managers: their stores)",
    )
    async def run_suggestions(
        self,
        actor: CurrentActor,
        store_id: FromPath[uuid.UUID],
        data: JSONBody[SuggestionRunIn | None] = None,
    ) -> SuggestionRunOut:
        return await service.run_suggestions(actor, store_id, data)

    @get(
        "/stores/{store_id:uuid}/forecast-accuracy",
        guards=READ,
        summary="How past suggestions compared with sales, and how often they were edited",
    )
    async def forecast_accuracy(
        self, actor: CurrentActor, store_id: FromPath[uuid.UUID], days: AccuracyDays = 28
    ) -> ForecastAccuracyOut:
        return await service.forecast_accuracy(actor, store_id, days=days)

    @get("/suggestion-runs", guards=READ, summary="List suggested store orders, oldest first")
    async def list_runs(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[RunStatus | None] = None,
    ) -> SuggestionRunPage:
        return await service.list_runs(
            actor, limit=limit, cursor=cursor, store_id=store_id, status=status
        )

    @get("/suggestion-runs/{run_id:uuid}", guards=READ, summary="A suggested order with its lines")
    async def get_run(
        self,
        actor: CurrentActor,
        run_id: FromPath[uuid.UUID],
        ordered_only: Annotated[
            bool, QueryParameter(description="Only the lines with something to order.")
        ] = False,
    ) -> SuggestionRunDetail:
        return await service.get_run(actor, run_id, ordered_only=ordered_only)

    @post(
        "/suggestion-runs/{run_id:uuid}/purchase-orders",
        guards=WRITE,
        status_code=200,
        summary="Draft purchase orders from a suggested order, one per supplier",
    )
    async def convert_run(
        self, actor: CurrentActor, run_id: FromPath[uuid.UUID], data: JSONBody[ConvertIn]
    ) -> ConversionOut:
        return await service.convert_run(actor, run_id, data)

    @get("/suggestion-lines/{line_id:uuid}", guards=READ, summary="One line of a suggested order")
    async def get_line(
        self, actor: CurrentActor, line_id: FromPath[uuid.UUID]
    ) -> SuggestionLineOut:
        return await service.get_line(actor, line_id)

    @patch(
        "/suggestion-lines/{line_id:uuid}",
        guards=WRITE,
        summary="Order another quantity than suggested (null: back to the suggestion)",
    )
    async def update_line(
        self,
        actor: CurrentActor,
        line_id: FromPath[uuid.UUID],
        data: JSONBody[SuggestionLineUpdate],
    ) -> SuggestionLineOut:
        return await service.update_line(actor, line_id, data)


class DemandCalendarController(Controller):
    path = "/v1/demand-calendar"
    tags = ["suggested orders"]

    @post("/", guards=WRITE, summary="Add a day that sells differently (holiday, weather)")
    async def create_entry(
        self, actor: CurrentActor, data: JSONBody[CalendarEntryIn]
    ) -> CalendarEntryOut:
        return await service.create_calendar_entry(actor, data)

    @get("/", guards=READ, summary="List the demand calendar, by store or dates")
    async def list_entries(
        self,
        actor: CurrentActor,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        store_id: FromQuery[uuid.UUID | None] = None,
        since: FromQuery[date | None] = None,
        until: FromQuery[date | None] = None,
    ) -> CalendarEntryPage:
        return await service.list_calendar(
            actor, limit=limit, cursor=cursor, store_id=store_id, since=since, until=until
        )

    @get("/{entry_id:uuid}", guards=READ, summary="One day of the demand calendar")
    async def get_entry(
        self, actor: CurrentActor, entry_id: FromPath[uuid.UUID]
    ) -> CalendarEntryOut:
        return await service.get_calendar_entry(actor, entry_id)

    @patch("/{entry_id:uuid}", guards=WRITE, summary="Change a day of the demand calendar")
    async def update_entry(
        self,
        actor: CurrentActor,
        entry_id: FromPath[uuid.UUID],
        data: JSONBody[CalendarEntryUpdate],
    ) -> CalendarEntryOut:
        return await service.update_calendar_entry(actor, entry_id, data)

    @delete("/{entry_id:uuid}", guards=WRITE, summary="Remove a day from the demand calendar")
    async def delete_entry(self, actor: CurrentActor, entry_id: FromPath[uuid.UUID]) -> None:
        await service.delete_calendar_entry(actor, entry_id)
