"""Whether a promotion's conditions hold for one sale, and if not, why, in words a cashier
understands ("members only", "happy hour 17:00-19:00 (Mon-Fri) only"). Pure: the caller
passes the store, the channel, the time and the member; the quote engine reports the reason
with the promotion it passed by."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bodega.promotions.schemas import HappyHourOut, PromotionOut

__all__ = ["blocked_reason", "in_happy_hours"]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _days(days: Sequence[int]) -> str:
    """``[1, 2, 3, 4, 5]`` -> "Mon-Fri"; ``[1, 3, 6, 7]`` -> "Mon, Wed, Sat, Sun"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        names = [_DAY_NAMES[d - 1] for d in run]
        parts.append(f"{names[0]}-{names[-1]}" if len(run) > 2 else ", ".join(names))
    return ", ".join(parts)


def _window(window: HappyHourOut) -> str:
    every_day = not window.days or len(set(window.days)) == 7
    return f"{window.start}-{window.end}" + ("" if every_day else f" ({_days(window.days)})")


def in_happy_hours(windows: Sequence[HappyHourOut], local: datetime) -> bool:
    """Is the store's local time ``local`` inside one of the windows (start included, end
    excluded; no windows: any time)?"""
    if not windows:
        return True
    clock = local.strftime("%H:%M")
    return any(
        (not w.days or local.isoweekday() in w.days) and w.start <= clock < w.end for w in windows
    )


def blocked_reason(
    promotion: PromotionOut,
    *,
    store_id: uuid.UUID,
    channel: str,
    at: datetime,
    timezone: str,
    member_id: uuid.UUID | None,
    member_segments: frozenset[str],
    member_uses: int,
) -> str | None:
    """None when the promotion may apply to a sale in ``store_id`` (whose time zone is
    ``timezone``) on ``channel`` at ``at`` for ``member_id`` (None: no member; their segments
    and the times they used it); else the first condition that fails, as a short reason.
    Times in reasons are the store's local times."""
    zone = ZoneInfo(timezone)
    if promotion.status != "active":
        return promotion.status
    if at < promotion.starts_at:
        return f"starts {promotion.starts_at.astimezone(zone):%Y-%m-%d %H:%M}"
    if promotion.ends_at is not None and at >= promotion.ends_at:
        return f"ended {promotion.ends_at.astimezone(zone):%Y-%m-%d %H:%M}"
    if promotion.store_ids and store_id not in promotion.store_ids:
        return "not at this store"
    if promotion.channels and channel not in promotion.channels:
        return f"not on {channel} orders"
    if promotion.members_only and member_id is None:
        return "members only"
    if promotion.segments and not member_segments.intersection(promotion.segments):
        return f"for segment(s) {', '.join(promotion.segments)}"
    if not in_happy_hours(promotion.happy_hours, at.astimezone(zone)):
        windows = ", ".join(_window(w) for w in promotion.happy_hours)
        return f"happy hour {windows} only"
    limit = promotion.usage_limit
    if limit is not None and promotion.uses >= limit:
        return f"used up ({promotion.uses} of {limit})"
    per_member = promotion.per_member_limit
    if per_member is not None and member_id is None:
        return "members only"
    if per_member is not None and member_uses >= per_member:
        return f"already used by this member ({member_uses} of {per_member})"
    return None
