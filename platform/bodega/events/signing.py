"""The ``Bodega-Signature`` header: ``t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.

During a secret rotation's overlap the header carries one ``v1`` per valid secret, newest
first; a receiver accepts the delivery when any of them matches its secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

__all__ = ["SECRET_PREFIX", "new_secret", "sign", "signature_header", "verify"]

SECRET_PREFIX = "whsec_"  # noqa: S105 (a public prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: Sequence[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(s, timestamp, body)}" for s in secrets_)])


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """Check a delivery as a receiver would: a ``v1`` matches and ``t`` is recent."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in parts if key == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in parts)
