from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.purchasing.tables import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
)

APP_CONFIG = AppConfig(
    app_name="purchasing",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PurchaseOrder, PurchaseOrderLine, GoodsReceipt, GoodsReceiptLine],
    migration_dependencies=["bodega.inventory.piccolo_app"],
    commands=[],
)
