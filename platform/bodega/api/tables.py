"""Tables of the API machinery: stored answers of idempotent requests."""

from __future__ import annotations

from piccolo.columns import UUID, Bytea, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["IdempotencyKey"]


class IdempotencyKey(Table, tablename="idempotency_keys"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    key = Varchar(length=255)
    fingerprint = Varchar(length=64)
    status = Integer(null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    body = Bytea(null=True, default=None)
    created_at = Timestamptz()
