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
    "orders:read": "Read sales orders, their payments and refunds.",
    "orders:write": (
        "Create, pay, fulfil, cancel and refund sales orders (managers and staff: their stores)."
    ),
    "inventory:read": "Read stock levels, movements, lots, losses, stocktakes and transfers.",
    "inventory:write": (
        "Record receipts, losses and adjustments, run stocktakes, transfer stock and set reorder "
        "points (managers: their stores)."
    ),
    "purchasing:read": "Read purchase orders, goods receipts and suggested store orders.",
    "purchasing:write": (
        "Create, send and receive purchase orders; run, edit and convert suggested store orders "
        "(managers: their stores)."
    ),
    "pricing:read": (
        "Read price lists, scheduled price changes, price history, promotions and markdown rules; "
        "quote baskets."
    ),
    "pricing:write": (
        "Create and change price lists, schedule price changes, and create and change promotions "
        "and markdown rules."
    ),
    "members:read": "Read members, their consents, points, tiers and segments.",
    "members:write": (
        "Register and change members, record consent, merge, import, export and erase; "
        "adjust points."
    ),
}

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "owner": frozenset(SCOPES),
    "manager": frozenset(
        {
            "catalog:read",
            "stores:write",
            "users:read",
            "plugins:read",
            "orders:read",
            "orders:write",
            "inventory:read",
            "inventory:write",
            "purchasing:read",
            "purchasing:write",
            "pricing:read",
            "members:read",
            "members:write",
        }
    ),
    "auditor": frozenset(
        {
            "catalog:read",
            "users:read",
            "audit:read",
            "events:read",
            "plugins:read",
            "orders:read",
            "inventory:read",
            "purchasing:read",
            "pricing:read",
            "members:read",
        }
    ),
    "staff": frozenset(
        {
            "catalog:read",
            "orders:read",
            "orders:write",
            "inventory:read",
            "pricing:read",
            "members:read",
            "members:write",
        }
    ),
}


def scopes_of_role(role: str) -> frozenset[str]:
    return ROLE_SCOPES.get(role, frozenset())
