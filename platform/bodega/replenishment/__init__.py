"""Replenishment: suggested store orders from demand forecasts, and the demand calendar.

Forecasting and order arithmetic are pure (`forecast`, `policy`); the service reads history
from inventory, open orders from purchasing and products from the catalog, and drafts
purchase orders through purchasing.
"""

from bodega.replenishment.schemas import (
    CalendarEntryIn,
    CalendarEntryOut,
    SuggestionRunIn,
    SuggestionRunOut,
)
from bodega.replenishment.service import (
    create_calendar_entry,
    forecast_accuracy,
    get_run,
    run_suggestions,
)

__all__ = [
    "CalendarEntryIn",
    "CalendarEntryOut",
    "SuggestionRunIn",
    "SuggestionRunOut",
    "create_calendar_entry",
    "forecast_accuracy",
    "get_run",
    "run_suggestions",
]
