"""A Stripe sandbox: localstripe (PyPI ``localstripe``, installed with the ``dev`` extra), a
stateful fake of Stripe's API that also sends signed webhooks.

The tests start one per session (``bodega.testing.running_localstripe``). ``bodega dev``
starts one beside the server and connects the demo chain to it (:func:`connect_chain`), so a
new user can sell the premium tier end to end without a Stripe account: the chain's Stripe
settings point at the sandbox, the sandbox posts its webhooks to the chain's endpoint, and the
chain has a paid tier to sell. The sandbox starts empty every time (localstripe speaks
Stripe's older shapes: plans, not prices); what it held before is made anew in it.
"""

from __future__ import annotations

import importlib.util
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from bodega.api.auth import Actor
from bodega.tiers.schemas import StripeSettingsIn, TierIn
from bodega.tiers.service import create_tier, list_tiers, remake_stripe_plans
from bodega.tiers.stripe_accounts import get_stripe_settings, set_stripe_settings
from bodega.tiers.stripe_gateway import StripeGateway

__all__ = [
    "DEMO_PAID_TIER",
    "SANDBOX_SECRET_KEY",
    "SandboxChain",
    "connect_chain",
    "localstripe_installed",
    "running_localstripe",
]

SANDBOX_SECRET_KEY = "sk_test_bodega_sandbox"  # noqa: S105 (a fake of Stripe: not a secret)
"""The secret key chains use with the sandbox (localstripe takes any ``sk_test_`` key)."""
DEMO_PAID_TIER = TierIn(name="Black Gold", rank=100, kind="paid", monthly_price=1900)
"""The paid tier a chain without one gets in the sandbox."""


@dataclass(frozen=True)
class SandboxChain:
    """A chain connected to the sandbox."""

    paid_tiers: list[str]
    """The names of the chain's paid tiers, each with a plan in the sandbox."""
    webhook_url: str


def localstripe_installed() -> bool:
    return importlib.util.find_spec("localstripe") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_localstripe(startup_timeout_s: float = 30) -> Iterator[str]:
    """A localstripe server on a free local port, started empty; yields its URL, for
    ``Settings(stripe_api_base=...)``. It registers webhook receivers with
    ``POST /_config/webhooks/{id}``."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout_s
        while True:
            try:
                httpx.get(f"{url}/v1/balance", headers={"Authorization": "Bearer sk_test_up"})
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    message = "localstripe did not start (pip install localstripe)"
                    raise RuntimeError(message) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def connect_chain(actor: Actor, sandbox_url: str, webhook_url: str) -> SandboxChain:
    """Point the chain's Stripe settings at the sandbox (with a new webhook secret), have the
    sandbox post every event to ``webhook_url`` signed with it, make the chain's paid tiers'
    plans in the sandbox, and give the chain :data:`DEMO_PAID_TIER` if it has no paid tier."""
    webhook_secret = f"whsec_{secrets.token_hex(16)}"
    current = await get_stripe_settings(actor)
    await set_stripe_settings(
        actor,
        StripeSettingsIn(
            secret_key=SANDBOX_SECRET_KEY, webhook_secret=webhook_secret, version=current.version
        ),
    )
    async with httpx.AsyncClient() as client:
        registered = await client.post(
            f"{sandbox_url}/_config/webhooks/bodega-{actor.tenant_id}",
            json={"url": webhook_url, "secret": webhook_secret},
        )
        registered.raise_for_status()
    gateway = StripeGateway(api_base=sandbox_url)
    if await remake_stripe_plans(actor, gateway) == 0:
        await create_tier(actor, DEMO_PAID_TIER, gateway)
    paid = await list_tiers(actor, limit=100, cursor=None, kind="paid")
    return SandboxChain(paid_tiers=[t.name for t in paid.data], webhook_url=webhook_url)
