"""Points tables: the chain's points settings and earning rules, the ledger of every member's
points, and how each debit drew on the awards (FIFO)."""

from __future__ import annotations

from piccolo.columns import UUID, Array, BigInt, Integer, Numeric, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["PointsAllocation", "PointsEntry", "PointsRule", "PointsSettings"]


class PointsSettings(Table, tablename="points_settings"):
    """One row per chain, written on its first change (until then the defaults apply)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    redeem_points = Integer()
    redeem_amount = BigInt()
    expire_after_days = Integer(null=True, default=None)
    updated_at = Timestamptz()
    version = Integer(default=1)


class PointsRule(Table, tablename="points_rules"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    kind = Varchar(length=16)
    points = Integer(null=True, default=None)
    per_amount = BigInt(null=True, default=None)
    product_id = UUID(null=True, default=None)
    category_id = UUID(null=True, default=None)
    multiplier = Numeric(digits=(6, 2), null=True, default=None)
    weekdays = Array(base_column=Integer())
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class PointsEntry(Table, tablename="points_entries"):
    """One line of a member's ledger. Credits (points > 0) carry ``remaining``: what is left
    of them unspent, kept equal to ``points`` minus their allocations."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    member_id = UUID()
    kind = Varchar(length=16)
    points = BigInt()
    remaining = BigInt(default=0)
    order_id = UUID(null=True, default=None)
    refund_id = UUID(null=True, default=None)
    award_id = UUID(null=True, default=None)
    reason = Varchar(length=500, default="")
    expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    created_by = UUID()


class PointsAllocation(Table, tablename="points_allocations"):
    """``points`` of the debit ``debit_id`` were drawn from the credit ``credit_id``."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    debit_id = UUID()
    credit_id = UUID()
    points = BigInt()
