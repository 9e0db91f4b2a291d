"""Installing plugins as pip does, without building anything: a ``.dist-info`` folder with
the distribution's metadata and entry points, in a folder on ``sys.path``. Discovery then
finds them exactly as it finds plugins installed with pip."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bodega.plugins import ENTRY_POINT_GROUP

__all__ = ["TEST_PLUGINS", "installed", "write_distribution"]

TEST_PLUGINS = {
    "stamps": "tests.plugins.stamps",
    "flaky": "tests.plugins.flaky",
    "order_rules": "tests.plugins.order_rules",
    "price_match": "tests.plugins.price_match",
}
"""The suite's own plugins (entry point name: module), installed for the whole session."""


def write_distribution(
    site: Path, name: str, plugins: Mapping[str, str], *, version: str = "1.0"
) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {name} for tests\n"
    )
    lines = [f"{entry} = {module}" for entry, module in plugins.items()]
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n" + "\n".join(lines) + "\n")


@contextmanager
def installed(site: Path) -> Iterator[None]:
    """Put ``site`` (holding distributions) on ``sys.path`` for the block."""
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(site))
        importlib.invalidate_caches()
