"""Calling a chain's Stripe account with the official library, and what its errors mean here.

Each chain has its own Stripe account, so a client is made per call with the chain's secret
key (and closed after it): ``StripeClient(key, base_addresses={"api": ...})`` when the
settings name another API base (localstripe in tests and development). Stripe's objects are
read as plain dicts (``to_dict()``), which both Stripe's current shapes and localstripe's older
ones fit (see :func:`period_end`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe

from bodega.api.errors import BodegaError, Conflict, FieldError, InvalidInput
from bodega.settings import Settings

__all__ = [
    "PaymentDeclined",
    "StripeFailed",
    "StripeGateway",
    "StripeNotConfigured",
    "StripeUnavailable",
    "period_end",
    "stripe_problem",
    "timestamp",
]


class PaymentDeclined(BodegaError):
    status = 402
    slug = "payment-declined"
    title = "The payment was declined"


class StripeNotConfigured(Conflict):
    slug = "stripe-not-configured"
    title = "The chain's Stripe account is not set up"


class StripeUnavailable(BodegaError):
    status = 503
    slug = "payment-provider-unavailable"
    title = "Stripe could not be reached"


class StripeFailed(BodegaError):
    status = 502
    slug = "payment-provider-error"
    title = "Stripe refused the request"


@dataclass(frozen=True)
class StripeGateway:
    """Where Stripe is, for every chain of this deployment."""

    api_base: str | None = None
    timeout_s: float = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeGateway:
        return cls(api_base=settings.stripe_api_base)

    @asynccontextmanager
    async def client(self, secret_key: str) -> AsyncIterator[stripe.StripeClient]:
        """A client of the chain's account for one piece of work (its HTTP connections are
        bound to the running event loop, so none outlives the call)."""
        http = stripe.HTTPXClient(timeout=self.timeout_s)
        addresses: Any = {"api": self.api_base} if self.api_base else None
        try:
            yield stripe.StripeClient(
                secret_key, base_addresses=addresses, http_client=http, max_network_retries=2
            )
        finally:
            await http.close_async()


def stripe_problem(exc: stripe.StripeError, *, field: str | None = None) -> BodegaError:
    """What to answer for a Stripe error; ``field`` names the input Stripe was asked about
    (a payment method it does not know is a 422 on that field)."""
    message = exc.user_message or str(exc) or "Stripe gave no reason."
    if isinstance(exc, stripe.CardError):
        return PaymentDeclined(
            f"Stripe declined the card: {message}",
            errors=[FieldError(field or "payment_method", message)],
            decline_code=exc.code,
        )
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return StripeNotConfigured(
            "Stripe refused the chain's secret key; set the right one with PUT /v1/tiers/stripe."
        )
    if isinstance(exc, stripe.InvalidRequestError) and field and exc.http_status == 404:
        return InvalidInput(
            f"{field}: Stripe knows no such object in the chain's account.",
            errors=[FieldError(field, "unknown to Stripe")],
        )
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError) or (
        exc.http_status is not None and exc.http_status >= 500
    ):
        return StripeUnavailable("Stripe did not answer; nothing was changed. Retry later.")
    return StripeFailed(f"Stripe refused the request: {message}", stripe_code=exc.code)


def timestamp(value: Any) -> datetime | None:
    """A Stripe timestamp (seconds since the epoch) as an aware datetime."""
    return datetime.fromtimestamp(int(value), UTC) if value else None


def period_end(subscription: Mapping[str, Any]) -> datetime | None:
    """The end of a subscription's current period: on the subscription in older API versions
    (and localstripe), on its items since Stripe's 2025-03-31 version."""
    ends = [subscription.get("current_period_end")]
    items = subscription.get("items") or {}
    ends += [item.get("current_period_end") for item in items.get("data") or []]
    found = [int(end) for end in ends if end]
    return timestamp(max(found)) if found else None
