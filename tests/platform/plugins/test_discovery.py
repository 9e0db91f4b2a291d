"""Discovery: plugins are found through their entry points, checked, and a plugin that cannot
work is refused at start with a message naming it and saying what to do."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from bodega.plugins import PluginError, build_plugin_manager
from bodega.settings import Settings, get_settings
from tests.plugins.distributions import installed, write_distribution

_numbers = itertools.count()

GOOD = """
from bodega.plugins import PluginInfo, hookimpl

plugin = PluginInfo(name="{name}", requires_bodega="{requires}", scopes={scopes})

@hookimpl
def bodega_handle_event(event):
    return None
"""


def _install(site: Path, source: str, **fields: object) -> str:
    """A plugin module and its distribution in ``site``; returns the plugin's name."""
    name = f"probe{next(_numbers)}"
    values = {"name": name, "requires": ">=0.1", "scopes": "()", **fields}
    (site / f"{name}.py").write_text(textwrap.dedent(source.format(**values)))
    write_distribution(site, f"bodega-{name}", {str(values["name"]): name}, version="2.5")
    return name


def _discover(site: Path, **settings: object) -> dict[str, object]:
    with installed(site):
        return build_plugin_manager(Settings(**settings)).plugins  # type: ignore[arg-type]


def test_an_installed_plugin_is_found_with_its_distributions_metadata(tmp_path: Path) -> None:
    name = _install(tmp_path, GOOD)
    plugins = _discover(tmp_path)
    found = plugins[name]
    assert (found.version, found.distribution) == ("2.5", f"bodega-{name}")  # type: ignore[attr-defined]
    assert found.description == f"bodega-{name} for tests"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("source", "fields", "message"),
    [
        (GOOD, {"requires": ">=9"}, "needs Bodega >=9, but this is Bodega 0.1.0"),
        (GOOD, {"requires": "soon"}, "is not a version specifier"),
        (GOOD, {"scopes": "('catalog:everything',)"}, "unknown scopes ['catalog:everything']"),
        (GOOD, {"name": "Not-A-Name"}, "failed to load"),
        (GOOD.replace("bodega_handle_event", "bodega_handle_evnt"), {}, "unknown hook"),
        (GOOD.replace("(event)", "(event, colour)"), {}, "colour"),
        ("x = 1\n", {}, "is not a Bodega plugin"),
        ("import nonexistent_module_xyz\n", {}, "No module named 'nonexistent_module_xyz'"),
    ],
)
def test_a_plugin_that_cannot_work_is_refused_at_start(
    tmp_path: Path, source: str, fields: dict[str, object], message: str
) -> None:
    name = _install(tmp_path, source, **fields)
    with pytest.raises(PluginError) as refused:
        _discover(tmp_path)
    assert message in str(refused.value)
    assert name in str(refused.value) or "Not-A-Name" in str(refused.value)


def test_the_entry_point_must_carry_the_plugins_name(tmp_path: Path) -> None:
    (tmp_path / "misnamed.py").write_text(GOOD.format(name="right", requires=">=0", scopes="()"))
    write_distribution(tmp_path, "bodega-misnamed", {"wrong": "misnamed"})
    with pytest.raises(PluginError, match="loads plugin 'right': name the entry point 'right'"):
        _discover(tmp_path)


def test_autoload_can_be_disabled_and_modules_named_instead(tmp_path: Path) -> None:
    name = _install(tmp_path, GOOD)
    assert _discover(tmp_path, disable_plugin_autoload=True) == {}
    only = _discover(tmp_path, disable_plugin_autoload=True, plugins=("tests.plugins.flaky",))
    assert list(only) == ["flaky"]
    assert name not in only
    with pytest.raises(PluginError, match="BODEGA_PLUGINS names 'no_such_module'"):
        _discover(tmp_path, disable_plugin_autoload=True, plugins=("no_such_module",))


def test_the_environment_names_plugins() -> None:
    settings = get_settings(
        {"BODEGA_DISABLE_PLUGIN_AUTOLOAD": "1", "BODEGA_PLUGINS": "a.b, c ,", "HOME": "/"}
    )
    assert settings.disable_plugin_autoload is True
    assert settings.plugins == ("a.b", "c")


def test_hooks_of_a_plugin_are_listed() -> None:
    host = build_plugin_manager(
        Settings(disable_plugin_autoload=True, plugins=("tests.plugins.stamps",))
    )
    assert host.hooks_of("stamps") == [
        "bodega_graphql",
        "bodega_handle_event",
        "bodega_jobs",
        "bodega_piccolo_apps",
        "bodega_routes",
    ]
