"""Tenant manifests are checked before anything is applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from bodega.manifest import load_manifest

DEMO = Path(__file__).parents[2] / "tenants" / "demo.toml"


def test_the_demo_manifest_loads():
    manifest = load_manifest(DEMO)
    assert len(manifest.stores) == 3
    assert len(manifest.products) >= 40
    assert {u.role for u in manifest.users} == {"manager", "auditor"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('code = "SH-01"', 'code = "SH-01"\nopening = "07:00"'),
            "stores[0]: unknown key(s) opening",
        ),
        (
            ('sku = "BRD-001"', 'sku = "BRD-001"\ncolour = "brown"'),
            "products[0]: unknown key(s) colour",
        ),
        (('email = "owner@demo.bodega.test"', 'email = "not-an-email"'), "owner.email"),
        (("[tenant]", '[tenant]\nslogan = "fresh"'), "tenant"),
    ],
)
def test_mistakes_are_named_with_their_place(tmp_path, change, message):
    old, new = change
    path = tmp_path / "chain.toml"
    path.write_text(DEMO.read_text().replace(old, new, 1))
    with pytest.raises(ValueError, match=r".*") as caught:
        load_manifest(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
