"""Tenancy tables: the chain (tenant), its users, invitations, API keys and sessions.

Created by ``piccolo_migrations/`` (SQL), which also puts every table under RLS.
"""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Array,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ["ApiKey", "Invitation", "Session", "Tenant", "User"]


class Tenant(Table, tablename="tenants"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    currency = Varchar(length=3)
    timezone = Varchar(length=64)
    created_at = Timestamptz()
    version = Integer(default=1)


class User(Table, tablename="users"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    email = Varchar(length=320)
    name = Varchar(length=200)
    password_hash = Varchar(length=200)
    role = Varchar(length=16)
    store_ids = Array(base_column=UUID())
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()
    version = Integer(default=1)


class Invitation(Table, tablename="invitations"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    email = Varchar(length=320)
    role = Varchar(length=16)
    store_ids = Array(base_column=UUID())
    token_hash = Varchar(length=64)
    invited_by = UUID()
    created_at = Timestamptz()
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ApiKey(Table, tablename="api_keys"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    prefix = Varchar(length=16)
    secret_hash = Varchar(length=64)
    scopes = Array(base_column=Varchar(length=64))
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Session(Table, tablename="sessions"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    user_id = UUID()
    token_hash = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
