from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.inventory.tables import (
    Loss,
    StockLevel,
    StockLot,
    StockMovement,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)

APP_CONFIG = AppConfig(
    app_name="inventory",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        StockMovement,
        StockLevel,
        StockLot,
        Loss,
        Stocktake,
        StocktakeLine,
        Transfer,
        TransferLine,
    ],
    migration_dependencies=["bodega.catalog.piccolo_app"],
    commands=[],
)
