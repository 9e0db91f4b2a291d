"""The tiers tests' API talks to a localstripe server started once for the session."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest

from bodega.settings import Settings
from bodega.testing import running_localstripe


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    with running_localstripe() as url:
        yield url


@pytest.fixture(scope="module")
def settings(settings: Settings, localstripe: str) -> Settings:
    """The module's settings, with Stripe calls going to localstripe."""
    return msgspec.structs.replace(settings, stripe_api_base=localstripe)
