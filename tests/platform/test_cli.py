"""The real `bodega` command on the module's database: manifests, tenants, import, migrate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.platform.catalog.helpers import walk

ROOT = Path(__file__).resolve().parents[2]
BODEGA = Path(sys.executable).with_name("bodega")
DEMO_TENANT = "01937a10-0000-7000-8000-00000000de00"


@pytest.fixture(scope="module")
def bodega(settings, tmp_path_factory):
    """Run ``bodega ARGS`` from the repository root with the test database and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "BODEGA_DATA_DIR": str(tmp_path_factory.mktemp("bodega-data")),
        "COLUMNS": "200",
        # a plugin of the suite, loaded by module name (the tests folder must be importable)
        "BODEGA_PLUGINS": "tests.plugins.flaky",
        "PYTHONPATH": str(ROOT),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own console script)
            [str(BODEGA), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture(scope="module")
def applied(bodega):
    """The demo manifest applied once: the command's JSON result."""
    result = bodega("tenants", "apply", "tenants/demo.toml")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo_owner(client, applied):
    response = client.post(
        "/v1/auth/login", json={"email": "owner@demo.bodega.test", "password": "demo-owner-pass"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_apply_creates_the_demo_chain_and_is_idempotent(bodega, applied, client, demo_owner):
    """The first apply creates the chain and its contents; a second creates or changes nothing."""
    assert applied["tenant_id"] == DEMO_TENANT
    assert applied["tenant_created"] is True
    assert (applied["stores_created"], applied["suppliers_created"], applied["users_created"]) == (
        3,
        2,
        2,
    )
    assert applied["products_created"] > 0
    assert applied["products_updated"] == 0
    products = walk(client, "/v1/products", demo_owner)
    assert len(products) == applied["products_created"]
    audit_log = walk(client, "/v1/audit-log", demo_owner)
    again = bodega("tenants", "apply", "tenants/demo.toml")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {
        "tenant_id": DEMO_TENANT,
        "tenant_created": False,
        "stores_created": 0,
        "suppliers_created": 0,
        "products_created": 0,
        "products_updated": 0,
        "users_created": 0,
    }
    assert walk(client, "/v1/products", demo_owner) == products
    assert walk(client, "/v1/audit-log", demo_owner) == audit_log  # nothing was even re-saved
    manager = client.post(
        "/v1/auth/login",
        json={"email": "manager@demo.bodega.test", "password": "demo-manager-pass"},
    )
    assert manager.json()["user"]["role"] == "manager"
    assert len(manager.json()["user"]["store_ids"]) == 2


def test_tenants_list_shows_the_demo_chain(bodega, applied):
    """`bodega tenants list` prints one line per chain with its id, currency and name."""
    result = bodega("tenants", "list")
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if DEMO_TENANT in line]
    assert "CNY" in line
    assert line.rstrip().endswith("Golden Crust & Corner Mart")


def test_catalog_import_writes_a_good_file_and_refuses_a_bad_one(
    bodega, applied, client, demo_owner, tmp_path
):
    """A good CSV imports (JSON on stdout); a bad one exits non-zero with row errors, no writes."""
    good = tmp_path / "good.csv"
    good.write_text(
        "sku,name,price,category,supplier\n"
        "CLI-1,CLI bun,4.20,Bakery > Buns,BAKE\n"
        "BRD-001,Sourdough loaf,17.00,,\n"
    )
    result = bodega("catalog", "import", str(good), "--tenant", DEMO_TENANT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "rows": 2,
        "created": 1,
        "updated": 1,
        "categories_created": 1,
        "dry_run": False,
    }
    by_sku = {p["sku"]: p for p in walk(client, "/v1/products", demo_owner)}
    assert by_sku["CLI-1"]["list_price"] == 420
    assert by_sku["BRD-001"]["list_price"] == 1700

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "sku,name,price,supplier\n"
        "CLI-2,Fine,1.00,BAKE\nCLI-3,Too precise,3.505,\nCLI-4,Nobody,1,NOPE\n"
    )
    before = walk(client, "/v1/products", demo_owner)
    result = bodega("catalog", "import", str(bad), "--tenant", DEMO_TENANT)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "row 3, price:" in result.stderr, result.stderr
    assert "row 4, supplier:" in result.stderr, result.stderr
    assert walk(client, "/v1/products", demo_owner) == before


def test_migrate_is_a_no_op_on_a_migrated_database(bodega, applied, client, demo_owner):
    """`bodega migrate` succeeds on an up-to-date database and keeps its data."""
    before = walk(client, "/v1/products", demo_owner)
    result = bodega("migrate")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stderr
    assert walk(client, "/v1/products", demo_owner) == before


def test_plugins_commands_show_enable_and_disable(bodega, applied):
    listed = bodega("plugins", "list")
    assert listed.returncode == 0, listed.stderr
    assert "flaky" in listed.stdout
    info = bodega("plugins", "info", "flaky")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["hooks"] == ["bodega_handle_event", "bodega_routes"]
    refused = bodega("plugins", "enable", "flaky", "--tenant", DEMO_TENANT, "--set", "colour=red")
    assert refused.returncode == 1
    assert "settings.colour: unknown setting" in refused.stderr
    enabled = bodega("plugins", "enable", "flaky", "--tenant", DEMO_TENANT)
    assert enabled.returncode == 0, enabled.stderr
    assert json.loads(enabled.stdout)["enabled"] is True
    state = bodega("plugins", "list", "--tenant", DEMO_TENANT)
    assert any(line.split()[0::2] == ["flaky", "enabled"] for line in state.stdout.splitlines())
    assert bodega("plugins", "disable", "flaky", "--tenant", DEMO_TENANT).returncode == 0
    again = bodega("plugins", "disable", "flaky", "--tenant", DEMO_TENANT)
    assert again.returncode == 1
    assert "No enabled plugin with id flaky" in again.stderr
    missing = bodega("plugins", "info", "nonesuch")
    assert missing.returncode == 1
    assert "no plugin named 'nonesuch' is installed" in missing.stderr
