"""The hook reference (docs/reference/hooks.md), written from ``hookspecs.py`` itself so the
two never disagree: ``bodega plugins hooks`` prints it, ``make snapshots`` refreshes it."""

from __future__ import annotations

import inspect

from bodega.plugins import hookspecs

__all__ = ["hook_reference"]


def hook_reference() -> str:
    lines = [
        "# Hook reference",
        "",
        f"Hookspec version {hookspecs.HOOKSPEC_VERSION}. Generated from "
        "`platform/bodega/plugins/hookspecs.py` (`bodega plugins hooks`); the guide is "
        "[plugins.md](../plugins.md).",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("bodega_"):
            continue
        signature = str(inspect.signature(function)).replace("'", "")
        lines += [f"## `{name}{signature}`", "", inspect.cleandoc(function.__doc__ or ""), ""]
    return "\n".join(lines).rstrip() + "\n"
