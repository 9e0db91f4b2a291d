"""Suggested store orders for a big chain, phase by phase, next to baselines of the same run.

Starts PostgreSQL and Redis (embedded, in a fresh temporary folder, unless DATABASE_URL /
REDIS_URL are set), migrates, and creates a chain through the services: --stores stores, a
daily bakery and a Monday/Wednesday/Friday distributor with a minimum order, --products
products (fresh bakery goods with 1-3 days of shelf life, slow dear items, everyday goods in
cases), and --days days of simulated history per store and product (the demo chain's
generator, ``bodega.replenishment.demo``: weekday patterns, holidays, stock-outs, waste). Then
each round runs ``run_suggestions`` for every store, one transaction per store as the API does,
and prints the time of its phases: history load (inventory's ``daily_history``, products,
stock, open orders, calendar), forecast (pure Python), write (lines, event) and commit.

Each round also runs the stores at once, one transaction each (as the worker's jobs or
several managers' API calls do): the database work of one store overlaps the forecasting of
another. Baselines, in the same run and on the same data: one plain SQL aggregate of the
store's sales per product and day (the floor of the history load), and one Python pass
summing every product's days (the floor of any forecast that reads each day once).

    .venv/bin/python bench/replenishment.py [--stores 3] [--products 2000] [--days 365]

It prints figures and asserts nothing about speed; DESIGN's goal (3 stores x 2,000 products x
365 days in under 10 s on 2 cores) is printed as information. Everything stops at the end,
on Ctrl-C or on an error.
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
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import msgspec
from machine import cpu_busy, cpu_model  # bench/machine.py

from bodega.api.auth import system_actor
from bodega.catalog import (
    StoreIn,
    SupplierIn,
    create_store,
    create_supplier,
    import_product_rows,
    store_by_code,
)
from bodega.cli import running_servers
from bodega.db import engine as db
from bodega.db.migrate import migrate
from bodega.inventory import daily_history
from bodega.jobs.worker import job_context
from bodega.replenishment import run_suggestions
from bodega.replenishment.demo import write_demo_history
from bodega.settings import Settings, get_settings
from bodega.tenancy import SCOPES, create_tenant

GOAL_SECONDS = 10.0
SALES_SQL = """
SELECT product_id, (occurred_at AT TIME ZONE $4)::date AS day, sum(quantity) AS sold
FROM stock_movements
WHERE tenant_id = $1 AND store_id = $2 AND occurred_at >= $3 AND kind = 'sale'
GROUP BY 1, 2
"""


def product_rows(count: int) -> list[dict[str, str]]:
    """15 % fresh bakery goods, 10 % slow dear items, the rest everyday goods in cases."""
    rows = []
    for i in range(count):
        if i % 20 < 3:
            row = {
                "price": f"{6 + i % 9}.50",
                "supplier": "BAKE",
                "shelf_life_days": str(1 + i % 3),
            }
        elif i % 20 < 5:
            row = {"price": f"{80 + i % 40}.00", "supplier": "DIST", "case_pack": "1"}
        else:
            row = {
                "price": f"{2 + i % 15}.90",
                "supplier": "DIST",
                "case_pack": str(6 * (1 + i % 4)),
            }
        price = float(row["price"])
        rows.append(
            {"sku": f"B-{i:05d}", "name": f"Product {i}", "cost": f"{price * 0.55:.2f}", **row}
        )
    return rows


async def set_up(context, args) -> tuple[uuid.UUID, list[uuid.UUID], float]:
    """The chain, its stores, suppliers and products, and their history; returns the seconds
    the history took to write."""
    tenant = uuid.uuid4()
    actor = system_actor(tenant, frozenset(SCOPES))
    async with db.transaction(context.engine, tenant):
        await create_tenant(
            tenant, "Bench chain", "CNY", "Asia/Shanghai",
            owner_email=f"bench-{tenant.hex[:8]}@example.com", owner_name="Bench",
            password="bench password",  # noqa: S106
        )  # fmt: skip
        for i in range(args.stores):
            await create_store(actor, StoreIn(code=f"S{i + 1}", name=f"Store {i + 1}"))
        await create_supplier(actor, SupplierIn(
            code="BAKE", name="Bakery", lead_time_days=1, order_days=[1, 2, 3, 4, 5, 6, 7],
        ))  # fmt: skip
        await create_supplier(actor, SupplierIn(
            code="DIST", name="Distributor", lead_time_days=2, order_days=[1, 3, 5],
            min_order=100_000,
        ))  # fmt: skip
        await import_product_rows(actor, product_rows(args.products))
        stores = [(await store_by_code(actor, f"S{i + 1}")).id for i in range(args.stores)]
    started = time.perf_counter()
    async with db.transaction(context.engine, tenant):
        written = await write_demo_history(actor, days=args.days, seed=7)
    history_seconds = time.perf_counter() - started
    print(
        f"history written: {written.movements:,} movements in {history_seconds:.0f} s "
        f"({written.products} products x {written.stores} stores x {written.days} days)"
    )
    return tenant, stores, history_seconds


async def one_store(context, tenant: uuid.UUID, store: uuid.UUID) -> dict[str, float]:
    """run_suggestions in a transaction of its own; seconds per phase."""
    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if done == total:
            marks[phase] = time.perf_counter()
        elif phase == "write" and done == 0:
            marks["forecast"] = time.perf_counter()

    actor = system_actor(tenant, frozenset(SCOPES))
    started = time.perf_counter()
    async with db.transaction(context.engine, tenant):
        run = await run_suggestions(actor, store, progress=progress)
        written = time.perf_counter()
    ended = time.perf_counter()
    assert run.line_count > 0
    return {
        "history": marks["history"] - started,
        "forecast": marks["forecast"] - marks["history"],
        "write": written - marks["forecast"],
        "commit": ended - written,
        "total": ended - started,
        "lines": run.line_count,
        "to order": run.order_line_count,
    }


async def baselines(context, tenant: uuid.UUID, store: uuid.UUID, days: int) -> dict[str, float]:
    """The floors: one SQL aggregate of the store's sales (run twice, the second, warm run
    counts); one Python pass over its days."""
    today = date.today()
    since = today - timedelta(days=days)
    actor = system_actor(tenant, frozenset(SCOPES))
    async with db.transaction(context.engine, tenant):
        for _ in range(2):
            started = time.perf_counter()
            rows = await db.fetch(SALES_SQL, tenant, store, since, "Asia/Shanghai")
            fetched = time.perf_counter() - started
        histories = await daily_history(actor, store, start=since, end=today - timedelta(days=1))
    started = time.perf_counter()
    total = 0.0
    for history in histories.values():
        for sold in history.sold:
            total += sold
    summed = time.perf_counter() - started
    return {"sql": fetched, "rows": len(rows), "python": summed, "series": len(histories)}


def machine(settings: Settings) -> str:
    busy = cpu_busy()
    packages = ", ".join(f"{p} {version(p)}" for p in ("piccolo", "asyncpg", "msgspec"))
    return (
        f"{date.today()}  {os.cpu_count()} cores, {cpu_model()}; before the run the cores were "
        f"{busy:.0f} % busy{' (NOT QUIET: figures will be high)' if busy > 15 else ''}\n"
        f"Python {platform.python_version()}, {packages}"
    )


async def bench(settings: Settings, args) -> None:
    print(machine(settings))
    async with job_context(settings, pool_size=args.stores + 1) as context:
        tenant, stores, _ = await set_up(context, args)
        floor = await baselines(context, tenant, stores[0], args.days)
        print(
            f"\nbaselines (store 1): one SQL aggregate of its sales {floor['sql']:.2f} s "
            f"({floor['rows']:,} product-days); one Python pass over {floor['series']:,} series "
            f"x {args.days} days {floor['python']:.3f} s\n"
        )
        header = f"{'round':>5} {'store':>5} {'history':>8} {'forecast':>8} {'write':>7} "
        print(header + f"{'commit':>7} {'total':>7} {'lines':>6} {'to order':>8}")
        for round_ in range(1, args.rounds + 1):
            total = 0.0
            phases = {"history": 0.0, "forecast": 0.0, "write": 0.0, "commit": 0.0}
            for n, store in enumerate(stores, start=1):
                t = await one_store(context, tenant, store)
                total += t["total"]
                for phase in phases:
                    phases[phase] += t[phase]
                print(
                    f"{round_:>5} {n:>5} {t['history']:>8.2f} {t['forecast']:>8.2f} "
                    f"{t['write']:>7.2f} {t['commit']:>7.2f} {t['total']:>7.2f} "
                    f"{t['lines']:>6.0f} {t['to order']:>8.0f}"
                )
            share = ", ".join(f"{k} {v / total:.0%}" for k, v in phases.items())
            print(
                f"round {round_}: {len(stores)} stores one after the other in {total:.2f} s "
                f"({share}); history {phases['history'] / len(stores) / floor['sql']:.1f}x the "
                f"SQL floor, forecast {phases['forecast'] / len(stores) / floor['python']:.0f}x "
                f"the Python floor; goal < {GOAL_SECONDS:.0f} s: "
                f"{'met' if total < GOAL_SECONDS else 'missed'}"
            )
            started = time.perf_counter()
            await asyncio.gather(*(one_store(context, tenant, store) for store in stores))
            together = time.perf_counter() - started
            print(
                f"round {round_}: {len(stores)} stores at once (a transaction each, as jobs or "
                f"API calls run) in {together:.2f} s; goal < {GOAL_SECONDS:.0f} s: "
                f"{'met' if together < GOAL_SECONDS else 'missed'}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=3, help="stores (3)")
    parser.add_argument("--products", type=int, default=2000, help="products (2000)")
    parser.add_argument("--days", type=int, default=365, help="days of history (365)")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds (2)")
    args = parser.parse_args()
    if min(args.stores, args.products, args.rounds) < 1 or not 28 <= args.days <= 730:
        parser.error("--stores, --products and --rounds must be positive, --days 28 to 730")
    workdir = Path(tempfile.mkdtemp(prefix="bodega-bench-replenishment-"))
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
