"""The PostgreSQL engine and the tenant transaction.

Every authenticated request and every job runs in one transaction that first sets
``app.tenant_id``; PostgreSQL's row-level security then hides every other tenant's rows.
One transaction is one asyncpg connection, which cannot run two queries at once, while
Litestar dependencies and strawberry resolvers run concurrently: a lock per transaction
serialises the queries.
"""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.querystring import QueryString
from piccolo.table import Table

__all__ = [
    "BodegaEngine",
    "bind_tables",
    "execute",
    "fetch",
    "fetchrow",
    "fetchval",
    "no_session_state",
    "savepoint",
    "set_tenant",
    "transaction",
]


@dataclass(slots=True)
class _Tx:
    engine: PostgresEngine
    transaction: PostgresTransaction
    lock: asyncio.Lock
    tenant_id: uuid.UUID | None
    savepoints: int = 0


_current: contextvars.ContextVar[_Tx | None] = contextvars.ContextVar("bodega_tx", default=None)


class BodegaEngine(PostgresEngine):
    """Piccolo's engine, with queries inside one transaction serialised by a lock.

    A query made inside a transaction runs on that transaction's engine, whichever engine
    the table is bound to: the API and a worker may share a process (tests, benchmarks),
    each with its own pool, while Piccolo binds tables process-wide.
    """

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        tx = _current.get()
        if tx is None:
            return await super().run_querystring(querystring, in_pool)
        async with tx.lock:
            return await PostgresEngine.run_querystring(tx.engine, querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        tx = _current.get()
        if tx is None:
            return await super().run_ddl(ddl, in_pool)
        async with tx.lock:
            return await PostgresEngine.run_ddl(tx.engine, ddl, in_pool)


async def no_session_state(connection: Any) -> None:
    """A pool's ``reset``: skip asyncpg's RESET ALL round trip when a connection returns to
    the pool. The tenant is set per transaction (``set_config(..., true)``) and nothing sets
    session state; asyncpg still rolls back a transaction left open."""


def bind_tables(engine: PostgresEngine, tables: Iterable[type[Table]]) -> None:
    """Point the Piccolo tables at ``engine`` (done at start-up, never at import)."""
    for table in tables:
        table._meta.db = engine


@asynccontextmanager
async def transaction(
    engine: PostgresEngine, tenant_id: uuid.UUID | None = None
) -> AsyncIterator[PostgresTransaction]:
    """Open a transaction; with ``tenant_id``, scope it to that tenant (RLS).

    Commits when the block ends normally, rolls back on an exception or when
    the caller called ``rollback()`` on the yielded transaction.
    """
    async with engine.transaction(allow_nested=False) as tx:
        if tenant_id is not None:
            await tx.connection.execute(
                "SELECT set_config('app.tenant_id', $1, true)", str(tenant_id)
            )
        token = _current.set(_Tx(engine, tx, asyncio.Lock(), tenant_id))
        try:
            yield tx
        finally:
            _current.reset(token)


async def set_tenant(tenant_id: uuid.UUID) -> None:
    """Scope the current transaction to ``tenant_id`` (once the caller's tenant is known:
    after authentication, or inside signup and login); setting the same tenant again is free."""
    tx = _require()
    if tx.tenant_id == tenant_id:
        return
    tx.tenant_id = tenant_id
    await execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))


@asynccontextmanager
async def savepoint() -> AsyncIterator[None]:
    """Make a block atomic inside the current transaction: on an exception it is undone."""
    tx = _require()
    tx.savepoints += 1
    name = f"bodega_sp_{tx.savepoints}"
    await execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        await execute(f"ROLLBACK TO SAVEPOINT {name}")
        raise
    await execute(f"RELEASE SAVEPOINT {name}")


def _require() -> _Tx:
    tx = _current.get()
    if tx is None:
        raise RuntimeError("no database transaction is open")
    return tx


def _connection() -> asyncpg.Connection:
    return _require().transaction.connection


async def fetch(sql: str, *args: Any) -> list[asyncpg.Record]:
    """Run raw SQL in the current transaction (hot paths, functions Piccolo does not express)."""
    async with _require().lock:
        return await _connection().fetch(sql, *args)


async def fetchrow(sql: str, *args: Any) -> asyncpg.Record | None:
    async with _require().lock:
        return await _connection().fetchrow(sql, *args)


async def fetchval(sql: str, *args: Any) -> Any:
    async with _require().lock:
        return await _connection().fetchval(sql, *args)


async def execute(sql: str, *args: Any) -> str:
    async with _require().lock:
        return await _connection().execute(sql, *args)
