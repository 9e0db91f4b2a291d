"""The one GraphQL schema, merged from the domains' queries and mutations."""

from __future__ import annotations

from typing import Any

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

__all__ = ["build_schema", "graphql_controller"]

MAX_TOKENS = 5_000
QUERY_CACHE_SIZE = 256


def build_schema(max_depth: int = 8) -> strawberry.Schema:
    from bodega.audit.graphql import AuditQuery
    from bodega.catalog.graphql import CatalogMutation, CatalogQuery
    from bodega.events.graphql import EventsMutation, EventsQuery
    from bodega.tenancy.graphql import TenancyMutation, TenancyQuery

    query = merge_types("Query", (TenancyQuery, CatalogQuery, AuditQuery, EventsQuery))
    mutation = merge_types("Mutation", (TenancyMutation, CatalogMutation, EventsMutation))
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


def graphql_controller(settings: Settings) -> Any:
    base = make_graphql_controller(
        build_schema(settings.graphql_max_depth),
        path="/graphql",
        context_getter=context_getter,
        graphql_ide="graphiql",
    )

    class GraphQLController(base):  # type: ignore[valid-type, misc]
        """GraphQL is described by its own schema (schema.graphql), not by OpenAPI."""

        include_in_schema = False

    return GraphQLController
