"""One webhook attempt over HTTP, and when to try again.

Retried: timeouts, connection errors, 429 and 5xx answers, on the schedule below (each delay
varied by up to 10 % either way, so endpoints that failed together are not retried in
lockstep) until ``RETRY_WINDOW`` after the delivery began; then it is dead-lettered. Any
other answer outside 2xx (400, 404, 410, redirects, which are not followed) will not change
by retrying: the delivery is dead-lettered at once, and may be retried or replayed by hand.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime, timedelta

import httpx
import msgspec

from bodega import __version__

__all__ = [
    "RETRY_DELAYS",
    "RETRY_WINDOW",
    "AttemptResult",
    "next_attempt_at",
    "post",
    "retryable",
]

RETRY_DELAYS = tuple(
    timedelta(seconds=s)
    for s in (30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200, 43200, 43200, 43200, 43200)
)
"""Wait before retry 1, 2, ...; the last one repeats until the window closes."""
RETRY_WINDOW = timedelta(days=3)
JITTER = 0.1
EXCERPT_CHARS = 1000
USER_AGENT = f"Bodega-Webhooks/{__version__}"


class AttemptResult(msgspec.Struct, frozen=True, kw_only=True):
    status_code: int | None
    error: str | None
    latency_ms: int
    response_excerpt: str | None
    refused: bool = False
    """Not sent at all: the endpoint is disabled or its address is not allowed."""

    @classmethod
    def refusal(cls, reason: str) -> AttemptResult:
        return cls(
            status_code=None, error=reason, latency_ms=0, response_excerpt=None, refused=True
        )

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retryable(result: AttemptResult) -> bool:
    """Could trying again succeed? (No answer, 429 or 5xx.)"""
    if result.refused:
        return False
    code = result.status_code
    return code is None or code == 429 or code >= 500


def next_attempt_at(
    attempts_made: int, now: datetime, retry_until: datetime, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after ``attempts_made`` failed attempts; ``None``: give up."""
    base = RETRY_DELAYS[min(attempts_made, len(RETRY_DELAYS)) - 1]
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    when = now + base * factor
    return when if when <= retry_until else None


async def post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], timeout_s: float
) -> AttemptResult:
    """POST ``body`` to ``url``; never raises for the receiver's failures."""
    started = time.perf_counter()
    status_code = error = excerpt = None
    try:
        async with asyncio.timeout(timeout_s):  # the whole exchange, not each read
            response = await client.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
                timeout=timeout_s,
                follow_redirects=False,
            )
        status_code = response.status_code
        excerpt = response.text[:EXCERPT_CHARS] or None
        if 300 <= status_code < 400:
            error = "redirects are not followed: point the endpoint at the final URL"
    except (httpx.TimeoutException, TimeoutError):
        error = f"no answer within {timeout_s:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"  # the attempt's record keeps 500 characters
    return AttemptResult(
        status_code=status_code,
        error=error,
        latency_ms=round((time.perf_counter() - started) * 1000),
        response_excerpt=excerpt,
    )
