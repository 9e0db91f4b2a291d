"""Each chain's lifecycle thresholds: read (the defaults until the chain changes them) and
changed with its ``version``. A chain without a row reads as version 1 of the defaults; its
first change writes the row at version 2."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, VersionConflict, raise_if_errors
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.segments.schemas import SegmentSettingsOut, SegmentSettingsUpdate

__all__ = ["DEFAULTS", "get_segment_settings", "update_segment_settings"]

RESOURCE = "segment_settings"
DEFAULTS: dict[str, int] = {
    "new_days": 30,
    "active_days": 60,
    "lapsed_days": 120,
    "won_back_days": 30,
    "won_back_gap_days": 120,
}
_COLUMNS = tuple(DEFAULTS)


def _out(row: dict[str, Any] | None) -> SegmentSettingsOut:
    if row is None:
        return SegmentSettingsOut(**DEFAULTS, updated_at=None, version=1)
    return SegmentSettingsOut(
        **{name: row[name] for name in _COLUMNS},
        updated_at=row["updated_at"],
        version=row["version"],
    )


async def _row(actor: Actor, *, lock: bool = False) -> dict[str, Any] | None:
    row = await db.fetchrow(
        "SELECT * FROM segment_settings WHERE tenant_id = $1" + (" FOR UPDATE" if lock else ""),  # noqa: S608
        actor.tenant_id,
    )
    return dict(row) if row is not None else None


async def get_segment_settings(actor: Actor) -> SegmentSettingsOut:
    return _out(await _row(actor))


def _check(values: dict[str, int], sent: set[str]) -> None:
    """The thresholds must keep the stages in order; blame the fields that were sent."""
    errors = []
    if values["active_days"] >= values["lapsed_days"]:
        field = "lapsed_days" if "lapsed_days" in sent else "active_days"
        errors.append(FieldError(field, "lapsed_days must be more than active_days"))
    if values["won_back_days"] > values["won_back_gap_days"]:
        field = "won_back_gap_days" if "won_back_gap_days" in sent else "won_back_days"
        errors.append(FieldError(field, "won_back_gap_days must be at least won_back_days"))
    raise_if_errors(errors)


async def update_segment_settings(actor: Actor, data: SegmentSettingsUpdate) -> SegmentSettingsOut:
    """Change thresholds (409 on a stale version); they apply from the next refresh."""
    row = await _row(actor, lock=True)
    before = _out(row)
    if before.version != data.version:
        raise VersionConflict("segment settings", before.version)
    changes = changed_fields(data)
    values = {name: changes.get(name, getattr(before, name)) for name in _COLUMNS}
    _check(values, set(changes))
    now = datetime.now(UTC)
    if row is None:
        row = {"id": new_id(), "tenant_id": actor.tenant_id}
        inserted = await db.fetchval(
            "INSERT INTO segment_settings (id, tenant_id, new_days, active_days, lapsed_days,"
            " won_back_days, won_back_gap_days, updated_at, version)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 2)"
            " ON CONFLICT (tenant_id) DO NOTHING RETURNING id",
            row["id"],
            actor.tenant_id,
            *values.values(),
            now,
        )
        if inserted is None:  # someone else's first change committed since we read
            raise VersionConflict("segment settings", 2)
    else:
        await db.execute(
            "UPDATE segment_settings SET new_days = $3, active_days = $4, lapsed_days = $5,"
            " won_back_days = $6, won_back_gap_days = $7, updated_at = $8,"
            " version = version + 1 WHERE tenant_id = $1 AND id = $2",
            actor.tenant_id,
            row["id"],
            *values.values(),
            now,
        )
    after = SegmentSettingsOut(**values, updated_at=now, version=before.version + 1)
    await change_recorded(actor, RESOURCE, "updated", row["id"], after, before=before, after=after)
    return after
