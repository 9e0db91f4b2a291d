"""What members bought, summed in the database: the figures tiers (rolling spend) and
segments (recency, frequency, monetary value) are computed from. Only paid orders count
(paid, fulfilled, partly or wholly refunded); what was refunded is taken off the spend."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bodega.api.auth import Actor
from bodega.db import engine as db
from bodega.ordering.schemas import OrderOut

__all__ = [
    "MemberOrderStats",
    "member_activity_sql",
    "member_order_stats",
    "recent_member_orders",
]

_COUNTED = ("paid", "fulfilled", "partially_refunded", "refunded")


@dataclass(frozen=True)
class MemberOrderStats:
    member_id: uuid.UUID
    orders: int
    """Paid orders from ``since`` (a wholly refunded one still counts as a visit)."""
    spend: int
    """What they paid for them, less what was refunded, in minor units."""
    first_at: datetime
    last_at: datetime
    """When the first and the last of them were paid."""


async def member_order_stats(
    actor: Actor,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    member_ids: Sequence[uuid.UUID] | None = None,
) -> dict[uuid.UUID, MemberOrderStats]:
    """Per member with paid orders in ``[since, until)`` (by payment time): how many, their net
    spend, the first and last. ``member_ids`` None: every member of the chain (one pass over
    the chain's orders, grouped in the database)."""
    rows = await db.fetch(
        "SELECT member_id, count(*) AS orders,"
        " coalesce(sum(paid_total - refunded_total), 0)::bigint AS spend,"
        " min(paid_at) AS first_at, max(paid_at) AS last_at"
        " FROM orders WHERE tenant_id = $1 AND member_id IS NOT NULL"
        " AND status = ANY($2::text[])"
        " AND ($3::timestamptz IS NULL OR paid_at >= $3)"
        " AND ($4::timestamptz IS NULL OR paid_at < $4)"
        " AND ($5::uuid[] IS NULL OR member_id = ANY($5::uuid[]))"
        " GROUP BY member_id",
        actor.tenant_id,
        list(_COUNTED),
        since,
        until,
        list(member_ids) if member_ids is not None else None,
    )
    return {
        row["member_id"]: MemberOrderStats(
            member_id=row["member_id"],
            orders=row["orders"],
            spend=row["spend"],
            first_at=row["first_at"],
            last_at=row["last_at"],
        )
        for row in rows
    }


def member_activity_sql(*, tenant: str, until: str, since: str, split: str) -> str:
    """A ``SELECT`` to use as a subquery in set-based SQL (segment scoring composes it into
    one statement over a whole chain): per member with paid orders before ``until``, one row of
    ``orders`` and ``spend`` (as in :func:`member_order_stats`) from ``since``; ``first_at`` and
    ``last_at`` over all their paid orders; ``last_before`` (the last paid before ``split``)
    and ``first_after`` (the first paid from ``split``), which show a long gap across it.

    The arguments are SQL expressions of the caller's statement (``"$1"``), never values."""
    counted = ", ".join(f"'{status}'" for status in _COUNTED)
    return f"""
        SELECT member_id,
               (count(*) FILTER (WHERE paid_at >= {since}))::integer AS orders,
               coalesce(sum(paid_total - refunded_total) FILTER (WHERE paid_at >= {since}), 0)
                   ::bigint AS spend,
               min(paid_at) AS first_at, max(paid_at) AS last_at,
               max(paid_at) FILTER (WHERE paid_at < {split}) AS last_before,
               min(paid_at) FILTER (WHERE paid_at >= {split}) AS first_after
          FROM orders
         WHERE tenant_id = {tenant} AND member_id IS NOT NULL
           AND status IN ({counted}) AND paid_at < {until}
         GROUP BY member_id
    """  # noqa: S608 (the statuses are constants; the rest are the caller's placeholders)


async def recent_member_orders(
    actor: Actor, member_ids: Sequence[uuid.UUID], *, limit: int = 10
) -> list[OrderOut]:
    """The members' latest orders, newest first (a member 360 view)."""
    from bodega.ordering._rows import ORDER_COLUMNS, orders_out

    rows = await db.fetch(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1"  # noqa: S608
        " AND member_id = ANY($2::uuid[]) ORDER BY id DESC LIMIT $3",
        actor.tenant_id,
        list(member_ids),
        limit,
    )
    return await orders_out(actor, rows)
