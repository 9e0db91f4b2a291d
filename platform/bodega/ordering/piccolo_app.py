from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.ordering.tables import (
    Order,
    OrderCounter,
    OrderLine,
    OrderPayment,
    OrderRefund,
    OrderRefundLine,
)

APP_CONFIG = AppConfig(
    app_name="ordering",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Order, OrderLine, OrderPayment, OrderRefund, OrderRefundLine, OrderCounter],
    migration_dependencies=["bodega.inventory.piccolo_app"],
    commands=[],
)
