"""ASGI entry point for servers that import an app factory (granian, uvicorn ``--factory``)."""

from __future__ import annotations

from litestar import Litestar

from bodega.app import create_app
from bodega.settings import get_settings

__all__ = ["app"]


def app() -> Litestar:
    return create_app(get_settings())
