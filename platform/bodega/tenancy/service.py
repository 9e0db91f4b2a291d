"""Tenancy: signing a chain up, logging in, users, invitations, API keys and credentials."""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from babel.numbers import list_currencies

from bodega.api.auth import Actor, hash_token
from bodega.api.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, Unauthorized
from bodega.api.pagination import Page
from bodega.audit import change_recorded, create_recorded, update_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields, get_row, list_page, to_struct
from bodega.tenancy.passwords import hash_password, verify_password
from bodega.tenancy.schemas import (
    AcceptInvitationIn,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    InvitationCreated,
    InvitationIn,
    InvitationOut,
    LoginIn,
    MeOut,
    SessionOut,
    SignupIn,
    TenantOut,
    TenantUpdate,
    UserOut,
    UserUpdate,
)
from bodega.tenancy.scopes import SCOPES, scopes_of_role
from bodega.tenancy.tables import ApiKey, Invitation, Session, Tenant, User

__all__ = [
    "accept_invitation",
    "add_user",
    "authenticate",
    "check_timezone",
    "create_api_key",
    "create_tenant",
    "find_user_by_email",
    "get_api_key",
    "get_tenant",
    "get_user",
    "invite",
    "list_api_keys",
    "list_invitations",
    "list_users",
    "login",
    "logout",
    "managers_of_store",
    "me",
    "revoke_api_key",
    "revoke_invitation",
    "signup",
    "update_tenant",
    "update_user",
]

ACCESS_TOKEN_PREFIX = "bdg_at_"
API_KEY_PREFIX = "bdg_sk_"
INVITATION_PREFIX = "bdg_inv_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""An API key's ``last_used_at`` is kept to the minute: one write a minute, not one a request."""


class Policy(msgspec.Struct, frozen=True):
    """Lifetimes of credentials, from the settings."""

    access_token_ttl: timedelta = timedelta(hours=12)
    invitation_ttl: timedelta = timedelta(hours=72)


def _now() -> datetime:
    return datetime.now(UTC)


def check_timezone(timezone: str | None) -> None:
    """A 422 naming ``timezone`` unless it is an IANA time zone (``None``: not given)."""
    if timezone is None:
        return
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"Unknown time zone {timezone!r}; use an IANA name such as 'Asia/Shanghai'.",
            errors=[FieldError("timezone", "unknown IANA time zone")],
        ) from None


def _check_currency(currency: str) -> None:
    if currency not in list_currencies():
        raise InvalidInput(
            f"Unknown currency {currency!r}; use an ISO 4217 code such as 'CNY'.",
            errors=[FieldError("currency", "unknown ISO 4217 code")],
        )


async def authenticate(token: str) -> Actor | None:
    """The actor behind a bearer token, or ``None``. Runs before the tenant is known."""
    row = await db.fetchrow("SELECT * FROM bodega_authenticate($1)", hash_token(token))
    if row is None:
        return None
    if row["kind"] == "api_key":
        last_used = row["last_used_at"]
        if last_used is None or _now() - last_used > LAST_USED_RESOLUTION:
            await db.set_tenant(row["tenant_id"])
            await db.execute(
                "UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND tenant_id = $2",
                row["principal_id"],
                row["tenant_id"],
            )
        scopes = frozenset(row["scopes"])
    else:
        scopes = scopes_of_role(row["role"])
    return Actor(
        tenant_id=row["tenant_id"],
        kind=row["kind"],
        id=row["principal_id"],
        scopes=scopes,
        role=row["role"],
        store_ids=tuple(row["store_ids"] or ()),
        session_id=row["session_id"],
    )


async def _open_session(tenant_id: uuid.UUID, user: dict[str, Any], policy: Policy) -> SessionOut:
    token = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = _now() + policy.access_token_ttl
    await Session.insert(
        Session(
            id=new_id(),
            tenant_id=tenant_id,
            user_id=user["id"],
            token_hash=hash_token(token),
            created_at=_now(),
            expires_at=expires_at,
        )
    )
    tenant = await _tenant_row(tenant_id)
    return SessionOut(
        access_token=token,
        token_type="Bearer",
        expires_at=expires_at,
        user=to_struct(user, UserOut),
        tenant=to_struct(tenant, TenantOut),
    )


async def _tenant_row(tenant_id: uuid.UUID) -> dict[str, Any]:
    row = await Tenant.select().where(Tenant.id == tenant_id).first()
    if row is None:
        raise NotFound("tenant", tenant_id)
    return row


def _user_actor(tenant_id: uuid.UUID, user: dict[str, Any]) -> Actor:
    return Actor(
        tenant_id=tenant_id,
        kind="user",
        id=user["id"],
        scopes=scopes_of_role(user["role"]),
        role=user["role"],
    )


async def signup(data: SignupIn, policy: Policy) -> SessionOut:
    """Create a chain and its owner; answer with the owner's access token."""
    tenant_id, owner = await create_tenant(
        new_id(),
        data.chain_name,
        data.currency,
        data.timezone,
        owner_email=data.owner_email,
        owner_name=data.owner_name,
        password=data.password,
    )
    return await _open_session(tenant_id, owner, policy)


async def create_tenant(
    tenant_id: uuid.UUID,
    name: str,
    currency: str,
    timezone: str,
    *,
    owner_email: str,
    owner_name: str,
    password: str,
) -> tuple[uuid.UUID, dict[str, Any]]:
    """Create the chain ``tenant_id`` with its owner, in the current transaction."""
    _check_currency(currency)
    check_timezone(timezone)
    password_hash = await hash_password(password)
    await db.set_tenant(tenant_id)
    tenant = {
        "id": tenant_id,
        "name": name.strip(),
        "currency": currency,
        "timezone": timezone,
        "created_at": _now(),
        "version": 1,
    }
    owner = _new_user(tenant_id, owner_email, owner_name, "owner", [], password_hash)
    actor = _user_actor(tenant_id, owner)
    await create_recorded(actor, Tenant, tenant, "tenant", TenantOut)
    await create_recorded(actor, User, owner, "user", UserOut)
    return tenant_id, owner


def _new_user(
    tenant_id: uuid.UUID,
    email: str,
    name: str,
    role: str,
    store_ids: list[uuid.UUID],
    password_hash: str,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "tenant_id": tenant_id,
        "email": email.strip().lower(),
        "name": name.strip(),
        "password_hash": password_hash,
        "role": role,
        "store_ids": store_ids,
        "status": "active",
        "created_at": _now(),
        "version": 1,
    }


async def add_user(
    actor: Actor, email: str, name: str, role: str, store_ids: list[uuid.UUID], password: str
) -> UserOut:
    """Add a user directly with a password (tenant manifests); people join through invitations."""
    await _check_role_stores(actor, role, store_ids)
    await _ensure_not_a_user(actor.tenant_id, email)
    user = _new_user(actor.tenant_id, email, name, role, store_ids, await hash_password(password))
    return await create_recorded(actor, User, user, "user", UserOut)


async def _ensure_not_a_user(tenant_id: uuid.UUID, email: str) -> None:
    email = email.strip().lower()
    if await User.exists().where((User.tenant_id == tenant_id) & (User.email == email)):
        raise Conflict(f"{email} is already a user of this chain.")


async def find_user_by_email(actor: Actor, email: str) -> UserOut | None:
    row = (
        await User.select()
        .where((User.tenant_id == actor.tenant_id) & (User.email == email.strip().lower()))
        .first()
    )
    return to_struct(row, UserOut) if row else None


async def login(data: LoginIn, policy: Policy) -> SessionOut:
    candidates = await db.fetch("SELECT * FROM bodega_login_candidates($1)", data.email.strip())
    if data.tenant_id is not None:
        candidates = [c for c in candidates if c["tenant_id"] == data.tenant_id]
    matches = [c for c in candidates if await verify_password(c["password_hash"], data.password)]
    if not matches:
        raise Unauthorized("The email or password is wrong.")
    if len(matches) > 1:
        raise Conflict(
            "This email and password open several chains; send the chain's tenant_id too."
        )
    tenant_id = matches[0]["tenant_id"]
    await db.set_tenant(tenant_id)
    user = await get_row(User, tenant_id, matches[0]["user_id"], "user")
    return await _open_session(tenant_id, user, policy)


async def logout(actor: Actor) -> None:
    if actor.session_id is None:
        raise Forbidden(
            "Only an access token can log out; revoke an API key with DELETE /v1/api-keys/{id}."
        )
    await Session.update({Session.revoked_at: _now()}).where(
        (Session.id == actor.session_id) & (Session.tenant_id == actor.tenant_id)
    )


async def me(actor: Actor) -> MeOut:
    tenant = to_struct(await _tenant_row(actor.tenant_id), TenantOut)
    if actor.kind == "user":
        user = to_struct(await get_row(User, actor.tenant_id, actor.id, "user"), UserOut)
        return MeOut(
            kind="user", id=actor.id, scopes=sorted(actor.scopes), tenant=tenant, user=user
        )
    key = to_struct(await get_row(ApiKey, actor.tenant_id, actor.id, "API key"), ApiKeyOut)
    return MeOut(
        kind="api_key", id=actor.id, scopes=sorted(actor.scopes), tenant=tenant, api_key=key
    )


async def get_tenant(actor: Actor) -> TenantOut:
    return to_struct(await _tenant_row(actor.tenant_id), TenantOut)


async def update_tenant(actor: Actor, data: TenantUpdate) -> TenantOut:
    values = changed_fields(data)
    if "timezone" in values:
        check_timezone(values["timezone"])
    return await update_recorded(
        actor, Tenant, actor.tenant_id, data.version, values, "tenant", TenantOut
    )


# Users -----------------------------------------------------------------------------------------


async def list_users(actor: Actor, *, limit: int, cursor: str | None) -> Page[UserOut]:
    return await list_page(User, actor.tenant_id, UserOut, limit=limit, cursor=cursor)


async def get_user(actor: Actor, user_id: uuid.UUID) -> UserOut:
    return to_struct(await get_row(User, actor.tenant_id, user_id, "user"), UserOut)


STORE_BOUND_ROLES = ("manager", "staff")
"""Roles that work in the stores they are given: managers in at least one; staff (cashiers,
shop-floor hands) sell, count and receive only in theirs."""


async def _check_role_stores(
    actor: Actor, role: str, store_ids: list[uuid.UUID], field: str = "store_ids"
) -> None:
    from bodega.catalog import missing_store_ids

    if role == "manager" and not store_ids:
        raise InvalidInput(
            "A manager manages at least one store.",
            errors=[FieldError(field, "required for managers")],
        )
    if role not in STORE_BOUND_ROLES and store_ids:
        raise InvalidInput(
            "Only managers and staff work in given stores.",
            errors=[FieldError(field, "only for managers and staff")],
        )
    missing = await missing_store_ids(actor, store_ids)
    if missing:
        raise InvalidInput(
            f"No store with id {', '.join(map(str, missing))}.",
            errors=[FieldError(field, f"unknown store {m}") for m in missing],
        )


async def managers_of_store(actor: Actor, store_id: uuid.UUID) -> list[str]:
    """Emails of the users who manage ``store_id``."""
    rows = await User.select(User.email).where(
        (User.tenant_id == actor.tenant_id) & User.store_ids.any(store_id)
    )
    return [r["email"] for r in rows]


async def _active_owner_count(tenant_id: uuid.UUID) -> int:
    return await User.count().where(
        (User.tenant_id == tenant_id) & (User.role == "owner") & (User.status == "active")
    )


async def update_user(actor: Actor, user_id: uuid.UUID, data: UserUpdate) -> UserOut:
    values = changed_fields(data)
    current = await get_row(User, actor.tenant_id, user_id, "user")
    role = values.get("role", current["role"])
    store_ids = values.get(
        "store_ids",
        current["store_ids"] if "role" not in values or role in STORE_BOUND_ROLES else [],
    )
    if "role" in values and role not in STORE_BOUND_ROLES:
        values["store_ids"] = store_ids = []
    if "role" in values or "store_ids" in values:
        await _check_role_stores(actor, role, list(store_ids))
    demotes_owner = current["role"] == "owner" and (
        role != "owner" or values.get("status") == "disabled"
    )
    if (
        demotes_owner
        and current["status"] == "active"
        and await _active_owner_count(actor.tenant_id) <= 1
    ):
        raise Conflict("A chain keeps at least one active owner; make someone else owner first.")
    user = await update_recorded(actor, User, user_id, data.version, values, "user", UserOut)
    if user.status == "disabled":
        await Session.update({Session.revoked_at: _now()}).where(
            (Session.tenant_id == actor.tenant_id)
            & (Session.user_id == user_id)
            & Session.revoked_at.is_null()
        )
    return user


# Invitations -----------------------------------------------------------------------------------


async def invite(actor: Actor, data: InvitationIn, policy: Policy) -> InvitationCreated:
    email = data.email.strip().lower()
    await _check_role_stores(actor, data.role, data.store_ids)
    await _ensure_not_a_user(actor.tenant_id, email)
    token = INVITATION_PREFIX + secrets.token_urlsafe(32)
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "email": email,
        "role": data.role,
        "store_ids": data.store_ids,
        "token_hash": hash_token(token),
        "invited_by": actor.id,
        "created_at": _now(),
        "expires_at": _now() + policy.invitation_ttl,
        "accepted_at": None,
        "revoked_at": None,
    }
    invitation = await create_recorded(actor, Invitation, row, "invitation", InvitationOut)
    return InvitationCreated(invitation=invitation, token=token)


async def list_invitations(actor: Actor, *, limit: int, cursor: str | None) -> Page[InvitationOut]:
    return await list_page(Invitation, actor.tenant_id, InvitationOut, limit=limit, cursor=cursor)


async def revoke_invitation(actor: Actor, invitation_id: uuid.UUID) -> None:
    before = await get_row(Invitation, actor.tenant_id, invitation_id, "invitation")
    if before["accepted_at"] is not None:
        raise Conflict("This invitation was accepted already; disable the user instead.")
    after = {**before, "revoked_at": _now()}
    await Invitation.update({Invitation.revoked_at: after["revoked_at"]}).where(
        (Invitation.id == invitation_id) & (Invitation.tenant_id == actor.tenant_id)
    )
    await change_recorded(
        actor,
        "invitation",
        "revoked",
        invitation_id,
        to_struct(after, InvitationOut),
        before=before,
        after=after,
    )


async def accept_invitation(data: AcceptInvitationIn, policy: Policy) -> SessionOut:
    found = await db.fetchrow("SELECT * FROM bodega_find_invitation($1)", hash_token(data.token))
    if found is None:
        raise NotFound("invitation")
    tenant_id = found["tenant_id"]
    await db.set_tenant(tenant_id)
    invitation = await get_row(Invitation, tenant_id, found["invitation_id"], "invitation")
    await _ensure_not_a_user(tenant_id, invitation["email"])
    user = _new_user(
        tenant_id,
        invitation["email"],
        data.name,
        invitation["role"],
        invitation["store_ids"],
        await hash_password(data.password),
    )
    await create_recorded(_user_actor(tenant_id, user), User, user, "user", UserOut)
    await Invitation.update({Invitation.accepted_at: _now()}).where(
        (Invitation.id == invitation["id"]) & (Invitation.tenant_id == tenant_id)
    )
    return await _open_session(tenant_id, user, policy)


# API keys --------------------------------------------------------------------------------------


async def create_api_key(actor: Actor, data: ApiKeyIn) -> ApiKeyCreated:
    unknown = [s for s in data.scopes if s not in SCOPES]
    if unknown:
        raise InvalidInput(
            f"Unknown scope {', '.join(unknown)}; known scopes: {', '.join(SCOPES)}.",
            errors=[FieldError("scopes", f"unknown scope {s}") for s in unknown],
        )
    beyond = [s for s in data.scopes if not actor.may(s)]
    if beyond:
        raise Forbidden(f"A key cannot have scopes its creator lacks: {', '.join(beyond)}.")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "name": data.name.strip(),
        "prefix": secret[: len(API_KEY_PREFIX) + 4],
        "secret_hash": hash_token(secret),
        "scopes": sorted(set(data.scopes)),
        "created_by": actor.id,
        "created_at": _now(),
        "last_used_at": None,
        "revoked_at": None,
    }
    key = await create_recorded(actor, ApiKey, row, "api_key", ApiKeyOut)
    return ApiKeyCreated(api_key=key, secret=secret)


async def list_api_keys(actor: Actor, *, limit: int, cursor: str | None) -> Page[ApiKeyOut]:
    return await list_page(ApiKey, actor.tenant_id, ApiKeyOut, limit=limit, cursor=cursor)


async def get_api_key(actor: Actor, key_id: uuid.UUID) -> ApiKeyOut:
    return to_struct(await get_row(ApiKey, actor.tenant_id, key_id, "API key"), ApiKeyOut)


async def revoke_api_key(actor: Actor, key_id: uuid.UUID) -> None:
    before = await get_row(ApiKey, actor.tenant_id, key_id, "API key")
    if before["revoked_at"] is None:
        after = {**before, "revoked_at": _now()}
        await ApiKey.update({ApiKey.revoked_at: after["revoked_at"]}).where(
            (ApiKey.id == key_id) & (ApiKey.tenant_id == actor.tenant_id)
        )
        await change_recorded(
            actor,
            "api_key",
            "revoked",
            key_id,
            to_struct(after, ApiKeyOut),
            before=before,
            after=after,
        )
