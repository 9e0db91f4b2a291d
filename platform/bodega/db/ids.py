"""Identifiers: time-ordered UUIDs (v7), unique across tenants, so lists sort by creation."""

from __future__ import annotations

import uuid

from uuid_utils.compat import uuid7

__all__ = ["new_id"]


def new_id() -> uuid.UUID:
    return uuid7()
