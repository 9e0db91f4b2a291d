"""The chain's points settings: what points are worth as a payment, and how long they last.

A chain has the defaults until it first changes them; the row is written then. Its version
is 1 while the defaults apply, so the first change sends ``version: 1`` like any other.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bodega.api.auth import Actor
from bodega.api.errors import VersionConflict
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.points.schemas import PointsSettingsOut, PointsSettingsUpdate
from bodega.tenancy import get_tenant

__all__ = [
    "DEFAULTS",
    "expiry_of",
    "get_points_settings",
    "points_worth",
    "update_points_settings",
]

DEFAULTS = PointsSettingsOut(
    redeem_points=100, redeem_amount=100, expire_after_days=365, updated_at=None, version=1
)
RESOURCE = "points_settings"
_COLUMNS = ("redeem_points", "redeem_amount", "expire_after_days", "updated_at", "version")


def _out(row: Any) -> PointsSettingsOut:
    return PointsSettingsOut(**{c: row[c] for c in _COLUMNS})


async def get_points_settings(actor: Actor) -> PointsSettingsOut:
    row = await db.fetchrow("SELECT * FROM points_settings WHERE tenant_id = $1", actor.tenant_id)
    return DEFAULTS if row is None else _out(row)


_INSERT = """
INSERT INTO points_settings (id, tenant_id, redeem_points, redeem_amount, expire_after_days,
                             updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, 2)
ON CONFLICT (tenant_id) DO NOTHING
RETURNING *
"""
_UPDATE = """
UPDATE points_settings SET redeem_points = $3, redeem_amount = $4, expire_after_days = $5,
                           updated_at = $6, version = version + 1
 WHERE tenant_id = $1 AND version = $2
RETURNING *
"""


async def update_points_settings(actor: Actor, data: PointsSettingsUpdate) -> PointsSettingsOut:
    """Change the rate or the validity (``version`` as read; stale: 409). A new validity
    applies to points added from now on; awards made keep their expiry."""
    before = await get_points_settings(actor)
    if before.version != data.version:
        raise VersionConflict("points settings", before.version)
    values = {
        "redeem_points": before.redeem_points,
        "redeem_amount": before.redeem_amount,
        "expire_after_days": before.expire_after_days,
        **changed_fields(data),
    }
    now = datetime.now(UTC)
    args = (values["redeem_points"], values["redeem_amount"], values["expire_after_days"], now)
    if before.updated_at is None:
        row = await db.fetchrow(_INSERT, new_id(), actor.tenant_id, *args)
    else:
        row = await db.fetchrow(_UPDATE, actor.tenant_id, data.version, *args)
    if row is None:  # another change won the race
        raise VersionConflict("points settings", (await get_points_settings(actor)).version)
    after = _out(row)
    await change_recorded(actor, RESOURCE, "updated", row["id"], after, before=before, after=after)
    return after


def points_worth(settings: PointsSettingsOut, amount: int) -> int:
    """The points that pay ``amount`` minor units, rounded up to a whole point."""
    return -(-amount * settings.redeem_points // settings.redeem_amount)


async def expiry_of(
    actor: Actor, settings: PointsSettingsOut, earned_at: datetime
) -> datetime | None:
    """When points earned at ``earned_at`` expire: the end of the day ``expire_after_days``
    after, in the chain's time zone (``None``: they never expire)."""
    if settings.expire_after_days is None:
        return None
    zone = ZoneInfo((await get_tenant(actor)).timezone)
    last_day = earned_at.astimezone(zone).date() + timedelta(days=settings.expire_after_days)
    return datetime.combine(last_day + timedelta(days=1), time(), zone).astimezone(UTC)
