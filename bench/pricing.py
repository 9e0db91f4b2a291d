"""Pricing benchmarks, section by section; ``kernel``: the promotion engine on one basket, the
compiled kernel next to its pure-Python twin in the same run; ``rest``: quotes per second
through ``POST /v1/quotes`` of a real ``bodega serve``, next to a read by id of the same run.

The kernel section builds (from a fixed seed) a 2,000-product catalog in 40 categories, 500
promotions of every kind (most on 1-5 products or one category; some thresholds, bundles,
multi-buys and buy-x-get-y) and a 50-line basket (a fifth of it weighed), compiles the
promotions once, then times ``apply_promotions`` with each kernel: p50 and p95 per basket, and
the ratio. Also printed: each kernel's three steps alone (encoding the lines, applying the
promotions to the encoded arrays, decoding the results), and the compile time.

    .venv/bin/python bench/pricing.py [--rounds 3000] [--seconds 10] [--only kernel|rest]

The rest section starts its own embedded servers (or uses DATABASE_URL / REDIS_URL), signs a
chain up, and creates through the API 50 products and 500 promotions over them (percent,
amount, fixed price, multi-buy, buy-x-get-y, thresholds); 16 clients then quote a 20-line
basket for ``--seconds``, and read one store by id for as long as the baseline.

It prints figures and asserts nothing about speed; DESIGN's goal (compiled p50 < 100 us and at
least 10x the twin) is printed as information. A section is a function of the parsed arguments
listed in SECTIONS: adding one there adds it to the run and to --only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from uuid import UUID

import httpx
from machine import cpu_busy, cpu_model  # bench/machine.py

from bodega.pricing.engine import (
    BasketLine,
    CompiledPromotions,
    PromotionResult,
    PromotionSpec,
    apply_promotions,
    compile_promotions,
)
from bodega_native import _basket_py, load_kernel

GOAL_P50_US = 100
GOAL_RATIO = 10


def catalog(rng: random.Random) -> tuple[list[UUID], dict[UUID, UUID], list[UUID]]:
    """2,000 products in 40 categories: (products, category of each, categories)."""
    categories = [UUID(int=rng.getrandbits(128)) for _ in range(40)]
    products = [UUID(int=rng.getrandbits(128)) for _ in range(2000)]
    return products, {p: categories[i % 40] for i, p in enumerate(products)}, categories


MIX = (  # how many of the 500, of what kind, aimed at what
    (170, "percent_off", "products"),
    (75, "amount_off", "products"),
    (40, "fixed_price", "products"),
    (40, "percent_off", "a category"),
    (75, "multi_buy", "products"),
    (50, "buy_x_get_y", "products"),
    (40, "bundle", "products"),
    (8, "threshold", "a category"),
    (2, "threshold", "every product"),
)


def promotions(rng: random.Random, products: list[UUID], categories: list[UUID]) -> list:
    """The MIX in a random order; "products" is 1-5 of them; 1 in 10 is exclusive."""
    kinds = [(kind, aim) for count, kind, aim in MIX for _ in range(count)]
    rng.shuffle(kinds)
    specs = []
    for key, (kind, aim) in enumerate(kinds):
        spec = PromotionSpec(key, kind, priority=rng.randint(0, 5), exclusive=rng.random() < 0.1)
        if aim == "products":
            spec = replace(spec, product_ids=frozenset(rng.sample(products, rng.randint(1, 5))))
        elif aim == "a category":
            spec = replace(spec, category_ids=frozenset({rng.choice(categories)}))
        if kind == "percent_off":
            spec = replace(spec, percent_bp=rng.choice([500, 1000, 2000]))
        elif kind in ("amount_off", "fixed_price"):
            spec = replace(spec, amount=rng.randint(50, 2000))
        elif kind == "multi_buy":
            spec = replace(spec, buy=rng.randint(2, 4), amount=rng.randint(500, 2000))
        elif kind == "buy_x_get_y":
            other = rng.random() < 0.5
            get = frozenset(rng.sample(products, 2)) if other else frozenset()
            spec = replace(spec, buy=rng.randint(1, 2), get=1, get_product_ids=get)
            spec = replace(spec, percent_bp=rng.choice([5000, 10000]))
        elif kind == "bundle":
            parts = tuple((p, rng.randint(1, 2)) for p in rng.sample(products, rng.randint(2, 3)))
            spec = replace(spec, bundle=parts, amount=rng.randint(1000, 3000))
        elif rng.random() < 0.4:
            spec = replace(spec, steps=((10000, 1000),), repeat=True)
        else:
            spec = replace(spec, steps=((5000, 300), (10000, 800), (20000, 2000)))
        specs.append(spec)
    return specs


def basket(rng: random.Random, products: list[UUID], category: dict[UUID, UUID]) -> list:
    lines = []
    for product in rng.sample(products, 50):
        weighed = rng.random() < 0.2
        quantity = Decimal(rng.randint(100, 2500)) / 1000 if weighed else Decimal(rng.randint(1, 4))
        price = rng.randint(100, 5000)
        amount = int(quantity * price * 2 + 1) // 2
        lines.append(
            BasketLine(product, category[product], quantity, price, amount, countable=not weighed)
        )
    return lines


def timings(call: Callable[[], object], rounds: int) -> list[float]:
    """Microseconds per call, after a tenth of the rounds thrown away."""
    for _ in range(max(1, rounds // 10)):
        call()
    spent = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        call()
        spent.append((time.perf_counter_ns() - start) / 1000)
    return spent


def percentile(values: list[float], which: int) -> float:
    return statistics.quantiles(values, n=100)[which - 1]


def kernel_section(args: argparse.Namespace) -> None:
    rng = random.Random(7)  # noqa: S311 (a catalog, not secrets)
    products, category, categories = catalog(rng)
    specs = promotions(rng, products, categories)
    lines = basket(rng, products, category)
    start = time.perf_counter()
    compiled: CompiledPromotions = compile_promotions(specs)
    compile_ms = (time.perf_counter() - start) * 1000
    fast, twin = load_kernel("basket"), _basket_py
    if fast is twin:
        print("the compiled kernel is not loaded (BODEGA_NO_EXTENSIONS, or not built): twin only")
    outcome = apply_promotions(compiled, lines, kernel=fast)
    same = outcome == apply_promotions(compiled, lines, kernel=twin)
    applied = [r for r in outcome.results if r.status == "applied"]
    print(
        f"500 promotions (compiled once in {compile_ms:.1f} ms), 50 lines: {len(outcome.results)}"
        f" relevant, {len(applied)} applied, {outcome.discount_total} off"
        f" of {sum(line.amount for line in lines)}; both kernels agree: {'yes' if same else 'NO'}"
    )
    blocked = {spec.key: "outside its hours" for spec in specs[::10]}
    encoded, _ = fast.encode_lines(lines, compiled.products, compiled.categories)
    arrays = (*compiled.arrays, compiled.unblocked, encoded)  # what the kernels alone get
    _, results, allocations = fast.apply(*arrays)

    def decode(kernel):
        return kernel.decode_results(results, allocations, compiled.keys, {}, PromotionResult)

    def encode(kernel):
        return kernel.encode_lines(lines, compiled.products, compiled.categories)

    rows = [
        ("apply_promotions, compiled", lambda: apply_promotions(compiled, lines, kernel=fast), 1),
        ("  1 in 10 blocked", lambda: apply_promotions(compiled, lines, blocked, kernel=fast), 1),
        ("  the kernel alone", lambda: fast.apply(*arrays), 1),
        ("  encoding the lines", lambda: encode(fast), 1),
        ("  decoding the results", lambda: decode(fast), 1),
        ("apply_promotions, twin", lambda: apply_promotions(compiled, lines, kernel=twin), 10),
        ("  the kernel alone", lambda: twin.apply(*arrays), 10),
        ("  encoding the lines", lambda: encode(twin), 10),
        ("  decoding the results", lambda: decode(twin), 10),
    ]
    print(f"{'':30} {'p50 us':>9} {'p95 us':>9}  rounds")
    p50s = []
    for name, call, slower in rows:
        spent = timings(call, max(20, args.rounds // slower))
        p50s.append(percentile(spent, 50))
        print(f"{name:30} {p50s[-1]:9.1f} {percentile(spent, 95):9.1f}  {len(spent)}")
    print(
        f"the twin takes {p50s[5] / p50s[0]:.1f}x as long as the compiled kernel through"
        f" apply_promotions, {p50s[6] / p50s[2]:.1f}x the kernel alone. DESIGN: a basket quote"
        f" (50 lines x 500 promotions) < {GOAL_P50_US} us, compiled >= {GOAL_RATIO}x the twin"
        " (information, not a check)"
    )


def _seed_rest(base: str, promotions_count: int) -> tuple[str, list[dict], list[str]]:
    """A chain with a store, 50 products, ``promotions_count`` promotions and 40 keys (each key
    may make 600 requests a minute): the store id, the basket's lines, the keys."""
    from rest_reads import ok  # bench/rest_reads.py

    rng = random.Random(11)  # noqa: S311 (test data)
    with httpx.Client(base_url=base, timeout=30) as client:
        session = ok(client.post("/v1/signup", json={
            "chain_name": "Pricing bench", "owner_email": "pricing-bench@example.com",
            "password": "bench password", "currency": "CNY", "timezone": "Asia/Shanghai",
        }), 201)  # fmt: skip
        owner = {"Authorization": f"Bearer {session['access_token']}"}
        store = ok(client.post("/v1/stores", json={"code": "B1", "name": "B1"}, headers=owner), 201)
        products = [
            ok(client.post("/v1/products", json={"sku": f"P{i:03d}", "name": f"P{i}",
                                                 "list_price": 150 + 37 * i}, headers=owner), 201)
            for i in range(50)
        ]  # fmt: skip
        ids = [p["id"] for p in products]
        rules = [
            {"type": "percent_off", "percent": "10"},
            {"type": "amount_off", "amount": 20},
            {"type": "fixed_price", "price": 199},
            {"type": "multi_buy", "quantity": 3, "price": 900},
            {"type": "buy_x_get_y", "buy": 2, "get": 1},
        ]
        for n in range(promotions_count):
            if n % 25 == 0:
                body = {"rule": {"type": "threshold", "steps": [{"spend": 5000 + n, "off": 300}]}}
            else:
                body = {"rule": rules[n % len(rules)], "product_ids": rng.sample(ids, 3)}
            body |= {"name": f"Promotion {n}", "priority": rng.randrange(5)}
            ok(client.post("/v1/promotions", json=body, headers=owner), 201)
        key = {"name": "till", "scopes": ["pricing:read", "catalog:read"]}
        keys = [ok(client.post("/v1/api-keys", json=key, headers=owner), 201)["secret"]
                for _ in range(40)]  # fmt: skip
    lines = [{"product_id": pid, "quantity": rng.randint(1, 4)} for pid in ids[:20]]
    return store["id"], lines, keys


async def _hammer(base: str, keys: list[str], seconds: float, request) -> tuple[int, float, float]:
    """16 clients calling ``request(client, headers)`` for ``seconds``: (calls, p50 ms, per s)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def loop(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            headers = {"Authorization": f"Bearer {keys[n % len(keys)]}"}
            turn = n
            while (started := time.perf_counter()) < deadline:
                response = await request(client, headers)
                if response.status_code != 200:
                    raise SystemExit(f"{response.status_code}: {response.text[:300]}")
                latencies.append(time.perf_counter() - started)
                turn += 16
                headers = {"Authorization": f"Bearer {keys[turn % len(keys)]}"}

    began = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(16)))
    elapsed = time.perf_counter() - began
    return len(latencies), statistics.median(latencies) * 1000, len(latencies) / elapsed


def rest_section(args: argparse.Namespace) -> None:
    import shutil
    import subprocess
    import tempfile
    import uuid
    from pathlib import Path

    from rest_reads import BODEGA, HOST, free_port, start_server, stop_server, tail

    from bodega.cli import running_servers
    from bodega.settings import get_settings

    workdir = Path(tempfile.mkdtemp(prefix="bodega-bench-"))
    log = workdir / "server.log"
    env = {**os.environ, "BODEGA_DATA_DIR": str(workdir / "data"), "BODEGA_LOG_FORMAT": "json",
           "BODEGA_REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    try:
        with running_servers(get_settings(env)) as settings:
            env |= {
                "DATABASE_URL": settings.database_url or "",
                "REDIS_URL": settings.redis_url or "",
            }
            with log.open("ab") as out:
                migrate = [str(BODEGA), "migrate"]
                subprocess.run(migrate, env=env, stdout=out, stderr=out, check=True)  # noqa: S603
            port = free_port()
            server = start_server(env, port, log)
            try:
                base = f"http://{HOST}:{port}"
                store, lines, keys = _seed_rest(base, args.promotions)
                body = {"store_id": store, "lines": lines}

                def quote(client, headers):
                    return client.post("/v1/quotes", json=body, headers=headers)

                def read(client, headers):
                    return client.get(f"/v1/stores/{store}", headers=headers)

                asyncio.run(_hammer(base, keys, 2, quote))  # warm-up, thrown away
                quotes = asyncio.run(_hammer(base, keys, args.seconds, quote))
                reads = asyncio.run(_hammer(base, keys, args.seconds, read))
            except SystemExit:
                print(tail(log))
                raise
            finally:
                stop_server(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"one server worker, 16 clients, {args.promotions} promotions, 20-line basket")
    print(f"{'':40} {'per s':>8} {'p50 ms':>8}")
    print(f"{'GET /v1/stores/{id} (baseline)':40} {reads[2]:8.0f} {reads[1]:8.1f}")
    print(f"{'POST /v1/quotes':40} {quotes[2]:8.0f} {quotes[1]:8.1f}")
    print(f"a quote costs {reads[2] / quotes[2]:.1f}x a read by id")


SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "kernel": kernel_section,
    "rest": rest_section,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3000, help="timed calls (the twin: a tenth)")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section")
    parser.add_argument("--seconds", type=float, default=10, help="rest: timed seconds per run")
    parser.add_argument("--promotions", type=int, default=500, help="rest: promotions created")
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, {cpu_model()}"
        f" ({cpu_busy():.0f} % busy), Python {platform.python_version()}"
    )
    for name, section in SECTIONS.items():
        if args.only in (None, name):
            print(f"\n## {name}")
            section(args)


if __name__ == "__main__":
    main()
