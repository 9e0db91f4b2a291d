from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.segments.tables import MemberSegment, SegmentSettings

APP_CONFIG = AppConfig(
    app_name="segments",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[MemberSegment, SegmentSettings],
    migration_dependencies=["bodega.membership.piccolo_app"],
    commands=[],
)
