"""The premium tier on Stripe, against localstripe: subscribing, renewals, a failed payment,
cancelling, and the webhooks localstripe signs, caught on a local port and replayed into the
API exactly as sent (the official library verifies localstripe's own signatures)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from bodega.settings import Settings
from tests.conftest import Chain, assert_problem, run_jobs
from tests.platform.tiers.helpers import (
    Inbox,
    card,
    changes,
    events,
    member,
    member_tier,
    replay,
    stripe_call,
    stripe_settings,
    tier,
    webhooks,
)

SECRET = f"whsec_{uuid.uuid4().hex}"
VISA, DECLINED_ON_ATTACH, DECLINED_ON_CHARGE = (
    "4242424242424242",
    "4000000000000002",
    "4000000000000341",
)
THREE_D_SECURE = "4000002500003155"


@pytest.fixture(scope="module")
def inbox(localstripe: str) -> Iterator[Inbox]:
    with webhooks(localstripe, SECRET) as caught:
        yield caught


@pytest.fixture(scope="module")
def ladder(client: TestClient[Any], chain: Chain) -> dict[str, dict[str, Any]]:
    stripe_settings(client, chain, SECRET)
    return {
        "bronze": tier(client, chain, "Bronze", 1, threshold=0),
        "premium": tier(client, chain, "Premium", 5, kind="paid", monthly_price=1_500),
    }


def subscribe(
    client: TestClient[Any], chain: Chain, member_id: str, tier_id: str, payment_method: str
) -> Any:
    body = {"tier_id": tier_id, "payment_method": payment_method}
    return client.post(f"/v1/members/{member_id}/premium", json=body, headers=chain.headers)


def premium_member(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any
) -> tuple[str, dict[str, Any]]:
    who = member(client, chain)["id"]
    made = subscribe(client, chain, who, ladder["premium"]["id"], card(localstripe, VISA))
    assert made.status_code == 201, made.text
    return who, made.json()


def test_a_paid_tier_has_its_stripe_product_and_monthly_plan(localstripe: str, ladder: Any) -> None:
    premium = ladder["premium"]
    assert (premium["monthly_price"], premium["currency"]) == (1_500, "CNY")
    plan = stripe_call(localstripe, "GET", f"/v1/plans/{premium['stripe_plan_id']}")
    assert (plan["amount"], plan["currency"], plan["interval"]) == (1_500, "cny", "month")
    assert plan["product"] == premium["stripe_product_id"]


def test_subscribing_puts_the_member_in_the_paid_tier(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any, inbox: Inbox
) -> None:
    who, answer = premium_member(client, chain, localstripe, ladder)
    premium = answer["premium"]
    assert premium["status"] == "active"
    assert (answer["tier"]["name"], answer["source"]) == ("Premium", "paid")
    assert answer["until"] == premium["paid_until"]
    assert answer["earned_tier_id"] == ladder["bronze"]["id"]
    subscription = stripe_call(
        localstripe, "GET", f"/v1/subscriptions/{premium['stripe_subscription_id']}"
    )
    assert subscription["metadata"]["bodega_member_id"] == who
    customer = stripe_call(localstripe, "GET", f"/v1/customers/{subscription['customer']}")
    assert (customer["name"], customer["email"], customer["phone"]) == (None, None, None)
    started = [e["data"] for e in events(client, chain, "member.premium_started")]
    assert {"member_id": who, "status": "active"}.items() <= started[-1].items()
    assert changes(client, chain, who)[-1]["reason"] == "premium_started"

    # Stripe's own account of the same subscription changes nothing; a redelivery is known
    created = inbox.wait_for("customer.subscription.created", premium["stripe_subscription_id"])
    assert replay(client, chain, created).json() == {"received": True, "outcome": "ignored"}
    assert replay(client, chain, created).json() == {"received": True, "outcome": "duplicate"}
    assert member_tier(client, chain, who) == answer


def test_a_later_paid_invoice_renews_the_paid_tier(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any, inbox: Inbox
) -> None:
    who, answer = premium_member(client, chain, localstripe, ladder)
    subscription_id = answer["premium"]["stripe_subscription_id"]
    subscription = stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription_id}")
    first = inbox.wait_for("invoice.payment_succeeded", subscription["latest_invoice"])
    assert replay(client, chain, first).json()["outcome"] == "ignored"  # the first month

    invoice = stripe_call(
        localstripe,
        "POST",
        "/v1/invoices",
        customer=subscription["customer"],
        subscription=subscription_id,
    )
    assert stripe_call(localstripe, "POST", f"/v1/invoices/{invoice['id']}/pay")["status"] == "paid"
    renewal = inbox.wait_for("invoice.payment_succeeded", invoice["id"])
    assert replay(client, chain, renewal).json()["outcome"] == "applied"
    after = member_tier(client, chain, who)
    period_end = renewal.event["data"]["object"]["lines"]["data"][0]["period"]["end"]
    assert after["premium"]["paid_until"] == answer["premium"]["paid_until"]
    assert after["premium"]["version"] == answer["premium"]["version"] + 1
    assert int(_epoch(after["premium"]["paid_until"])) == period_end
    renewed = events(client, chain, "member.premium_renewed")
    assert [e["data"]["member_id"] for e in renewed] == [who]
    assert after["tier"]["name"] == "Premium"


def _epoch(moment: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def test_a_failed_renewal_keeps_the_tier_and_tells_the_chain(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any, inbox: Inbox
) -> None:
    """localstripe's ``POST /v1/invoices/{id}/pay`` with the decline card leaves the invoice
    open without sending ``invoice.payment_failed``; a renewal whose 3-D Secure check the
    member fails does send it."""
    who, answer = premium_member(client, chain, localstripe, ladder)
    subscription_id = answer["premium"]["stripe_subscription_id"]
    customer = stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription_id}")["customer"]

    def renew_with(number: str) -> dict[str, Any]:
        method = card(localstripe, number)
        stripe_call(localstripe, "POST", f"/v1/payment_methods/{method}/attach", customer=customer)
        settings = {"default_payment_method": method}
        stripe_call(localstripe, "POST", f"/v1/customers/{customer}", invoice_settings=settings)
        invoice = stripe_call(
            localstripe, "POST", "/v1/invoices", customer=customer, subscription=subscription_id
        )
        return stripe_call(localstripe, "POST", f"/v1/invoices/{invoice['id']}/pay")

    declined = renew_with(DECLINED_ON_CHARGE)
    assert declined["status"] == "open"
    pending = renew_with(THREE_D_SECURE)
    intent = stripe_call(localstripe, "GET", f"/v1/payment_intents/{pending['payment_intent']}")
    assert intent["status"] == "requires_action"
    stripe_call(
        localstripe,
        "POST",
        f"/v1/payment_intents/{intent['id']}/_authenticate",
        client_secret=intent["client_secret"],
        success=False,
    )
    failed = inbox.wait_for("invoice.payment_failed", pending["id"])
    with pytest.raises(AssertionError, match=r"no invoice\.payment_failed"):
        inbox.wait_for("invoice.payment_failed", declined["id"], timeout=0.5)
    assert replay(client, chain, failed).json()["outcome"] == "applied"
    after = member_tier(client, chain, who)
    assert (after["tier"]["name"], after["until"]) == ("Premium", answer["until"])
    (told,) = [
        e["data"]
        for e in events(client, chain, "member.premium_payment_failed")
        if e["data"]["member_id"] == who
    ]
    assert (told["status"], told["paid_until"]) == ("active", answer["premium"]["paid_until"])


def test_cancelling_ends_the_tier_when_stripe_ends_the_subscription(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any, inbox: Inbox
) -> None:
    """localstripe sends no ``customer.subscription.updated`` for the cancellation, and its
    clock does not run to the period's end: the test deletes the subscription as Stripe does
    then, and replays the ``customer.subscription.deleted`` localstripe sends."""
    who, answer = premium_member(client, chain, localstripe, ladder)
    subscription_id = answer["premium"]["stripe_subscription_id"]
    path = f"/v1/members/{who}/premium/cancel"
    stale = client.post(path, json={"version": 99}, headers=chain.headers)
    assert_problem(stale, 409, "version-conflict")
    version = answer["premium"]["version"]
    cancelled = client.post(path, json={"version": version}, headers=chain.headers)
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["premium"]["cancel_at_period_end"], body["tier"]["name"]) == (True, "Premium")
    in_stripe = stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription_id}")
    assert in_stripe["cancel_at_period_end"] is True
    again = client.post(path, json={"version": version + 1}, headers=chain.headers)
    assert again.json() == body  # cancelling twice changes nothing

    stripe_call(localstripe, "DELETE", f"/v1/subscriptions/{subscription_id}")
    deleted = inbox.wait_for("customer.subscription.deleted", subscription_id)
    assert replay(client, chain, deleted).json()["outcome"] == "applied"
    ended = member_tier(client, chain, who)
    assert (ended["tier"]["name"], ended["source"], ended["until"]) == ("Bronze", "rules", None)
    assert ended["premium"]["status"] == "canceled"
    assert changes(client, chain, who)[-1]["reason"] == "premium_ended"
    assert who in [e["data"]["member_id"] for e in events(client, chain, "member.premium_ended")]
    assert replay(client, chain, deleted).json()["outcome"] == "duplicate"
    gone = client.post(path, json={"version": ended["premium"]["version"]}, headers=chain.headers)
    assert_problem(gone, 409)


def test_erasing_a_premium_member_ends_the_subscription_and_stripe_forgets_them(
    client: TestClient[Any],
    settings: Settings,
    chain: Chain,
    localstripe: str,
    ladder: Any,
    inbox: Inbox,
) -> None:
    """Erasure calls no provider; the relay queues the job that cancels the subscription and
    deletes the customer (with its card); running it again changes nothing, and neither does
    Stripe's news of the subscription's start arriving after its end."""
    who, answer = premium_member(client, chain, localstripe, ladder)
    subscription_id = answer["premium"]["stripe_subscription_id"]
    customer_id = stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription_id}")[
        "customer"
    ]
    version = client.get(f"/v1/members/{who}", headers=chain.headers).json()["version"]
    erased = client.post(
        f"/v1/members/{who}/erase", json={"version": version}, headers=chain.headers
    )
    assert erased.status_code == 200, erased.text
    in_stripe = stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription_id}")
    assert in_stripe["status"] == "active"  # until the worker runs

    run_jobs(settings)
    in_stripe = stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription_id}")
    assert in_stripe["status"] == "canceled"
    customer = httpx.get(
        f"{localstripe}/v1/customers/{customer_id}",
        headers={"Authorization": "Bearer sk_test_operator"},
    )
    assert customer.status_code == 404, customer.text
    ended = member_tier(client, chain, who)
    assert (ended["tier"]["name"], ended["source"]) == ("Bronze", "rules")
    assert ended["premium"]["status"] == "canceled"
    assert ended["premium"]["ended_at"] is not None
    ended_events = [e["data"]["member_id"] for e in events(client, chain, "member.premium_ended")]
    assert ended_events.count(who) == 1

    run_jobs(settings)
    again = [e["data"]["member_id"] for e in events(client, chain, "member.premium_ended")]
    assert again.count(who) == 1
    assert member_tier(client, chain, who) == ended

    late = inbox.wait_for("customer.subscription.created", subscription_id)
    assert replay(client, chain, late).json() == {"received": True, "outcome": "ignored"}
    assert member_tier(client, chain, who) == ended


def test_a_tampered_or_wrongly_signed_webhook_is_refused_and_changes_nothing(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any, inbox: Inbox
) -> None:
    who, answer = premium_member(client, chain, localstripe, ladder)
    subscription_id = answer["premium"]["stripe_subscription_id"]
    with webhooks(localstripe, f"whsec_{uuid.uuid4().hex}") as other:
        stripe_call(localstripe, "DELETE", f"/v1/subscriptions/{subscription_id}")
        deleted = inbox.wait_for("customer.subscription.deleted", subscription_id)
        wrongly_signed = other.wait_for("customer.subscription.deleted", subscription_id)

    def seen() -> tuple[Any, ...]:
        return (
            member_tier(client, chain, who),
            events(client, chain, "member.*"),
            client.get("/v1/audit-log", headers=chain.headers).json(),
        )

    before = seen()
    tampered = deleted.body.replace(subscription_id.encode(), b"sub_someoneelse00")
    for response in (
        replay(client, chain, deleted, body=tampered),
        replay(client, chain, wrongly_signed),
        client.post(f"/v1/stripe/webhooks/{chain.tenant_id}", content=deleted.body),
        client.post(
            f"/v1/stripe/webhooks/{uuid.uuid4()}",
            content=deleted.body,
            headers={"Stripe-Signature": deleted.signature},
        ),
    ):
        assert_problem(response, 400, "invalid-signature")
    assert seen() == before
    assert replay(client, chain, deleted).json()["outcome"] == "applied"  # the genuine one


def test_a_first_payment_that_fails_leaves_an_incomplete_plan_and_a_retry_reuses_the_customer(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any
) -> None:
    who = member(client, chain)["id"]
    premium_id = ladder["premium"]["id"]
    failed = subscribe(client, chain, who, premium_id, card(localstripe, DECLINED_ON_CHARGE))
    assert failed.status_code == 201, failed.text
    first = failed.json()
    assert (first["premium"]["status"], first["tier"]["name"]) == ("incomplete", "Bronze")
    assert first["premium"]["paid_until"] is None
    told = events(client, chain, "member.premium_payment_failed")
    assert who in [e["data"]["member_id"] for e in told]

    retried = subscribe(client, chain, who, premium_id, card(localstripe, VISA))
    assert retried.status_code == 201, retried.text
    assert (retried.json()["premium"]["status"], retried.json()["tier"]["name"]) == (
        "active",
        "Premium",
    )
    customers = {
        stripe_call(localstripe, "GET", f"/v1/subscriptions/{subscription}")["customer"]
        for subscription in (
            first["premium"]["stripe_subscription_id"],
            retried.json()["premium"]["stripe_subscription_id"],
        )
    }
    assert len(customers) == 1  # the member's Stripe customer is made once


def test_refused_subscriptions_write_nothing(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any
) -> None:
    who = member(client, chain)["id"]
    premium_id = ladder["premium"]["id"]

    def seen() -> tuple[Any, ...]:
        return member_tier(client, chain, who), events(client, chain, "member.*")

    before = seen()
    declined = subscribe(client, chain, who, premium_id, card(localstripe, DECLINED_ON_ATTACH))
    body = assert_problem(declined, 402, "payment-declined")
    assert body["errors"][0]["field"] == "payment_method"
    unknown = subscribe(client, chain, who, premium_id, "pm_unknown0000")
    assert assert_problem(unknown, 422)["errors"] == [
        {"field": "payment_method", "message": "unknown to Stripe"}
    ]
    earned = subscribe(client, chain, who, ladder["bronze"]["id"], card(localstripe, VISA))
    assert assert_problem(earned, 422)["errors"][0] == {
        "field": "tier_id",
        "message": "not a paid tier",
    }
    missing = subscribe(client, chain, who, str(uuid.uuid4()), card(localstripe, VISA))
    assert assert_problem(missing, 422)["errors"][0]["field"] == "tier_id"
    malformed = subscribe(client, chain, who, premium_id, "card 4242")
    assert assert_problem(malformed, 422)["errors"][0]["field"] == "payment_method"
    nobody = subscribe(client, chain, str(uuid.uuid4()), premium_id, card(localstripe, VISA))
    assert_problem(nobody, 404, "not-found")
    assert seen() == before

    holder, _ = premium_member(client, chain, localstripe, ladder)
    twice = subscribe(client, chain, holder, premium_id, card(localstripe, VISA))
    assert_problem(twice, 409)


def test_a_paid_tier_with_live_plans_cannot_be_deleted(
    client: TestClient[Any], chain: Chain, localstripe: str, ladder: Any
) -> None:
    premium_member(client, chain, localstripe, ladder)
    refused = client.delete(f"/v1/tiers/{ladder['premium']['id']}", headers=chain.headers)
    assert assert_problem(refused, 409)["live_plans"] >= 1
    read = client.get(f"/v1/tiers/{ladder['premium']['id']}", headers=chain.headers)
    assert read.json()["version"] == ladder["premium"]["version"]
