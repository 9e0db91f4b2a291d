"""The contract between Bodega and its plugins: one function per hook.

A plugin implements a hook by defining a function of the same name decorated with
``bodega.plugins.hookimpl``. It may take fewer arguments than the specification (only the
ones it needs), so adding an argument to a hook never breaks a plugin.

pluggy calls hooks synchronously. A per-tenant hook that needs I/O returns an awaitable,
which Bodega awaits within the plugin's time budget; longer work goes to a job.

Two kinds of hooks:

- **Start-up hooks** describe what a plugin adds (routes, GraphQL fields, tables, jobs).
  They are called once per process for every installed plugin, enabled by anyone or not.
- **Per-tenant hooks** receive a :class:`~bodega.plugins.PluginContext` and are called only
  for plugins the tenant has enabled and that are not tripped. Each plugin is called on its
  own: one that raises or overruns its budget is logged with its name and counted, and the
  others (and the core) go on. After repeated failures the plugin is tripped off for that
  tenant for a cool-down, and a ``plugin.tripped`` event is emitted.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from bodega.events import EventOut
    from bodega.ordering import OrderOut
    from bodega.plugins.context import PluginContext
    from bodega.plugins.info import GraphQLTypes
    from bodega.plugins.jobs import PluginJobs
    from bodega.pricing import PluginAdjustment, QuoteOut
    from bodega.settings import Settings

__all__ = ["HOOKSPEC_VERSION", "hookimpl", "hookspec"]

HOOKSPEC_VERSION = 3
"""Raised by one with each hook added; each hook says since which version it exists."""

hookspec = pluggy.HookspecMarker("bodega")
hookimpl = pluggy.HookimplMarker("bodega")


# Start-up hooks --------------------------------------------------------------------------------


@hookspec
def bodega_routes() -> list[Any]:
    """The plugin's REST API: Litestar route handlers (controllers or decorated functions).

    They are mounted under ``/v1/plugins/<name>/``. A request from a chain that has not
    enabled the plugin gets 404 before a handler runs (503 while it is tripped). Handlers
    run in the request's transaction (scoped to the caller's chain) and may take
    ``actor: CurrentActor`` (the caller) and ``plugin: PluginContext`` (the chain's
    settings). Guard them with ``bodega.api.auth.requires(scope)`` like any route. An
    exception a handler raises is answered 502 and counts as a failure of the plugin.

    :return: a list of route handlers; combined: each plugin's under its own prefix.

    Synchronous. Since hookspec version 1.
    """


@hookspec
def bodega_graphql() -> GraphQLTypes | None:
    """The plugin's GraphQL fields, merged into the one schema.

    Return :class:`~bodega.plugins.GraphQLTypes` with a strawberry type for ``query``
    and/or ``mutation``; their fields join ``Query`` and ``Mutation``. Resolvers get the
    chain's context with ``await info.context.plugin("<name>")``; for a chain that has not
    enabled the plugin every field answers a ``NOT_FOUND`` error. Field names must be unique
    across the schema: start them with the plugin's name.

    :return: ``GraphQLTypes`` or ``None``; combined: all fields of all plugins are merged.

    Synchronous. Since hookspec version 1.
    """


@hookspec
def bodega_piccolo_apps() -> list[str]:
    """The plugin's Piccolo apps (tables and migrations), as module paths of their
    ``piccolo_app`` modules, like ``"my_plugin.piccolo_app"``.

    ``bodega migrate`` runs their migrations with the core's, for every installed plugin.
    Each app's name must be the plugin's name, and it should depend on
    ``bodega.tenancy.piccolo_app``. Every table holding a chain's data must have
    ``tenant_id`` and row-level security: create it with ``bodega.plugins.sql_migration``
    and ``bodega.plugins.tenant_table_sql``.

    :return: a list of module paths; combined: all apps are migrated.

    Synchronous. Since hookspec version 1.
    """


@hookspec
def bodega_jobs(jobs: PluginJobs, settings: Settings) -> None:
    """Register the plugin's background jobs with ``jobs.tenant_job(fn)`` and
    ``jobs.cron(fn, minute=..., hour=...)`` (see :class:`~bodega.plugins.PluginJobs`).

    A job function is ``async def fn(ctx: PluginContext, *args)``. It runs for one chain,
    only while that chain has the plugin enabled; enqueue it with ``ctx.enqueue``.
    arq retries a job that raises ``arq.Retry``.

    :return: nothing.

    Synchronous. Since hookspec version 1.
    """


# Per-tenant hooks ------------------------------------------------------------------------------


@hookspec
def bodega_handle_event(ctx: PluginContext, event: EventOut) -> Awaitable[None] | None:
    """Called by the worker for each event of a chain that has enabled the plugin, from the
    event of the transaction that enabled it onward.

    ``event`` is the event as webhooks carry it (``id``, ``type``, ``data``,
    ``created_at``). Handlers run once per event (again only if the worker dies before it
    records that the event was relayed), in the chain's transaction, in order of events.
    They must be quick: filter on ``event.type`` and hand slow work (HTTP calls) to a job
    with ``ctx.enqueue``, which is retried. A handler that raises or overruns the budget is
    not called again for that event.

    :return: ``None`` or an awaitable; combined: every enabled plugin's handler is called.

    Synchronous or returns an awaitable. Since hookspec version 1.
    """


@hookspec
def bodega_validate_order(
    ctx: PluginContext, order: OrderOut
) -> list[str] | Awaitable[list[str] | None] | None:
    """Check a sales order just before it is paid; the payment waits for the answer.

    ``order`` is the order as the API returns it, still ``open``, with the ``payments``
    about to be taken (ids and amounts as they will be stored). Called in the request's
    transaction (read what you need; what you write is undone if you raise), for each
    enabled plugin on its own, within the plugin's time budget.

    :return: ``None`` or an empty list when the order may be paid; else a list of problems,
        short sentences for the cashier ("Alcohol needs an ID check."). Combined: every
        plugin is asked; any problem from any plugin refuses the payment with
        ``422 /problems/order-refused`` naming the plugin (nothing is written).

    A validation hook fails closed, because the core needs its answer: a plugin that raises,
    overruns its budget or returns something else than a list of strings refuses the payment
    with ``502 /problems/plugin-failed`` (counted toward tripping it), and while it is tripped
    payments answer ``503 /problems/plugin-unavailable``. A chain that must sell meanwhile
    disables the plugin.

    Synchronous or returns an awaitable. Since hookspec version 2.
    """


@hookspec
def bodega_quote_adjustments(
    ctx: PluginContext, quote: QuoteOut
) -> list[PluginAdjustment] | Awaitable[list[PluginAdjustment] | None] | None:
    """Add discounts to a basket being priced (a quote, or an order being created).

    ``quote`` is the basket as the quotes API returns it so far: regular prices, markdowns and
    the chain's promotions already applied (``lines[].total`` is what is left of each line).
    Called in the request's transaction, for each enabled plugin on its own, in pluggy's
    order, each seeing the same ``quote`` (not the others' adjustments).

    :return: ``None`` or a list of :class:`bodega.pricing.PluginAdjustment` (or dicts with its
        fields): ``position`` of the line, ``amount`` off it in minor units, ``name`` and
        ``reason`` shown to the cashier. Combined: every plugin's adjustments are applied in
        turn, each capped at what is left of its line; unknown positions and amounts <= 0 are
        ignored.

    Fails open, because a price must always be given: a plugin that raises, overruns its
    budget or answers something that is not such a list is left out of the quote (listed in
    ``not_applied`` with code ``plugin_failed``) and counted toward tripping it.

    Synchronous or returns an awaitable. Since hookspec version 3.
    """
