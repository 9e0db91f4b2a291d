from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.pricing.tables import (
    PriceChange,
    PriceHistory,
    PriceList,
    PriceListItem,
    StorePrice,
)

APP_CONFIG = AppConfig(
    app_name="pricing",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        PriceList,
        PriceListItem,
        StorePrice,
        PriceChange,
        PriceHistory,
    ],
    migration_dependencies=["bodega.catalog.piccolo_app"],
    commands=[],
)
