"""What Stripe's errors answer, both shapes of a subscription's period, masked keys, and the
setting that points Bodega at another Stripe API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import stripe

from bodega.settings import get_settings
from bodega.tiers.stripe_accounts import mask
from bodega.tiers.stripe_gateway import period_end, stripe_problem


@pytest.mark.parametrize(
    ("error", "field", "status", "slug"),
    [
        (
            stripe.CardError("Your card was declined.", "card", "card_declined"),
            None,
            402,
            "payment-declined",
        ),
        (stripe.AuthenticationError("bad key"), None, 409, "stripe-not-configured"),
        (
            stripe.InvalidRequestError("No such", "pm", http_status=404),
            "payment_method",
            422,
            "validation-error",
        ),
        (
            stripe.InvalidRequestError("Bad", "x", http_status=400),
            None,
            502,
            "payment-provider-error",
        ),
        (stripe.APIConnectionError("down"), None, 503, "payment-provider-unavailable"),
        (stripe.APIError("oops", http_status=500), None, 503, "payment-provider-unavailable"),
    ],
)
def test_stripe_errors_become_problems(
    error: stripe.StripeError, field: str | None, status: int, slug: str
) -> None:
    problem = stripe_problem(error, field=field)
    assert (problem.status, problem.slug) == (status, slug)


def test_a_declined_card_names_the_payment_method() -> None:
    problem = stripe_problem(stripe.CardError("Your card was declined.", "card", "card_declined"))
    assert problem.errors == [{"field": "payment_method", "message": "Your card was declined."}]
    assert problem.extra == {"decline_code": "card_declined"}


def test_the_period_end_is_read_from_either_shape() -> None:
    end = datetime(2026, 12, 28, tzinfo=UTC)
    stamp = int(end.timestamp())
    assert period_end({"current_period_end": stamp}) == end
    assert period_end({"items": {"data": [{"current_period_end": stamp}]}}) == end
    assert period_end({"items": {"data": []}}) is None


def test_keys_are_masked_to_their_kind_and_last_four() -> None:
    assert mask("sk_live_51Habcdefgh_XyZ9") == "sk_live_…XyZ9"
    assert mask("whsec_abcdefgh1234") == "whsec_…1234"
    assert mask("rk_abcd5678") == "rk_…5678"


def test_the_stripe_api_base_comes_from_the_environment() -> None:
    settings = get_settings({"BODEGA_STRIPE_API_BASE": "http://127.0.0.1:8420"})
    assert settings.stripe_api_base == "http://127.0.0.1:8420"
    assert get_settings({}).stripe_api_base is None
    with pytest.raises(ValueError, match="stripe_api_base"):
        get_settings({"BODEGA_STRIPE_API_BASE": "localhost:8420"})
