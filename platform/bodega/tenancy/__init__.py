"""Tenancy: chains (tenants), users and roles, invitations, API keys, signup and login."""

from bodega.tenancy.scopes import ROLE_SCOPES, ROLES, SCOPES, scopes_of_role
from bodega.tenancy.service import (
    Policy,
    add_user,
    authenticate,
    check_timezone,
    create_api_key,
    create_tenant,
    find_user_by_email,
    get_tenant,
    list_api_keys,
    managers_of_store,
    revoke_api_key,
)

__all__ = [
    "ROLES",
    "ROLE_SCOPES",
    "SCOPES",
    "Policy",
    "add_user",
    "authenticate",
    "check_timezone",
    "create_api_key",
    "create_tenant",
    "find_user_by_email",
    "get_tenant",
    "list_api_keys",
    "managers_of_store",
    "revoke_api_key",
    "scopes_of_role",
]
