from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.membership.tables import Member, MemberConsent, MemberExternalId

APP_CONFIG = AppConfig(
    app_name="membership",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Member, MemberExternalId, MemberConsent],
    migration_dependencies=["bodega.catalog.piccolo_app"],
    commands=[],
)
