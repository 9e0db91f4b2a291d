"""Stored answers of ``Idempotency-Key`` requests, seen from outside the request pipeline.

The middleware (:mod:`bodega.api.middleware`) stores and replays them; a domain that must
not leave data behind (a member's erasure) forgets the answers that mention it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bodega.api.auth import Actor
from bodega.db import engine as db

__all__ = ["forget_answers_mentioning"]


async def forget_answers_mentioning(actor: Actor, texts: Iterable[str]) -> int:
    """Delete the chain's stored answers whose body contains any of ``texts`` (byte for byte,
    as UTF-8); return how many went. Empty texts are ignored (they would match every answer).

    Only answers are deleted: a request still in progress has no body yet (the caller's own
    request among them) and keeps its key. A retry of a forgotten request is not replayed: it
    runs again, with whatever answer that gives now."""
    needles = [text.encode() for text in texts if text]
    if not needles:
        return 0
    gone: int = await db.fetchval(
        "WITH gone AS (DELETE FROM idempotency_keys WHERE tenant_id = $1 AND body IS NOT NULL"
        " AND EXISTS (SELECT FROM unnest($2::bytea[]) AS n(needle)"
        " WHERE position(n.needle IN body) > 0) RETURNING 1)"
        " SELECT count(*)::integer FROM gone",
        actor.tenant_id,
        needles,
    )
    return gone
