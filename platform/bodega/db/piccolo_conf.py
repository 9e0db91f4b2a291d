"""Piccolo's configuration: the registry of Piccolo apps, one per domain.

``DB``, ``APP_ROLE`` and the plugins' part of ``APP_REGISTRY`` are assigned by
:func:`bodega.db.migrate.migrate` just before the migrations run, because the database URL
is known only at run time (the embedded server picks its socket) and the plugins only once
they are discovered.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB: PostgresEngine | None = None
APP_ROLE = "bodega_app"

CORE_APPS = [
    "bodega.tenancy.piccolo_app",
    "bodega.api.piccolo_app",
    "bodega.audit.piccolo_app",
    "bodega.catalog.piccolo_app",
    "bodega.inventory.piccolo_app",
    "bodega.ordering.piccolo_app",
    "bodega.purchasing.piccolo_app",
    "bodega.replenishment.piccolo_app",
    "bodega.pricing.piccolo_app",
    "bodega.promotions.piccolo_app",
    "bodega.membership.piccolo_app",
    "bodega.segments.piccolo_app",
    "bodega.points.piccolo_app",
    "bodega.tiers.piccolo_app",
    "bodega.events.piccolo_app",
    "bodega.plugins.piccolo_app",
]

APP_REGISTRY = AppRegistry(apps=CORE_APPS)
"""The core's apps; :func:`bodega.db.migrate.migrate` adds the installed plugins' apps."""
