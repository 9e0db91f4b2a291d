"""Compiled hot paths for Bodega.

Each kernel ``<name>.pyx`` has a pure-Python twin ``_<name>_py.py`` exposing the same functions.
:func:`load_kernel` imports the compiled module and falls back to the twin; setting
``BODEGA_NO_EXTENSIONS=1`` forces the twin (the yarl pattern).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

__all__ = ["extensions_disabled", "load_kernel"]


def extensions_disabled() -> bool:
    return os.environ.get("BODEGA_NO_EXTENSIONS", "") not in ("", "0")


def load_kernel(name: str) -> ModuleType:
    """Return the compiled kernel ``name``, or its pure-Python twin."""
    if not extensions_disabled():
        try:
            return importlib.import_module(f"bodega_native.{name}")
        except ImportError:
            pass
    return importlib.import_module(f"bodega_native._{name}_py")
