"""GraphQL for tenancy: the caller, the chain, users, invitations, API keys."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from bodega.api.pagination import DEFAULT_LIMIT
from bodega.graphql.context import Context
from bodega.graphql.resolve import call, mutate, page_limit
from bodega.graphql.types import from_input, input_type, object_type, page_type
from bodega.tenancy import schemas, service

__all__ = ["TenancyMutation", "TenancyQuery"]

Tenant = object_type(schemas.TenantOut)
User = object_type(schemas.UserOut)
ApiKey = object_type(schemas.ApiKeyOut)
Invitation = object_type(schemas.InvitationOut)
_ns = {"TenantOut": Tenant, "UserOut": User, "ApiKeyOut": ApiKey, "InvitationOut": Invitation}
Me = object_type(schemas.MeOut, namespace=_ns)
ApiKeyCreated = object_type(schemas.ApiKeyCreated, name="ApiKeyCreated", namespace=_ns)
InvitationCreated = object_type(schemas.InvitationCreated, name="InvitationCreated", namespace=_ns)
UserPage = page_type(User, "UserPage")
InvitationPage = page_type(Invitation, "InvitationPage")
ApiKeyPage = page_type(ApiKey, "ApiKeyPage")

TenantUpdateInput = input_type(schemas.TenantUpdate)
UserUpdateInput = input_type(schemas.UserUpdate)
InvitationInput = input_type(schemas.InvitationIn, name="InvitationInput")
ApiKeyInput = input_type(schemas.ApiKeyIn, name="ApiKeyInput")

InfoT = Info[Context, Any]


@strawberry.type
class TenancyQuery:
    @strawberry.field(description="Who is calling: user or API key, scopes, chain.")
    async def me(self, info: InfoT) -> Me:  # type: ignore[valid-type]
        return await call(info, None, service.me)

    @strawberry.field(description="The chain's settings.")
    async def tenant(self, info: InfoT) -> Tenant:  # type: ignore[valid-type]
        return await call(info, None, service.get_tenant)

    @strawberry.field
    async def users(
        self, info: InfoT, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> UserPage:  # type: ignore[valid-type]
        return await call(
            info, "users:read", service.list_users, limit=page_limit(first), cursor=after
        )

    @strawberry.field
    async def user(self, info: InfoT, id: uuid.UUID) -> User:  # type: ignore[valid-type]
        return await call(info, "users:read", service.get_user, id)

    @strawberry.field
    async def invitations(
        self, info: InfoT, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> InvitationPage:  # type: ignore[valid-type]
        return await call(
            info, "users:read", service.list_invitations, limit=page_limit(first), cursor=after
        )

    @strawberry.field
    async def api_keys(
        self, info: InfoT, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> ApiKeyPage:  # type: ignore[valid-type]
        return await call(
            info, "api_keys:manage", service.list_api_keys, limit=page_limit(first), cursor=after
        )

    @strawberry.field
    async def api_key(self, info: InfoT, id: uuid.UUID) -> ApiKey:  # type: ignore[valid-type]
        return await call(info, "api_keys:manage", service.get_api_key, id)


@strawberry.type
class TenancyMutation:
    @strawberry.mutation
    async def update_tenant(self, info: InfoT, input: TenantUpdateInput) -> Tenant | None:  # type: ignore[valid-type]
        return await mutate(
            info, "tenant:write", service.update_tenant, from_input(input, schemas.TenantUpdate)
        )

    @strawberry.mutation
    async def update_user(self, info: InfoT, id: uuid.UUID, input: UserUpdateInput) -> User | None:  # type: ignore[valid-type]
        return await mutate(
            info, "users:write", service.update_user, id, from_input(input, schemas.UserUpdate)
        )

    @strawberry.mutation(description="Invite someone; the token is shown once.")
    async def invite_user(self, info: InfoT, input: InvitationInput) -> InvitationCreated | None:  # type: ignore[valid-type]
        policy = info.context.request.app.state.tenancy_policy
        return await mutate(
            info, "users:write", service.invite, from_input(input, schemas.InvitationIn), policy
        )

    @strawberry.mutation
    async def revoke_invitation(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, "users:write", service.revoke_invitation, id)
        return True

    @strawberry.mutation(description="Create an API key; the secret is shown once.")
    async def create_api_key(self, info: InfoT, input: ApiKeyInput) -> ApiKeyCreated | None:  # type: ignore[valid-type]
        return await mutate(
            info, "api_keys:manage", service.create_api_key, from_input(input, schemas.ApiKeyIn)
        )

    @strawberry.mutation
    async def revoke_api_key(self, info: InfoT, id: uuid.UUID) -> bool | None:
        await mutate(info, "api_keys:manage", service.revoke_api_key, id)
        return True
