"""``emit``: the one way a service records a domain event.

The event is written to the ``events`` table (the outbox) in the caller's transaction, so it
exists exactly when the change it describes commits; the relay delivers it afterwards.
"""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import Iterable
from typing import Any

import msgspec

from bodega.api.auth import Actor
from bodega.db import engine as db
from bodega.db.ids import new_id

__all__ = ["emit", "matches"]


async def emit(actor: Actor, type: str, data: Any) -> uuid.UUID:
    """Record event ``type`` (``"<object>.<what happened>"``) with ``data``, the object as the
    API returns it, in the current transaction; return the event's id."""
    ident = new_id()
    await db.execute(
        "INSERT INTO events (id, tenant_id, type, data) VALUES ($1, $2, $3, $4::jsonb)",
        ident,
        actor.tenant_id,
        type,
        msgspec.json.encode(data).decode(),
    )
    return ident


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Does ``event_type`` match one of ``patterns`` ("*", "product.*", "product.created")?"""
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)
