"""Membership: members, their ids on other channels, consent, merging duplicates, import,
export and erasure.

Other domains name members by id and use :func:`require_member` for a member a request
names, :func:`member_ids_of` to count a member's history together with the duplicates merged
into it, and :func:`has_consent` before marketing to a member or matching their face.
"""

from bodega.membership.consent import has_consent
from bodega.membership.schemas import MemberIn, MemberOut
from bodega.membership.service import (
    create_member,
    get_member,
    member_ids_of,
    members_by_ids,
    require_member,
)

__all__ = [
    "MemberIn",
    "MemberOut",
    "create_member",
    "get_member",
    "has_consent",
    "member_ids_of",
    "members_by_ids",
    "require_member",
]
