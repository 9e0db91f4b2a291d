"""The committed API descriptions match the live ones, so every API change is a visible diff.

Regenerate after an intended change with ``make snapshots``.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pytest

from tests.api.live_schemas import graphql_sdl, hook_reference, openapi_document

REFERENCE = Path(__file__).parents[2] / "docs" / "reference"
UPDATE = os.environ.get("BODEGA_UPDATE_SNAPSHOTS") == "1"


def live_openapi() -> str:
    return msgspec.json.format(msgspec.json.encode(openapi_document()), indent=2).decode() + "\n"


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("openapi.json", live_openapi),
        ("schema.graphql", graphql_sdl),
        ("hooks.md", hook_reference),
    ],
)
def test_committed_schema_matches_live(name, render):
    path = REFERENCE / name
    live = render()
    if UPDATE:
        path.write_text(live)
    assert path.exists(), f"{path} is missing: run `make snapshots`"
    assert path.read_text() == live, (
        f"{name} differs from the live schema: review the change, then `make snapshots`"
    )
