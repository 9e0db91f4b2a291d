from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.tiers.tables import (
    MemberTier,
    MemberTierChange,
    PremiumPlan,
    StripeAccount,
    StripeEvent,
    Tier,
)

APP_CONFIG = AppConfig(
    app_name="tiers",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Tier, MemberTier, MemberTierChange, PremiumPlan, StripeAccount, StripeEvent],
    migration_dependencies=["bodega.membership.piccolo_app", "bodega.pricing.piccolo_app"],
    commands=[],
)
