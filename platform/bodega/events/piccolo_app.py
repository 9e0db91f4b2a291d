from pathlib import Path

from piccolo.conf.apps import AppConfig

from bodega.events.tables import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Event, WebhookEndpoint, WebhookDelivery, WebhookAttempt],
    migration_dependencies=["bodega.tenancy.piccolo_app"],
    commands=[],
)
