"""REST for tenancy: signup, login, the chain, users, invitations and API keys."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request
from litestar.params import FromPath, JSONBody

from bodega.api.auth import requires
from bodega.api.pagination import DEFAULT_LIMIT
from bodega.api.routing import (
    NO_AUTH,
    PUBLIC,
    CurrentActor,
    Cursor,
    Limit,
    delete,
    get,
    patch,
    post,
)
from bodega.tenancy import service
from bodega.tenancy.schemas import (
    AcceptInvitationIn,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    ApiKeyPage,
    InvitationCreated,
    InvitationIn,
    InvitationPage,
    LoginIn,
    MeOut,
    SessionOut,
    SignupIn,
    TenantOut,
    TenantUpdate,
    UserOut,
    UserPage,
    UserUpdate,
)

__all__ = [
    "ApiKeyController",
    "AuthController",
    "InvitationController",
    "TenantController",
    "UserController",
]


def _policy(request: Request[Any, Any, Any]) -> service.Policy:
    return request.app.state.tenancy_policy


class AuthController(Controller):
    path = "/v1"
    tags = ["auth"]

    @post(
        "/signup",
        opt=PUBLIC,
        security=NO_AUTH,
        summary="Sign a new chain up; returns the owner's access token",
    )
    async def signup(self, data: JSONBody[SignupIn], request: Request[Any, Any, Any]) -> SessionOut:
        return await service.signup(data, _policy(request))

    @post(
        "/auth/login",
        opt=PUBLIC,
        security=NO_AUTH,
        status_code=200,
        summary="Log in; returns an access token",
    )
    async def login(self, data: JSONBody[LoginIn], request: Request[Any, Any, Any]) -> SessionOut:
        return await service.login(data, _policy(request))

    @post("/auth/logout", status_code=204, summary="Revoke the access token used for this call")
    async def logout(self, actor: CurrentActor) -> None:
        await service.logout(actor)

    @get("/me", summary="Who is calling: user or API key, scopes, chain")
    async def me(self, actor: CurrentActor) -> MeOut:
        return await service.me(actor)


class TenantController(Controller):
    path = "/v1/tenant"
    tags = ["tenant"]

    @get("/", summary="The chain's settings")
    async def get_tenant(self, actor: CurrentActor) -> TenantOut:
        return await service.get_tenant(actor)

    @patch("/", guards=[requires("tenant:write")], summary="Change the chain's name or time zone")
    async def update_tenant(self, actor: CurrentActor, data: JSONBody[TenantUpdate]) -> TenantOut:
        return await service.update_tenant(actor, data)


class UserController(Controller):
    path = "/v1/users"
    tags = ["users"]

    @get("/", guards=[requires("users:read")], summary="List users")
    async def list_users(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> UserPage:
        return await service.list_users(actor, limit=limit, cursor=cursor)

    @get("/{user_id:uuid}", guards=[requires("users:read")], summary="One user")
    async def get_user(self, actor: CurrentActor, user_id: FromPath[uuid.UUID]) -> UserOut:
        return await service.get_user(actor, user_id)

    @patch(
        "/{user_id:uuid}",
        guards=[requires("users:write")],
        summary="Change a user's name, role, stores or status",
    )
    async def update_user(
        self, actor: CurrentActor, user_id: FromPath[uuid.UUID], data: JSONBody[UserUpdate]
    ) -> UserOut:
        return await service.update_user(actor, user_id, data)


class InvitationController(Controller):
    path = "/v1/invitations"
    tags = ["users"]

    @post("/", guards=[requires("users:write")], summary="Invite someone; the token is shown once")
    async def invite(
        self, actor: CurrentActor, data: JSONBody[InvitationIn], request: Request[Any, Any, Any]
    ) -> InvitationCreated:
        return await service.invite(actor, data, _policy(request))

    @get("/", guards=[requires("users:read")], summary="List invitations")
    async def list_invitations(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> InvitationPage:
        return await service.list_invitations(actor, limit=limit, cursor=cursor)

    @delete(
        "/{invitation_id:uuid}", guards=[requires("users:write")], summary="Revoke an invitation"
    )
    async def revoke_invitation(
        self, actor: CurrentActor, invitation_id: FromPath[uuid.UUID]
    ) -> None:
        await service.revoke_invitation(actor, invitation_id)

    @post(
        "/accept",
        opt=PUBLIC,
        security=NO_AUTH,
        summary="Accept an invitation; returns an access token",
    )
    async def accept_invitation(
        self, data: JSONBody[AcceptInvitationIn], request: Request[Any, Any, Any]
    ) -> SessionOut:
        return await service.accept_invitation(data, _policy(request))


class ApiKeyController(Controller):
    path = "/v1/api-keys"
    tags = ["api keys"]
    guards = [requires("api_keys:manage")]

    @post("/", summary="Create an API key; the secret is shown once")
    async def create_api_key(self, actor: CurrentActor, data: JSONBody[ApiKeyIn]) -> ApiKeyCreated:
        return await service.create_api_key(actor, data)

    @get("/", summary="List API keys (never their secrets)")
    async def list_api_keys(
        self, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> ApiKeyPage:
        return await service.list_api_keys(actor, limit=limit, cursor=cursor)

    @get("/{key_id:uuid}", summary="One API key")
    async def get_api_key(self, actor: CurrentActor, key_id: FromPath[uuid.UUID]) -> ApiKeyOut:
        return await service.get_api_key(actor, key_id)

    @delete("/{key_id:uuid}", summary="Revoke an API key")
    async def revoke_api_key(self, actor: CurrentActor, key_id: FromPath[uuid.UUID]) -> None:
        await service.revoke_api_key(actor, key_id)
