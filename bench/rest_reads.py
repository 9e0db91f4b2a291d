"""Read throughput of a real ``bodega serve``, next to baselines measured in the same run.

Starts PostgreSQL and Redis (embedded, in a fresh temporary folder, unless DATABASE_URL /
REDIS_URL are set), runs ``bodega migrate`` and ``bodega serve --workers 1`` (granian) as
production does, signs a chain up with 50 products and --keys catalog:read API keys, then
drives each endpoint with a closed loop of --concurrency connections (wrk when installed,
else a small asyncio client) for --seconds after --warmup seconds. Requests rotate over the
keys, as many clients would, so no key passes the production rate limit (600/min).
Everything stops at the end, on Ctrl-C or on an error.

    .venv/bin/python bench/rest_reads.py [--seconds 10] [--concurrency 32] [--client python]

DESIGN targets are printed as information; the run fails only if a response is not 2xx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import asyncpg
import httpx
from machine import cpu_busy, cpu_model  # bench/machine.py

from bodega.cli import running_servers
from bodega.db.embedded import EmbeddedServers
from bodega.settings import get_settings

BODEGA = Path(sys.executable).parent / "bodega"
HOST, PORTS = "127.0.0.1", range(8700, 8800)
PRODUCTS = 50
COUNTED = 50  # sequential requests per benchmark whose SQL statements are counted
GRAPHQL = (
    "{ products(first: 50) { data { id sku name listPrice "
    "category { id name } supplier { code name } } } }"
)


@dataclass
class Bench:
    name: str
    paths: list[str]
    method: str = "GET"
    body: str = ""
    auth: bool = False
    target: str = ""

    def requests(self, keys: list[str]) -> list[tuple[str, dict[str, str]]]:
        """(path, headers) of every request, in the order they are sent (round robin)."""
        plain = {"Content-Type": "application/json"} if self.body else {}
        if not self.auth:
            return [(path, plain) for path in self.paths]
        return [
            (
                self.paths[i % len(self.paths)],
                {**plain, "Authorization": f"Bearer {keys[i % len(keys)]}"},
            )
            for i in range(max(len(self.paths), len(keys)))
        ]


@dataclass
class Result:
    requests: int
    seconds: float
    failures: int  # non-2xx responses and socket errors
    p50_ms: float
    p99_ms: float


# -- servers and data --------------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


async def sql(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


def preload_pg_stat_statements(data_dir: Path) -> None:
    """Embedded PostgreSQL: load pg_stat_statements (one restart) to count SQL per request."""
    servers = EmbeddedServers(data_dir)
    try:
        url = servers.start_postgres()
        asyncio.run(sql(url, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"))
    finally:
        servers.stop()


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(BODEGA), "serve", "--port", str(port), "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://{HOST}:{port}/ready", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"bodega serve did not become ready:\n{tail(log)}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGINT (granian's graceful stop), then SIGTERM, then SIGKILL to the server's group."""
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if server.poll() is not None:
            return
        try:
            if sig == signal.SIGINT:
                server.send_signal(sig)
            else:
                os.killpg(server.pid, sig)
            server.wait(wait)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def ok(response: httpx.Response, status: int = 200) -> dict:
    if response.status_code != status:
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text[:500]}")
    return response.json()


def seed(base: str, keys: int) -> tuple[list[str], list[str]]:
    """A chain, 3 suppliers, 50 products in 5 categories (CSV import), catalog:read keys."""
    with httpx.Client(base_url=base, timeout=30) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        session = ok(client.post("/v1/signup", json={
            "chain_name": "Bench chain", "owner_email": email, "password": "bench password",
            "currency": "EUR", "timezone": "Europe/Paris",
        }), 201)  # fmt: skip
        owner = {"Authorization": f"Bearer {session['access_token']}"}
        suppliers = ["BAKE", "DAIRY", "FRESH"]
        for code in suppliers:
            supplier = {"code": code, "name": code.title()}
            ok(client.post("/v1/suppliers", json=supplier, headers=owner), 201)
        categories = ["Bakery > Bread", "Bakery > Cakes", "Dairy", "Fruit", "Drinks"]
        csv = "sku,name,price,category,supplier\n" + "".join(
            f"BENCH-{i:03d},Product {i},{1 + i / 4:.2f},{categories[i % 5]},{suppliers[i % 3]}\n"
            for i in range(PRODUCTS)
        )
        ok(client.post("/v1/products/import", content=csv,
                       headers={**owner, "Content-Type": "text/csv"}))  # fmt: skip
        reader = {"name": "bench", "scopes": ["catalog:read"]}
        secrets = [
            ok(client.post("/v1/api-keys", json=reader, headers=owner), 201)["secret"]
            for _ in range(keys)
        ]
        page = ok(client.get(f"/v1/products?limit={PRODUCTS}", headers=owner))
    ids = [product["id"] for product in page["data"]]
    if len(ids) != PRODUCTS:
        raise SystemExit(f"expected {PRODUCTS} products, the list has {len(ids)}")
    return secrets, ids


def check(base: str, bench: Bench, keys: list[str]) -> None:
    """One request answers 2xx, and GraphQL gives 50 products with category and supplier."""
    path, headers = bench.requests(keys)[0]
    body = ok(httpx.request(bench.method, base + path, headers=headers,
                            content=bench.body or None, timeout=30))  # fmt: skip
    if bench.body:
        products = ((body.get("data") or {}).get("products") or {}).get("data") or []
        if body.get("errors") or len(products) != PRODUCTS or not products[0]["supplier"]:
            raise SystemExit(f"{bench.name}: unexpected answer {json.dumps(body)[:500]}")


async def count_statements(url: str, role: str, base: str, bench: Bench, keys: list[str]):
    """SQL statements per request over COUNTED sequential requests: the growth of the app
    role's calls in pg_stat_statements (no reset, so a shared server's figures stay whole)."""
    query = (
        "SELECT queryid, calls, query FROM pg_stat_statements "
        "WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = $1)"
    )
    before = {row["queryid"]: row["calls"] for row in await sql(url, query, role)}
    requests = bench.requests(keys)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for i in range(COUNTED):
            path, headers = requests[i % len(requests)]
            await client.request(bench.method, path, headers=headers, content=bench.body or None)
    calls = [
        (row["calls"] - before.get(row["queryid"], 0), " ".join(row["query"].split()))
        for row in await sql(url, query, role)
    ]
    calls = sorted((c for c in calls if c[0]), key=lambda c: (-c[0], c[1]))
    return sum(c for c, _ in calls) / COUNTED, calls


# -- load -----------------------------------------------------------------------------------


def wrk_script(bench: Bench, keys: list[str]) -> str:
    def lua(text: str) -> str:
        return f"[==[{text}]==]"

    requests = ",\n".join(
        f"{{{lua(path)}, {{{', '.join(f'[ {lua(k)} ] = {lua(v)}' for k, v in headers.items())}}}}}"
        for path, headers in bench.requests(keys)
    )
    body = lua(bench.body) if bench.body else "nil"
    return f"""wrk.method, wrk.body = {lua(bench.method)}, {body}
local list, requests, i = {{{requests}}}, {{}}, 0
function init(args)
  for n, r in ipairs(list) do requests[n] = wrk.format(nil, r[1], r[2]) end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
function done(s, latency)
  local e = s.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", s.requests, s.duration,
    e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(bench: Bench, keys: list[str], port: int, seconds: float, args, workdir) -> Result:
    script = workdir / "bench.lua"
    script.write_text(wrk_script(bench, keys))
    command = ["wrk", "-t1", f"-c{args.concurrency}", f"-d{seconds:g}s", "--timeout", "10s",
               "-s", str(script), f"http://{HOST}:{port}"]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)  # noqa: S603
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{out.stdout}{out.stderr}")
    requests, micros, failures, p50, p99 = map(int, line.split()[1:])
    return Result(requests, micros / 1e6, failures, p50 / 1000, p99 / 1000)


async def run_python(bench: Bench, keys: list[str], port: int, seconds: float, args) -> Result:
    """Closed loop over keep-alive connections: each sends a request, reads the answer, repeats."""
    body = bench.body.encode()
    requests = [
        f"{bench.method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + f"Content-Length: {len(body)}\r\n\r\n"
        for path, headers in bench.requests(keys)
    ]
    encoded = [request.encode() + body for request in requests]
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def connection(n: int) -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(HOST, port)
        while (started := time.perf_counter()) < deadline:
            writer.write(encoded[n % len(encoded)])
            n += args.concurrency
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            failures += not 200 <= status < 300
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection(n) for n in range(args.concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()

    def at(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return Result(len(latencies), elapsed, failures, at(0.50), at(0.99))


def measure(bench: Bench, keys: list[str], port: int, args, workdir: Path) -> Result:
    for seconds in (args.warmup, args.seconds):  # the first run warms up and is discarded
        if args.client == "wrk":
            result = run_wrk(bench, keys, port, seconds, args, workdir)
        else:
            result = asyncio.run(run_python(bench, keys, port, seconds, args))
    return result


# -- report ---------------------------------------------------------------------------------


def machine(database_url: str, args) -> str:
    model = cpu_model()
    postgres = asyncio.run(sql(database_url, "SHOW server_version"))[0][0]
    packages = ", ".join(f"{p} {version(p)}" for p in ("litestar", "granian", "piccolo", "asyncpg"))
    busy = cpu_busy()
    return (
        f"{date.today()}  {os.cpu_count()} cores, {model}; before the run the cores were "
        f"{busy:.0f} % busy{' (NOT QUIET: figures will be low)' if busy > 15 else ''}\n"
        f"Python {platform.python_version()}, PostgreSQL {postgres}, {packages}\n"
        f"client {'wrk -t1' if args.client == 'wrk' else 'asyncio'}, {args.concurrency} "
        f"connections, {args.keys} API keys, {args.warmup:g} s warm-up + {args.seconds:g} s "
        f"per benchmark; client and server share the machine"
    )


def run(base: str, port: int, database_url: str, role: str, args, workdir: Path) -> None:
    keys, ids = seed(base, args.keys)
    print(machine(database_url, args))
    benches = [
        Bench("GET /health (baseline A)", ["/health"]),
        Bench("GET /ready (baseline B: 1 pool query)", ["/ready"]),
        Bench("GET /v1/products/{id}", [f"/v1/products/{i}" for i in ids], auth=True,
              target=">= 2,000 req/s"),
        Bench("GET /v1/products?limit=50", [f"/v1/products?limit={PRODUCTS}"], auth=True),
        Bench("POST /graphql 50 products+cat+sup", ["/graphql"], "POST",
              json.dumps({"query": GRAPHQL}), True, ">= 500 req/s, <= 5 SQL/req"),
    ]  # fmt: skip
    if args.only:
        benches = [b for i, b in enumerate(benches) if i == 0 or args.only in b.name]
    counts = {}
    for bench in benches:  # first every check and SQL count, while the server is idle
        check(base, bench, keys)
        if args.counting:
            counts[bench.name] = asyncio.run(
                count_statements(database_url, role, base, bench, keys)
            )
    print(f"\n{'benchmark':<38}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>8}"
          f"{'SQL/req':>8}{'x A':>7}   DESIGN target")  # fmt: skip
    baseline = None
    for bench in benches:
        result = measure(bench, keys, port, args, workdir)
        rps = result.requests / result.seconds
        baseline = baseline or rps
        statements, rows = counts.get(bench.name, (float("nan"), []))
        print(f"{bench.name:<38}{rps:>8,.0f}{result.p50_ms:>8.2f}{result.p99_ms:>8.2f}"
              f"{result.failures:>8}{statements:>8.1f}{rps / baseline:>7.2f}   {bench.target}",
              flush=True)  # fmt: skip
        if args.verbose:
            for calls, text in rows:
                print(f"{calls / COUNTED:>10.1f} x  {text[:90]}")
        if result.failures:
            log = tail(workdir / "server.log")
            raise SystemExit(
                f"FAILED: {result.failures} non-2xx answers or socket errors in {bench.name} "
                f"(429: use more --keys); server log:\n{log}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--keys", type=int, default=400, help="API keys to rotate over (<= 590)")
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")  # fmt: skip
    parser.add_argument("--only", help="run baseline A and the benchmarks whose name has this")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the server's pid and each benchmark's SQL")  # fmt: skip
    args = parser.parse_args()

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
            try:  # an external server counts only if it loads the module and has the extension
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
                run(f"http://{HOST}:{port}", port, database_url, settings.app_role, args, workdir)
            finally:
                stop_server(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the server and the databases are stopped")
