"""`bodega replenish` on the demo chain: its simulated history makes the suggestions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BODEGA = Path(sys.executable).with_name("bodega")


@pytest.fixture(scope="module")
def bodega(settings, tmp_path_factory):
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "BODEGA_DATA_DIR": str(tmp_path_factory.mktemp("bodega-data")),
        "COLUMNS": "200",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own console script)
            [str(BODEGA), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


def test_replenish_prints_the_suggested_order(bodega, client):
    applied = bodega("tenants", "apply", "tenants/demo.toml")
    assert applied.returncode == 0, applied.stderr
    assert '"history_days_written": 365' in applied.stdout
    result = bodega("replenish", "--store", "SH-01")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Suggested order for SH-01 Jing'an Flagship" in out
    assert "By supplier (at cost)" in out
    assert "BAKE Central Kitchen Bakery" in out
    assert "/purchase-orders drafts the purchase orders" in out
    unknown = bodega("replenish", "--store", "NOPE")
    assert unknown.returncode == 1
    assert "No store with code 'NOPE'" in unknown.stderr
