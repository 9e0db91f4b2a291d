"""Cross-tenant isolation through GraphQL: chain B (an owner with every scope) never reads,
changes or learns of chain A's objects at /graphql.

Every Query field taking an ``id`` answers NOT_FOUND for A's object, word for word as for an id
that never existed; list fields show none of A's objects; every update/delete/revoke mutation on
A's id answers NOT_FOUND and changes nothing; creates stay in B's chain.
``test_every_field_is_covered`` introspects the served schema and fails when a field is added
without a case here (or a documented entry in ``OWN_CHAIN``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import graphql
from tests.isolation import test_promotions as _promotions
from tests.isolation.conftest import COLLECTIONS, MARK, World, a_view, new_uuid

Body = dict[str, Any]

SELECT = {
    "Store": "id code name",
    "Category": "id name parentId",
    "Supplier": "id code name",
    "Product": "id sku name categoryId supplierId category { id name } supplier { id name }",
    "User": "id email name",
    "ApiKey": "id name createdBy",
    "Invitation": "id email invitedBy",
    "AuditEntry": "id actorId resourceId before after",
    "Event": "id type data",
    "WebhookEndpoint": "id url description",
    "WebhookDelivery": "id endpointId eventId lastError",
    "WebhookDeliveryDetail": "id endpointId eventId attempts { id error responseExcerpt }",
    "PurchaseOrder": "id number note storeId supplierId lines { id productId } "
    "receipts { id lines { lineId movementId } }",
    "GoodsReceipt": "id purchaseOrderId storeId supplierId note "
    "lines { id lineId productId movementId }",
    "Order": "id storeId note createdBy lines { id productId name } payments { id reference } "
    "refunds { id createdBy lines { id lineId } payments { paymentId } }",
    "StockLevel": "id storeId productId",
    "StockMovement": "id storeId productId lotId sourceId actorId note",
    "StockLot": "id storeId productId code",
    "MovementBatch": "id storeId note movements { id productId }",
    "Loss": "id storeId note recordedBy transferId movements { id productId lotId sourceId }",
    "Stocktake": "id storeId note openedBy categoryIds "
    "variance { lines { productId name } uncounted { productId name } }",
    "Transfer": "id fromStoreId toStoreId note sentBy lossId lines { productId }",
    "SuggestionRun": "id storeId createdBy lines { id productId supplierId reasons }",
    "SuggestionLine": "id runId storeId productId supplierId purchaseOrderId reasons",
    "DemandCalendarEntry": "id storeId label",
}
"""What each type's checks select: every id and name that could leak."""

BY_ID = {
    "store": "Store",
    "category": "Category",
    "supplier": "Supplier",
    "product": "Product",
    "user": "User",
    "apiKey": "ApiKey",
    "event": "Event",
    "webhookEndpoint": "WebhookEndpoint",
    "webhookDelivery": "WebhookDeliveryDetail",
    "purchaseOrder": "PurchaseOrder",
    "goodsReceipt": "GoodsReceipt",
    "order": "Order",
    "loss": "Loss",
    "stocktake": "Stocktake",
    "transfer": "Transfer",
    "suggestionRun": "SuggestionRun",
    "suggestionLine": "SuggestionLine",
    "demandCalendarEntry": "DemandCalendarEntry",
}
"""Query fields taking an ``id`` -> their type (the resource key is the snake_case name)."""

LISTS: dict[str, tuple[str, str, Callable[[World], list[Body]]]] = {
    "stores": ("Store", "store", lambda _: []),
    "categories": ("Category", "category", lambda _: []),
    "suppliers": ("Supplier", "supplier", lambda _: []),
    "products": (
        "Product",
        "product",
        lambda w: [
            {"categoryId": w.a.ids["category"]},
            {"q": MARK},
            {"status": "active", "q": "Bread " + MARK},
        ],
    ),
    "users": ("User", "user", lambda _: []),
    "invitations": ("Invitation", "invitation", lambda _: []),
    "apiKeys": ("ApiKey", "api_key", lambda _: []),
    "auditLog": (
        "AuditEntry",
        "product",
        lambda w: [{"resourceId": w.a.ids[k]} for k in ("product", "store", "user", "tenant")],
    ),
    "events": ("Event", "event", lambda _: []),
    "webhookEndpoints": ("WebhookEndpoint", "webhook_endpoint", lambda _: []),
    "webhookDeliveries": (
        "WebhookDelivery",
        "webhook_delivery",
        lambda w: [
            {"endpointId": w.a.ids["webhook_endpoint"]},
            {"eventId": w.a.ids["event"]},
            {"eventId": w.a.ids["event"], "status": "pending"},
        ],
    ),
    "purchaseOrders": (
        "PurchaseOrder",
        "purchase_order",
        lambda w: [
            {"storeId": w.a.ids["store"]},
            {"supplierId": w.a.ids["supplier"]},
            {"storeId": w.a.ids["store"], "status": "draft"},
        ],
    ),
    "orders": (
        "Order",
        "order",
        lambda w: [{"storeId": w.a.ids["store"]}, {"storeId": w.a.ids["store"], "status": "open"}],
    ),
    "stockLevels": (
        "StockLevel",
        "stock_level",
        lambda w: [{"storeId": w.a.ids["store"]}, {"productId": w.a.ids["product"]}],
    ),
    "stockMovements": (
        "StockMovement",
        "stock_movement",
        lambda w: [
            {"storeId": w.a.ids["store"]},
            {"productId": w.a.ids["product"]},
            {"sourceId": w.a.ids["loss"]},
        ],
    ),
    "stockLots": (
        "StockLot",
        "stock_lot",
        lambda w: [{"storeId": w.a.ids["store"]}, {"productId": w.a.ids["product"]}],
    ),
    "losses": ("Loss", "loss", lambda w: [{"storeId": w.a.ids["store"]}]),
    "stocktakes": (
        "Stocktake",
        "stocktake",
        lambda w: [
            {"storeId": w.a.ids["store2"]},
            {"storeId": w.a.ids["store2"], "status": "open"},
        ],
    ),
    "transfers": (
        "Transfer",
        "transfer",
        lambda w: [
            {"storeId": w.a.ids["store"]},
            {"storeId": w.a.ids["store2"], "status": "in_transit"},
        ],
    ),
    "suggestionRuns": (
        "SuggestionRun",
        "suggestion_run",
        lambda w: [
            {"storeId": w.a.ids["store"]},
            {"storeId": w.a.ids["store"], "status": "completed"},
        ],
    ),
    "demandCalendar": (
        "DemandCalendarEntry",
        "demand_calendar_entry",
        lambda w: [{"storeId": w.a.ids["store"]}],
    ),
}
"""List field -> (type, which of B's ids it must show, arguments matching only A's objects)."""

FILTER_TYPES = {
    "categoryId": "UUID",
    "resourceId": "UUID",
    "endpointId": "UUID",
    "eventId": "UUID",
    "q": "String",
    "status": "String",
    "storeId": "UUID",
    "supplierId": "UUID",
    "productId": "UUID",
    "sourceId": "UUID",
}

Ref = tuple[str, Callable[[str], Body]]
CATEGORY_REFS: tuple[Ref, ...] = (("category", lambda i: {"parentId": i}),)
PRODUCT_REFS: tuple[Ref, ...] = (
    ("category", lambda i: {"categoryId": i}),
    ("supplier", lambda i: {"supplierId": i}),
)

USER_REFS: tuple[Ref, ...] = (("store", lambda i: {"role": "manager", "storeIds": [i]}),)
PURCHASE_ORDER_REFS: tuple[Ref, ...] = (
    ("store", lambda i: {"storeId": i}),
    ("supplier", lambda i: {"supplierId": i}),
    ("product", lambda i: {"lines": [{"productId": i, "quantity": "1"}]}),
)

ORDER_REFS: tuple[Ref, ...] = (
    ("store", lambda i: {"storeId": i}),
    ("product", lambda i: {"lines": [{"productId": i, "quantity": "1"}]}),
)
STOCK_REFS = ORDER_REFS
TRANSFER_REFS: tuple[Ref, ...] = (
    ("store", lambda i: {"fromStoreId": i}),
    ("store", lambda i: {"toStoreId": i}),
    ("product", lambda i: {"lines": [{"productId": i, "quantity": "1"}]}),
)


def _b_lines(world: World) -> list[Body]:
    return [{"productId": world.b.ids["product"], "quantity": "1"}]


UPDATES: dict[str, tuple[str, Body, tuple[Ref, ...]]] = {
    "updateStore": ("store", {"name": "Taken over", "status": "closed"}, ()),
    "updateCategory": ("category", {"name": "Taken over"}, CATEGORY_REFS),
    "updateSupplier": ("supplier", {"name": "Taken over", "minOrder": 9}, ()),
    "updateProduct": ("product", {"name": "Taken over", "listPrice": 1}, PRODUCT_REFS),
    "updateUser": ("user", {"name": "Taken over"}, USER_REFS),
    "updateWebhookEndpoint": ("webhook_endpoint", {"description": "Taken over"}, ()),
    "updatePurchaseOrder": ("purchase_order", {"note": "Taken over"}, PURCHASE_ORDER_REFS),
    "updateSuggestionLine": ("suggestion_line", {"quantity": "0"}, ()),
    "updateDemandCalendarEntry": (
        "demand_calendar_entry",
        {"label": "Taken over"},
        (("store", lambda i: {"storeId": i}),),
    ),
}
"""Mutation -> (resource, a valid input without the version, inputs naming another object)."""

DELETES = {
    "deleteStore": "store",
    "deleteCategory": "category",
    "deleteSupplier": "supplier",
    "deleteProduct": "product",
    "revokeInvitation": "invitation",
    "revokeApiKey": "api_key",
    "deleteWebhookEndpoint": "webhook_endpoint",
    "deleteDemandCalendarEntry": "demand_calendar_entry",
}

CREATES: dict[str, tuple[str, str, Callable[[World], Body], tuple[Ref, ...]]] = {
    "createStore": (
        "store",
        "Store",
        lambda w: {"code": w.a.values["store_code"], "name": "Two"},
        (),
    ),
    "createCategory": ("category", "Category", lambda _: {"name": "Two"}, CATEGORY_REFS),
    "createSupplier": (
        "supplier",
        "Supplier",
        lambda w: {"code": w.a.values["supplier_code"], "name": "Two"},
        (),
    ),
    "createProduct": (
        "product",
        "Product",
        lambda w: {
            "sku": w.a.values["sku"],
            "gtin": w.a.values["gtin"],
            "plu": w.a.values["plu"],
            "name": "Two",
            "listPrice": 1,
        },
        PRODUCT_REFS,
    ),
    "createApiKey": (
        "api_key",
        "ApiKeyCreated",
        lambda _: {"name": "Two", "scopes": ["catalog:read"]},
        (),
    ),
    "inviteUser": (
        "invitation",
        "InvitationCreated",
        lambda w: {"email": w.a.values["invitee"], "role": "staff"},
        (("store", lambda i: {"role": "manager", "storeIds": [i]}),),
    ),
    "createWebhookEndpoint": (
        "webhook_endpoint",
        "WebhookEndpointCreated",
        lambda _: {"url": "https://example.com/hooks"},
        (),
    ),
    "createPurchaseOrder": (
        "purchase_order",
        "PurchaseOrder",
        lambda w: {
            "storeId": w.b.ids["store"],
            "supplierId": w.b.ids["supplier"],
            "lines": [{"productId": w.b.ids["product"], "quantity": "1"}],
        },
        PURCHASE_ORDER_REFS,
    ),
    "createOrder": (
        "order",
        "Order",
        lambda w: {
            "channel": "pos",
            "storeId": w.b.ids["store"],
            "lines": [{"productId": w.b.ids["product"], "quantity": "1"}],
        },
        ORDER_REFS,
    ),
    "recordStockMovements": (
        "stock_movement",
        "MovementBatch",
        lambda w: {"storeId": w.b.ids["store"], "kind": "receipt", "lines": _b_lines(w)},
        STOCK_REFS,
    ),
    "recordLoss": (
        "loss",
        "Loss",
        lambda w: {"storeId": w.b.ids["store"], "reason": "damaged", "lines": _b_lines(w)},
        STOCK_REFS,
    ),
    "openStocktake": (
        "stocktake",
        "Stocktake",
        lambda w: {"storeId": w.b.ids["store"]},
        (("store", lambda i: {"storeId": i}), ("category", lambda i: {"categoryIds": [i]})),
    ),
    "sendTransfer": (
        "transfer",
        "Transfer",
        lambda w: {
            "fromStoreId": w.b.ids["store"],
            "toStoreId": w.b.ids["store2"],
            "lines": _b_lines(w),
        },
        TRANSFER_REFS,
    ),
    "createDemandCalendarEntry": (
        "demand_calendar_entry",
        "DemandCalendarEntry",
        lambda _: {"day": "2031-02-01", "multiplier": "1.5", "label": "Two"},
        (("store", lambda i: {"storeId": i}),),
    ),
}
"""Mutation -> (resource, type, valid input reusing A's unique values, inputs naming another
object). The created object must stay invisible to A."""

ACTIONS: dict[str, tuple[str, str, Body | None]] = {
    "rotateWebhookSecret": ("webhook_endpoint", "RotateSecretInput", {"overlapHours": 1}),
    "retryWebhookDelivery": ("webhook_delivery", "", None),
    # one order per action, in the state it needs (seed_purchasing); versions as seeded
    "sendPurchaseOrder": ("po_to_send", "SendPurchaseOrderInput", {"version": 1}),
    "cancelPurchaseOrder": ("po_to_cancel", "CancelPurchaseOrderInput", {"version": 1}),
    "closePurchaseOrder": ("po_to_close", "ClosePurchaseOrderInput", {"version": 3}),
    # one sales order per action, in the state it needs (seed_orders)
    "cancelOrder": ("order", "", None),
    "payOrder": (
        "order_to_pay",
        "PayOrderInput",
        {"payments": [{"method": "cash", "amount": 1000}]},
    ),
    "fulfilOrder": ("paid_order", "", None),
    "refundOrder": ("order_to_refund", "RefundOrderInput", {}),
    # one stocktake and transfer per action, in the state it needs (seed_inventory)
    "postStocktake": ("stocktake_to_post", "", None),
    "cancelStocktake": ("stocktake_to_cancel", "", None),
    "receiveTransfer": ("transfer", "", None),
    "cancelTransfer": ("transfer_to_cancel", "", None),
    # a run of its own to convert (seed_replenishment): its version stays as made
    "convertSuggestionRun": (
        "suggestion_run_to_convert",
        "ConvertSuggestionRunInput",
        {"version": 1},
    ),
}
"""Mutations acting on one object by id -> (resource, input type, input)."""

LINE_ACTIONS: dict[str, tuple[str, str, Callable[[str], Body]]] = {
    "receivePurchaseOrder": (
        "po_to_receive",
        "GoodsReceiptInput",
        lambda line: {"lines": [{"lineId": line, "received": "1"}]},
    ),
}
"""Mutations acting on one object by id whose input names one of its lines -> (resource,
input type, input naming the line)."""

NAMED_IN_INPUT: dict[str, tuple[str, str, str]] = {
    "replayWebhookDeliveries": ("webhook_delivery", "ReplayInput", "endpointId"),
}
"""Mutations naming an object in their input -> (resource they change, input type, field
naming A's ``webhook_endpoint``)."""

STOCK_ACTIONS: dict[str, tuple[str, str, str, Callable[[str], Body]]] = {
    "recordStocktakeCounts": (
        "stocktake",
        "id",
        "StocktakeCountsInput",
        lambda p: {"counts": [{"productId": p, "quantity": "1"}]},
    ),
    "setReorderPoints": (
        "store",
        "storeId",
        "ReorderPointsInput",
        lambda p: {"points": [{"productId": p, "reorderPoint": "3"}]},
    ),
}
"""Inventory mutations on one object whose input names a product -> (resource, the argument
naming the object, input type, input naming the product)."""

BY_STORE: dict[str, tuple[str, str]] = {
    "forecastAccuracy": ("query", "storeId runs"),
    "runSuggestions": ("mutation", "id storeId"),
}
"""Fields naming a store by ``storeId`` -> (operation, what to select)."""

for _table, _theirs in (
    (SELECT, _promotions.GRAPHQL_SELECT),
    (BY_ID, _promotions.GRAPHQL_BY_ID),
    (LISTS, _promotions.GRAPHQL_LISTS),
    (UPDATES, _promotions.GRAPHQL_UPDATES),
    (DELETES, _promotions.GRAPHQL_DELETES),
    (CREATES, _promotions.GRAPHQL_CREATES),
    (ACTIONS, _promotions.GRAPHQL_ACTIONS),
):
    _table.update(_theirs)  # type: ignore[attr-defined]

ELSEWHERE = {
    "query": {
        "priceList": "test_pricing.py",
        "priceListItems": "test_pricing.py",
        "priceChange": "test_pricing.py",
        "priceLists": "test_pricing.py",
        "priceChanges": "test_pricing.py",
        "priceHistory": "test_pricing.py",
        "quote": "test_quotes.py",
        "member360": "tests/platform/membership/test_member360.py",
        "member": "test_membership.py",
        "members": "test_membership.py",
        "memberConsents": "test_membership.py",
        "memberExport": "test_membership.py",
        "memberSegment": "test_segments.py",
        "segmentSummary": "test_segments.py",
        "segmentMembers": "test_segments.py",
        "segmentSettings": "test_segments.py",
        "tiers": "test_tiers.py",
        "tier": "test_tiers.py",
        "memberTier": "test_tiers.py",
        "memberTierChanges": "test_tiers.py",
        "stripeSettings": "test_tiers.py",
        "memberPoints": "test_points.py",
        "pointsRules": "test_points.py",
        "pointsRule": "test_points.py",
        "pointsSettings": "test_points.py",
    },
    "mutation": {
        "createPriceList": "test_pricing.py",
        "updatePriceList": "test_pricing.py",
        "archivePriceList": "test_pricing.py",
        "setPriceListItems": "test_pricing.py",
        "removePriceListItem": "test_pricing.py",
        "schedulePriceChange": "test_pricing.py",
        "cancelPriceChange": "test_pricing.py",
        "createMember": "test_membership.py",
        "updateMember": "test_membership.py",
        "addMemberExternalId": "test_membership.py",
        "removeMemberExternalId": "test_membership.py",
        "recordMemberConsent": "test_membership.py",
        "mergeMembers": "test_membership.py",
        "eraseMember": "test_membership.py",
        "importMembers": "test_membership.py",
        "refreshSegments": "test_segments.py",
        "updateSegmentSettings": "test_segments.py",
        "createTier": "test_tiers.py",
        "updateTier": "test_tiers.py",
        "deleteTier": "test_tiers.py",
        "evaluateTiers": "test_tiers.py",
        "setStripeSettings": "test_tiers.py",
        "startPremium": "test_tiers.py",
        "cancelPremium": "test_tiers.py",
        "adjustPoints": "test_points.py",
        "createPointsRule": "test_points.py",
        "updatePointsRule": "test_points.py",
        "deletePointsRule": "test_points.py",
        "updatePointsSettings": "test_points.py",
    },
}
"""Fields whose cross-tenant cases live in their domain's own isolation file."""

OWN_CHAIN = {
    "me": "the caller itself (test_me_and_tenant_...)",
    "tenant": "the caller's own chain (test_me_and_tenant_...)",
    "updateTenant": "the caller's own chain (test_update_tenant_...)",
    "plugins": "plugins are named: the caller's own chain's (test_plugins_...)",
    "plugin": "the caller's own chain's plugin state (test_plugins_...)",
    "enablePlugin": "enables for the caller's own chain (test_plugins_...)",
    "disablePlugin": "disables for the caller's own chain (test_plugins_...)",
    "stampsCount": "a test plugin's field: the caller's chain only (test_plugins_...)",
    "lossReport": "sums the caller's own chain's loss movements (test_inventory.py)",
}
"""Fields that name no object: they act on the caller's own chain."""

INPUT_TYPES = {
    "updateUser": "UserUpdateInput",
    "inviteUser": "InvitationInput",
    "createApiKey": "ApiKeyInput",
    "updateTenant": "TenantUpdateInput",
    "recordStockMovements": "ManualMovementInput",
    "recordLoss": "LossInput",
    "openStocktake": "StocktakeInput",
    "sendTransfer": "TransferInput",
}


def _input_type(mutation: str) -> str:
    if mutation in INPUT_TYPES:
        return INPUT_TYPES[mutation]
    name = mutation.removeprefix("create").removeprefix("update")
    return f"{name}UpdateInput" if mutation.startswith("update") else f"{name}Input"


def _selection(type_name: str) -> str:
    if type_name == "ApiKeyCreated":
        return "apiKey { id }"
    if type_name == "InvitationCreated":
        return "invitation { id }"
    if type_name == "WebhookEndpointCreated":
        return "endpoint { id }"
    return SELECT[type_name]


def _blank(result: Body, ident: str) -> Body:
    return json.loads(json.dumps(result).replace(ident, "<id>"))


def _not_found(result: Body) -> Body:
    """Queries are non-null (the whole data is null); mutation payloads are nullable."""
    data = result["data"]
    assert data is None or all(value is None for value in data.values()), result
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND", result
    return result


def _bad_input(result: Body) -> Body:
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", result
    return result


def _by_id(client: TestClient[Any], headers: dict[str, str], field: str, ident: str) -> Body:
    query = f"query($id: UUID!) {{ {field}(id: $id) {{ {SELECT[BY_ID[field]]} }} }}"
    return graphql(client, headers, query, id=ident)


def _key(field: str) -> str:
    """The snake_case resource key of a camelCase field name."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in field)


@pytest.mark.parametrize("field", sorted(BY_ID))
def test_query_by_id(client: TestClient[Any], world: World, field: str) -> None:
    """B's query of A's id: NOT_FOUND, word for word as for a missing id; B's own id resolves."""
    a_id, missing, b = world.a.ids[_key(field)], new_uuid(), world.b.headers
    theirs = _not_found(_by_id(client, b, field, a_id))
    assert _blank(theirs, a_id) == _blank(_by_id(client, b, field, missing), missing)
    assert _by_id(client, b, field, world.b.ids[_key(field)])["data"][field]["id"]


@pytest.mark.parametrize("field", sorted(LISTS))
def test_list_field(client: TestClient[Any], world: World, field: str) -> None:
    """B's page holds B's objects and nothing of A's; filters naming A's objects match nothing."""
    type_name, own, filters = LISTS[field]
    result = graphql(
        client, world.b.headers, f"{{ {field}(first: 200) {{ data {{ {SELECT[type_name]} }} }} }}"
    )
    text = json.dumps(result)
    assert "errors" not in result, result
    assert world.b.ids[own] in text  # B's own objects are listed
    assert [s for s in world.a_secrets() if s in text] == []
    for args in filters(world):
        params = ", ".join(f"${k}: {FILTER_TYPES[k]}" for k in args)
        passed = ", ".join(f"{k}: ${k}" for k in args)
        query = f"query({params}) {{ {field}(first: 200, {passed}) {{ data {{ id }} }} }}"
        assert graphql(client, world.b.headers, query, **args) == {"data": {field: {"data": []}}}


def _update(
    client: TestClient[Any], headers: dict[str, str], mutation: str, ident: str, data: Body
) -> Body:
    query = (
        f"mutation($id: UUID!, $input: {_input_type(mutation)}!) "
        f"{{ {mutation}(id: $id, input: $input) {{ id }} }}"
    )
    return graphql(client, headers, query, id=ident, input=data)


@pytest.mark.parametrize("mutation", sorted(UPDATES))
def test_update_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B's update of A's object with A's current version: NOT_FOUND like a missing id, A's object
    unchanged. The same input changes B's own object; naming A's objects in it is refused."""
    key, change, refs = UPDATES[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    before = a_view(client, world, key, a_id)
    data = {**change, "version": before["version"]}
    theirs = _not_found(_update(client, b, mutation, a_id, data))
    assert _blank(theirs, a_id) == _blank(_update(client, b, mutation, missing, data), missing)
    assert a_view(client, world, key, a_id) == before
    own = world.b.ids[key]
    for ref_key, ref in refs:
        a_ref, missing_ref = world.a.ids[ref_key], new_uuid()
        version = {"version": _b_version(client, world, key)}
        theirs = _bad_input(_update(client, b, mutation, own, {**ref(a_ref), **version}))
        assert _blank(theirs, a_ref) == _blank(
            _update(client, b, mutation, own, {**ref(missing_ref), **version}), missing_ref
        )
    mine = _update(client, b, mutation, own, {**change, "version": _b_version(client, world, key)})
    assert mine["data"][mutation]["id"] == own, mine


def _b_version(client: TestClient[Any], world: World, key: str) -> int:
    response = client.get(f"{COLLECTIONS[key]}/{world.b.ids[key]}", headers=world.b.headers)
    return response.json()["version"]


def _delete(client: TestClient[Any], headers: dict[str, str], mutation: str, ident: str) -> Body:
    return graphql(client, headers, f"mutation($id: UUID!) {{ {mutation}(id: $id) }}", id=ident)


@pytest.mark.parametrize("mutation", sorted(DELETES))
def test_delete_or_revoke_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B's delete/revoke of A's object: NOT_FOUND like a missing id; A's object is unchanged
    (A's API key still authenticates)."""
    key = DELETES[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    before = a_view(client, world, key, a_id)
    theirs = _not_found(_delete(client, b, mutation, a_id))
    assert _blank(theirs, a_id) == _blank(_delete(client, b, mutation, missing), missing)
    assert a_view(client, world, key, a_id) == before
    assert client.get("/v1/me", headers=world.a.key_headers).status_code == 200


def _create(client: TestClient[Any], headers: dict[str, str], mutation: str, data: Body) -> Body:
    _, type_name, _, _ = CREATES[mutation]
    query = (
        f"mutation($input: {_input_type(mutation)}!) "
        f"{{ {mutation}(input: $input) {{ {_selection(type_name)} }} }}"
    )
    return graphql(client, headers, query, input=data)


@pytest.mark.parametrize("mutation", sorted(CREATES))
def test_create_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B creates in its own chain only: reusing A's codes, SKU, GTIN or email works (no conflict
    leaks A's), naming A's objects is refused like a missing id, and A never sees the result."""
    key, _, make, refs = CREATES[mutation]
    data, b = make(world), world.b.headers
    for ref_key, ref in refs:
        a_ref, missing = world.a.ids[ref_key], new_uuid()
        theirs = _bad_input(_create(client, b, mutation, {**data, **ref(a_ref)}))
        assert _blank(theirs, a_ref) == _blank(
            _create(client, b, mutation, {**data, **ref(missing)}), missing
        )
    made = _create(client, b, mutation, data)
    assert "errors" not in made, made
    created = made["data"][mutation]
    new_id = (
        created.get("apiKey") or created.get("invitation") or created.get("endpoint") or created
    )["id"]
    field = {"api_key": "apiKey", "webhook_endpoint": "webhookEndpoint"}.get(key, key)
    if field in BY_ID:
        _not_found(_by_id(client, world.a.headers, field, new_id))
    listed = client.get(COLLECTIONS[key], params={"limit": 200}, headers=world.a.headers)
    assert listed.status_code == 200
    assert world.a.ids[key] in listed.text
    assert new_id not in listed.text


def _action(client: TestClient[Any], headers: dict[str, str], mutation: str, ident: str) -> Body:
    _, input_type, data = ACTIONS[mutation]
    if data is None:
        return graphql(
            client,
            headers,
            f"mutation($id: UUID!) {{ {mutation}(id: $id) {{ __typename }} }}",
            id=ident,
        )
    query = (
        f"mutation($id: UUID!, $input: {input_type}!) "
        f"{{ {mutation}(id: $id, input: $input) {{ __typename }} }}"
    )
    return graphql(client, headers, query, id=ident, input=data)


@pytest.mark.parametrize("mutation", sorted(ACTIONS))
def test_action_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B's action on A's object: NOT_FOUND like a missing id, A's object unchanged; on B's own
    object it works."""
    key = ACTIONS[mutation][0]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    before = a_view(client, world, key, a_id)
    theirs = _not_found(_action(client, b, mutation, a_id))
    assert _blank(theirs, a_id) == _blank(_action(client, b, mutation, missing), missing)
    assert a_view(client, world, key, a_id) == before
    mine = _action(client, b, mutation, world.b.ids[key])
    assert "errors" not in mine, mine


@pytest.mark.parametrize("mutation", sorted(LINE_ACTIONS))
def test_line_action_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B's action on A's object, naming B's line or A's: NOT_FOUND like a missing id; naming
    A's line on B's own object: refused like a missing line. A's object is unchanged; B's own
    action works."""
    key, input_type, make = LINE_ACTIONS[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    own = world.b.ids[key]
    query = (
        f"mutation($id: UUID!, $input: {input_type}!) "
        f"{{ {mutation}(id: $id, input: $input) {{ __typename }} }}"
    )
    before = a_view(client, world, key, a_id)
    a_line = before["lines"][0]["id"]
    b_line = client.get(f"{COLLECTIONS[key]}/{own}", headers=b).json()["lines"][0]["id"]
    for line in (b_line, a_line):
        theirs = _not_found(graphql(client, b, query, id=a_id, input=make(line)))
        assert _blank(theirs, a_id) == _blank(
            graphql(client, b, query, id=missing, input=make(line)), missing
        )
    theirs = _bad_input(graphql(client, b, query, id=own, input=make(a_line)))
    assert _blank(theirs, a_line) == _blank(
        graphql(client, b, query, id=own, input=make(missing)), missing
    )
    assert a_view(client, world, key, a_id) == before
    mine = graphql(client, b, query, id=own, input=make(b_line))
    assert "errors" not in mine, mine


@pytest.mark.parametrize("mutation", sorted(STOCK_ACTIONS))
def test_stock_action_mutation(client: TestClient[Any], world: World, mutation: str) -> None:
    """B's count on A's stocktake or reorder points of A's store, naming B's product or A's:
    NOT_FOUND like a missing id; on B's own object naming A's product: refused like a missing
    product. A's object and stock are unchanged; B's own action works."""
    key, arg, input_type, make = STOCK_ACTIONS[mutation]
    a_id, missing, b = world.a.ids[key], new_uuid(), world.b.headers
    own, a_product = world.b.ids[key], world.a.ids["product"]
    query = (
        f"mutation($id: UUID!, $input: {input_type}!) "
        f"{{ {mutation}({arg}: $id, input: $input) {{ __typename }} }}"
    )

    def a_state() -> Any:
        levels = client.get("/v1/stock-levels", params={"limit": 200}, headers=world.a.headers)
        return a_view(client, world, key, a_id), levels.json()

    before = a_state()
    for product in (world.b.ids["product"], a_product):
        theirs = _not_found(graphql(client, b, query, id=a_id, input=make(product)))
        assert _blank(theirs, a_id) == _blank(
            graphql(client, b, query, id=missing, input=make(product)), missing
        )
    theirs = _bad_input(graphql(client, b, query, id=own, input=make(a_product)))
    assert _blank(theirs, a_product) == _blank(
        graphql(client, b, query, id=own, input=make(missing)), missing
    )
    assert a_state() == before
    mine = graphql(client, b, query, id=own, input=make(world.b.ids["product"]))
    assert "errors" not in mine, mine


@pytest.mark.parametrize("field", sorted(BY_STORE))
def test_field_naming_a_store(client: TestClient[Any], world: World, field: str) -> None:
    """B naming A's store (accuracy, a suggested order): NOT_FOUND like a missing store, and
    A's runs stay as they were; B's own store answers."""
    kind, selection = BY_STORE[field]
    query = f"{kind}($id: UUID!) {{ {field}(storeId: $id) {{ {selection} }} }}"
    a_id, missing, b = world.a.ids["store"], new_uuid(), world.b.headers

    def a_runs() -> Any:
        listed = client.get("/v1/suggestion-runs", params={"limit": 200}, headers=world.a.headers)
        return listed.json()

    before = a_runs()
    theirs = _not_found(graphql(client, b, query, id=a_id))
    assert _blank(theirs, a_id) == _blank(graphql(client, b, query, id=missing), missing)
    assert a_runs() == before
    mine = graphql(client, b, query, id=world.b.ids["store"])
    assert "errors" not in mine, mine


@pytest.mark.parametrize("mutation", sorted(NAMED_IN_INPUT))
def test_mutation_naming_an_object(client: TestClient[Any], world: World, mutation: str) -> None:
    """Naming A's endpoint in the input: NOT_FOUND like a missing one; A's deliveries unchanged."""
    key, input_type, field = NAMED_IN_INPUT[mutation]
    a_ref, missing, b = world.a.ids["webhook_endpoint"], new_uuid(), world.b.headers
    query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ __typename }} }}"
    before = a_view(client, world, key, world.a.ids[key])
    theirs = _not_found(graphql(client, b, query, input={field: a_ref}))
    assert _blank(theirs, a_ref) == _blank(
        graphql(client, b, query, input={field: missing}), missing
    )
    assert a_view(client, world, key, world.a.ids[key]) == before
    mine = graphql(client, b, query, input={field: world.b.ids["webhook_endpoint"]})
    assert "errors" not in mine, mine


def test_me_and_tenant_are_the_callers_own(client: TestClient[Any], world: World) -> None:
    """``me`` and ``tenant`` answer about B's own user and chain, never A's."""
    result = graphql(client, world.b.headers, "{ me { id tenant { id } } tenant { id name } }")
    assert result["data"]["me"]["id"] == world.b.ids["user"]
    assert (
        result["data"]["me"]["tenant"]["id"]
        == result["data"]["tenant"]["id"]
        == world.b.ids["tenant"]
    )
    assert [s for s in world.a_secrets() if s in json.dumps(result)] == []


def test_update_tenant_changes_only_the_callers_chain(
    client: TestClient[Any], world: World
) -> None:
    """``updateTenant`` changes B's chain; A's chain stays exactly as it was."""
    before = client.get("/v1/tenant", headers=world.a.headers).json()
    version = client.get("/v1/tenant", headers=world.b.headers).json()["version"]
    result = graphql(
        client,
        world.b.headers,
        "mutation($input: TenantUpdateInput!) { updateTenant(input: $input) { id name } }",
        input={"name": "Renamed", "version": version},
    )
    assert result["data"]["updateTenant"] == {"id": world.b.ids["tenant"], "name": "Renamed"}, (
        result
    )
    assert client.get("/v1/tenant", headers=world.a.headers).json() == before


def test_plugins_are_per_chain(client: TestClient[Any], world: World) -> None:
    """B's plugin fields show B's own plugin state and data; B's changes leave A's alone."""
    a_before = client.get("/v1/plugins/stamps", headers=world.a.headers).json()
    b = world.b.headers
    read = graphql(
        client,
        b,
        '{ plugins { data { name settings } } plugin(name: "stamps") { settings } stampsCount }',
    )
    assert "errors" not in read, read
    assert [s for s in world.a_secrets() if s in json.dumps(read)] == []
    changed = graphql(
        client,
        b,
        'mutation { enablePlugin(name: "stamps", input: {settings: {label: "B2"}}) { version }'
        ' gone: disablePlugin(name: "flaky") }',
    )
    assert changed["data"]["enablePlugin"]["version"] >= 2, changed
    assert changed["errors"][0]["extensions"]["code"] == "NOT_FOUND"  # flaky: never enabled
    assert client.get("/v1/plugins/stamps", headers=world.a.headers).json() == a_before


INTROSPECTION = """{ __schema {
  queryType { fields { name args { name } } }
  mutationType { fields { name args { name } } }
} }"""


def test_every_field_is_covered(client: TestClient[Any], world: World) -> None:
    """Every Query and Mutation field of the served schema has a cross-tenant case or a
    documented reason in OWN_CHAIN; every field taking an ``id`` has an id case; no table names
    a field that is gone."""
    schema = graphql(client, world.b.headers, INTROSPECTION)["data"]["__schema"]
    fields = {
        kind: {f["name"]: {a["name"] for a in f["args"]} for f in schema[f"{kind}Type"]["fields"]}
        for kind in ("query", "mutation")
    }
    cases = {
        "query": BY_ID.keys()
        | LISTS.keys()
        | {f for f, (k, _) in BY_STORE.items() if k == "query"},
        "mutation": UPDATES.keys()
        | DELETES.keys()
        | CREATES.keys()
        | ACTIONS.keys()
        | LINE_ACTIONS.keys()
        | STOCK_ACTIONS.keys()
        | NAMED_IN_INPUT.keys()
        | {f for f, (k, _) in BY_STORE.items() if k == "mutation"}
        | ELSEWHERE["mutation"].keys(),
    }
    cases["query"] |= ELSEWHERE["query"].keys()
    with_id = {
        "query": BY_ID.keys(),
        "mutation": UPDATES.keys()
        | DELETES.keys()
        | ACTIONS.keys()
        | LINE_ACTIONS.keys()
        | {m for m, (_, arg, _, _) in STOCK_ACTIONS.items() if arg == "id"},
    }
    for kind, served in fields.items():
        with_id[kind] |= {name for name in ELSEWHERE[kind] if "id" in served.get(name, ())}
        assert sorted(served.keys() - cases[kind] - OWN_CHAIN.keys()) == [], f"add a {kind} case"
        assert sorted({name for name, args in served.items() if "id" in args} ^ with_id[kind]) == []
        assert not cases[kind] & OWN_CHAIN.keys()
    assert (
        sorted(
            (cases["query"] | cases["mutation"] | OWN_CHAIN.keys())
            - fields["query"].keys()
            - fields["mutation"].keys()
        )
        == []
    )
