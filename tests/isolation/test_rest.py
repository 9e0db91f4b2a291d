"""Cross-tenant isolation of every REST route: chain B (an owner with every scope) never reads,
changes or learns of chain A's objects.

Another chain's object answers 404 exactly like an id that never existed, lists hold none of
A's ids, and a failed attempt leaves A's object as it was. ``CASES`` names a check for every
(method, path) under /v1/; ``test_every_route_is_covered`` fails when a route is added without
one (or without a documented entry in ``NO_FOREIGN_OBJECT``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from tests.conftest import assert_problem, sign_up
from tests.isolation.conftest import MARK, World, a_view, new_uuid, without_id

Body = dict[str, Any]
Ref = tuple[str, Callable[[str], Body]]
"""(resource whose id is named, body fragment naming that id)."""


@dataclass(frozen=True)
class Resource:
    key: str
    """Key of the resource in ``Seed.ids``."""
    collection: str
    readable: bool = True
    """Has ``GET {collection}/{id}``."""
    change: Body | None = None
    """A valid PATCH body (the version is added)."""
    create: Callable[[World], Body] | None = None
    """A valid POST body for B; it reuses A's unique values (codes, SKU, GTIN, email)."""
    wrapper: str | None = None
    """The created object sits under this key of the POST's answer."""
    refs: tuple[Ref, ...] = ()
    """Fields naming another object, in POST (and PATCH) bodies."""
    filters: Callable[[World], list[Body]] = lambda _: []
    """List queries that match only A's objects: B must get an empty page."""
    own: str | None = None
    """Which of B's ids B's list must show (default: ``key``)."""
    action: Body | None = None
    """The body of the resource's POST action on one object (rotate a secret, retry)."""


def _product(world: World) -> Body:
    a = world.a.values
    return {
        "sku": "SKU-B2",
        "name": "Bread two",
        "list_price": 1,
        "gtin": a["gtin"],
        "plu": a["plu"],
    }


STORE = Resource(
    "store",
    "/v1/stores",
    change={"name": "Taken over", "status": "closed"},
    create=lambda w: {"code": w.a.values["store_code"], "name": "Second"},
)
CATEGORY = Resource(
    "category",
    "/v1/categories",
    change={"name": "Taken over"},
    create=lambda _: {"name": "Second"},
    refs=(("category", lambda i: {"parent_id": i}),),
)
SUPPLIER = Resource(
    "supplier",
    "/v1/suppliers",
    change={"name": "Taken over", "min_order": 9},
    create=lambda w: {"code": w.a.values["supplier_code"], "name": "Second"},
)
PRODUCT = Resource(
    "product",
    "/v1/products",
    change={"name": "Taken over", "list_price": 1},
    create=_product,
    refs=(("category", lambda i: {"category_id": i}), ("supplier", lambda i: {"supplier_id": i})),
    filters=lambda w: [
        {"category_id": w.a.ids["category"]},
        {"q": MARK},
        {"status": "active", "q": "Bread " + MARK},
    ],
)
USER = Resource(
    "user",
    "/v1/users",
    change={"name": "Taken over"},
    refs=(("store", lambda i: {"role": "manager", "store_ids": [i]}),),
)
INVITATION = Resource(
    "invitation",
    "/v1/invitations",
    readable=False,
    wrapper="invitation",
    create=lambda w: {"email": w.a.values["invitee"], "role": "staff"},
    refs=(("store", lambda i: {"role": "manager", "store_ids": [i]}),),
)
API_KEY = Resource(
    "api_key",
    "/v1/api-keys",
    wrapper="api_key",
    create=lambda _: {"name": "Second", "scopes": ["catalog:read"]},
)
AUDIT = Resource(
    "audit",
    "/v1/audit-log",
    own="product",
    filters=lambda w: [{"resource_id": w.a.ids[k]} for k in ("product", "store", "user", "tenant")],
)

EVENT = Resource("event", "/v1/events")
WEBHOOK_ENDPOINT = Resource(
    "webhook_endpoint",
    "/v1/webhook-endpoints",
    change={"description": "Taken over", "enabled": False},
    create=lambda _: {"url": "https://example.com/hooks"},
    wrapper="endpoint",
    action={"overlap_hours": 1},
)
WEBHOOK_DELIVERY = Resource(
    "webhook_delivery",
    "/v1/webhook-deliveries",
    filters=lambda w: [
        {"endpoint_id": w.a.ids["webhook_endpoint"]},
        {"event_id": w.a.ids["event"]},
        {"event_id": w.a.ids["event"], "status": "pending"},
    ],
    action={},
)


def _purchase_order(world: World) -> Body:
    b = world.b.ids
    line = {"product_id": b["product"], "quantity": 1}
    return {"store_id": b["store"], "supplier_id": b["supplier"], "lines": [line]}


PURCHASE_ORDER = Resource(
    "purchase_order",
    "/v1/purchase-orders",
    change={"note": "Taken over"},
    create=_purchase_order,
    refs=(
        ("store", lambda i: {"store_id": i}),
        ("supplier", lambda i: {"supplier_id": i}),
        ("product", lambda i: {"lines": [{"product_id": i, "quantity": 1}]}),
    ),
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"supplier_id": w.a.ids["supplier"]},
        {"store_id": w.a.ids["store"], "status": "draft"},
    ],
)
# One order per action, each in the state its action needs (seed_purchasing); versions as seeded.
PO_TO_SEND = Resource("po_to_send", "/v1/purchase-orders", action={"version": 1})
PO_TO_CANCEL = Resource("po_to_cancel", "/v1/purchase-orders", action={"version": 1})
PO_TO_CLOSE = Resource("po_to_close", "/v1/purchase-orders", action={"version": 3})
PO_TO_RECEIVE = Resource("po_to_receive", "/v1/purchase-orders")
GOODS_RECEIPT = Resource("goods_receipt", "/v1/goods-receipts")


def _order(world: World) -> Body:
    line = {"product_id": world.b.ids["product"], "quantity": 1}
    return {"channel": "pos", "store_id": world.b.ids["store"], "lines": [line]}


ORDER = Resource(
    "order",
    "/v1/orders",
    create=_order,
    refs=(
        ("store", lambda i: {"store_id": i}),
        ("product", lambda i: {"lines": [{"product_id": i, "quantity": 1}]}),
    ),
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"store_id": w.a.ids["store"], "status": "open"},
    ],
    action={},
)
# One order per action, each in the state its action needs (seed_orders).
ORDER_TO_PAY = Resource(
    "order_to_pay", "/v1/orders", action={"payments": [{"method": "cash", "amount": 1000}]}
)
PAID_ORDER = Resource("paid_order", "/v1/orders", action={})
ORDER_TO_REFUND = Resource("order_to_refund", "/v1/orders", action={})


def _b_lines(world: World) -> list[Body]:
    return [{"product_id": world.b.ids["product"], "quantity": 1}]


STOCK_REFS: tuple[Ref, ...] = (
    ("store", lambda i: {"store_id": i}),
    ("product", lambda i: {"lines": [{"product_id": i, "quantity": 1}]}),
)
STOCK_LEVEL = Resource(
    "stock_level",
    "/v1/stock-levels",
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"product_id": w.a.ids["product"]},
        {"store_id": w.a.ids["store"], "low": "false"},
    ],
)
STOCK_MOVEMENT = Resource(
    "stock_movement",
    "/v1/stock-movements",
    readable=False,
    create=lambda w: {"store_id": w.b.ids["store"], "kind": "receipt", "lines": _b_lines(w)},
    refs=STOCK_REFS,
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"product_id": w.a.ids["product"]},
        {"source_id": w.a.ids["loss"]},
        {"store_id": w.a.ids["store"], "kind": "receipt"},
    ],
)
STOCK_LOT = Resource(
    "stock_lot",
    "/v1/stock-lots",
    filters=lambda w: [{"store_id": w.a.ids["store"]}, {"product_id": w.a.ids["product"]}],
)
LOSS = Resource(
    "loss",
    "/v1/losses",
    create=lambda w: {"store_id": w.b.ids["store"], "reason": "damaged", "lines": _b_lines(w)},
    refs=STOCK_REFS,
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"store_id": w.a.ids["store"], "reason": "damaged"},
    ],
)
STOCKTAKE = Resource(
    "stocktake",
    "/v1/stocktakes",
    create=lambda w: {"store_id": w.b.ids["store"]},
    refs=(("store", lambda i: {"store_id": i}), ("category", lambda i: {"category_ids": [i]})),
    filters=lambda w: [
        {"store_id": w.a.ids["store2"]},
        {"store_id": w.a.ids["store2"], "status": "open"},
    ],
)
# One stocktake and transfer per action, each in the state it needs (seed_inventory).
STOCKTAKE_TO_POST = Resource("stocktake_to_post", "/v1/stocktakes", action={})
STOCKTAKE_TO_CANCEL = Resource("stocktake_to_cancel", "/v1/stocktakes", action={})
TRANSFER = Resource(
    "transfer",
    "/v1/transfers",
    create=lambda w: {
        "from_store_id": w.b.ids["store"],
        "to_store_id": w.b.ids["store2"],
        "lines": _b_lines(w),
    },
    refs=(
        ("store", lambda i: {"from_store_id": i}),
        ("store", lambda i: {"to_store_id": i}),
        ("product", lambda i: {"lines": [{"product_id": i, "quantity": 1}]}),
    ),
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"store_id": w.a.ids["store2"], "status": "in_transit"},
    ],
    action={},
)
TRANSFER_TO_CANCEL = Resource("transfer_to_cancel", "/v1/transfers", action={})
SUGGESTION_RUN = Resource(
    "suggestion_run",
    "/v1/suggestion-runs",
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"store_id": w.a.ids["store"], "status": "completed"},
    ],
)
# A run of its own to convert (seed_replenishment): its version stays as made.
SUGGESTION_RUN_TO_CONVERT = Resource(
    "suggestion_run_to_convert", "/v1/suggestion-runs", action={"version": 1}
)
SUGGESTION_LINE = Resource("suggestion_line", "/v1/suggestion-lines", change={"quantity": 0})
DEMAND_CALENDAR_ENTRY = Resource(
    "demand_calendar_entry",
    "/v1/demand-calendar",
    change={"label": "Taken over", "multiplier": "2"},
    create=lambda _: {"day": "2031-01-01", "multiplier": "1.5", "label": "Second"},
    refs=(("store", lambda i: {"store_id": i}),),
    filters=lambda w: [
        {"store_id": w.a.ids["store"]},
        {"store_id": w.a.ids["store"], "since": "2030-01-01"},
    ],
)

CASES: dict[tuple[str, str], tuple[str, Resource]] = {
    **{
        case: (kind, res)
        for res in (STORE, CATEGORY, SUPPLIER, PRODUCT)
        for case, kind in {
            ("GET", res.collection): "list",
            ("POST", res.collection): "create",
            ("GET", f"{res.collection}/{{{res.key}_id}}"): "read",
            ("PATCH", f"{res.collection}/{{{res.key}_id}}"): "update",
            ("DELETE", f"{res.collection}/{{{res.key}_id}}"): "delete",
        }.items()
    },
    ("GET", "/v1/users"): ("list", USER),
    ("GET", "/v1/users/{user_id}"): ("read", USER),
    ("PATCH", "/v1/users/{user_id}"): ("update", USER),
    ("GET", "/v1/invitations"): ("list", INVITATION),
    ("POST", "/v1/invitations"): ("create", INVITATION),
    ("DELETE", "/v1/invitations/{invitation_id}"): ("delete", INVITATION),
    ("GET", "/v1/api-keys"): ("list", API_KEY),
    ("POST", "/v1/api-keys"): ("create", API_KEY),
    ("GET", "/v1/api-keys/{key_id}"): ("read", API_KEY),
    ("DELETE", "/v1/api-keys/{key_id}"): ("delete", API_KEY),
    ("GET", "/v1/audit-log"): ("list", AUDIT),
    ("GET", "/v1/events"): ("list", EVENT),
    ("GET", "/v1/events/{event_id}"): ("read", EVENT),
    ("GET", "/v1/webhook-endpoints"): ("list", WEBHOOK_ENDPOINT),
    ("POST", "/v1/webhook-endpoints"): ("create", WEBHOOK_ENDPOINT),
    ("GET", "/v1/webhook-endpoints/{endpoint_id}"): ("read", WEBHOOK_ENDPOINT),
    ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"): ("update", WEBHOOK_ENDPOINT),
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"): ("delete", WEBHOOK_ENDPOINT),
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): ("action", WEBHOOK_ENDPOINT),
    ("GET", "/v1/webhook-deliveries"): ("list", WEBHOOK_DELIVERY),
    ("GET", "/v1/webhook-deliveries/{delivery_id}"): ("read", WEBHOOK_DELIVERY),
    ("POST", "/v1/webhook-deliveries/{delivery_id}/retry"): ("action", WEBHOOK_DELIVERY),
    ("POST", "/v1/webhook-deliveries/replay"): ("replay", WEBHOOK_DELIVERY),
    ("GET", "/v1/purchase-orders"): ("list", PURCHASE_ORDER),
    ("POST", "/v1/purchase-orders"): ("create", PURCHASE_ORDER),
    ("GET", "/v1/purchase-orders/{purchase_order_id}"): ("read", PURCHASE_ORDER),
    ("PATCH", "/v1/purchase-orders/{purchase_order_id}"): ("update", PURCHASE_ORDER),
    ("GET", "/v1/purchase-orders/{purchase_order_id}/receipts"): ("read", PURCHASE_ORDER),
    ("POST", "/v1/purchase-orders/{purchase_order_id}/send"): ("action", PO_TO_SEND),
    ("POST", "/v1/purchase-orders/{purchase_order_id}/cancel"): ("action", PO_TO_CANCEL),
    ("POST", "/v1/purchase-orders/{purchase_order_id}/close"): ("action", PO_TO_CLOSE),
    ("POST", "/v1/purchase-orders/{purchase_order_id}/receipts"): ("receive", PO_TO_RECEIVE),
    ("GET", "/v1/goods-receipts/{goods_receipt_id}"): ("read", GOODS_RECEIPT),
    ("GET", "/v1/orders"): ("list", ORDER),
    ("POST", "/v1/orders"): ("create", ORDER),
    ("GET", "/v1/orders/{order_id}"): ("read", ORDER),
    ("POST", "/v1/orders/{order_id}/cancel"): ("action", ORDER),
    ("POST", "/v1/orders/{order_id}/pay"): ("action", ORDER_TO_PAY),
    ("POST", "/v1/orders/{order_id}/fulfil"): ("action", PAID_ORDER),
    ("POST", "/v1/orders/{order_id}/refunds"): ("action", ORDER_TO_REFUND),
    ("GET", "/v1/stock-levels"): ("list", STOCK_LEVEL),
    ("PUT", "/v1/stores/{store_id}/reorder-points"): ("stock_action", STORE),
    ("GET", "/v1/stock-movements"): ("list", STOCK_MOVEMENT),
    ("POST", "/v1/stock-movements"): ("create", STOCK_MOVEMENT),
    ("GET", "/v1/stock-lots"): ("list", STOCK_LOT),
    ("GET", "/v1/losses"): ("list", LOSS),
    ("POST", "/v1/losses"): ("create", LOSS),
    ("GET", "/v1/losses/{loss_id}"): ("read", LOSS),
    ("GET", "/v1/stocktakes"): ("list", STOCKTAKE),
    ("POST", "/v1/stocktakes"): ("create", STOCKTAKE),
    ("GET", "/v1/stocktakes/{stocktake_id}"): ("read", STOCKTAKE),
    ("GET", "/v1/stocktakes/{stocktake_id}/variance"): ("read", STOCKTAKE),
    ("POST", "/v1/stocktakes/{stocktake_id}/counts"): ("stock_action", STOCKTAKE),
    ("POST", "/v1/stocktakes/{stocktake_id}/post"): ("action", STOCKTAKE_TO_POST),
    ("POST", "/v1/stocktakes/{stocktake_id}/cancel"): ("action", STOCKTAKE_TO_CANCEL),
    ("GET", "/v1/transfers"): ("list", TRANSFER),
    ("POST", "/v1/transfers"): ("create", TRANSFER),
    ("GET", "/v1/transfers/{transfer_id}"): ("read", TRANSFER),
    ("POST", "/v1/transfers/{transfer_id}/receive"): ("action", TRANSFER),
    ("POST", "/v1/transfers/{transfer_id}/cancel"): ("action", TRANSFER_TO_CANCEL),
    ("POST", "/v1/stores/{store_id}/suggestions"): ("suggest", STORE),
    ("GET", "/v1/stores/{store_id}/forecast-accuracy"): ("read", STORE),
    ("GET", "/v1/suggestion-runs"): ("list", SUGGESTION_RUN),
    ("GET", "/v1/suggestion-runs/{run_id}"): ("read", SUGGESTION_RUN),
    ("POST", "/v1/suggestion-runs/{run_id}/purchase-orders"): (
        "action",
        SUGGESTION_RUN_TO_CONVERT,
    ),
    ("GET", "/v1/suggestion-lines/{line_id}"): ("read", SUGGESTION_LINE),
    ("PATCH", "/v1/suggestion-lines/{line_id}"): ("update", SUGGESTION_LINE),
    ("GET", "/v1/demand-calendar"): ("list", DEMAND_CALENDAR_ENTRY),
    ("POST", "/v1/demand-calendar"): ("create", DEMAND_CALENDAR_ENTRY),
    ("GET", "/v1/demand-calendar/{entry_id}"): ("read", DEMAND_CALENDAR_ENTRY),
    ("PATCH", "/v1/demand-calendar/{entry_id}"): ("update", DEMAND_CALENDAR_ENTRY),
    ("DELETE", "/v1/demand-calendar/{entry_id}"): ("delete", DEMAND_CALENDAR_ENTRY),
}

_ELSEWHERE = {
    name: f"cross-tenant cases in {name}, beside the domain's other isolation tests"
    for name in (
        "test_pricing.py",
        "test_promotions.py",
        "test_quotes.py",
        "test_segments.py",
        "test_membership.py",
        "test_tiers.py",
        "test_points.py",
    )
}
NO_FOREIGN_OBJECT: dict[tuple[str, str], str] = {
    ("POST", "/v1/signup"): "creates a new chain; names no existing object",
    ("POST", "/v1/auth/login"): "finds the caller's own user by email and password",
    ("POST", "/v1/auth/logout"): "revokes the token of the call itself (test_logout_...)",
    ("GET", "/v1/me"): "the caller itself (test_me_and_tenant_...)",
    ("GET", "/v1/tenant"): "the caller's own chain (test_me_and_tenant_...)",
    ("PATCH", "/v1/tenant"): "the caller's own chain (test_tenant_patch_...)",
    ("POST", "/v1/invitations/accept"): "names the invitation by its secret token, not an id",
    ("POST", "/v1/products/import"): "writes the caller's catalog (test_import_...)",
    (
        "GET",
        "/v1/plugins",
    ): "plugins are named, not ids; each chain sees its own (test_plugins_...)",
    ("GET", "/v1/plugins/{name}"): "the caller's own chain's plugin state (test_plugins_...)",
    ("PUT", "/v1/plugins/{name}"): "enables for the caller's own chain (test_plugins_...)",
    ("DELETE", "/v1/plugins/{name}"): "disables for the caller's own chain (test_plugins_...)",
    ("GET", "/v1/loss-report"): (
        "sums the caller's own chain's loss movements; naming another chain's store matches "
        "nothing (test_inventory.py)"
    ),
    ("DELETE", "/v1/promotions/{promotion_id}"): _ELSEWHERE["test_promotions.py"],
    ("GET", "/v1/promotions/{promotion_id}"): _ELSEWHERE["test_promotions.py"],
    ("PATCH", "/v1/promotions/{promotion_id}"): _ELSEWHERE["test_promotions.py"],
    ("GET", "/v1/promotions"): _ELSEWHERE["test_promotions.py"],
    ("POST", "/v1/promotions"): _ELSEWHERE["test_promotions.py"],
    ("POST", "/v1/promotions/{promotion_id}/pause"): _ELSEWHERE["test_promotions.py"],
    ("POST", "/v1/promotions/{promotion_id}/resume"): _ELSEWHERE["test_promotions.py"],
    ("DELETE", "/v1/markdown-rules/{rule_id}"): _ELSEWHERE["test_promotions.py"],
    ("GET", "/v1/markdown-rules/{rule_id}"): _ELSEWHERE["test_promotions.py"],
    ("PATCH", "/v1/markdown-rules/{rule_id}"): _ELSEWHERE["test_promotions.py"],
    ("GET", "/v1/markdown-rules"): _ELSEWHERE["test_promotions.py"],
    ("POST", "/v1/markdown-rules"): _ELSEWHERE["test_promotions.py"],
    ("DELETE", "/v1/price-lists/{price_list_id}"): _ELSEWHERE["test_pricing.py"],
    ("GET", "/v1/price-lists/{price_list_id}"): _ELSEWHERE["test_pricing.py"],
    ("PATCH", "/v1/price-lists/{price_list_id}"): _ELSEWHERE["test_pricing.py"],
    ("GET", "/v1/price-lists"): _ELSEWHERE["test_pricing.py"],
    ("POST", "/v1/price-lists"): _ELSEWHERE["test_pricing.py"],
    ("GET", "/v1/price-lists/{price_list_id}/items"): _ELSEWHERE["test_pricing.py"],
    ("PUT", "/v1/price-lists/{price_list_id}/items"): _ELSEWHERE["test_pricing.py"],
    ("DELETE", "/v1/price-lists/{price_list_id}/items/{product_id}"): _ELSEWHERE["test_pricing.py"],
    ("POST", "/v1/price-changes/{price_change_id}/cancel"): _ELSEWHERE["test_pricing.py"],
    ("GET", "/v1/price-changes/{price_change_id}"): _ELSEWHERE["test_pricing.py"],
    ("GET", "/v1/price-changes"): _ELSEWHERE["test_pricing.py"],
    ("POST", "/v1/price-changes"): _ELSEWHERE["test_pricing.py"],
    ("GET", "/v1/price-history"): _ELSEWHERE["test_pricing.py"],
    ("POST", "/v1/quotes"): _ELSEWHERE["test_quotes.py"],
    ("GET", "/v1/members"): _ELSEWHERE["test_membership.py"],
    ("POST", "/v1/members"): _ELSEWHERE["test_membership.py"],
    ("GET", "/v1/members/{member_id}"): _ELSEWHERE["test_membership.py"],
    ("PATCH", "/v1/members/{member_id}"): _ELSEWHERE["test_membership.py"],
    ("POST", "/v1/members/{member_id}/external-ids"): _ELSEWHERE["test_membership.py"],
    ("DELETE", "/v1/members/{member_id}/external-ids/{channel}"): _ELSEWHERE["test_membership.py"],
    ("POST", "/v1/members/{member_id}/consents"): _ELSEWHERE["test_membership.py"],
    ("GET", "/v1/members/{member_id}/consents"): _ELSEWHERE["test_membership.py"],
    ("POST", "/v1/members/{member_id}/merge"): _ELSEWHERE["test_membership.py"],
    ("GET", "/v1/members/{member_id}/export"): _ELSEWHERE["test_membership.py"],
    ("POST", "/v1/members/{member_id}/erase"): _ELSEWHERE["test_membership.py"],
    ("POST", "/v1/members/import"): _ELSEWHERE["test_membership.py"],
    ("GET", "/v1/members/{member_id}/segment"): _ELSEWHERE["test_segments.py"],
    ("GET", "/v1/segments"): _ELSEWHERE["test_segments.py"],
    ("GET", "/v1/segments/members"): _ELSEWHERE["test_segments.py"],
    ("POST", "/v1/segments/refresh"): _ELSEWHERE["test_segments.py"],
    ("GET", "/v1/segments/settings"): _ELSEWHERE["test_segments.py"],
    ("PATCH", "/v1/segments/settings"): _ELSEWHERE["test_segments.py"],
    ("GET", "/v1/tiers"): _ELSEWHERE["test_tiers.py"],
    ("POST", "/v1/tiers"): _ELSEWHERE["test_tiers.py"],
    ("GET", "/v1/tiers/{tier_id}"): _ELSEWHERE["test_tiers.py"],
    ("PATCH", "/v1/tiers/{tier_id}"): _ELSEWHERE["test_tiers.py"],
    ("DELETE", "/v1/tiers/{tier_id}"): _ELSEWHERE["test_tiers.py"],
    ("POST", "/v1/tiers/evaluate"): _ELSEWHERE["test_tiers.py"],
    ("GET", "/v1/tiers/stripe"): _ELSEWHERE["test_tiers.py"],
    ("PUT", "/v1/tiers/stripe"): _ELSEWHERE["test_tiers.py"],
    ("GET", "/v1/members/{member_id}/tier"): _ELSEWHERE["test_tiers.py"],
    ("GET", "/v1/members/{member_id}/tier/changes"): _ELSEWHERE["test_tiers.py"],
    ("POST", "/v1/members/{member_id}/premium"): _ELSEWHERE["test_tiers.py"],
    ("POST", "/v1/members/{member_id}/premium/cancel"): _ELSEWHERE["test_tiers.py"],
    ("POST", "/v1/stripe/webhooks/{tenant_id}"): _ELSEWHERE["test_tiers.py"],
    ("GET", "/v1/members/{member_id}/points"): _ELSEWHERE["test_points.py"],
    ("POST", "/v1/members/{member_id}/points/adjustments"): _ELSEWHERE["test_points.py"],
    ("GET", "/v1/points-rules"): _ELSEWHERE["test_points.py"],
    ("POST", "/v1/points-rules"): _ELSEWHERE["test_points.py"],
    ("GET", "/v1/points-rules/{rule_id}"): _ELSEWHERE["test_points.py"],
    ("PATCH", "/v1/points-rules/{rule_id}"): _ELSEWHERE["test_points.py"],
    ("DELETE", "/v1/points-rules/{rule_id}"): _ELSEWHERE["test_points.py"],
    ("GET", "/v1/points-settings"): _ELSEWHERE["test_points.py"],
    ("PATCH", "/v1/points-settings"): _ELSEWHERE["test_points.py"],
}

PLUGIN_PREFIX = re.compile(r"^/v1/plugins/[a-z][a-z0-9_]+/")
"""Routes of installed plugins, gated by the host: test_plugin_routes_are_gated_by_the_host."""

OUTSIDE_V1 = {"/graphql", "/health", "/ready", "/metrics"}
"""Routes outside /v1/: GraphQL (test_graphql.py) and operations, which hold no tenant data.
The OpenAPI documents under /schema are allowed as well."""


def _at(path: str, ident: str) -> str:
    return re.sub(r"\{[^}]+\}", ident, path)


def _like_missing(response: Any, ident: str, missing: Any, missing_id: str) -> None:
    """``response`` (about A's ``ident``) is word for word the answer about ``missing_id``."""
    assert without_id(response, ident) == without_id(missing, missing_id)


def check_read(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers
    theirs = client.get(_at(path, a_id), headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.get(_at(path, missing), headers=b), missing)
    assert client.get(_at(path, world.b.ids[res.key]), headers=b).status_code == 200


def check_update(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    assert res.change is not None
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers
    before = a_view(client, world, res.key, a_id)
    body = {**res.change, "version": before["version"]}
    theirs = client.patch(_at(path, a_id), json=body, headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.patch(_at(path, missing), json=body, headers=b), missing)
    assert a_view(client, world, res.key, a_id) == before
    # The body was valid: B changes its own object with it.
    own_path = _at(path, world.b.ids[res.key])
    for ref_key, ref in res.refs:  # ... but not to point at A's objects
        a_ref, missing_ref = world.a.ids[ref_key], new_uuid()
        version = client.get(own_path, headers=b).json()["version"]
        theirs = client.patch(own_path, json={**ref(a_ref), "version": version}, headers=b)
        assert_problem(theirs, 422)
        _like_missing(
            theirs,
            a_ref,
            client.patch(own_path, json={**ref(missing_ref), "version": version}, headers=b),
            missing_ref,
        )
    version = client.get(own_path, headers=b).json()["version"]
    mine = client.patch(own_path, json={**res.change, "version": version}, headers=b)
    assert mine.status_code == 200, mine.text


def check_delete(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers
    before = a_view(client, world, res.key, a_id)
    theirs = client.delete(_at(path, a_id), headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.delete(_at(path, missing), headers=b), missing)
    assert a_view(client, world, res.key, a_id) == before
    if res is API_KEY:  # and A's key still works
        assert client.get("/v1/me", headers=world.a.key_headers).status_code == 200


def check_list(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    page = client.get(path, params={"limit": 200}, headers=world.b.headers)
    assert page.status_code == 200, page.text
    assert world.b.ids[res.own or res.key] in page.text  # B's own objects are listed
    assert [s for s in world.a_secrets() if s in page.text] == []
    for query in res.filters(world):
        filtered = client.get(path, params=query, headers=world.b.headers)
        assert filtered.status_code == 200, filtered.text
        assert filtered.json()["data"] == [], query


def check_create(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    assert res.create is not None
    body, b = res.create(world), world.b.headers
    for ref_key, ref in res.refs:  # naming A's object answers as naming no object at all
        a_ref, missing = world.a.ids[ref_key], new_uuid()
        theirs = client.post(path, json={**body, **ref(a_ref)}, headers=b)
        assert_problem(theirs, 422)
        _like_missing(
            theirs, a_ref, client.post(path, json={**body, **ref(missing)}, headers=b), missing
        )
    made = client.post(path, json=body, headers=b)  # A's codes, SKU, GTIN, email: free for B
    assert made.status_code == 201, made.text
    new_id = (made.json()[res.wrapper] if res.wrapper else made.json())["id"]
    if res.readable:
        assert_problem(client.get(f"{path}/{new_id}", headers=world.a.headers), 404, "not-found")
    page = client.get(path, params={"limit": 200}, headers=world.a.headers)
    assert page.status_code == 200
    assert world.a.ids[res.key] in page.text
    assert new_id not in page.text


def check_action(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    """B's action on A's object: 404 like a missing id, A's object unchanged; on B's own, 200."""
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers
    before = a_view(client, world, res.key, a_id)
    theirs = client.post(_at(path, a_id), json=res.action, headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(
        theirs, a_id, client.post(_at(path, missing), json=res.action, headers=b), missing
    )
    assert a_view(client, world, res.key, a_id) == before
    mine = client.post(_at(path, world.b.ids[res.key]), json=res.action, headers=b)
    assert mine.status_code == 200, mine.text


def check_replay(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    """Replaying A's endpoint's dead letters: 404 like a missing endpoint; B's own works."""
    a_endpoint, missing, b = world.a.ids["webhook_endpoint"], new_uuid(), world.b.headers
    before = a_view(client, world, res.key, world.a.ids[res.key])
    theirs = client.post(path, json={"endpoint_id": a_endpoint}, headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(
        theirs, a_endpoint, client.post(path, json={"endpoint_id": missing}, headers=b), missing
    )
    assert a_view(client, world, res.key, world.a.ids[res.key]) == before
    mine = client.post(path, json={"endpoint_id": world.b.ids["webhook_endpoint"]}, headers=b)
    assert mine.status_code == 200, mine.text


def check_receive(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    """B receiving goods against A's order (naming its own line or A's): 404 like a missing
    order; naming A's line on B's own order: 422 like a missing line. A's order and stock stay
    as they were; B's own delivery is received."""
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers
    own = _at(path, world.b.ids[res.key])
    before = a_view(client, world, res.key, a_id)
    a_stock = client.get("/v1/stock-levels", headers=world.a.headers).json()
    a_line = before["lines"][0]["id"]
    b_line = client.get(_at(res.collection + "/{id}", world.b.ids[res.key]), headers=b).json()
    b_line = b_line["lines"][0]["id"]

    def body(line: str) -> Body:
        return {"lines": [{"line_id": line, "received": 1}]}

    for line in (b_line, a_line):
        theirs = client.post(_at(path, a_id), json=body(line), headers=b)
        assert_problem(theirs, 404, "not-found")
        _like_missing(
            theirs, a_id, client.post(_at(path, missing), json=body(line), headers=b), missing
        )
    theirs = client.post(own, json=body(a_line), headers=b)
    assert_problem(theirs, 422)
    _like_missing(theirs, a_line, client.post(own, json=body(missing), headers=b), missing)
    assert a_view(client, world, res.key, a_id) == before
    assert client.get("/v1/stock-levels", headers=world.a.headers).json() == a_stock
    mine = client.post(own, json=body(b_line), headers=b)
    assert mine.status_code == 201, mine.text


STOCK_ACTIONS: dict[str, tuple[str, Callable[[str], Body]]] = {
    "/v1/stocktakes/{stocktake_id}/counts": (
        "POST",
        lambda p: {"counts": [{"product_id": p, "quantity": 1}]},
    ),
    "/v1/stores/{store_id}/reorder-points": (
        "PUT",
        lambda p: {"points": [{"product_id": p, "reorder_point": 3}]},
    ),
}
"""Inventory actions on one object whose body names a product -> (method, body)."""


def check_stock_action(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    """B counting on A's stocktake or setting A's store's reorder points (naming B's product or
    A's): 404 like a missing id; on B's own, naming A's product: 422 like a missing product.
    A's object and stock stay as they were; B's own works."""
    method, make = STOCK_ACTIONS[path]
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers
    own, a_product = world.b.ids[res.key], world.a.ids["product"]

    def send(ident: str, product: str) -> Any:
        return client.request(method, _at(path, ident), json=make(product), headers=b)

    def a_state() -> Any:
        levels = client.get("/v1/stock-levels", params={"limit": 200}, headers=world.a.headers)
        return a_view(client, world, res.key, a_id), levels.json()

    before = a_state()
    for product in (world.b.ids["product"], a_product):
        theirs = send(a_id, product)
        assert_problem(theirs, 404, "not-found")
        _like_missing(theirs, a_id, send(missing, product), missing)
    theirs = send(own, a_product)
    assert_problem(theirs, 422)
    _like_missing(theirs, a_product, send(own, missing), missing)
    assert a_state() == before
    mine = send(own, world.b.ids["product"])
    assert mine.status_code == 200, mine.text


def check_suggest(client: TestClient[Any], world: World, path: str, res: Resource) -> None:
    """B asking for a suggested order of A's store: 404 like a missing store, and A's runs
    stay as they were; for B's own store a run is made."""
    a_id, missing, b = world.a.ids[res.key], new_uuid(), world.b.headers

    def a_runs() -> Any:
        listed = client.get("/v1/suggestion-runs", params={"limit": 200}, headers=world.a.headers)
        return listed.json()

    before = a_runs()
    theirs = client.post(_at(path, a_id), json={}, headers=b)
    assert_problem(theirs, 404, "not-found")
    _like_missing(theirs, a_id, client.post(_at(path, missing), json={}, headers=b), missing)
    assert a_runs() == before
    mine = client.post(_at(path, world.b.ids[res.key]), json={}, headers=b)
    assert mine.status_code == 201, mine.text


CHECKS = {
    "action": check_action,
    "suggest": check_suggest,
    "stock_action": check_stock_action,
    "receive": check_receive,
    "replay": check_replay,
    "read": check_read,
    "update": check_update,
    "delete": check_delete,
    "list": check_list,
    "create": check_create,
}


@pytest.mark.parametrize("case", sorted(CASES), ids=" ".join)
def test_cross_tenant(client: TestClient[Any], world: World, case: tuple[str, str]) -> None:
    """B's call of this route on A's object: 404 like a missing id, nothing of A's changed;
    lists and filters show none of A's objects; creates stay in B's chain."""
    kind, res = CASES[case]
    CHECKS[kind](client, world, case[1], res)


def _routes(client: TestClient[Any]) -> set[tuple[str, str]]:
    return {
        (method, route.path_format)
        for route in client.app.routes
        if isinstance(route, HTTPRoute)
        for method in route.route_handler_map
        if method not in ("OPTIONS", "HEAD")
    }


def test_every_route_is_covered(client: TestClient[Any]) -> None:
    """Each (method, path) under /v1/ has a cross-tenant case or a documented reason why no other
    tenant's object can be reached through it; neither table names a route that is gone."""
    routes = _routes(client)
    v1 = {r for r in routes if r[1].startswith("/v1/") and not PLUGIN_PREFIX.match(r[1])}
    assert sorted(v1 - CASES.keys() - NO_FOREIGN_OBJECT.keys()) == [], "add a case to CASES"
    assert sorted((CASES.keys() | NO_FOREIGN_OBJECT.keys()) - v1) == []
    assert not CASES.keys() & NO_FOREIGN_OBJECT.keys()
    others = {
        path
        for _, path in routes - v1
        if not path.startswith("/schema") and not PLUGIN_PREFIX.match(path)
    }
    assert others == OUTSIDE_V1


def test_plugins_are_per_chain(client: TestClient[Any], world: World) -> None:
    """A chain's plugins, settings and plugin data are its own: B sees none of A's, B's
    disabling cannot touch A's, and B enabling a plugin changes nothing of A's."""
    a_before = client.get("/v1/plugins/stamps", headers=world.a.headers).json()
    assert MARK in a_before["settings"]["label"]
    seen = [
        client.get("/v1/plugins", headers=world.b.headers),
        client.get("/v1/plugins/stamps", headers=world.b.headers),
        client.get("/v1/plugins/stamps/stamps/", headers=world.b.headers),
        client.get("/v1/plugins/stamps/stamps/whoami", headers=world.b.headers),
    ]
    assert all(r.status_code == 200 for r in seen), [r.text for r in seen]
    assert [s for s in world.a_secrets() if any(s in r.text for r in seen)] == []
    assert "token-zq7mark" not in "".join(r.text for r in seen)
    changed = client.put(
        "/v1/plugins/stamps", json={"settings": {"label": "B again"}}, headers=world.b.headers
    )
    assert changed.status_code == 200, changed.text
    assert client.delete("/v1/plugins/flaky", headers=world.b.headers).status_code == 404
    assert client.get("/v1/plugins/stamps", headers=world.a.headers).json() == a_before


def test_plugin_routes_are_gated_by_the_host(client: TestClient[Any]) -> None:
    """Every route of every installed plugin answers 404 to a chain that has not enabled it
    (and 401 without credentials), before the plugin's own code runs."""
    fresh = sign_up(client)
    plugin_routes = sorted(r for r in _routes(client) if PLUGIN_PREFIX.match(r[1]))
    assert ("GET", "/v1/plugins/stamps/stamps/whoami") in plugin_routes
    for method, path in plugin_routes:
        url = _at(path, new_uuid())
        assert_problem(client.request(method, url, headers=fresh.headers, json={}), 404)
        assert_problem(client.request(method, url, json={}), 401)


def test_me_and_tenant_are_the_callers_own(client: TestClient[Any], world: World) -> None:
    """/v1/me and /v1/tenant answer about B's own user and chain, never A's."""
    me = client.get("/v1/me", headers=world.b.headers)
    tenant = client.get("/v1/tenant", headers=world.b.headers)
    assert me.json()["user"]["id"] == world.b.ids["user"]
    assert me.json()["tenant"]["id"] == tenant.json()["id"] == world.b.ids["tenant"]
    assert [s for s in world.a_secrets() if s in me.text + tenant.text] == []


def test_tenant_patch_changes_only_the_callers_chain(client: TestClient[Any], world: World) -> None:
    """PATCH /v1/tenant changes B's chain even when the body names A's id; A's stays as it was."""
    before = client.get("/v1/tenant", headers=world.a.headers).json()
    mine = client.get("/v1/tenant", headers=world.b.headers).json()
    body = {
        "id": world.a.ids["tenant"],
        "name": "Renamed",
        "timezone": "Europe/Berlin",
        "version": mine["version"],
    }
    changed = client.patch("/v1/tenant", json=body, headers=world.b.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["id"] == world.b.ids["tenant"]
    assert changed.json()["name"] == "Renamed"
    assert client.get("/v1/tenant", headers=world.a.headers).json() == before


def test_import_with_a_sku_creates_bs_own_product(client: TestClient[Any], world: World) -> None:
    """Importing A's SKU creates B's own product and leaves A's alone; A's supplier code is
    unknown to B's import exactly like a code nobody uses."""
    a, b = world.a, world.b.headers
    before = a_view(client, world, "product", a.ids["product"])
    code = "SUP-ONLY-A"  # B's chain has no supplier with this code (A's seed code is reused)
    made = client.post("/v1/suppliers", json={"code": code, "name": "Mill"}, headers=a.headers)
    assert made.status_code == 201, made.text

    def run(supplier: str) -> Any:
        csv = f"sku,name,price,supplier\n{a.values['sku']},Imported,1.00,{supplier}\n"
        return client.post(
            "/v1/products/import", content=csv.encode(), headers={**b, "Content-Type": "text/csv"}
        )

    theirs = run(code)
    assert_problem(theirs, 422)
    _like_missing(theirs, code, run("SUP-NONE"), "SUP-NONE")
    done = run("")
    assert done.status_code == 200, done.text
    assert (done.json()["created"], done.json()["updated"]) == (1, 0)
    found = client.get("/v1/products", params={"q": a.values["sku"]}, headers=b).json()["data"]
    assert [(p["sku"], p["name"]) for p in found] == [(a.values["sku"], "Imported")]
    assert found[0]["id"] != a.ids["product"]
    assert a_view(client, world, "product", a.ids["product"]) == before


def test_logout_revokes_only_the_callers_token(client: TestClient[Any], world: World) -> None:
    """Logging out another chain's owner ends that token only: A's token keeps working."""
    other = sign_up(client)
    assert client.post("/v1/auth/logout", headers=other.headers).status_code == 204
    assert_problem(client.get("/v1/me", headers=other.headers), 401)
    assert client.get("/v1/me", headers=world.a.headers).status_code == 200


def test_idempotency_keys_are_per_chain(client: TestClient[Any], world: World) -> None:
    """B's POST with the Idempotency-Key A used runs afresh in B's chain: A's stored answer is
    never replayed to B."""
    headers = {**world.b.headers, "Idempotency-Key": f"seed-{world.a.values['tag']}"}
    made = client.post("/v1/stores", json={"code": "S-IDEM", "name": "Fresh"}, headers=headers)
    assert made.status_code == 201, made.text
    assert "idempotent-replayed" not in made.headers
    assert made.json()["name"] == "Fresh"
    assert made.json()["id"] != world.a.ids["store"]
    again = client.post("/v1/stores", json={"code": "S-IDEM", "name": "Fresh"}, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"  # the key works, within B's chain
    assert again.json() == made.json()
