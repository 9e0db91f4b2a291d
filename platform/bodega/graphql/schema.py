"""The one GraphQL schema, merged from the domains' queries and mutations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.extensions import (
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.litestar import make_graphql_controller
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from bodega.graphql.context import context_getter
from bodega.graphql.resolve import ProblemErrors
from bodega.graphql.types import SCALARS
from bodega.settings import Settings

if TYPE_CHECKING:
    from bodega.plugins import PluginHost

__all__ = ["build_schema", "graphql_controller"]

MAX_TOKENS = 5_000
QUERY_CACHE_SIZE = 256


def build_schema(plugins: PluginHost, max_depth: int = 8) -> strawberry.Schema:
    """The core's types and the installed plugins' (whose fields answer only for chains that
    enabled them)."""
    from bodega.audit.graphql import AuditQuery
    from bodega.catalog.graphql import CatalogMutation, CatalogQuery
    from bodega.events.graphql import EventsMutation, EventsQuery
    from bodega.inventory.graphql import InventoryMutation, InventoryQuery
    from bodega.membership.graphql import MembershipMutation, MembershipQuery, member_360_query
    from bodega.ordering.graphql import OrderingMutation, OrderingQuery
    from bodega.plugins.graphql import PluginsMutation, PluginsQuery
    from bodega.points.graphql import PointsMutation, PointsQuery
    from bodega.pricing.graphql import PricingMutation, PricingQuery
    from bodega.promotions.graphql import PromotionsMutation, PromotionsQuery
    from bodega.purchasing.graphql import PurchasingMutation, PurchasingQuery
    from bodega.replenishment.graphql import ReplenishmentMutation, ReplenishmentQuery
    from bodega.segments.graphql import SegmentsMutation, SegmentsQuery
    from bodega.tenancy.graphql import TenancyMutation, TenancyQuery
    from bodega.tiers.graphql import TiersMutation, TiersQuery

    queries: list[type] = [
        TenancyQuery,
        CatalogQuery,
        InventoryQuery,
        OrderingQuery,
        PurchasingQuery,
        ReplenishmentQuery,
        PromotionsQuery,
        PricingQuery,
        MembershipQuery,
        member_360_query(),
        PointsQuery,
        SegmentsQuery,
        TiersQuery,
        AuditQuery,
        EventsQuery,
        PluginsQuery,
    ]
    mutations: list[type] = [
        TenancyMutation,
        CatalogMutation,
        InventoryMutation,
        OrderingMutation,
        PurchasingMutation,
        ReplenishmentMutation,
        PromotionsMutation,
        PricingMutation,
        MembershipMutation,
        PointsMutation,
        SegmentsMutation,
        TiersMutation,
        EventsMutation,
        PluginsMutation,
    ]
    for name, types in plugins.graphql_types():
        queries += _gated(plugins, name, types.query)
        mutations += _gated(plugins, name, types.mutation)
    query = merge_types("Query", tuple(queries))
    mutation = merge_types("Mutation", tuple(mutations))
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=[
            # parse and validate each distinct query once, not on every request
            lambda: ParserCache(maxsize=QUERY_CACHE_SIZE),
            lambda: ValidationCache(maxsize=QUERY_CACHE_SIZE),
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            ProblemErrors,
        ],
    )


def _gated(plugins: PluginHost, name: str, type_: type | None) -> list[type]:
    """``type_``'s fields, each answering only for chains that enabled plugin ``name``."""
    from bodega.plugins.mount import PluginField

    if type_ is None:
        return []
    for field in type_.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        field.extensions.append(PluginField(plugins, name))
    return [type_]


def graphql_controller(settings: Settings, plugins: PluginHost) -> Any:
    base = make_graphql_controller(
        build_schema(plugins, settings.graphql_max_depth),
        path="/graphql",
        context_getter=context_getter,
        graphql_ide="graphiql",
    )

    class GraphQLController(base):  # type: ignore[valid-type, misc]
        """GraphQL is described by its own schema (schema.graphql), not by OpenAPI."""

        include_in_schema = False

    return GraphQLController
