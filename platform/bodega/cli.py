"""The ``bodega`` command: serve, work, migrate, apply tenant manifests, import products."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bodega.settings import Settings, get_settings

__all__ = ["main"]

console = Console(stderr=True)
DEMO_MANIFEST = Path("tenants/demo.toml")
DEMO_KEY_NAME = "demo key (bodega dev)"


@contextmanager
def running_servers(settings: Settings) -> Iterator[Settings]:
    """The settings with database and Redis URLs, starting the embedded servers for unset ones."""
    from bodega.db.embedded import EmbeddedServers

    servers = EmbeddedServers(Path(settings.data_dir))
    try:
        database_url = settings.database_url
        if database_url is None and settings.app_database_url is None:
            database_url = servers.start_postgres()
        redis_url = settings.redis_url or servers.start_redis()
        yield settings.with_servers(database_url, redis_url)
    finally:
        servers.stop()


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _app_engine(settings: Settings) -> Any:
    from bodega.db.engine import BodegaEngine, bind_tables
    from bodega.db.tables import all_tables
    from bodega.db.urls import app_database_url

    engine = BodegaEngine(config={"dsn": app_database_url(settings)})
    await engine.start_connection_pool(min_size=1, max_size=2)
    bind_tables(engine, all_tables())
    return engine


@click.group()
def main() -> None:
    """Bodega: run a chain of small stores."""


@main.command()
def migrate() -> None:
    """Apply pending database migrations (embedded PostgreSQL unless DATABASE_URL is set)."""
    from bodega.db.migrate import migrate as run_migrations

    with running_servers(get_settings()) as settings:
        _run(run_migrations(settings))
    console.print("[green]Database is up to date.[/green]")


@main.group()
def tenants() -> None:
    """Tenant manifests and the list of chains."""


@tenants.command("apply")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tenants_apply(manifest: Path) -> None:
    """Create or update the chain described by MANIFEST (TOML)."""
    with running_servers(get_settings()) as settings:
        result = _run(_apply(settings, manifest))
    _print_result(result)


async def _apply(settings: Settings, path: Path) -> Any:
    from bodega.db.migrate import migrate as run_migrations
    from bodega.manifest import apply_manifest, load_manifest

    try:
        manifest = load_manifest(path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    await run_migrations(settings)
    engine = await _app_engine(settings)
    try:
        with _progress_bar() as report:
            return await apply_manifest(engine, manifest, progress=report)
    except Exception as exc:
        raise click.ClickException(_explain(exc)) from exc
    finally:
        await engine.close_connection_pool()


@tenants.command("list")
def tenants_list() -> None:
    """List every chain (an operator's view: uses the owner connection)."""
    with running_servers(get_settings()) as settings:
        rows = _run(_list_tenants(settings))
    for row in rows:
        click.echo(f"{row['id']}  {row['currency']}  {row['timezone']:<20}  {row['name']}")


async def _list_tenants(settings: Settings) -> list[Any]:
    import asyncpg

    assert settings.database_url is not None
    connection = await asyncpg.connect(settings.database_url)
    try:
        return await connection.fetch(
            "SELECT id, name, currency, timezone FROM tenants ORDER BY created_at"
        )
    finally:
        await connection.close()


@main.group()
def catalog() -> None:
    """Catalog tools."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tenant",
    "tenant_id",
    required=True,
    type=click.UUID,
    help="The chain's id (see `bodega tenants list`).",
)
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
def catalog_import(file: Path, tenant_id: uuid.UUID, dry_run: bool) -> None:
    """Import products from a CSV FILE: every row is checked first; all or nothing."""
    with running_servers(get_settings()) as settings:
        result = _run(_import(settings, file.read_text("utf-8-sig"), tenant_id, dry_run))
    _print_result(result)


async def _import(settings: Settings, text: str, tenant_id: uuid.UUID, dry_run: bool) -> Any:
    from bodega.api.auth import system_actor
    from bodega.catalog import import_products
    from bodega.db import engine as db
    from bodega.tenancy import SCOPES

    engine = await _app_engine(settings)
    try:
        async with db.transaction(engine, tenant_id):
            with _progress_bar() as report:
                return await import_products(
                    system_actor(tenant_id, frozenset(SCOPES)),
                    text,
                    dry_run=dry_run,
                    progress=report,
                )
    except Exception as exc:
        raise click.ClickException(_explain(exc)) from exc
    finally:
        await engine.close_connection_pool()


def _print_result(result: Any) -> None:
    """The result as JSON on stdout (progress and messages go to stderr), so it can be piped."""
    click.echo(msgspec.json.format(msgspec.json.encode(result), indent=2).decode())


def _explain(exc: Exception) -> str:
    from bodega.api.errors import BodegaError

    if isinstance(exc, BodegaError):
        lines = [exc.detail]
        for error in exc.errors[:50]:
            where = f"row {error['row']}, " if "row" in error else ""
            lines.append(f"  {where}{error['field']}: {error['message']}")
        if len(exc.errors) > 50:
            lines.append(f"  ... and {len(exc.errors) - 50} more")
        return "\n".join(lines)
    return str(exc)


@contextmanager
def _progress_bar() -> Iterator[Any]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(f"{phase:<8}", total=total)
            bar.update(tasks[phase], completed=done)

        yield report


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1, or HOST).")
@click.option("--port", default=None, type=int, help="Port (default 8000, or PORT).")
@click.option("--workers", default=1, show_default=True, help="Server processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API (embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set)."""
    with running_servers(get_settings()) as settings:
        _serve(settings, host or settings.host, port or settings.port, workers)


@main.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
def dev(host: str | None, port: int | None) -> None:
    """Migrate, apply the demo chain, print a demo API key and serve: what `make run` does."""
    if not DEMO_MANIFEST.exists():
        raise click.ClickException(
            f"{DEMO_MANIFEST} not found: run `bodega dev` from the repository's root."
        )
    with running_servers(get_settings()) as settings:
        result = _run(_apply(settings, DEMO_MANIFEST))
        key = _run(_fresh_demo_key(settings, result.tenant_id))
        host, port = host or settings.host, port or settings.port
        base = f"http://{host}:{port}"
        console.print(
            f"\n[bold]Bodega is starting on {base}[/bold]\n"
            f"  REST docs     {base}/schema\n"
            f"  OpenAPI       {base}/schema/openapi.json\n"
            f"  GraphQL       {base}/graphql\n"
            f"  Health        {base}/health   Ready {base}/ready   Metrics {base}/metrics\n\n"
            f"  Demo chain    {result.tenant_id}\n"
            f"  Demo API key  [bold green]{key}[/bold green]\n\n"
            f"  Try: curl -H 'Authorization: Bearer {key}' {base}/v1/products\n"
            f"  A worker relays events and delivers webhooks (to local URLs too, in dev).\n"
            f"  Ctrl-C stops the server, the worker and the embedded databases.\n"
        )
        with _worker_process(settings):
            _serve(settings, host, port, 1)


async def _fresh_demo_key(settings: Settings, tenant_id: uuid.UUID) -> str:
    """A new demo key per `bodega dev`; the previous ones are revoked (a key is shown once)."""
    from bodega.api.auth import system_actor
    from bodega.api.pagination import MAX_LIMIT
    from bodega.db import engine as db
    from bodega.tenancy import SCOPES, create_api_key, list_api_keys, revoke_api_key
    from bodega.tenancy.schemas import ApiKeyIn

    actor = system_actor(tenant_id, frozenset(SCOPES))
    engine = await _app_engine(settings)
    try:
        async with db.transaction(engine, tenant_id):
            cursor = None
            while True:
                page = await list_api_keys(actor, limit=MAX_LIMIT, cursor=cursor)
                for key in page.data:
                    if key.name == DEMO_KEY_NAME and key.revoked_at is None:
                        await revoke_api_key(actor, key.id)
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
            created = await create_api_key(
                actor, ApiKeyIn(name=DEMO_KEY_NAME, scopes=sorted(SCOPES))
            )
            return created.secret
    finally:
        await engine.close_connection_pool()


@main.command()
@click.option("--burst", is_flag=True, help="Run what is due now, then exit (for cron-style use).")
def worker(burst: bool) -> None:
    """Run background jobs: relay events, deliver webhooks, scheduled jobs (until Ctrl-C)."""
    from bodega.db.migrate import migrate as run_migrations

    with running_servers(get_settings()) as settings:
        _run(run_migrations(settings))
        _run(_work(settings, burst))


async def _work(settings: Settings, burst: bool) -> None:
    from bodega.jobs.worker import build_registry, drain, job_context, run_worker

    if not burst:
        await run_worker(settings)
        return
    async with job_context(settings) as context:
        jobs = await drain(context, build_registry(settings, context.plugins))
    console.print(f"Ran {jobs} job(s); nothing else is due.")


@contextmanager
def _worker_process(settings: Settings) -> Iterator[None]:
    """`bodega worker` beside the server, on the same databases, stopped with it."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "BODEGA_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
    }
    process = subprocess.Popen([sys.executable, "-m", "bodega.cli", "worker"], env=env)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    # The server's worker processes build their settings from the environment: hand them
    # the URLs of the servers this process started.
    os.environ["DATABASE_URL"] = settings.database_url or ""
    os.environ["REDIS_URL"] = settings.redis_url or ""
    Granian(
        "bodega.asgi:app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main()
