"""docs/plugins.md as an integrator follows it: its files are copied out of the page into an
empty folder, the plugin is installed (as pip would: its distribution's entry point), and
its own tests run with ``bodega.testing`` in a fresh pytest, against this session's servers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from bodega.settings import Settings
from tests.plugins.distributions import write_distribution

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"
FILE_BLOCK = re.compile(r'^```\w+ title="([^"]+)"\n(.*?)^```$', re.M | re.S)


def guide_files() -> dict[str, str]:
    return dict(FILE_BLOCK.findall(GUIDE.read_text()))


def test_the_guide_holds_a_whole_plugin() -> None:
    assert sorted(guide_files()) == [
        "bodega_hello/__init__.py",
        "pyproject.toml",
        "tests/conftest.py",
        "tests/test_hello.py",
    ]


def test_the_guides_plugin_installs_and_its_tests_pass(
    tmp_path: Path, server_settings: Settings
) -> None:
    folder = tmp_path / "bodega-hello"
    for name, text in guide_files().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    site = tmp_path / "site"
    write_distribution(
        site,
        project["name"],
        project["entry-points"]["bodega.plugins"],
        version=project["version"],
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(folder)]),
        "DATABASE_URL": server_settings.database_url or "",
        "REDIS_URL": server_settings.redis_url or "",
    }
    result = subprocess.run(  # noqa: S603 (this interpreter, running pytest)
        # its own temporary folder: a second pytest cleaning the shared one could remove
        # this session's, embedded servers included
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(tmp_path / "basetemp"),
            "tests",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
