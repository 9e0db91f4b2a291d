"""What each role may do, as API scopes. API keys carry a chosen subset of the same scopes."""

from __future__ import annotations

from typing import Literal

__all__ = ["ROLES", "ROLE_SCOPES", "SCOPES", "Role", "scopes_of_role"]

Role = Literal["owner", "manager", "auditor", "staff"]
ROLES: tuple[Role, ...] = ("owner", "manager", "auditor", "staff")

SCOPES: dict[str, str] = {
    "catalog:read": "Read stores, categories, suppliers and products.",
    "catalog:write": "Create, change and delete stores, categories, suppliers and products.",
    "stores:write": "Change the stores one manages (managers: only their own stores).",
    "users:read": "List users and invitations.",
    "users:write": "Invite users, change their roles and stores, disable them.",
    "api_keys:manage": "Create, list and revoke API keys.",
    "tenant:write": "Change the chain's settings.",
    "audit:read": "Read the audit log.",
    "events:read": "Read events, webhook endpoints and deliveries.",
    "webhooks:manage": "Add, change and delete webhook endpoints; retry and replay deliveries.",
    "plugins:read": "See the installed plugins and which the chain has enabled.",
    "plugins:manage": "Enable and disable plugins and change their settings.",
}

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "owner": frozenset(SCOPES),
    "manager": frozenset({"catalog:read", "stores:write", "users:read", "plugins:read"}),
    "auditor": frozenset(
        {"catalog:read", "users:read", "audit:read", "events:read", "plugins:read"}
    ),
    "staff": frozenset({"catalog:read"}),
}


def scopes_of_role(role: str) -> frozenset[str]:
    return ROLE_SCOPES.get(role, frozenset())
