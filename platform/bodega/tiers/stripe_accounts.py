"""The chain's Stripe account: its secret key and its webhook signing secret.

They are stored as given (not encrypted: the database and its backups must be protected like
the keys themselves), written only by ``PUT /v1/tiers/stripe`` and shown masked when read.
Audit entries and events carry the masked values only.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, VersionConflict
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.tiers.schemas import StripeSettingsIn, StripeSettingsOut
from bodega.tiers.stripe_gateway import StripeNotConfigured

__all__ = [
    "StripeKeys",
    "get_stripe_settings",
    "mask",
    "required_keys",
    "set_stripe_settings",
    "stripe_keys",
    "webhook_path",
]

RESOURCE = "stripe_settings"
_KIND = re.compile(r"^(?:(?:sk|rk)_(?:live_|test_)?|whsec_)")
StripeKeys = dict[str, Any]
"""A row of ``stripe_accounts``: ``secret_key``, ``webhook_secret``, ``version``..."""


def mask(secret: str) -> str:
    """``sk_test_…AbCd``: the kind of key and its last 4 characters, never more."""
    kind = _KIND.match(secret)
    return f"{kind.group(0) if kind else ''}…{secret[-4:]}"


def webhook_path(tenant_id: uuid.UUID) -> str:
    return f"/v1/stripe/webhooks/{tenant_id}"


def _out(tenant_id: uuid.UUID, row: StripeKeys | None) -> StripeSettingsOut:
    if row is None:
        return StripeSettingsOut(
            configured=False,
            secret_key=None,
            webhook_secret=None,
            webhook_path=webhook_path(tenant_id),
            updated_at=None,
            version=None,
        )
    return StripeSettingsOut(
        configured=True,
        secret_key=mask(row["secret_key"]),
        webhook_secret=mask(row["webhook_secret"]),
        webhook_path=webhook_path(tenant_id),
        updated_at=row["updated_at"],
        version=row["version"],
    )


async def _row(tenant_id: uuid.UUID, *, lock: bool = False) -> StripeKeys | None:
    row = await db.fetchrow(
        "SELECT * FROM stripe_accounts WHERE tenant_id = $1"  # noqa: S608
        + (" FOR UPDATE" if lock else ""),
        tenant_id,
    )
    return dict(row) if row is not None else None


async def get_stripe_settings(actor: Actor) -> StripeSettingsOut:
    return _out(actor.tenant_id, await _row(actor.tenant_id))


async def stripe_keys(tenant_id: uuid.UUID) -> StripeKeys | None:
    """The chain's keys in clear, for calling Stripe and checking webhooks; None when unset."""
    return await _row(tenant_id)


async def required_keys(actor: Actor) -> StripeKeys:
    keys = await _row(actor.tenant_id)
    if keys is None:
        raise StripeNotConfigured(
            "The chain has no Stripe account set up; an owner sets it with PUT /v1/tiers/stripe."
        )
    return keys


async def set_stripe_settings(actor: Actor, data: StripeSettingsIn) -> StripeSettingsOut:
    """Set both secrets (replacing the old ones); once set, the current version is needed."""
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('stripe_accounts:' || $1::uuid::text, 0))",
        actor.tenant_id,
    )
    current = await _row(actor.tenant_id, lock=True)
    now = datetime.now(UTC)
    if current is None:
        row = await db.fetchrow(
            "INSERT INTO stripe_accounts (id, tenant_id, secret_key, webhook_secret, created_at,"
            " updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING *",
            new_id(),
            actor.tenant_id,
            data.secret_key,
            data.webhook_secret,
            now,
        )
    else:
        if data.version is None:
            raise Conflict(
                "The chain's Stripe settings exist: send the version you read "
                "(GET /v1/tiers/stripe) to replace them.",
                current_version=current["version"],
            )
        if data.version != current["version"]:
            raise VersionConflict("Stripe settings", current["version"])
        row = await db.fetchrow(
            "UPDATE stripe_accounts SET secret_key = $2, webhook_secret = $3, updated_at = $4,"
            " version = version + 1 WHERE tenant_id = $1 RETURNING *",
            actor.tenant_id,
            data.secret_key,
            data.webhook_secret,
            now,
        )
    assert row is not None
    before = _out(actor.tenant_id, current) if current is not None else None
    out = _out(actor.tenant_id, dict(row))
    await change_recorded(actor, RESOURCE, "updated", row["id"], out, before=before, after=out)
    return out
