from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.plugins.tables import TenantPlugin

APP_CONFIG = AppConfig(
    app_name="plugins",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[TenantPlugin],
    migration_dependencies=["bodega.tenancy.piccolo_app"],
    commands=[],
)
