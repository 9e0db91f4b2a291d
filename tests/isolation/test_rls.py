"""Row-level security alone keeps chains apart: raw SQL as the application role, with no filter
from the application, sees and writes only the rows of the tenant set in ``app.tenant_id``.

``test_every_tenant_table_is_under_forced_rls`` reads the catalog, so a new table with a
``tenant_id`` column but without RLS (or a new table missing from ``TENANT_TABLES`` below) fails.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from litestar.testing import TestClient

from bodega.db.urls import with_user
from bodega.settings import Settings
from tests.isolation.conftest import World

TENANT_TABLES = (
    "tenants",
    "users",
    "invitations",
    "api_keys",
    "sessions",
    "idempotency_keys",
    "audit_log",
    "stores",
    "categories",
    "suppliers",
    "products",
    "events",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "tenant_plugins",
    "purchase_orders",
    "purchase_order_lines",
    "goods_receipts",
    "goods_receipt_lines",
    "orders",
    "order_lines",
    "order_payments",
    "order_refunds",
    "order_refund_lines",
    "order_counters",
    "stock_movements",
    "stock_levels",
    "stock_lots",
    "losses",
    "stocktakes",
    "stocktake_lines",
    "transfers",
    "transfer_lines",
    "suggestion_runs",
    "suggestion_lines",
    "demand_calendar",
    "promotions",
    "promotion_member_uses",
    "markdown_rules",
    "price_lists",
    "price_list_items",
    "store_prices",
    "price_changes",
    "price_history",
    "list_price_history",
    "members",
    "member_external_ids",
    "member_consents",
    "member_segments",
    "segment_settings",
    "tiers",
    "member_tiers",
    "member_tier_changes",
    "premium_plans",
    "stripe_accounts",
    "stripe_events",
    "points_settings",
    "points_rules",
    "points_entries",
    "points_allocations",
    "stamps",  # a table of the suite's test plugin: plugins' tables are under RLS too
)
"""Every tenant-owned table; the chains' seeds leave rows of both chains in each."""

DEFINER_FUNCTIONS = {
    "bodega_authenticate",
    "bodega_login_candidates",
    "bodega_find_invitation",
    "bodega_outbox_tenants",
    "bodega_due_deliveries",
    "bodega_purge_idempotency_keys",
    "bodega_purge_sessions",
    "bodega_purge_events",
    "bodega_plugin_tenants",
    "bodega_price_change_tenants",
    "bodega_points_expiry_tenants",
    "bodega_segment_tenants",
    "bodega_tier_tenants",
}
"""SECURITY DEFINER functions the app role may call: they bypass RLS, so each one is reviewed
(they return only the row matching an unguessable hash, or one email's login candidates, or
for the relay only ids: which tenants have events to relay, which deliveries are due, which
chains have price changes due, which chains with members are at their nightly segment refresh
hour, which chains have tiers to evaluate, which chains have points due to expire; the
clean-up jobs' functions delete expired rows and return only a count)."""


APPEND_ONLY = {
    "audit_log": ["refused", "refused"],
    "events": [0, "refused"],
    "stock_movements": ["refused", "refused"],
    "price_history": ["refused", "refused"],
    "list_price_history": ["refused", "refused"],
    "points_entries": ["refused", "refused"],
    "points_allocations": ["refused", "refused"],
    "member_consents": ["refused", "refused"],
    "member_tier_changes": ["refused", "refused"],
    "stripe_events": ["refused", "refused"],
}
"""What an UPDATE and a DELETE of A's rows (by B) give where they are not simply 0 rows."""


def _key(table: str) -> str:
    return "id" if table == "tenants" else "tenant_id"


def _sql(template: str, table: str) -> str:
    """``template`` with ``{table}`` and its tenant column ``{key}``: names from TENANT_TABLES."""
    assert table in TENANT_TABLES
    return template.format(table=table, key=_key(table))


SELECT_ALL = "SELECT * FROM {table}"
COUNT = "SELECT count(*) AS n FROM {table}"
OWNERS = "SELECT id::text, {key}::text AS tenant FROM {table}"
COPY_AS = """INSERT INTO {table}
SELECT (jsonb_populate_record(NULL::{table}, to_jsonb(r)
        || jsonb_build_object('id', $2::uuid) || jsonb_build_object('{key}', $1::uuid))).*
  FROM {table} r LIMIT 1 RETURNING id"""
"""Insert a copy of one visible (B's) row with a new id, moved to the tenant ``$1``."""
MOVE = "UPDATE {table} SET {key} = $1::uuid RETURNING id"
TOUCH = "UPDATE {table} SET {key} = {key} WHERE {key} = $1::uuid RETURNING id"
DELETE = "DELETE FROM {table} WHERE {key} = $1::uuid RETURNING id"


def _run(
    settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]], *, owner: bool = False
) -> Any:
    """Run ``work`` on a new connection as the app role (or the owner), then close it."""
    assert settings.database_url is not None
    url = settings.database_url if owner else with_user(settings.database_url, settings.app_role)

    async def main() -> Any:
        connection = await asyncpg.connect(url)
        try:
            return await work(connection)
        finally:
            await connection.close()

    return asyncio.run(main())


async def _scoped(
    connection: asyncpg.Connection, tenant_id: str | None, sql: str, *args: Any
) -> Any:
    """``sql`` in a transaction scoped to ``tenant_id`` (no scope for ``None``), rolled back."""
    transaction = connection.transaction()
    await transaction.start()
    try:
        if tenant_id is not None:
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        return await connection.fetch(sql, *args)
    finally:
        await transaction.rollback()


@pytest.fixture(scope="module")
def rows(settings: Settings, world: World) -> dict[str, dict[str, set[str]]]:
    """As the owner (who bypasses RLS): each table's row ids by chain ("a", "b")."""

    async def work(connection: asyncpg.Connection) -> dict[str, dict[str, set[str]]]:
        found = {}
        for table in TENANT_TABLES:
            records = await connection.fetch(_sql(OWNERS, table))
            found[table] = {
                side: {r["id"] for r in records if r["tenant"] == chain.ids["tenant"]}
                for side, chain in (("a", world.a), ("b", world.b))
            }
        return found

    return _run(settings, work, owner=True)


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_scoped_to_b_sees_exactly_bs_rows(
    settings: Settings, world: World, rows: Any, table: str
) -> None:
    """``SELECT *`` scoped to B returns all of B's rows and none of A's (both chains have some)."""
    assert rows[table]["a"], f"the seed leaves no row of A in {table}"
    assert rows[table]["b"], f"the seed leaves no row of B in {table}"
    found = _run(settings, lambda c: _scoped(c, world.b.ids["tenant"], _sql(SELECT_ALL, table)))
    assert {str(r["id"]) for r in found} == rows[table]["b"]
    assert {str(r[_key(table)]) for r in found} == {world.b.ids["tenant"]}


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_no_tenant_set_sees_nothing(settings: Settings, world: World, table: str) -> None:
    """Without a tenant (never set, set empty, or set in an earlier transaction of the same
    connection, as a pooled connection would be) every table is empty: forgetting fails closed."""

    async def work(connection: asyncpg.Connection) -> list[int]:
        sql = _sql(COUNT, table)
        counts = [(await _scoped(connection, None, sql))[0]["n"]]
        counts.append((await _scoped(connection, "", sql))[0]["n"])
        async with connection.transaction():
            await connection.execute(
                "SELECT set_config('app.tenant_id', $1, true)", world.b.ids["tenant"]
            )
            in_b = (await connection.fetchrow(sql))["n"]
        counts.append((await connection.fetchrow(sql))["n"])
        return [in_b, *counts]

    in_b, *without = _run(settings, work)
    assert in_b > 0
    assert without == [0, 0, 0]


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_writing_another_tenants_rows_is_refused(
    settings: Settings, world: World, table: str
) -> None:
    """Scoped to B, the policy's WITH CHECK refuses a row of A (inserted, or B's row moved to
    A), though the same insert for B passes it; updates and deletes aimed at A's rows touch
    nothing (the audit log and the stock ledger refuse them outright: they are append-only)."""
    a, b = world.a.ids["tenant"], world.b.ids["tenant"]
    copy = _sql(COPY_AS, table)
    rls = "row-level security"

    async def work(connection: asyncpg.Connection) -> list[Any]:
        try:  # B's own row passes the policy; unique indexes may still stop the copy
            outcomes: list[Any] = [len(await _scoped(connection, b, copy, b, uuid.uuid4()))]
        except asyncpg.UniqueViolationError:
            outcomes = ["unique"]
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match=rls):
            await _scoped(connection, b, copy, a, uuid.uuid4())
        with pytest.raises(
            asyncpg.InsufficientPrivilegeError,
            match="permission denied" if APPEND_ONLY.get(table, [0])[0] == "refused" else rls,
        ):
            await _scoped(connection, b, _sql(MOVE, table), a)
        for sql in (_sql(TOUCH, table), _sql(DELETE, table)):
            try:
                outcomes.append(len(await _scoped(connection, b, sql, a)))
            except asyncpg.InsufficientPrivilegeError:
                outcomes.append("refused")
        return outcomes

    passed, *aimed_at_a = _run(settings, work)
    assert passed in (1, "unique")
    # the audit log and the stock ledger take no UPDATE or DELETE from the app role, the
    # outbox no DELETE
    assert aimed_at_a == APPEND_ONLY.get(table, [0, 0])


UPDATABLE = """
SELECT c.table_name::text AS table, c.column_name::text AS column
  FROM information_schema.columns c
 WHERE c.table_schema = 'public' AND c.table_name = ANY($2::text[])
   AND has_column_privilege($1, quote_ident(c.table_name), c.column_name, 'UPDATE')
"""
APPEND_ONLY_UPDATES = {
    "points_entries": {"remaining", "reason"},
}
"""The only columns of the append-only tables refusing an UPDATE (APPEND_ONLY) that the app
role may change: what is left of a points award, and an entry's reason (cleared when its
member is erased)."""


def test_append_only_tables_take_only_the_updates_they_need(settings: Settings) -> None:
    """Of the append-only tables that refuse an UPDATE outright, the app role may change only
    the columns listed in APPEND_ONLY_UPDATES."""
    refusing = [t for t, (update, _) in APPEND_ONLY.items() if update == "refused"]

    async def work(connection: asyncpg.Connection) -> list[asyncpg.Record]:
        return await connection.fetch(UPDATABLE, settings.app_role, refusing)

    found: dict[str, set[str]] = {}
    for r in _run(settings, work, owner=True):
        found.setdefault(r["table"], set()).add(r["column"])
    assert found == APPEND_ONLY_UPDATES


CATALOG = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       pg_has_role($1, c.relowner, 'MEMBER') AS app_owns,
       EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND (c.relname = 'tenants' OR EXISTS (
        SELECT FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
"""


def test_every_tenant_table_is_under_forced_rls(settings: Settings) -> None:
    """Every table with a ``tenant_id`` (and ``tenants``) has RLS enabled and forced with a
    policy, is not owned by the app role, and is listed in TENANT_TABLES (so it gets the raw
    tests above)."""

    async def work(connection: asyncpg.Connection) -> list[asyncpg.Record]:
        return await connection.fetch(CATALOG, settings.app_role)

    tables = _run(settings, work, owner=True)
    weak = [
        dict(t)
        for t in tables
        if not (t["relrowsecurity"] and t["relforcerowsecurity"] and t["has_policy"])
        or t["app_owns"]
    ]
    assert weak == []
    assert sorted(t["relname"] for t in tables) == sorted(TENANT_TABLES)


UNIQUE_INDEXES = """
SELECT c.relname AS table, i.relname AS index, x.indisprimary AS primary, x.indnkeyatts AS width,
       (SELECT a.attname FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum = x.indkey[0]) AS first
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indisunique AND c.relname = ANY($1::text[]) AND c.relname <> 'tenants'
"""
GLOBAL_UNIQUE = {
    ("invitations", "token_hash"),
    ("api_keys", "secret_hash"),
    ("sessions", "token_hash"),
}
"""Unique across chains on purpose: hashes of random secrets, which no client chooses."""


def test_unique_values_are_unique_per_tenant(settings: Settings) -> None:
    """Every unique index of a tenant table starts with ``tenant_id`` (or is the random id, or a
    hash of a random secret): a value chain A uses never makes B's insert fail, so a 409 cannot
    tell B that A has it."""

    async def work(connection: asyncpg.Connection) -> list[asyncpg.Record]:
        return await connection.fetch(UNIQUE_INDEXES, list(TENANT_TABLES))

    indexes = _run(settings, work, owner=True)
    global_ = [
        r["index"]
        for r in indexes
        if r["first"] != "tenant_id"
        and not (r["primary"] and r["first"] == "id")
        and not (r["width"] == 1 and (r["table"], r["first"]) in GLOBAL_UNIQUE)
    ]
    assert global_ == []
    assert len(indexes) > len(TENANT_TABLES)  # the primary keys and the per-tenant codes, SKUs...


ROLE = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls
  FROM pg_roles r WHERE pg_has_role($1, r.oid, 'MEMBER')
"""
DEFINERS = """
SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.prosecdef AND has_function_privilege($1, p.oid, 'EXECUTE')
"""
VIEWS = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') AND has_table_privilege($1, c.oid, 'SELECT')
   AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)
"""


def test_app_role_cannot_bypass_rls(settings: Settings) -> None:
    """The app role (and every role it belongs to) is neither superuser nor BYPASSRLS; the
    SECURITY DEFINER functions it may call are the reviewed ones; it reads no view that would
    run with its owner's rights."""

    async def work(connection: asyncpg.Connection) -> tuple[Any, ...]:
        return tuple(
            [await connection.fetch(sql, settings.app_role) for sql in (ROLE, DEFINERS, VIEWS)]
        )

    roles, definers, views = _run(settings, work, owner=True)
    assert [r["rolname"] for r in roles] == [settings.app_role]
    assert [(r["rolsuper"], r["rolbypassrls"]) for r in roles] == [(False, False)]
    assert {r["proname"] for r in definers} == DEFINER_FUNCTIONS
    assert [r["relname"] for r in views] == []


def test_the_api_connects_as_the_app_role(client: TestClient[Any], settings: Settings) -> None:
    """The API's own connections run as the app role checked above, so RLS applies to them."""

    async def current_user() -> str:
        async with client.app.state.engine.pool.acquire() as connection:
            return await connection.fetchval("SELECT current_user")

    assert client.blocking_portal.call(current_user) == settings.app_role


def test_pooled_connections_forget_the_tenant(client: TestClient[Any], world: World) -> None:
    """After B's requests no connection of the API's pool still carries B's tenant: the scope is
    set per transaction (``set_config(..., true)``), never per session."""
    for path in ("/v1/stores", "/v1/me"):
        assert client.get(path, headers=world.b.headers).status_code == 200
    assert (
        client.post(
            "/graphql", json={"query": "{ stores { data { id } } }"}, headers=world.b.headers
        ).status_code
        == 200
    )

    async def tenants_of_pool() -> list[str | None]:
        pool = client.app.state.engine.pool
        taken = [await pool.acquire() for _ in range(pool.get_max_size())]
        try:
            sql = "SELECT current_setting('app.tenant_id', true)"
            return [await connection.fetchval(sql) for connection in taken]
        finally:
            for connection in taken:
                await pool.release(connection)

    assert set(client.blocking_portal.call(tenants_of_pool)) <= {None, ""}
