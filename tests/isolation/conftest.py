"""Two chains for the isolation suite: A (the victim) and B (the attacker, an owner with every
scope). Each owns one object of every resource, made through the API.

A's names and its owner's email carry ``MARK``: no response B ever gets may contain it. Unique
values (store code, SKU, GTIN, PLU, supplier code, invitee email) differ between the two seeds,
so tests can reuse A's values in B's chain and prove uniqueness is per chain (a 409 would leak).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from litestar.testing import TestClient

from bodega.api.auth import system_actor
from bodega.db import engine as db
from bodega.promotions import claim_promotion_uses
from bodega.settings import Settings
from bodega.testing import running_localstripe
from tests.conftest import Chain, run_jobs, sign_up

MARK = "zq7mark"
"""Appears only in chain A's data."""

AUTH = "Authorization"


@dataclass
class Seed:
    """One chain and the ids of its objects, by resource name."""

    chain: Chain
    values: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    key_secret: str = ""
    webhook_secret: str = ""
    audit_ids: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return self.chain.headers

    @property
    def key_headers(self) -> dict[str, str]:
        return {AUTH: f"Bearer {self.key_secret}"}


@dataclass
class World:
    a: Seed
    b: Seed

    def a_secrets(self) -> list[str]:
        """Everything of A's that B must never read: ids, tenant id, audit entries, MARK."""
        return [*self.a.ids.values(), *self.a.audit_ids, MARK, self.a.webhook_secret]


A_VALUES = {
    "store_code": "S-A",
    "supplier_code": "SUP-A",
    "sku": "SKU-A",
    "gtin": "4006381333931",
    "plu": "4711",
    "invitee": "invitee-a@example.com",
    "tag": MARK,
    "member_phone": "+8613812340001",
    "member_email": "member-a@example.com",
    "member_openid": "openid-a",
}
B_VALUES = {
    "store_code": "S-B",
    "supplier_code": "SUP-B",
    "sku": "SKU-B",
    "gtin": "5901234123457",
    "plu": "4712",
    "invitee": "invitee-b@example.com",
    "tag": "bee",
    "member_phone": "+8613812340002",
    "member_email": "member-b@example.com",
    "member_openid": "openid-b",
}


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def seed_purchasing(client: TestClient[Any], s: Seed) -> None:
    """Purchase orders in the states the actions need (a draft to edit, one to send, one to
    cancel, a sent one to receive against, a partially received one to close) and a receipt."""
    h = s.headers
    body = {
        "store_id": s.ids["store"],
        "supplier_id": s.ids["supplier"],
        "note": f"Order {s.values['tag']}",
        "lines": [{"product_id": s.ids["product"], "quantity": 2, "unit_cost": 100}],
    }
    for key in ("purchase_order", "po_to_send", "po_to_cancel", "po_to_receive", "po_to_close"):
        s.ids[key] = _created(client.post("/v1/purchase-orders", json=body, headers=h))["id"]
    for key in ("po_to_receive", "po_to_close"):
        sent = client.post(f"/v1/purchase-orders/{s.ids[key]}/send", json={"version": 1}, headers=h)
        assert sent.status_code == 200, sent.text
    line = {"line_id": sent.json()["lines"][0]["id"], "received": 1}
    receipt = client.post(
        f"/v1/purchase-orders/{s.ids['po_to_close']}/receipts", json={"lines": [line]}, headers=h
    )
    s.ids["goods_receipt"] = _created(receipt)["id"]


def seed_orders(client: TestClient[Any], s: Seed) -> None:
    """Sales orders in the states the actions need: an open one (read, cancel), one to pay, a
    paid one to fulfil, and one paid and partly refunded (its refund, lines and payments
    give every order table rows of both chains) to refund the rest of."""
    h = s.headers
    body = {
        "channel": "pos",
        "store_id": s.ids["store"],
        "note": f"Order {s.values['tag']}",
        "lines": [{"product_id": s.ids["product"], "quantity": 2}],
    }
    for key in ("order", "order_to_pay", "paid_order", "order_to_refund"):
        s.ids[key] = _created(client.post("/v1/orders", json=body, headers=h))["id"]
    for key in ("paid_order", "order_to_refund"):
        paid = client.post(
            f"/v1/orders/{s.ids[key]}/pay",
            json={"payments": [{"method": "card", "amount": 700, "reference": f"T-{key}"}]},
            headers=h,
        )
        assert paid.status_code == 200, paid.text
    line = {"line_id": paid.json()["lines"][0]["id"], "quantity": 1}
    refund = client.post(
        f"/v1/orders/{s.ids['order_to_refund']}/refunds", json={"lines": [line]}, headers=h
    )
    assert refund.status_code == 200, refund.text


def seed_inventory(client: TestClient[Any], s: Seed) -> None:
    """Stock with a lot and a reorder point, a loss from that lot, stocktakes in the states
    their actions need (one to count, one to post, one to cancel: each in its own store, as a
    store counts once at a time) and transfers (one to receive, one to cancel)."""
    h, tag, product = s.headers, s.values["tag"], s.ids["product"]
    for n in (2, 3, 4):
        body = {"code": f"{s.values['store_code']}-{n}", "name": f"Store {n} {tag}"}
        s.ids[f"store{n}"] = _created(client.post("/v1/stores", json=body, headers=h))["id"]
    line = {
        "product_id": product,
        "quantity": 20,
        "lot_code": f"L-{tag}",
        "expires_on": "2031-01-01",
    }
    body = {
        "store_id": s.ids["store"],
        "kind": "receipt",
        "note": f"Delivery {tag}",
        "lines": [line],
    }
    (movement,) = _created(client.post("/v1/stock-movements", json=body, headers=h))["movements"]
    s.ids["stock_movement"], s.ids["stock_lot"] = movement["id"], movement["lot_id"]
    points = client.put(
        f"/v1/stores/{s.ids['store']}/reorder-points",
        json={"points": [{"product_id": product, "reorder_point": 2}]},
        headers=h,
    )
    assert points.status_code == 200, points.text
    s.ids["stock_level"] = points.json()[0]["id"]
    line = {"product_id": product, "quantity": 1, "lot_id": s.ids["stock_lot"]}
    body = {
        "store_id": s.ids["store"],
        "reason": "damaged",
        "note": f"Broken {tag}",
        "lines": [line],
    }
    s.ids["loss"] = _created(client.post("/v1/losses", json=body, headers=h))["id"]
    counts = {"counts": [{"product_id": product, "quantity": 1}]}
    for key, where in (
        ("stocktake", "store2"),
        ("stocktake_to_post", "store3"),
        ("stocktake_to_cancel", "store4"),
    ):
        body = {"store_id": s.ids[where], "note": f"Count {tag}"}
        s.ids[key] = _created(client.post("/v1/stocktakes", json=body, headers=h))["id"]
        counted = client.post(f"/v1/stocktakes/{s.ids[key]}/counts", json=counts, headers=h)
        assert counted.status_code == 200, counted.text
    body = {
        "from_store_id": s.ids["store"],
        "to_store_id": s.ids["store2"],
        "note": f"Transfer {tag}",
        "lines": [{"product_id": product, "quantity": 1}],
    }
    for key in ("transfer", "transfer_to_cancel"):
        s.ids[key] = _created(client.post("/v1/transfers", json=body, headers=h))["id"]


def seed_replenishment(client: TestClient[Any], s: Seed) -> None:
    """Two suggestion runs for the store (one to read and edit, one to convert: its version
    stays as made) and a demand calendar day of the store."""
    h, store = s.headers, s.ids["store"]
    for key in ("suggestion_run", "suggestion_run_to_convert"):
        made = client.post(f"/v1/stores/{store}/suggestions", json={}, headers=h)
        s.ids[key] = _created(made)["id"]
    run = client.get(f"/v1/suggestion-runs/{s.ids['suggestion_run']}", headers=h).json()
    s.ids["suggestion_line"] = run["lines"][0]["id"]
    day = {"day": "2030-01-01", "multiplier": "1.5", "label": f"Fair {s.values['tag']}"}
    made = client.post("/v1/demand-calendar", json={**day, "store_id": store}, headers=h)
    s.ids["demand_calendar_entry"] = _created(made)["id"]


def seed_promotions(client: TestClient[Any], s: Seed) -> None:
    """Promotions naming the chain's product and store (one to read and change, one to pause,
    a paused one to resume), a member's use of one (a promotion_member_uses row, counted by
    the service orders call), and a markdown rule naming its category and store."""
    h, tag = s.headers, s.values["tag"]
    body = {
        "name": f"Deal {tag}",
        "description": f"Bread deal {tag}",
        "rule": {"type": "percent_off", "percent": "10"},
        "product_ids": [s.ids["product"]],
        "store_ids": [s.ids["store"]],
        "members_only": True,
        "per_member_limit": 3,
    }
    for key in ("promotion", "promotion_to_pause", "promotion_to_resume"):
        s.ids[key] = _created(client.post("/v1/promotions", json=body, headers=h))["id"]
    paused = client.post(
        f"/v1/promotions/{s.ids['promotion_to_resume']}/pause", json={"version": 1}, headers=h
    )
    assert paused.status_code == 200, paused.text
    actor = system_actor(s.chain.tenant_id, frozenset({"pricing:write"}))

    async def claim() -> None:
        async with db.transaction(client.app.state.engine, s.chain.tenant_id):
            member = uuid.uuid5(uuid.NAMESPACE_URL, tag)
            await claim_promotion_uses(actor, [uuid.UUID(s.ids["promotion"])], member)

    client.blocking_portal.call(claim)
    rule = {
        "name": f"Close {tag}",
        "basis": "closing",
        "steps": [{"hours_before": 2, "percent": 30}],
        "category_ids": [s.ids["category"]],
        "store_ids": [s.ids["store"]],
    }
    s.ids["markdown_rule"] = _created(client.post("/v1/markdown-rules", json=rule, headers=h))["id"]


def seed_pricing(client: TestClient[Any], s: Seed) -> None:
    """A price list for the store pricing the product (and one to archive), a price change for
    the store applied at once (a store price, a history row) and one scheduled for tomorrow
    to cancel. No change for every store: that would be a ``product.updated`` the webhook
    endpoint receives."""
    h, tag, store, product = s.headers, s.values["tag"], s.ids["store"], s.ids["product"]
    body = {"name": f"Weekday {tag}", "store_ids": [store], "channels": ["pos"]}
    for key in ("price_list", "price_list_to_archive"):
        s.ids[key] = _created(client.post("/v1/price-lists", json=body, headers=h))["id"]
        items = {"items": [{"product_id": product, "price": 320}]}
        put = client.put(f"/v1/price-lists/{s.ids[key]}/items", json=items, headers=h)
        assert put.status_code == 200, put.text
    change = {"product_id": product, "price": 330, "store_ids": [store], "note": f"Fair {tag}"}
    made = _created(client.post("/v1/price-changes", json=change, headers=h))
    assert made["status"] == "applied"
    s.ids["price_change"] = made["id"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    later = _created(
        client.post("/v1/price-changes", json={**change, "effective_at": tomorrow}, headers=h)
    )
    s.ids["price_change_to_cancel"] = later["id"]
    history = client.get("/v1/price-history", params={"store_id": store}, headers=h).json()
    s.ids["price_history"] = history["data"][0]["id"]


def seed_segments(client: TestClient[Any], s: Seed) -> None:
    """A member (tagged with the chain's tag) who bought once, thresholds changed once (a
    segment_settings row) and a refresh (member_segments rows, its events)."""
    h, tag = s.headers, s.values["tag"]
    body = {"email": f"segments-{tag}@example.com", "name": f"Shopper {tag}", "tags": [tag]}
    s.ids["segment_member"] = _created(client.post("/v1/members", json=body, headers=h))["id"]
    sale = {
        "channel": "pos",
        "store_id": s.ids["store"],
        "member_id": s.ids["segment_member"],
        "lines": [{"product_id": s.ids["product"], "quantity": 1}],
    }
    order = _created(client.post("/v1/orders", json=sale, headers=h))
    paid = client.post(
        f"/v1/orders/{order['id']}/pay",
        json={"payments": [{"method": "card", "amount": order["total"], "reference": "T-seg"}]},
        headers=h,
    )
    assert paid.status_code == 200, paid.text
    changed = client.patch("/v1/segments/settings", json={"version": 1, "new_days": 14}, headers=h)
    assert changed.status_code == 200, changed.text
    refreshed = client.post("/v1/segments/refresh", headers=h)
    assert refreshed.status_code == 200, refreshed.text


def seed_membership(client: TestClient[Any], s: Seed) -> None:
    """A member named and tagged with the chain's tag, with a WeChat id and a marketing
    consent (rows in each membership table), and a duplicate of them to merge."""
    h, tag, values = s.headers, s.values["tag"], s.values
    body = {
        "phone": values["member_phone"],
        "email": values["member_email"],
        "name": f"Member {tag}",
        "tags": [tag],
        "home_store_id": s.ids["store"],
        "external_ids": [{"channel": "wechat_openid", "external_id": values["member_openid"]}],
        "consents": [{"purpose": "marketing", "granted": True, "text_version": "v1"}],
    }
    s.ids["member"] = _created(client.post("/v1/members", json=body, headers=h))["id"]
    duplicate = {"email": f"duplicate-{values['member_email']}", "name": f"Duplicate {tag}"}
    s.ids["member_duplicate"] = _created(client.post("/v1/members", json=duplicate, headers=h))[
        "id"
    ]


def seed_tiers(client: TestClient[Any], s: Seed) -> None:
    """Stripe settings, an entry and a paid tier, a member on the paid one through localstripe
    (a premium plan, a standing, a tier change) and a Stripe event (one the chain signed for a
    subscription it does not know: kept as handled)."""
    h, tag = s.headers, s.values["tag"]
    s.values["stripe_webhook_secret"] = f"whsec_{tag}{uuid.uuid4().hex}"
    keys = {"secret_key": f"sk_test_{tag}", "webhook_secret": s.values["stripe_webhook_secret"]}
    assert client.put("/v1/tiers/stripe", json=keys, headers=h).status_code == 200
    entry = {"name": f"Entry {tag}", "rank": 1, "threshold": 0}
    s.ids["tier"] = _created(client.post("/v1/tiers", json=entry, headers=h))["id"]
    paid = {"name": f"Premium {tag}", "rank": 5, "kind": "paid", "monthly_price": 1500}
    s.ids["paid_tier"] = _created(client.post("/v1/tiers", json=paid, headers=h))["id"]
    body = {"email": f"tiers-{tag}@example.com", "name": f"Premium member {tag}"}
    s.ids["tier_member"] = _created(client.post("/v1/members", json=body, headers=h))["id"]
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    method = httpx.post(
        f"{client.app.state.stripe.api_base}/v1/payment_methods",
        json={"type": "card", "card": card},
        headers={"Authorization": "Bearer sk_test_device"},
    ).json()["id"]
    premium = {"tier_id": s.ids["paid_tier"], "payment_method": method}
    made = client.post(f"/v1/members/{s.ids['tier_member']}/premium", json=premium, headers=h)
    assert _created(made)["premium"]["status"] == "active"
    stripe_event = json.dumps(
        {
            "id": f"evt_{tag}",
            "type": "customer.subscription.updated",
            "data": {"object": {"id": f"sub_{tag}", "status": "active"}},
        }
    )
    received = client.post(
        f"/v1/stripe/webhooks/{s.chain.tenant_id}",
        content=stripe_event,
        headers={"Stripe-Signature": stripe_signature(stripe_event, keys["webhook_secret"])},
    )
    assert received.json() == {"received": True, "outcome": "ignored"}, received.text


def stripe_signature(payload: str, secret: str) -> str:
    """A ``Stripe-Signature`` header for ``payload``, as Stripe computes it."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def seed_points(client: TestClient[Any], s: Seed) -> None:
    """A member of its own with points (an adjustment naming the chain's tag), earning rules
    (one naming the chain's product), changed points settings, and an order paid in points and
    partly refunded (redeem and redeem_reversal entries, allocations; the earn entry comes
    with the relay in ``world``)."""
    h, tag = s.headers, s.values["tag"]
    body = {"email": f"points-{tag}@example.com", "name": f"Points member {tag}"}
    s.ids["points_member"] = _created(client.post("/v1/members", json=body, headers=h))["id"]
    rule = {"name": f"Bread points {tag}", "kind": "product", "points": 2,
            "product_id": s.ids["product"]}  # fmt: skip
    s.ids["points_rule"] = _created(client.post("/v1/points-rules", json=rule, headers=h))["id"]
    spend = {"name": f"Spend {tag}", "kind": "spend", "points": 1}
    s.ids["points_rule_to_delete"] = _created(
        client.post("/v1/points-rules", json=spend, headers=h)
    )["id"]
    changed = client.patch("/v1/points-settings", json={"version": 1, "expire_after_days": 400},
                           headers=h)  # fmt: skip
    assert changed.status_code == 200, changed.text
    gift = {"points": 5000, "reason": f"Gift {tag}"}
    adjusted = client.post(
        f"/v1/members/{s.ids['points_member']}/points/adjustments", json=gift, headers=h
    )
    s.ids["points_entry"] = _created(adjusted)["entry"]["id"]
    sale = {
        "channel": "pos",
        "store_id": s.ids["store"],
        "member_id": s.ids["points_member"],
        "lines": [{"product_id": s.ids["product"], "quantity": 1}],
    }
    order = _created(client.post("/v1/orders", json=sale, headers=h))
    paid = client.post(
        f"/v1/orders/{order['id']}/pay",
        json={"payments": [{"method": "points", "amount": order["total"]}]},
        headers=h,
    )
    assert paid.status_code == 200, paid.text
    refund = client.post(
        f"/v1/orders/{order['id']}/refunds", json={"lines": [], "amount": 100}, headers=h
    )
    assert refund.status_code == 200, refund.text
    s.ids["points_order"] = order["id"]


def seed(client: TestClient[Any], values: dict[str, str]) -> Seed:
    """Sign a chain up and give it a store, category, supplier, product, invitation, API key."""
    tag = values["tag"]
    chain = sign_up(client, f"Chain {tag}", owner_email=f"owner-{tag}@example.com")
    s = Seed(chain=chain, values=values)
    h = chain.headers
    post = client.post
    # The Idempotency-Key leaves a row in idempotency_keys (the RLS tests need one per chain).
    store = _created(
        post(
            "/v1/stores",
            json={"code": values["store_code"], "name": f"Store {tag}"},
            headers={**h, "Idempotency-Key": f"seed-{tag}"},
        )
    )
    category = _created(post("/v1/categories", json={"name": f"Bakery {tag}"}, headers=h))
    supplier = _created(
        post(
            "/v1/suppliers",
            json={"code": values["supplier_code"], "name": f"Mill {tag}"},
            headers=h,
        )
    )
    product = _created(
        post(
            "/v1/products",
            headers=h,
            json={
                "sku": values["sku"],
                "name": f"Bread {tag}",
                "list_price": 350,
                "gtin": values["gtin"],
                "plu": values["plu"],
                "category_id": category["id"],
                "supplier_id": supplier["id"],
            },
        )
    )
    invitation = _created(
        post("/v1/invitations", json={"email": values["invitee"], "role": "staff"}, headers=h)
    )
    key = _created(
        post("/v1/api-keys", json={"name": f"Till {tag}", "scopes": ["catalog:read"]}, headers=h)
    )
    endpoint = _created(
        post(
            "/v1/webhook-endpoints",
            # port 9 refuses connections: each delivery fails once and stays pending
            json={
                "url": f"http://127.0.0.1:9/{tag}",
                "event_types": ["product.*"],
                "description": f"Till sync {tag}",
            },
            headers=h,
        )
    )
    plugin = client.put(
        "/v1/plugins/stamps",
        json={"settings": {"label": f"Stamp {tag}", "api_token": f"token-{tag}-0123456789"}},
        headers=h,
    )
    assert plugin.status_code == 200, plugin.text
    # the webhook endpoint came after the product: this change is what it receives
    changed = client.patch(
        f"/v1/products/{product['id']}", json={"version": product["version"]}, headers=h
    )
    assert changed.status_code == 200, changed.text
    s.key_secret = key["secret"]
    s.ids = {
        "tenant": str(chain.tenant_id),
        "user": str(chain.owner_id),
        "store": store["id"],
        "category": category["id"],
        "supplier": supplier["id"],
        "product": product["id"],
        "invitation": invitation["invitation"]["id"],
        "api_key": key["api_key"]["id"],
        "webhook_endpoint": endpoint["endpoint"]["id"],
    }
    s.webhook_secret = endpoint["secret"]
    seed_purchasing(client, s)
    seed_orders(client, s)
    seed_inventory(client, s)
    seed_replenishment(client, s)
    seed_promotions(client, s)
    seed_pricing(client, s)
    seed_membership(client, s)
    seed_segments(client, s)
    seed_tiers(client, s)
    seed_points(client, s)
    events = client.get("/v1/events", params={"type": "product.updated"}, headers=h).json()
    s.ids["event"] = events["data"][0]["id"]
    audit = client.get("/v1/audit-log", params={"limit": 200}, headers=h)
    assert audit.status_code == 200, audit.text
    s.audit_ids = [entry["id"] for entry in audit.json()["data"]]
    assert len(s.audit_ids) >= 8  # tenant, owner and the six objects above
    return s


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    with running_localstripe() as url:
        yield url


@pytest.fixture(scope="module")
def settings(settings: Settings, localstripe: str) -> Settings:
    """The module's settings, with the chains' Stripe calls going to localstripe."""
    return msgspec.structs.replace(settings, stripe_api_base=localstripe)


@pytest.fixture(scope="module")
def world(client: TestClient[Any], settings: Settings) -> World:
    world = World(a=seed(client, A_VALUES), b=seed(client, B_VALUES))
    run_jobs(settings)  # a delivery (with one failed attempt) for each chain's endpoint
    for s in (world.a, world.b):
        page = client.get("/v1/webhook-deliveries", headers=s.headers).json()
        (delivery,) = page["data"]
        assert delivery["attempt_count"] == 1
        s.ids["webhook_delivery"] = delivery["id"]
    return world


def without_id(response: Any, *idents: str) -> tuple[int, Any]:
    """A response's status and body with ``idents`` blanked and the request id dropped, so the
    answer about A's object can be compared with the answer about an id that never existed."""
    text = response.text
    for ident in idents:
        text = text.replace(ident, "<id>")
    body = json.loads(text)
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, body


COLLECTIONS = {
    "store": "/v1/stores",
    "category": "/v1/categories",
    "supplier": "/v1/suppliers",
    "product": "/v1/products",
    "user": "/v1/users",
    "invitation": "/v1/invitations",
    "api_key": "/v1/api-keys",
    "event": "/v1/events",
    "webhook_endpoint": "/v1/webhook-endpoints",
    "webhook_delivery": "/v1/webhook-deliveries",
    "purchase_order": "/v1/purchase-orders",
    "po_to_send": "/v1/purchase-orders",
    "po_to_cancel": "/v1/purchase-orders",
    "po_to_receive": "/v1/purchase-orders",
    "po_to_close": "/v1/purchase-orders",
    "goods_receipt": "/v1/goods-receipts",
    "order": "/v1/orders",
    "order_to_pay": "/v1/orders",
    "paid_order": "/v1/orders",
    "order_to_refund": "/v1/orders",
    "stock_movement": "/v1/stock-movements",
    "loss": "/v1/losses",
    "stocktake": "/v1/stocktakes",
    "stocktake_to_post": "/v1/stocktakes",
    "stocktake_to_cancel": "/v1/stocktakes",
    "transfer": "/v1/transfers",
    "transfer_to_cancel": "/v1/transfers",
    "suggestion_run": "/v1/suggestion-runs",
    "suggestion_run_to_convert": "/v1/suggestion-runs",
    "suggestion_line": "/v1/suggestion-lines",
    "demand_calendar_entry": "/v1/demand-calendar",
    "promotion": "/v1/promotions",
    "promotion_to_pause": "/v1/promotions",
    "promotion_to_resume": "/v1/promotions",
    "markdown_rule": "/v1/markdown-rules",
    "price_list": "/v1/price-lists",
    "price_list_to_archive": "/v1/price-lists",
    "price_change": "/v1/price-changes",
    "price_change_to_cancel": "/v1/price-changes",
    "member": "/v1/members",
    "member_duplicate": "/v1/members",
    "tier": "/v1/tiers",
    "paid_tier": "/v1/tiers",
    "points_rule": "/v1/points-rules",
    "points_rule_to_delete": "/v1/points-rules",
}
"""REST collection of each resource; each but invitations has ``GET {collection}/{id}``."""


def a_view(client: TestClient[Any], world: World, key: str, ident: str) -> dict[str, Any]:
    """A's current view of its object through REST (an invitation is found in A's list)."""
    collection = COLLECTIONS[key]
    if key != "invitation":
        response = client.get(f"{collection}/{ident}", headers=world.a.headers)
        assert response.status_code == 200, response.text
        return response.json()
    page = client.get(collection, params={"limit": 200}, headers=world.a.headers).json()
    (found,) = [item for item in page["data"] if item["id"] == ident]
    return found


def new_uuid() -> str:
    return str(uuid.uuid4())
