"""The live API descriptions, built without servers (nothing connects until start-up)."""

from __future__ import annotations

from typing import Any

from bodega.app import create_app
from bodega.graphql import build_schema
from bodega.settings import Settings


def openapi_document() -> dict[str, Any]:
    app = create_app(
        Settings(database_url="postgresql://unused/db", redis_url="redis://unused:6379/0")
    )
    return app.openapi_schema.to_schema()


def graphql_sdl() -> str:
    return build_schema().as_str() + "\n"
