from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.promotions.tables import MarkdownRule, Promotion, PromotionMemberUse

APP_CONFIG = AppConfig(
    app_name="promotions",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Promotion, PromotionMemberUse, MarkdownRule],
    migration_dependencies=["bodega.catalog.piccolo_app"],
    commands=[],
)
