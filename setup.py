"""Builds the Cython kernels in native/bodega_native.

Every ``*.pyx`` file in ``native/bodega_native`` becomes an optional extension module: adding a
kernel is adding one file. Without a compiler the install still succeeds and the pure-Python
twins are used (see ``bodega_native/__init__.py``).
"""

from pathlib import Path

from setuptools import setup

NATIVE = Path("native/bodega_native")


def native_extensions():
    sources = sorted(NATIVE.glob("*.pyx"))
    if not sources:
        return []
    from Cython.Build import cythonize
    from setuptools import Extension

    extensions = [
        Extension(f"bodega_native.{src.stem}", [str(src)], optional=True) for src in sources
    ]
    compiled = cythonize(extensions, language_level=3, quiet=True)
    for extension in compiled:
        extension.optional = True  # cythonize drops the flag
    return compiled


setup(ext_modules=native_extensions())
