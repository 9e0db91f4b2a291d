from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.catalog.tables import Category, ListPriceHistory, Product, Store, Supplier

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Store, Category, Supplier, Product, ListPriceHistory],
    migration_dependencies=["bodega.tenancy.piccolo_app"],
    commands=[],
)
