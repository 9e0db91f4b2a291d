"""GraphQL at /graphql: one schema over the same services as REST."""

from bodega.graphql.schema import build_schema, graphql_controller

__all__ = ["build_schema", "graphql_controller"]
