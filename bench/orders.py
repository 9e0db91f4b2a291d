"""Sales created and paid per second through a real ``bodega serve``, next to the plain INSERT
rate of the same PostgreSQL, measured in the same run.

Starts PostgreSQL and Redis (embedded, in a fresh temporary folder, unless DATABASE_URL /
REDIS_URL are set), runs ``bodega migrate`` and ``bodega serve --workers 1`` (granian) as
production does, signs a chain up with --stores stores, --products products in stock in
each and --keys ``orders:write`` API keys. Each "till" (--concurrency of them, spread over
the stores) then sells in a closed loop over a keep-alive connection: ``POST /v1/orders``
(--lines lines) and, with the order's id and total from the answer,
``POST /v1/orders/{id}/pay`` in cash with change, each with its own Idempotency-Key, for
--seconds after --warmup seconds. Baselines in the same run, on the
same database with asyncpg and as many connections: one transaction per sale inserting the
rows a paid sale leaves (order, lines, payment, sale movements, audit entries, events) as
plain multi-row INSERTs, and one bare INSERT per transaction. Everything stops at the end,
on Ctrl-C or on an error.

    .venv/bin/python bench/orders.py [--seconds 10] [--concurrency 16] [--lines 3] [--stores 1]

DESIGN's target (order create + pay >= 1,000/s) is printed as information; the run fails
only if an answer is not 2xx or the stock does not add up afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import asyncpg
import httpx
from events import children, cpu_seconds, postmaster_of  # bench/events.py: /proc readings
from machine import cpu_busy, cpu_model  # bench/machine.py
from rest_reads import (  # bench/rest_reads.py: the same server handling
    BODEGA,
    HOST,
    free_port,
    ok,
    preload_pg_stat_statements,
    sql,
    start_server,
    stop_server,
    tail,
)

from bodega.cli import running_servers
from bodega.settings import get_settings

COUNTED = 50  # sequential sales whose SQL statements are counted
STOCK = "1000000"


@dataclass
class Shop:
    store_ids: list[str]
    products: list[tuple[str, int]]  # (id, list price)
    keys: list[str]


@dataclass
class Result:
    sales: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.sales / self.seconds


# -- data -----------------------------------------------------------------------------------


def seed(base: str, stores: int, products: int, keys: int) -> Shop:
    """A chain with ``stores`` stores, ``products`` products in stock in each, and ``keys``
    orders:write API keys."""
    with httpx.Client(base_url=base, timeout=30) as client:
        session = ok(client.post("/v1/signup", json={
            "chain_name": "Bench chain", "owner_email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
            "password": "bench password", "currency": "CNY", "timezone": "Asia/Shanghai",
        }), 201)  # fmt: skip
        owner = {"Authorization": f"Bearer {session['access_token']}"}
        shops = [
            ok(client.post("/v1/stores", json={"code": f"B{n}", "name": f"Bench {n}"},
                           headers=owner), 201)["id"]
            for n in range(stores)
        ]  # fmt: skip
        made = []
        for i in range(products):
            body = {"sku": f"BENCH-{i:03d}", "name": f"Product {i}", "list_price": 150 + 37 * i,
                    "cost_price": 90 + 20 * i, "tax_rate": ("13", "9", "6")[i % 3]}  # fmt: skip
            made.append(ok(client.post("/v1/products", json=body, headers=owner), 201))
        lines = [{"product_id": p["id"], "quantity": STOCK} for p in made]
        for store_id in shops:
            receipt = {"store_id": store_id, "kind": "receipt", "lines": lines}
            ok(client.post("/v1/stock-movements", json=receipt, headers=owner), 201)
        till = {"name": "bench till", "scopes": ["orders:write", "orders:read"]}
        secrets = [
            ok(client.post("/v1/api-keys", json=till, headers=owner), 201)["secret"]
            for _ in range(keys)
        ]
    return Shop(shops, [(p["id"], p["list_price"]) for p in made], secrets)


def basket(shop: Shop, rng: random.Random, lines: int) -> list[dict[str, object]]:
    picked = rng.sample(shop.products, lines)
    return [{"product_id": pid, "quantity": rng.randint(1, 3)} for pid, _ in picked]


# -- the tills --------------------------------------------------------------------------------


class Till:
    """One keep-alive HTTP/1.1 connection that sells: create, then pay (a raw client, so the
    client's own cost stays small next to the server's)."""

    def __init__(self, port: int, shop: Shop, n: int, lines: int) -> None:
        self.port, self.shop, self.lines = port, shop, lines
        self.store_id = shop.store_ids[n % len(shop.store_ids)]
        self.rng = random.Random(n)  # noqa: S311 (baskets, not secrets)
        self.keys = itertools.cycle(
            shop.keys[n % len(shop.keys) :] + shop.keys[: n % len(shop.keys)]
        )
        self.failures: list[str] = []

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def request(self, path: str, body: dict[str, object]) -> tuple[int, bytes]:
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {next(self.keys)}\r\n"
            f"Idempotency-Key: {uuid.uuid4().hex}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def sell(self) -> bool:
        order = {"channel": "pos", "store_id": self.store_id,
                 "lines": basket(self.shop, self.rng, self.lines)}  # fmt: skip
        status, body = await self.request("/v1/orders", order)
        if status != 201:
            self.failures.append(f"create {status} {body[:300]!r}")
            return False
        created = json.loads(body)
        tendered = -(-created["total"] // 1000) * 1000  # the next 10 yuan note
        payments = {"payments": [{"method": "cash", "amount": max(tendered, 1)}]}
        status, body = await self.request(f"/v1/orders/{created['id']}/pay", payments)
        if status != 200:
            self.failures.append(f"pay {status} {body[:300]!r}")
            return False
        return True


async def run_tills(port: int, shop: Shop, args: argparse.Namespace, seconds: float) -> Result:
    tills = [Till(port, shop, n, args.lines) for n in range(args.concurrency)]
    for till in tills:
        await till.open()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def loop(till: Till) -> None:
        while (started := time.perf_counter()) < deadline and not till.failures:
            if await till.sell():
                latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(loop(t) for t in tills))
    elapsed = time.perf_counter() - began
    for till in tills:
        till.writer.close()
    failures = [f for t in tills for f in t.failures]
    if failures:
        raise SystemExit(f"FAILED: {len(failures)} sales failed, first: {failures[0]}")
    return Result(len(latencies), elapsed, *percentiles(latencies))


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies) or [0.0]

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return at(0.50), at(0.99)


# -- the baselines ----------------------------------------------------------------------------


async def execute(url: str, statements: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statements)  # simple protocol: several statements
    finally:
        await connection.close()


BASELINE_TABLES = """
DROP TABLE IF EXISTS bench_sales, bench_sale_rows;
CREATE TABLE bench_sales (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, store_id uuid NOT NULL,
    total bigint NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_sale_rows (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, sale_id uuid NOT NULL,
    kind text NOT NULL, product_id uuid, quantity numeric(12, 3), amount bigint,
    data jsonb, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON bench_sale_rows (tenant_id, sale_id);
"""
ROWS = """
INSERT INTO bench_sale_rows (id, tenant_id, sale_id, kind, product_id, quantity, amount, data)
SELECT gen_random_uuid(), $1, $2, r.kind, r.product_id, r.quantity, r.amount, r.data::jsonb
  FROM unnest($3::text[], $4::uuid[], $5::numeric[], $6::bigint[], $7::text[])
    AS r(kind, product_id, quantity, amount, data)
"""


async def run_inserts(url: str, shop: Shop, args: argparse.Namespace, seconds: float,
                      *, whole_sale: bool) -> Result:  # fmt: skip
    """``concurrency`` connections, one transaction per sale: the rows a paid sale leaves
    (whole_sale), or a single bare INSERT."""
    tenant, store = uuid.uuid4(), uuid.UUID(shop.store_ids[0])
    connections = [await asyncpg.connect(url) for _ in range(args.concurrency)]
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    payload = json.dumps({"lines": [{"sku": "BENCH-001", "quantity": "2"}] * args.lines})

    async def loop(connection: asyncpg.Connection, n: int) -> None:
        rng = random.Random(n)  # noqa: S311
        while (started := time.perf_counter()) < deadline:
            sale = uuid.uuid4()
            async with connection.transaction():
                await connection.execute(
                    "INSERT INTO bench_sales (id, tenant_id, store_id, total, data)"
                    " VALUES ($1, $2, $3, $4, $5::jsonb)",
                    sale, tenant, store, 1000, payload,
                )  # fmt: skip
                if whole_sale:
                    products = [uuid.UUID(p) for p, _ in rng.sample(shop.products, args.lines)]
                    kinds = ["line"] * args.lines + ["payment"] + ["movement"] * args.lines
                    kinds += ["audit", "event", "audit", "event"]
                    ids = products + [None] + products + [None] * 4
                    quantities = [Decimal(2)] * args.lines + [None] + [Decimal(-2)] * args.lines
                    quantities += [None] * 4
                    amounts = [700] * len(kinds)
                    data = [None] * (2 * args.lines + 1) + [payload] * 4
                    await connection.execute(ROWS, tenant, sale, kinds, ids, quantities, amounts,
                                             data)  # fmt: skip
                    await connection.execute(
                        "UPDATE bench_sales SET total = total + 1 WHERE id = $1", sale
                    )
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(loop(c, n) for n, c in enumerate(connections)))
    elapsed = time.perf_counter() - began
    for connection in connections:
        await connection.close()
    return Result(len(latencies), elapsed, *percentiles(latencies))


# -- checks and report ------------------------------------------------------------------------


async def count_statements(url: str, role: str, port: int, shop: Shop, args):
    """SQL statements per sale (create + pay) over COUNTED sequential sales, and the growth
    of each statement's calls (pg_stat_statements is never reset)."""
    query = (
        "SELECT queryid, calls, query FROM pg_stat_statements "
        "WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = $1)"
    )
    before = {row["queryid"]: row["calls"] for row in await sql(url, query, role)}
    till = Till(port, shop, 10_000, args.lines)
    await till.open()
    for _ in range(COUNTED):
        if not await till.sell():
            raise SystemExit(f"FAILED: {till.failures[0]}")
    till.writer.close()
    calls = [
        (row["calls"] - before.get(row["queryid"], 0), " ".join(row["query"].split()))
        for row in await sql(url, query, role)
    ]
    calls = sorted((c for c in calls if c[0]), key=lambda c: (-c[0], c[1]))
    return sum(c for c, _ in calls) / COUNTED, calls


async def check_stock(url: str, shop: Shop) -> None:
    """Every level equals its ledger sum, and the sales took what they sold."""
    rows = await sql(
        url,
        "SELECT l.product_id, l.on_hand, (SELECT sum(quantity) FROM stock_movements m"
        "  WHERE m.store_id = l.store_id AND m.product_id = l.product_id) AS ledger"
        " FROM stock_levels l WHERE l.store_id = ANY($1::uuid[])",
        [uuid.UUID(s) for s in shop.store_ids],
    )
    wrong = [dict(r) for r in rows if r["on_hand"] != r["ledger"]]
    if wrong or len(rows) != len(shop.products) * len(shop.store_ids):
        raise SystemExit(f"FAILED: levels and ledger disagree: {wrong[:3]}")
    sold = await sql(
        url,
        "SELECT count(*) AS n, coalesce(sum(quantity), 0) AS q FROM stock_movements"
        " WHERE store_id = ANY($1::uuid[]) AND kind = 'sale'",
        [uuid.UUID(s) for s in shop.store_ids],
    )
    lines = await sql(
        url,
        "SELECT coalesce(sum(l.quantity), 0) AS q FROM order_lines l JOIN orders o"
        " ON o.id = l.order_id WHERE o.store_id = ANY($1::uuid[]) AND o.status = 'paid'",
        [uuid.UUID(s) for s in shop.store_ids],
    )
    if -sold[0]["q"] != lines[0]["q"]:
        raise SystemExit(f"FAILED: sold {lines[0]['q']} but the ledger took {-sold[0]['q']}")
    stock = Decimal(STOCK) * len(shop.products) * len(shop.store_ids)
    if sum(r["on_hand"] for r in rows) != stock + sold[0]["q"]:
        raise SystemExit("FAILED: the stock is not what it started with minus what was sold")
    print(f"\nchecked: {sold[0]['n']:,} sale movements; every level equals its ledger sum and "
          "the stock it started with minus what was sold")  # fmt: skip


def machine(database_url: str, args) -> str:
    postgres = asyncio.run(sql(database_url, "SHOW server_version"))[0][0]
    packages = ", ".join(f"{p} {version(p)}" for p in ("litestar", "granian", "piccolo", "asyncpg"))
    busy = cpu_busy()
    return (
        f"{date.today()}  {os.cpu_count()} cores, {cpu_model()}; before the run the cores were "
        f"{busy:.0f} % busy{' (NOT QUIET: figures will be low)' if busy > 15 else ''}\n"
        f"Python {platform.python_version()}, PostgreSQL {postgres}, {packages}\n"
        f"{args.concurrency} tills (connections) in {args.stores} store(s), {args.lines} lines "
        f"per order, {args.keys} API keys, {args.warmup:g} s warm-up + {args.seconds:g} s per "
        "benchmark; client and server share the machine"
    )


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (granian's worker under ``bodega serve``)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children(current)
    return found


async def postmaster(url: str) -> int | None:
    """The local postmaster, found from a backend while its connection is open."""
    connection = await asyncpg.connect(url)
    try:
        return postmaster_of(await connection.fetchval("SELECT pg_backend_pid()"))
    finally:
        await connection.close()


def report(name: str, result: Result, baseline: float, statements: float, target: str) -> None:
    print(f"{name:<44}{result.rate:>9,.0f}{result.p50_ms:>8.1f}{result.p99_ms:>8.1f}"
          f"{statements:>8.1f}{result.rate / baseline:>7.2f}   {target}", flush=True)  # fmt: skip


def run(base: str, port: int, server_pid: int, database_url: str, role: str, args) -> None:
    shop = seed(base, args.stores, args.products, args.keys)
    print(machine(database_url, args))
    statements, rows_of_sql = float("nan"), []
    if args.counting:
        statements, rows_of_sql = asyncio.run(
            count_statements(database_url, role, port, shop, args)
        )
    asyncio.run(execute(database_url, BASELINE_TABLES))

    def measure(run_once) -> Result:
        asyncio.run(run_once(args.warmup))  # warms up, thrown away
        return asyncio.run(run_once(args.seconds))

    bare = measure(lambda s: run_inserts(database_url, shop, args, s, whole_sale=False))
    rows = measure(lambda s: run_inserts(database_url, shop, args, s, whole_sale=True))
    asyncio.run(run_tills(port, shop, args, args.warmup))
    postgres = asyncio.run(postmaster(database_url))
    groups = {"server": lambda: tree(server_pid), "PostgreSQL": lambda: tree(postgres or 0)}
    cpu_before = {name: sum(map(cpu_seconds, pids())) for name, pids in groups.items()}
    sales = asyncio.run(run_tills(port, shop, args, args.seconds))
    cpu = {name: sum(map(cpu_seconds, pids())) - cpu_before[name] for name, pids in groups.items()}
    print(f"\n{'benchmark':<44}{'per s':>9}{'p50 ms':>8}{'p99 ms':>8}{'SQL':>8}{'x B':>7}"
          "   DESIGN target")  # fmt: skip
    report("A: bare INSERT, 1 per transaction", bare, rows.rate, 3, "")
    report(f"B: a sale's {2 * args.lines + 6} rows, plain INSERTs", rows, rows.rate, 5, "")
    report("sales: POST /v1/orders + /pay (one worker)", sales, rows.rate, statements,
           ">= 1,000/s")  # fmt: skip
    print(
        f"\nduring the sales: server {100 * cpu['server'] / sales.seconds:.0f} % of a core "
        f"({1000 * cpu['server'] / max(1, sales.sales):.1f} ms of CPU per sale), PostgreSQL "
        + (f"{100 * cpu['PostgreSQL'] / sales.seconds:.0f} %" if postgres else "not local")
    )
    if args.verbose:
        for calls, text in rows_of_sql:
            print(f"{calls / COUNTED:>10.1f} x  {text[:110]}")
    asyncio.run(check_stock(database_url, shop))
    asyncio.run(execute(database_url, "DROP TABLE bench_sales, bench_sale_rows"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--concurrency", type=int, default=16, help="tills selling at once")
    parser.add_argument("--lines", type=int, default=3, help="lines per order")
    parser.add_argument("--stores", type=int, default=1, help="stores the tills are spread over")
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--keys", type=int, default=100,
                        help="API keys the tills rotate over (600 requests/min each)")  # fmt: skip
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print the server's pid and the SQL of a sale"
    )
    args = parser.parse_args()
    if not 1 <= args.lines <= args.products:
        parser.error("--lines must be from 1 to --products")

    workdir = Path(tempfile.mkdtemp(prefix="bodega-bench-"))
    log = workdir / "server.log"
    env = {**os.environ, "BODEGA_DATA_DIR": str(workdir / "data"), "BODEGA_LOG_FORMAT": "json",
           "BODEGA_REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    try:
        if not os.environ.get("DATABASE_URL"):
            preload_pg_stat_statements(workdir / "data")
        with running_servers(get_settings(env)) as settings:
            database_url, redis_url = settings.database_url or "", settings.redis_url or ""
            env |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
            with log.open("ab") as out:
                migrate = [str(BODEGA), "migrate"]
                subprocess.run(migrate, env=env, stdout=out, stderr=out, check=True)  # noqa: S603
            try:
                if not os.environ.get("DATABASE_URL"):
                    asyncio.run(sql(database_url, "CREATE EXTENSION pg_stat_statements"))
                asyncio.run(sql(database_url, "SELECT 1 FROM pg_stat_statements LIMIT 1"))
                args.counting = True
            except asyncpg.PostgresError:
                args.counting = False
            port = free_port()
            server = start_server(env, port, log)
            try:
                if args.verbose:
                    print(f"server pid {server.pid}, folder {workdir}")
                url = f"http://{HOST}:{port}"
                run(url, port, server.pid, database_url, settings.app_role, args)
            except SystemExit:
                print(tail(log), file=sys.stderr)
                raise
            finally:
                stop_server(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the server and the databases are stopped")
