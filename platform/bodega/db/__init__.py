"""Shared database machinery: the engine, the tenant transaction, embedded servers, RLS SQL."""

from bodega.db.engine import (
    BodegaEngine,
    bind_tables,
    execute,
    fetch,
    fetchrow,
    fetchval,
    savepoint,
    set_tenant,
    transaction,
)
from bodega.db.ids import new_id

__all__ = [
    "BodegaEngine",
    "bind_tables",
    "execute",
    "fetch",
    "fetchrow",
    "fetchval",
    "new_id",
    "savepoint",
    "set_tenant",
    "transaction",
]
