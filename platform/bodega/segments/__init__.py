"""Segments: members' RFM scores, named RFM segments and lifecycle stages, refreshed every
night per chain (and on demand), with each chain's thresholds.

Other domains use :func:`member_segments` (the names a promotion limited to segments is
matched against), :func:`segment_of` (a member's scores, for the member 360 view) and
:func:`member_export` (this part of a member's data export).
"""

from bodega.segments.refresh import refresh_segments
from bodega.segments.schemas import MemberSegmentOut, RefreshOut
from bodega.segments.service import member_export, member_segments, segment_of

__all__ = [
    "MemberSegmentOut",
    "RefreshOut",
    "member_export",
    "member_segments",
    "refresh_segments",
    "segment_of",
]
