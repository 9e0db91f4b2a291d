"""The nightly segment refresh of a big chain, next to baselines of the same run.

Starts PostgreSQL and Redis (embedded, in a fresh temporary folder, unless DATABASE_URL /
REDIS_URL are set), migrates, creates a chain and a store through the services, then writes
--members members and --orders paid orders straight into ``members`` and ``orders`` with SQL
as the database owner (what the API would take hours to write; the refresh reads only these
columns): members joined over the last 3 years, 10 % of them never ordered, the others' orders
skewed (a few buy often, most rarely), paid over the last 2 years, 3 % of them partly refunded.
The tables are then ANALYZEd, as autovacuum would have done.

Baselines, as the app role in the chain's transaction (RLS on), on the same orders: a bare
``SELECT member_id, count(*), sum(...), min(paid_at), max(paid_at) ... GROUP BY member_id``,
and ordering's aggregate that the refresh reads (:func:`member_activity_sql`, with its
FILTERs). Each is wrapped in ``SELECT count(*) FROM (...)`` so no rows travel, as in the
refresh (which answers one row). Each runs twice; the warm run counts.

Then the refresh, as the worker runs it (the job's transaction, the chain's scope), in rounds:
the first (every member is new to the table: every row inserted, every member reported), the
same moment again (a retried job: every row rewritten, nothing reported), and each following
day. Per round: the scoring statement, the events (``member.segment_changed`` in batches,
``segments.refreshed``), the commit, and the counts.

    .venv/bin/python bench/segments.py [--members 100000] [--orders 1000000] [--days 2] [-v]

It prints figures and asserts nothing about speed; the goal (under 60 s on 2 cores) is printed
as information. -v prints the scoring statement's plan (EXPLAIN ANALYZE, rolled back).
Everything stops at the end, on Ctrl-C or on an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import asyncpg
import msgspec
from machine import cpu_busy, cpu_model  # bench/machine.py

from bodega.api.auth import system_actor
from bodega.catalog import StoreIn, create_store
from bodega.cli import running_servers
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.migrate import migrate
from bodega.jobs.worker import job_context
from bodega.ordering.stats import member_activity_sql
from bodega.segments.refresh import REFRESH_TIMEOUT, report_changes, score_members
from bodega.settings import Settings, get_settings
from bodega.tenancy import SCOPES, create_tenant

GOAL_SECONDS = 60.0
COUNTED = "('paid', 'fulfilled', 'partially_refunded', 'refunded')"
BARE = f"""
SELECT count(*) FROM (
    SELECT member_id, count(*), sum(paid_total - refunded_total), min(paid_at), max(paid_at)
      FROM orders WHERE tenant_id = $1 AND member_id IS NOT NULL AND status IN {COUNTED}
     GROUP BY member_id) t
"""  # noqa: S608 (constants)
ACTIVITY = "SELECT count(*) FROM ({}) t".format(  # noqa: S608 (ordering's SQL)
    member_activity_sql(
        tenant="$1",
        until="$2::timestamptz",
        since="($2::timestamptz - interval '12 months')",
        split="($2::timestamptz - interval '30 days')",
    )
)
ORDERS = """
WITH picks AS (
    SELECT i, 1 + floor($5 * random() ^ 2)::integer AS n,
           500 + floor(random() * 20000)::bigint AS amount,
           $4::timestamptz - random() * interval '730 days' AS at
      FROM generate_series(1, $6) i
)
INSERT INTO orders (id, tenant_id, store_id, number, channel, status, member_id, currency,
    subtotal, discount_total, total, tax_total, paid_total, refunded_total, created_by,
    created_at, paid_at)
SELECT gen_random_uuid(), $1, $2, p.i, 'pos',
       CASE WHEN p.i % 33 = 0 THEN 'partially_refunded' ELSE 'paid' END, b.id, 'CNY',
       p.amount, 0, p.amount, 0, p.amount,
       CASE WHEN p.i % 33 = 0 THEN p.amount / 4 ELSE 0 END, $3, p.at, p.at
  FROM picks p JOIN bench_buyers b USING (n)
"""


async def set_up(context, args, now: datetime) -> uuid.UUID:
    """The chain, a store, its members and orders; prints how long the data took to write."""
    tenant = uuid.uuid4()
    actor = system_actor(tenant, frozenset(SCOPES))
    async with db.transaction(context.engine, tenant):
        _, owner = await create_tenant(
            tenant, "Bench chain", "CNY", "Asia/Shanghai",
            owner_email=f"bench-{tenant.hex[:8]}@example.com", owner_name="Bench",
            password="bench password",  # noqa: S106
        )  # fmt: skip
        store = await create_store(actor, StoreIn(code="S1", name="Store 1"))
    started = time.perf_counter()
    connection = await asyncpg.connect(context.settings.database_url)  # the owner: no RLS
    try:
        members = [
            (new_id(), tenant, f"m{i}@bench.example", now - timedelta(days=(i * 7) % 1095))
            for i in range(args.members)
        ]
        await connection.copy_records_to_table(
            "members", records=members, columns=("id", "tenant_id", "email", "joined_at")
        )
        buyers = int(args.members * 0.9)
        await connection.execute(
            "CREATE TEMP TABLE bench_buyers AS SELECT row_number() OVER (ORDER BY random())"
            " AS n, id FROM members WHERE tenant_id = $1 LIMIT $2",
            tenant,
            buyers,
        )
        await connection.execute(ORDERS, tenant, store.id, owner["id"], now, buyers, args.orders)
        await connection.execute("ANALYZE members; ANALYZE orders")
        written = await connection.fetchval(
            "SELECT count(*) FROM orders WHERE tenant_id = $1", tenant
        )
    finally:
        await connection.close()
    print(
        f"data written: {args.members:,} members, {written:,} paid orders "
        f"in {time.perf_counter() - started:.0f} s (owner SQL)"
    )
    return tenant


async def baselines(context, tenant: uuid.UUID, now: datetime) -> dict[str, float]:
    figures = {}
    async with db.transaction(context.engine, tenant):
        await db.execute(f"SET LOCAL statement_timeout = '{REFRESH_TIMEOUT}'")
        for name, sql, args in (("bare", BARE, ()), ("activity", ACTIVITY, (now,))):
            for _ in range(2):
                started = time.perf_counter()
                rows = await db.fetchval(sql, tenant, *args)
                figures[name] = time.perf_counter() - started
            figures[f"{name} rows"] = rows
    return figures


async def one_refresh(context, tenant: uuid.UUID, now: datetime) -> dict[str, float]:
    """One refresh in the job's transaction; seconds per phase and the counts."""
    actor = system_actor(tenant, frozenset())
    started = time.perf_counter()
    async with context.for_tenant(tenant).transaction():
        scored = await score_members(actor, now=now)
        statement = time.perf_counter()
        out = await report_changes(actor, scored, now=now)
        reported = time.perf_counter()
    ended = time.perf_counter()
    return {
        "score": statement - started,
        "events": reported - statement,
        "commit": ended - reported,
        "total": ended - started,
        "members": out.members,
        "scored": out.scored,
        "changed": out.changed,
        "batches": out.events,
    }


async def explain(context, tenant: uuid.UUID, now: datetime) -> None:
    """EXPLAIN ANALYZE of the scoring statement (it runs, then rolls back)."""
    from bodega.segments import refresh as module

    async with db.transaction(context.engine, tenant) as tx:
        await db.execute(f"SET LOCAL statement_timeout = '{REFRESH_TIMEOUT}'")
        days = timedelta(days=1)
        rows = await db.fetch(
            "EXPLAIN (ANALYZE, BUFFERS) " + module._REFRESH,
            tenant, now, now - 30 * days, now - 30 * days, now - 60 * days, now - 120 * days,
            120 * days,
        )  # fmt: skip
        print("\n".join(r[0] for r in rows))
        await tx.rollback()


def machine() -> str:
    busy = cpu_busy()
    packages = ", ".join(f"{p} {version(p)}" for p in ("piccolo", "asyncpg", "msgspec"))
    return (
        f"{date.today()}  {os.cpu_count()} cores, {cpu_model()}; before the run the cores were "
        f"{busy:.0f} % busy{' (NOT QUIET: figures will be high)' if busy > 15 else ''}\n"
        f"Python {platform.python_version()}, {packages}"
    )


async def bench(settings: Settings, args) -> None:
    print(machine())
    now = datetime.now(UTC).replace(microsecond=0)
    async with job_context(settings, pool_size=2) as context:
        tenant = await set_up(context, args, now)
        async with db.transaction(context.engine, tenant):
            server = await db.fetchval("SHOW server_version")
        floor = await baselines(context, tenant, now)
        print(
            f"PostgreSQL {server}\nbaselines (warm): bare GROUP BY {floor['bare']:.2f} s "
            f"({floor['bare rows']:,} members); ordering's aggregate with its FILTERs "
            f"{floor['activity']:.2f} s\n"
        )
        print(
            f"{'round':<22} {'score':>7} {'events':>7} {'commit':>7} {'total':>7} "
            f"{'x bare':>6} {'members':>8} {'scored':>7} {'changed':>8} {'batches':>7}"
        )
        moments = [("first", now), ("same moment again", now)]
        moments += [(f"day +{d}", now + timedelta(days=d)) for d in range(1, args.days + 1)]
        for label, at in moments:
            t = await one_refresh(context, tenant, at)
            print(
                f"{label:<22} {t['score']:>7.2f} {t['events']:>7.2f} {t['commit']:>7.2f} "
                f"{t['total']:>7.2f} {t['total'] / floor['bare']:>6.1f} {t['members']:>8,} "
                f"{t['scored']:>7,} {t['changed']:>8,} {t['batches']:>7,}"
            )
        print(
            f"\ngoal: a refresh under {GOAL_SECONDS:.0f} s on 2 cores; statement timeout "
            f"{REFRESH_TIMEOUT}"
        )
        if args.verbose:
            await explain(context, tenant, now + timedelta(days=args.days))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000, help="members (100000)")
    parser.add_argument("--orders", type=int, default=1_000_000, help="paid orders (1000000)")
    parser.add_argument("--days", type=int, default=2, help="daily refreshes after the first (2)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the plan")
    args = parser.parse_args()
    if args.members < 10 or args.orders < 1 or args.days < 0:
        parser.error("--members at least 10, --orders positive, --days not negative")
    workdir = Path(tempfile.mkdtemp(prefix="bodega-bench-segments-"))
    try:
        base = msgspec.structs.replace(
            get_settings(),
            data_dir=str(workdir / "data"),
            redis_prefix=f"bench-{uuid.uuid4().hex[:8]}",
        )
        with running_servers(base) as settings:
            asyncio.run(migrate(settings))
            asyncio.run(bench(settings, args))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the databases are stopped")
