from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.inventory.tables import StockLevel, StockLot, StockMovement

APP_CONFIG = AppConfig(
    app_name="inventory",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StockMovement, StockLevel, StockLot],
    migration_dependencies=["bodega.catalog.piccolo_app"],
    commands=[],
)
