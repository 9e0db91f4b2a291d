"""Points: the chain's earning rules and points settings, and every member's points ledger
(earned on paid orders, redeemed as an order payment, taken back and given back on refunds,
adjusted by hand, expired FIFO).

Other domains use :func:`redeem_points` and :func:`give_back_points` (ordering, for points
payments), :func:`points_balance` (a member's balance and what expires when),
:func:`points_earned` (what members earned by buying in a window: tiers on ``points_12m``),
:func:`member_export` (a member's ledger for their data export) and :func:`member_erase`
(their part of an erasure: the entries' reasons cleared). A member's own earning
multiplier (their tier's) reaches earning as a :data:`MultiplierSource` given to
``bodega.points.jobs.register``.
"""

from bodega.points._ledger import PointsInsufficient
from bodega.points.earning import MultiplierSource
from bodega.points.payments import give_back_points, redeem_points
from bodega.points.schemas import ExpiringPointsOut, PointsBalanceOut, PointsEntryOut
from bodega.points.service import member_erase, member_export, points_balance, points_earned

__all__ = [
    "ExpiringPointsOut",
    "MultiplierSource",
    "PointsBalanceOut",
    "PointsEntryOut",
    "PointsInsufficient",
    "give_back_points",
    "member_erase",
    "member_export",
    "points_balance",
    "points_earned",
    "redeem_points",
]
