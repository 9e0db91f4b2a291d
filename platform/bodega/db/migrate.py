"""Run the Piccolo migrations of every domain, as the owner role."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.postgres import PostgresEngine

from bodega.settings import Settings

__all__ = ["migrate", "sql_migration"]

PICCOLO_CONF = "bodega.db.piccolo_conf"


async def migrate(settings: Settings, *, verbose: bool = False) -> None:
    """Apply every pending migration, the installed plugins' included; raise
    ``RuntimeError`` naming the one that failed."""
    from bodega.db import piccolo_conf
    from bodega.db.tables import app_registry
    from bodega.plugins import build_plugin_manager

    if settings.database_url is None:
        raise RuntimeError("migrate needs a database_url (start the embedded server first)")
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF  # where Piccolo's finder looks for the registry
    piccolo_conf.DB = PostgresEngine(config={"dsn": settings.database_url})
    piccolo_conf.APP_ROLE = settings.app_role
    piccolo_conf.APP_REGISTRY = app_registry(build_plugin_manager(settings).piccolo_apps())
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if not verbose else contextlib.nullcontext():
        result = await run_forwards(app_name="all", migration_id="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{out.getvalue()}")


def sql_migration(
    migration_id: str, app_name: str, description: str, *statements: str | Callable[[str], str]
):
    """Build a Piccolo migration that runs SQL in one transaction.

    A statement may be a function of the application role's name (grants, policies).
    """
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager

    from bodega.db import piccolo_conf

    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run() -> None:
        assert piccolo_conf.DB is not None
        transaction = piccolo_conf.DB.current_transaction.get()
        assert transaction is not None, "Piccolo runs each migration in a transaction"
        for statement in statements:
            sql = statement(piccolo_conf.APP_ROLE) if callable(statement) else statement
            await transaction.connection.execute(sql)  # simple protocol: many statements

    manager.add_raw(run)
    return manager
