"""Settings come from the environment once, with checked values."""

from __future__ import annotations

import msgspec
import pytest

from bodega.settings import get_settings


def test_environment_values_are_converted_and_blank_ones_ignored():
    settings = get_settings(
        {
            "PORT": "8001",
            "BODEGA_DATA_DIR": "/srv/bodega",
            "REDIS_URL": "",
            "BODEGA_LOG_FORMAT": "json",
        }
    )
    assert settings.port == 8001
    assert settings.data_dir == "/srv/bodega"
    assert settings.redis_url is None
    assert settings.log_format == "json"


@pytest.mark.parametrize(
    "environ",
    [
        {"PORT": "0"},
        {"PORT": "eighty"},
        {"BODEGA_LOG_FORMAT": "xml"},
        {"BODEGA_APP_ROLE": "app; DROP"},
    ],
)
def test_bad_values_are_refused_at_start(environ):
    with pytest.raises((msgspec.ValidationError, ValueError)):
        get_settings(environ)
