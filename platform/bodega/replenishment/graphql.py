"""GraphQL for suggested store orders and the demand calendar (the REST services).

A run's lines are a field of their own, loaded only when asked for (a run may have
thousands).
"""

from __future__ import annotations

import functools
import uuid
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.auth import require_scope
from bodega.api.errors import InvalidInput
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.replenishment import schemas, service

__all__ = ["ReplenishmentMutation", "ReplenishmentQuery"]

InfoT = Info[Context, Any]
READ, WRITE = "purchasing:read", "purchasing:write"

SuggestionLine = object_type(schemas.SuggestionLineOut, name="SuggestionLine")


async def _lines(
    root: schemas.SuggestionRunOut, info: InfoT, ordered_only: bool = False
) -> list[SuggestionLine]:  # type: ignore[valid-type]
    """Batched: a page of runs with their lines costs one query for all the lines."""
    require_scope(info.context.actor, READ)
    fetch = functools.partial(service.lines_of_runs, ordered_only=ordered_only)
    return await info.context.loader(f"suggestion_lines:{ordered_only}", fetch).load(root.id)


SuggestionRun = object_type(
    schemas.SuggestionRunOut,
    name="SuggestionRun",
    extra={
        "lines": strawberry.field(
            resolver=_lines, description="The run's lines (ordered_only: something to order)."
        )
    },
)
SuggestionRunPage = page_type(SuggestionRun, "SuggestionRunPage")
DraftedOrder = object_type(schemas.DraftedOrder, name="DraftedOrder")
SuggestionRunConversion = object_type(
    schemas.ConversionOut,
    name="SuggestionRunConversion",
    namespace={"SuggestionRunOut": SuggestionRun, "DraftedOrder": DraftedOrder},
)
DemandCalendarEntry = object_type(schemas.CalendarEntryOut, name="DemandCalendarEntry")
DemandCalendarPage = page_type(DemandCalendarEntry, "DemandCalendarPage")
AccuracyGroup = object_type(schemas.AccuracyGroup, name="AccuracyGroup")
ForecastAccuracy = object_type(
    schemas.ForecastAccuracyOut,
    name="ForecastAccuracy",
    namespace={"AccuracyGroup": AccuracyGroup},
)

SuggestionRunInput = input_type(schemas.SuggestionRunIn, name="SuggestionRunInput")
SuggestionLineUpdateInput = input_type(
    schemas.SuggestionLineUpdate, name="SuggestionLineUpdateInput"
)
ConvertSuggestionRunInput = input_type(schemas.ConvertIn, name="ConvertSuggestionRunInput")
DemandCalendarEntryInput = input_type(schemas.CalendarEntryIn, name="DemandCalendarEntryInput")
DemandCalendarEntryUpdateInput = input_type(
    schemas.CalendarEntryUpdate, name="DemandCalendarEntryUpdateInput"
)


@strawberry.type
class ReplenishmentQuery:
    @strawberry.field(description="Suggested store orders, oldest first.")
    async def suggestion_runs(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> SuggestionRunPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_runs,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            status=status,
        )

    @strawberry.field(description="One suggested store order.")
    async def suggestion_run(self, info: InfoT, id: uuid.UUID) -> SuggestionRun:  # type: ignore[valid-type]
        return await call(info, READ, service.get_run_summary, id)

    @strawberry.field(description="One line of a suggested store order.")
    async def suggestion_line(self, info: InfoT, id: uuid.UUID) -> SuggestionLine:  # type: ignore[valid-type]
        return await call(info, READ, service.get_line, id)

    @strawberry.field(description="Days that sell differently, by store or dates.")
    async def demand_calendar(
        self,
        info: InfoT,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        store_id: uuid.UUID | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> DemandCalendarPage:  # type: ignore[valid-type]
        return await call(
            info,
            READ,
            service.list_calendar,
            limit=page_limit(first),
            cursor=after,
            store_id=store_id,
            since=since,
            until=until,
        )

    @strawberry.field(description="One day of the demand calendar.")
    async def demand_calendar_entry(self, info: InfoT, id: uuid.UUID) -> DemandCalendarEntry:  # type: ignore[valid-type]
        return await call(info, READ, service.get_calendar_entry, id)

    @strawberry.field(description="How a store's past suggestions compared with its sales.")
    async def forecast_accuracy(
        self, info: InfoT, store_id: uuid.UUID, days: int = 28
    ) -> ForecastAccuracy:  # type: ignore[valid-type]
        if not 1 <= days <= 365:
            raise InvalidInput("days must be from 1 to 365.")
        return await call(info, READ, service.forecast_accuracy, store_id, days=days)


@strawberry.type
class ReplenishmentMutation:
    @strawberry.mutation(description="Suggest what a store should order today.")
    async def run_suggestions(
        self, info: InfoT, store_id: uuid.UUID, input: SuggestionRunInput | None = None
    ) -> SuggestionRun | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.SuggestionRunIn) if input else None
        return await mutate(info, WRITE, service.run_suggestions, store_id, data)

    @strawberry.mutation(
        description="Order another quantity than suggested (null: the suggestion)."
    )
    async def update_suggestion_line(
        self, info: InfoT, id: uuid.UUID, input: SuggestionLineUpdateInput
    ) -> SuggestionLine | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.SuggestionLineUpdate)
        return await mutate(info, WRITE, service.update_line, id, data)

    @strawberry.mutation(description="Draft purchase orders from a suggested order.")
    async def convert_suggestion_run(
        self, info: InfoT, id: uuid.UUID, input: ConvertSuggestionRunInput
    ) -> SuggestionRunConversion | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.ConvertIn)
        return await mutate(info, WRITE, service.convert_run, id, data)

    @strawberry.mutation(description="Add a day that sells differently.")
    async def create_demand_calendar_entry(
        self, info: InfoT, input: DemandCalendarEntryInput
    ) -> DemandCalendarEntry | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.CalendarEntryIn)
        return await mutate(info, WRITE, service.create_calendar_entry, data)

    @strawberry.mutation(description="Change a day of the demand calendar (send its version).")
    async def update_demand_calendar_entry(
        self, info: InfoT, id: uuid.UUID, input: DemandCalendarEntryUpdateInput
    ) -> DemandCalendarEntry | None:  # type: ignore[valid-type]
        data = from_input(input, schemas.CalendarEntryUpdate)
        return await mutate(info, WRITE, service.update_calendar_entry, id, data)

    @strawberry.mutation(description="Remove a day from the demand calendar.")
    async def delete_demand_calendar_entry(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, WRITE, service.delete_calendar_entry, id)
        return True
