"""Two chains for the isolation suite: A (the victim) and B (the attacker, an owner with every
scope). Each owns one object of every resource, made through the API.

A's names and its owner's email carry ``MARK``: no response B ever gets may contain it. Unique
values (store code, SKU, GTIN, PLU, supplier code, invitee email) differ between the two seeds,
so tests can reuse A's values in B's chain and prove uniqueness is per chain (a 409 would leak).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient

from bodega.settings import Settings
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
}
B_VALUES = {
    "store_code": "S-B",
    "supplier_code": "SUP-B",
    "sku": "SKU-B",
    "gtin": "5901234123457",
    "plu": "4712",
    "invitee": "invitee-b@example.com",
    "tag": "bee",
}


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


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
    events = client.get("/v1/events", params={"type": "product.updated"}, headers=h).json()
    s.ids["event"] = events["data"][0]["id"]
    audit = client.get("/v1/audit-log", params={"limit": 200}, headers=h)
    assert audit.status_code == 200, audit.text
    s.audit_ids = [entry["id"] for entry in audit.json()["data"]]
    assert len(s.audit_ids) >= 8  # tenant, owner and the six objects above
    return s


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
