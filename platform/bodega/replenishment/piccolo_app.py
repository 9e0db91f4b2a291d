from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.replenishment.tables import DemandCalendarEntry, SuggestionLine, SuggestionRun

APP_CONFIG = AppConfig(
    app_name="replenishment",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SuggestionRun, SuggestionLine, DemandCalendarEntry],
    migration_dependencies=["bodega.purchasing.piccolo_app"],
    commands=[],
)
