from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.points.tables import PointsAllocation, PointsEntry, PointsRule, PointsSettings

APP_CONFIG = AppConfig(
    app_name="points",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PointsSettings, PointsRule, PointsEntry, PointsAllocation],
    migration_dependencies=["bodega.membership.piccolo_app", "bodega.ordering.piccolo_app"],
    commands=[],
)
