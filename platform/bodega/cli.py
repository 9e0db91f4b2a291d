"""The ``bodega`` command: serve, work, migrate, apply tenant manifests, import products,
suggest store orders."""

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
def plugins() -> None:
    """Installed plugins, and enabling them for a chain."""


def _plugin_host(settings: Settings) -> Any:
    from bodega.plugins import PluginError, build_plugin_manager

    try:
        return build_plugin_manager(settings)
    except PluginError as exc:
        raise click.ClickException(str(exc)) from exc


@plugins.command("list")
@click.option("--tenant", "tenant_id", type=click.UUID, help="Also show this chain's state.")
def plugins_list(tenant_id: uuid.UUID | None) -> None:
    """List the installed plugins (and, with --tenant, which the chain has enabled)."""
    host = _plugin_host(get_settings())
    if tenant_id is None:
        for plugin in host.plugins.values():
            click.echo(f"{plugin.name:<24} {plugin.version:<10} {plugin.description}")
        return
    with running_servers(get_settings()) as settings:
        page = _run(_as_tenant(settings, tenant_id, "list_plugins"))
    for plugin in page.data:
        state = "enabled" if plugin.enabled else "-"
        if plugin.tripped_until:
            state = f"tripped until {plugin.tripped_until:%Y-%m-%d %H:%M}"
        click.echo(f"{plugin.name:<24} {plugin.plugin_version or '?':<10} {state}")


@plugins.command("info")
@click.argument("name")
def plugins_info(name: str) -> None:
    """Show a plugin: version, distribution, scopes, hooks, settings (JSON Schema)."""
    host = _plugin_host(get_settings())
    plugin = host.plugins.get(name)
    if plugin is None:
        raise click.ClickException(f"no plugin named {name!r} is installed")
    info = {
        "name": plugin.name,
        "version": plugin.version,
        "description": plugin.description,
        "distribution": plugin.distribution,
        "requires_bodega": plugin.info.requires_bodega,
        "scopes": sorted(plugin.info.scopes),
        "hooks": host.hooks_of(name),
        "routes": f"/v1/plugins/{name}/" if name in host.routed else None,
        "settings": msgspec.json.schema(plugin.info.settings),
    }
    _print_result(info)


@plugins.command("hooks")
def plugins_hooks() -> None:
    """Print the hook reference (Markdown), written from the hook specifications."""
    from bodega.plugins.reference import hook_reference

    click.echo(hook_reference(), nl=False)


@plugins.command("enable")
@click.argument("name")
@click.option("--tenant", "tenant_id", required=True, type=click.UUID, help="The chain's id.")
@click.option("--settings", "settings_json", help="All settings as a JSON object.")
@click.option(
    "--set", "pairs", multiple=True, metavar="KEY=VALUE", help="One setting (JSON or text)."
)
def plugins_enable(
    name: str, tenant_id: uuid.UUID, settings_json: str | None, pairs: tuple[str, ...]
) -> None:
    """Enable plugin NAME for a chain (or change its settings), as the chain's owner would."""
    from bodega.plugins.schemas import PluginEnable

    values = _plugin_settings(settings_json, pairs)
    data = PluginEnable(settings=values) if values is not None else PluginEnable()
    with running_servers(get_settings()) as settings:
        _print_result(_run(_as_tenant(settings, tenant_id, "enable_plugin", name, data)))


@plugins.command("disable")
@click.argument("name")
@click.option("--tenant", "tenant_id", required=True, type=click.UUID, help="The chain's id.")
def plugins_disable(name: str, tenant_id: uuid.UUID) -> None:
    """Disable plugin NAME for a chain (its settings are kept)."""
    with running_servers(get_settings()) as settings:
        _run(_as_tenant(settings, tenant_id, "disable_plugin", name))
    console.print(f"[green]{name} is disabled for {tenant_id}.[/green]")


def _plugin_settings(settings_json: str | None, pairs: tuple[str, ...]) -> dict[str, Any] | None:
    if settings_json is None and not pairs:
        return None
    try:
        values = msgspec.json.decode(settings_json) if settings_json else {}
    except msgspec.DecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--settings") from exc
    if not isinstance(values, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--settings")
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--set")
        try:
            values[key] = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            values[key] = raw  # plain text
    return values


async def _as_tenant(settings: Settings, tenant_id: uuid.UUID, action: str, *args: Any) -> Any:
    """Run ``bodega.plugins.service.<action>`` for the chain as its system actor."""
    from bodega.api.auth import system_actor
    from bodega.db import engine as db
    from bodega.db.migrate import migrate as run_migrations
    from bodega.plugins import service
    from bodega.tenancy import SCOPES

    host = _plugin_host(settings)
    await run_migrations(settings)
    engine = await _app_engine(settings)
    try:
        async with db.transaction(engine, tenant_id):
            actor = system_actor(tenant_id, frozenset(SCOPES))
            return await getattr(service, action)(actor, host, *args)
    except Exception as exc:
        raise click.ClickException(_explain(exc)) from exc
    finally:
        await engine.close_connection_pool()


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


@main.command()
@click.option("--store", "store_code", required=True, help="The store's code, such as SH-01.")
@click.option(
    "--tenant",
    "tenant_id",
    type=click.UUID,
    default=None,
    help="The chain's id (default: the demo chain of tenants/demo.toml).",
)
def replenish(store_code: str, tenant_id: uuid.UUID | None) -> None:
    """Suggest what a store should order today, and print it as a table."""
    from bodega.manifest import load_manifest

    if tenant_id is None:
        if not DEMO_MANIFEST.exists():
            raise click.ClickException("Pass --tenant (see `bodega tenants list`).")
        tenant_id = load_manifest(DEMO_MANIFEST).tenant.id
    with running_servers(get_settings()) as settings:
        summary = _run(_replenish(settings, tenant_id, store_code))
    Console().print(summary)


async def _replenish(settings: Settings, tenant_id: uuid.UUID, store_code: str) -> Any:
    from bodega.api.auth import system_actor
    from bodega.catalog import products_by_ids, store_by_code, suppliers_by_ids
    from bodega.db import engine as db
    from bodega.replenishment import get_run, run_suggestions
    from bodega.replenishment.summary import suggestion_summary
    from bodega.tenancy import SCOPES

    engine = await _app_engine(settings)
    try:
        async with db.transaction(engine, tenant_id):
            actor = system_actor(tenant_id, frozenset(SCOPES))
            store = await store_by_code(actor, store_code)
            if store is None:
                raise click.ClickException(f"No store with code {store_code!r} in that chain.")
            with _progress_bar() as report:
                made = await run_suggestions(actor, store.id, progress=report)
            lines = (await get_run(actor, made.id, ordered_only=True)).lines
            products = await products_by_ids(actor, [line.product_id for line in lines])
            ids = list({line.supplier_id for line in lines if line.supplier_id})
            suppliers = await suppliers_by_ids(actor, ids) if ids else {}
            return suggestion_summary(store, made, lines, products, suppliers)
    except click.ClickException:
        raise
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
        with _stripe_sandbox(settings, result.tenant_id, base) as stripe_line:
            console.print(
                f"\n[bold]Bodega is starting on {base}[/bold]\n"
                f"  REST docs     {base}/schema\n"
                f"  OpenAPI       {base}/schema/openapi.json\n"
                f"  GraphQL       {base}/graphql\n"
                f"  Health        {base}/health   Ready {base}/ready   Metrics {base}/metrics\n\n"
                f"  Demo chain    {result.tenant_id}\n"
                f"  Demo API key  [bold green]{key}[/bold green]\n"
                f"  Stripe        {stripe_line}\n\n"
                f"  Try: curl -H 'Authorization: Bearer {key}' {base}/v1/products\n"
                f"  A worker relays events and delivers webhooks (to local URLs too, in dev).\n"
                f"  Ctrl-C stops the server, the worker and the embedded databases.\n"
            )
            # local receivers (webhooks, plugins' test calls) are allowed in development
            os.environ["BODEGA_WEBHOOKS_ALLOW_PRIVATE_NETWORKS"] = "1"
            with _worker_process(settings):
                _serve(settings, host, port, 1)


async def _as_chain(settings: Settings, tenant_id: uuid.UUID, work: Any) -> Any:
    """``await work(actor)`` as the chain's system actor (every scope), in one transaction."""
    from bodega.api.auth import system_actor
    from bodega.db import engine as db
    from bodega.tenancy import SCOPES

    engine = await _app_engine(settings)
    try:
        async with db.transaction(engine, tenant_id):
            return await work(system_actor(tenant_id, frozenset(SCOPES)))
    finally:
        await engine.close_connection_pool()


@contextmanager
def _stripe_sandbox(settings: Settings, tenant_id: uuid.UUID, base: str) -> Iterator[str]:
    """A Stripe sandbox (localstripe) the demo chain sells its premium tier on, unless
    BODEGA_STRIPE_API_BASE names a Stripe or localstripe is not installed; yields a line
    saying which."""
    from bodega.tiers.sandbox import connect_chain, localstripe_installed, running_localstripe

    if settings.stripe_api_base is not None:
        yield f"{settings.stripe_api_base} (BODEGA_STRIPE_API_BASE)"
        return
    if not localstripe_installed():
        yield "api.stripe.com (no sandbox: pip install localstripe for one)"
        return
    with running_localstripe() as url:
        webhook_url = f"{base}/v1/stripe/webhooks/{tenant_id}"
        connected = _run(
            _as_chain(settings, tenant_id, lambda actor: connect_chain(actor, url, webhook_url))
        )
        os.environ["BODEGA_STRIPE_API_BASE"] = url
        tiers = ", ".join(connected.paid_tiers)
        yield f"sandbox {url} (localstripe): the demo chain sells {tiers} on it"


async def _fresh_demo_key(settings: Settings, tenant_id: uuid.UUID) -> str:
    """A new demo key per `bodega dev`; the previous ones are revoked (a key is shown once)."""
    from bodega.api.pagination import MAX_LIMIT
    from bodega.tenancy import SCOPES, create_api_key, list_api_keys, revoke_api_key
    from bodega.tenancy.schemas import ApiKeyIn

    async def fresh(actor: Any) -> str:
        cursor = None
        while True:
            page = await list_api_keys(actor, limit=MAX_LIMIT, cursor=cursor)
            for key in page.data:
                if key.name == DEMO_KEY_NAME and key.revoked_at is None:
                    await revoke_api_key(actor, key.id)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        created = await create_api_key(actor, ApiKeyIn(name=DEMO_KEY_NAME, scopes=sorted(SCOPES)))
        return created.secret

    return await _as_chain(settings, tenant_id, fresh)


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
