"""Bodega: a multi-tenant retail platform for small chains."""

__version__ = "0.1.0"
__all__ = ["__version__"]
