"""A plugin of the test suite using every hook: it stamps each product event into its own
table, lists stamps over REST and GraphQL, and stamps later or nightly through jobs."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import strawberry
from litestar import Controller
from litestar.params import JSONBody

from bodega.api.auth import requires
from bodega.api.routing import get, post
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.plugins import (
    CurrentPlugin,
    GraphQLTypes,
    PluginContext,
    PluginInfo,
    PluginJobs,
    Secret,
    hookimpl,
)


class StampSettings(msgspec.Struct, forbid_unknown_fields=True):
    label: str = "stamp"
    api_token: Annotated[str, Secret] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10


plugin = PluginInfo(
    name="stamps",
    requires_bodega=">=0.1",
    settings=StampSettings,
    scopes=("catalog:read",),
    description="Stamps product events (a plugin of the test suite).",
)


class Stamp(msgspec.Struct):
    event_type: str
    label: str


class LaterIn(msgspec.Struct):
    note: str


async def _stamp(tenant_id: Any, event_id: Any, event_type: str, label: str) -> None:
    await db.execute(
        "INSERT INTO stamps (id, tenant_id, event_id, event_type, label)"
        " VALUES ($1, $2, $3, $4, $5)",
        new_id(),
        tenant_id,
        event_id,
        event_type,
        label,
    )


async def stamps_of(ctx: PluginContext) -> list[Stamp]:
    rows = await db.fetch(
        "SELECT event_type, label FROM stamps WHERE tenant_id = $1 ORDER BY id LIMIT $2",
        ctx.tenant_id,
        ctx.settings.limit,
    )
    return [Stamp(r["event_type"], r["label"]) for r in rows]


@hookimpl
def bodega_handle_event(ctx: PluginContext, event: Any) -> Any:
    if event.type.startswith("product."):
        return _stamp(ctx.tenant_id, event.id, event.type, ctx.settings.label)
    return None


class StampController(Controller):
    path = "/stamps"

    @get("/", guards=[requires("catalog:read")])
    async def list_stamps(self, plugin: CurrentPlugin) -> list[Stamp]:
        return await stamps_of(plugin)

    @get("/whoami", guards=[requires("catalog:read")])
    async def whoami(self, plugin: CurrentPlugin) -> dict[str, Any]:
        return {
            "label": plugin.settings.label,
            "token": plugin.settings.api_token,
            "scopes": sorted(plugin.actor.scopes),
        }

    @post("/later", status_code=202, guards=[requires("catalog:read")])
    async def stamp_later(self, plugin: CurrentPlugin, data: JSONBody[LaterIn]) -> dict[str, bool]:
        return {"queued": await plugin.enqueue(stamp_later, data.note)}


@hookimpl
def bodega_routes() -> list[Any]:
    return [StampController]


@strawberry.type
class StampsQuery:
    @strawberry.field(description="How many stamps the chain has (a test plugin's field).")
    async def stamps_count(self, info: strawberry.Info) -> int:
        ctx = await info.context.plugin("stamps")
        return len(await stamps_of(ctx))


@hookimpl
def bodega_graphql() -> GraphQLTypes:
    return GraphQLTypes(query=StampsQuery)


@hookimpl
def bodega_piccolo_apps() -> list[str]:
    return ["tests.plugins.stamps.piccolo_app"]


async def stamp_later(ctx: PluginContext, note: str) -> None:
    async with ctx.transaction():
        await _stamp(ctx.tenant_id, None, "later", note)


async def nightly(ctx: PluginContext) -> None:
    async with ctx.transaction():
        await _stamp(ctx.tenant_id, None, "nightly", ctx.settings.label)


@hookimpl
def bodega_jobs(jobs: PluginJobs) -> None:
    jobs.tenant_job(stamp_later)
    jobs.cron(nightly, hour={3}, minute={0})
