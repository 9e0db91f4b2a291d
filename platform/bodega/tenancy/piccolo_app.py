from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.tenancy.tables import ApiKey, Invitation, Session, Tenant, User

APP_CONFIG = AppConfig(
    app_name="tenancy",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Tenant, User, Invitation, ApiKey, Session],
    migration_dependencies=[],
    commands=[],
)
