"""GraphQL fields for a resource with the usual shape: list, get, create, update, delete.

Annotations here are evaluated when the resolvers are made (no postponed annotations), so
strawberry sees the concrete types of each resource.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type

__all__ = ["Resource", "merged_type"]

InfoT = Info[Context, Any]


class Resource:
    """The service functions and types of one resource, and the GraphQL fields made from them."""

    def __init__(
        self,
        *,
        singular: str,
        plural: str,
        type_: type,
        page: type,
        create: tuple[type[msgspec.Struct], Callable[..., Awaitable[Any]]],
        update: tuple[type[msgspec.Struct], Callable[..., Awaitable[Any]]],
        get: Callable[..., Awaitable[Any]],
        list_: Callable[..., Awaitable[Any]],
        delete: Callable[..., Awaitable[Any]],
        read_scope: str,
        write_scope: str,
        update_scope: str | None = None,
    ) -> None:
        self.singular, self.plural, self.type, self.page = singular, plural, type_, page
        self.create_struct, self.create_fn = create
        self.update_struct, self.update_fn = update
        self.get_fn, self.list_fn, self.delete_fn = get, list_, delete
        self.read_scope, self.write_scope = read_scope, write_scope
        self.update_scope = update_scope or write_scope
        name = singular[0].upper() + singular[1:]
        self.create_input = input_type(self.create_struct, name=f"{name}Input")
        self.update_input = input_type(self.update_struct, name=f"{name}UpdateInput")

    def query_fields(self, *, with_list: bool = True) -> dict[str, Any]:
        r = self

        async def get_one(info: InfoT, id: uuid.UUID) -> r.type:  # type: ignore[name-defined]
            return await call(info, r.read_scope, r.get_fn, id)

        async def list_all(
            info: InfoT, first: int = DEFAULT_LIMIT, after: str | None = None
        ) -> r.page:  # type: ignore[name-defined]
            return await call(info, r.read_scope, r.list_fn, limit=page_limit(first), cursor=after)

        fields = {
            self.singular: strawberry.field(resolver=get_one, description=f"One {self.singular}.")
        }
        if with_list:
            fields[self.plural] = strawberry.field(
                resolver=list_all, description=f"A page of {self.plural}."
            )
        return fields

    def mutation_fields(self) -> dict[str, Any]:
        """Mutation payloads are nullable: when one mutation of a request fails, the others'
        results (committed) still reach the client."""
        r = self

        async def create(info: InfoT, input: r.create_input) -> r.type | None:  # type: ignore[name-defined]
            return await mutate(
                info, r.write_scope, r.create_fn, from_input(input, r.create_struct)
            )

        async def update(info: InfoT, id: uuid.UUID, input: r.update_input) -> r.type | None:  # type: ignore[name-defined]
            return await mutate(
                info, r.update_scope, r.update_fn, id, from_input(input, r.update_struct)
            )

        async def delete(info: InfoT, id: uuid.UUID) -> bool | None:
            await mutate(info, r.write_scope, r.delete_fn, id)
            return True

        return {
            f"create_{self.singular}": strawberry.mutation(
                resolver=create, description=f"Add a {self.singular}."
            ),
            f"update_{self.singular}": strawberry.mutation(
                resolver=update, description=f"Change a {self.singular} (send its current version)."
            ),
            f"delete_{self.singular}": strawberry.mutation(
                resolver=delete, description=f"Delete a {self.singular}."
            ),
        }


def merged_type(name: str, *field_sets: dict[str, Any]) -> type:
    namespace: dict[str, Any] = {}
    for fields in field_sets:
        namespace.update(fields)
    return strawberry.type(type(name, (), namespace))
