from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.api.tables import IdempotencyKey

APP_CONFIG = AppConfig(
    app_name="api",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[IdempotencyKey],
    migration_dependencies=["bodega.tenancy.piccolo_app"],
    commands=[],
)
