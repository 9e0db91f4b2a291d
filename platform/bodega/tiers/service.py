"""The chain's tiers: created, changed, deleted, read.

Rules checked on every change (all at once, one 422 naming each field): an earned tier has a
threshold and no price, a paid tier a monthly price and no threshold; the chain's earned tiers
share one basis and their thresholds rise with the rank; the price list is one of the chain's
active ``tier`` lists; the multiplier is more than 0 and at most 10, with 2 decimals. A name or
rank already in use is a 409 naming the field. Changes of a chain's tiers take turns.

A paid tier lives in the chain's Stripe account too: creating one makes a Stripe product and a
monthly plan (localstripe speaks plans, not prices); a new price makes a new plan (running
subscriptions keep theirs); a new name renames the product; deleting it deactivates the plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe

from bodega.api.auth import Actor
from bodega.api.errors import Conflict, FieldError, NotFound, VersionConflict, raise_if_errors
from bodega.api.pagination import Page, decode_cursor, page_of
from bodega.audit import change_recorded
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.db.repository import changed_fields
from bodega.pricing import get_price_list
from bodega.tenancy import get_tenant
from bodega.tiers.schemas import TierIn, TierOut, TierUpdate
from bodega.tiers.standing import chain_tiers, record_moves, standing_rows, tier_out
from bodega.tiers.stripe_accounts import required_keys
from bodega.tiers.stripe_gateway import StripeGateway, stripe_problem

__all__ = [
    "create_tier",
    "delete_tier",
    "get_tier",
    "list_tiers",
    "remake_stripe_plans",
    "tiers_by_ids",
    "update_tier",
]

RESOURCE = "tier"
Row = dict[str, Any]
_CENT = Decimal("0.01")
_MAX_MULTIPLIER = Decimal(10)


async def _lock_chain(actor: Actor) -> None:
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('tiers:' || $1::uuid::text, 0))",
        actor.tenant_id,
    )


def _multiplier_errors(value: Decimal) -> list[FieldError]:
    if not value.is_finite() or not 0 < value <= _MAX_MULTIPLIER:
        return [FieldError("points_multiplier", "more than 0 and at most 10")]
    if value != value.quantize(_CENT):
        return [FieldError("points_multiplier", "at most 2 decimals")]
    return []


def _kind_errors(tier: Row) -> list[FieldError]:
    if tier["kind"] == "earned":
        errors = [] if tier["threshold"] is not None else [FieldError("threshold", "required")]
        if tier["monthly_price"] is not None:
            errors.append(FieldError("monthly_price", "only a paid tier has a monthly price"))
        return errors
    errors = [] if tier["monthly_price"] is not None else [FieldError("monthly_price", "required")]
    for field in ("threshold", "basis"):
        if tier[field] is not None:
            errors.append(FieldError(field, "a paid tier is bought, not earned: leave it out"))
    return errors


def _chain_basis(tiers: Mapping[uuid.UUID, Row]) -> str:
    """The basis the chain's earned tiers share (``spend_12m`` before there are any)."""
    return next((t["basis"] for t in tiers.values() if t["kind"] == "earned"), "spend_12m")


def _ladder_errors(tier: Row, others: Mapping[uuid.UUID, Row]) -> list[FieldError]:
    """The earned tiers' basis is shared and their thresholds rise with the rank."""
    if tier["kind"] != "earned" or tier["threshold"] is None:
        return []
    earned = [t for t in others.values() if t["kind"] == "earned"]
    errors = []
    bases = {t["basis"] for t in earned}
    if bases and tier["basis"] not in bases:
        errors.append(FieldError("basis", f"the chain's earned tiers use {bases.pop()}"))
    below = [t for t in earned if t["rank"] < tier["rank"]]
    above = [t for t in earned if t["rank"] > tier["rank"]]
    lower = max(below, key=lambda t: t["rank"], default=None)
    upper = min(above, key=lambda t: t["rank"], default=None)
    if lower is not None and tier["threshold"] <= lower["threshold"]:
        errors.append(
            FieldError(
                "threshold",
                f"must be above {lower['threshold']}, the threshold of {lower['name']!r} "
                f"(rank {lower['rank']})",
            )
        )
    if upper is not None and tier["threshold"] >= upper["threshold"]:
        errors.append(
            FieldError(
                "threshold",
                f"must be below {upper['threshold']}, the threshold of {upper['name']!r} "
                f"(rank {upper['rank']})",
            )
        )
    return errors


async def _price_list_errors(actor: Actor, price_list_id: uuid.UUID | None) -> list[FieldError]:
    if price_list_id is None:
        return []
    try:
        found = await get_price_list(actor, price_list_id)
    except NotFound:
        return [FieldError("price_list_id", "no such price list")]
    if found.audience != "tier":
        return [FieldError("price_list_id", "its audience must be tier (members of a tier)")]
    if found.status != "active":
        return [FieldError("price_list_id", "the price list is archived")]
    return []


async def _check(actor: Actor, tier: Row, others: Mapping[uuid.UUID, Row]) -> None:
    """422 naming every rule ``tier`` breaks, then 409 for a name or rank in use."""
    errors = _kind_errors(tier) + _ladder_errors(tier, others)
    errors += _multiplier_errors(tier["points_multiplier"])
    errors += await _price_list_errors(actor, tier["price_list_id"])
    raise_if_errors(errors)
    taken = [
        FieldError(field, f"already used by tier {other['name']!r}")
        for other in others.values()
        for field, same in (
            ("name", other["name"].casefold() == tier["name"].casefold()),
            ("rank", other["rank"] == tier["rank"]),
        )
        if same
    ]
    if taken:
        raise Conflict("; ".join(f"{e['field']}: {e['message']}" for e in taken), errors=taken)


async def _stripe_plan(
    actor: Actor, gateway: StripeGateway, tier: Row, product_id: str | None
) -> tuple[str, str]:
    """Make the tier's monthly plan in the chain's Stripe (and its product if it has none)."""
    keys = await required_keys(actor)
    metadata = {"bodega_tenant_id": str(actor.tenant_id), "bodega_tier_id": str(tier["id"])}
    try:
        async with gateway.client(keys["secret_key"]) as client:
            if product_id is None:
                product = await client.v1.products.create_async(
                    params={"name": tier["name"], "metadata": metadata}
                )
                product_id = product.id
            plan = await client.v1.plans.create_async(
                params={
                    "product": product_id,
                    "amount": tier["monthly_price"],
                    "currency": tier["currency"].lower(),
                    "interval": "month",
                    "metadata": metadata,
                }
            )
    except stripe.StripeError as exc:
        raise stripe_problem(exc) from exc
    return product_id, plan.id


async def _stripe_call(actor: Actor, gateway: StripeGateway, call: Any) -> None:
    keys = await required_keys(actor)
    try:
        async with gateway.client(keys["secret_key"]) as client:
            await call(client)
    except stripe.StripeError as exc:
        raise stripe_problem(exc) from exc


async def create_tier(actor: Actor, data: TierIn, gateway: StripeGateway) -> TierOut:
    await _lock_chain(actor)
    now = datetime.now(UTC)
    paid = data.kind == "paid"
    others = await chain_tiers(actor)
    tier: Row = {
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "name": data.name.strip(),
        "rank": data.rank,
        "kind": data.kind,
        "basis": data.basis if paid else (data.basis or _chain_basis(others)),
        "threshold": data.threshold,
        "price_list_id": data.price_list_id,
        "points_multiplier": data.points_multiplier,
        "monthly_price": data.monthly_price,
        "currency": (await get_tenant(actor)).currency if paid else None,
        "stripe_product_id": None,
        "stripe_plan_id": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    await _check(actor, tier, others)
    if paid:
        tier["stripe_product_id"], tier["stripe_plan_id"] = await _stripe_plan(
            actor, gateway, tier, None
        )
    tier["points_multiplier"] = tier["points_multiplier"].quantize(_CENT)
    names = list(tier)
    await db.execute(
        f"INSERT INTO tiers ({', '.join(names)}) VALUES "  # noqa: S608
        f"({', '.join(f'${i}' for i in range(1, len(names) + 1))})",
        *(tier[n] for n in names),
    )
    out = tier_out(tier)
    await change_recorded(actor, RESOURCE, "created", out.id, out, after=out)
    return out


async def remake_stripe_plans(actor: Actor, gateway: StripeGateway) -> int:
    """Make every paid tier's product and plan anew in the chain's Stripe account, for an
    account that has never seen them (a fresh sandbox); returns how many. Subscriptions made
    in another account stay there."""
    await _lock_chain(actor)
    paid = [t for t in (await chain_tiers(actor)).values() if t["kind"] == "paid"]
    for tier in paid:
        product_id, plan_id = await _stripe_plan(actor, gateway, tier, None)
        await db.execute(
            "UPDATE tiers SET stripe_product_id = $3, stripe_plan_id = $4, updated_at = now(),"
            " version = version + 1 WHERE tenant_id = $1 AND id = $2",
            actor.tenant_id,
            tier["id"],
            product_id,
            plan_id,
        )
    return len(paid)


async def _locked(actor: Actor, tier_id: uuid.UUID) -> Row:
    row = await db.fetchrow(
        "SELECT * FROM tiers WHERE tenant_id = $1 AND id = $2 FOR UPDATE", actor.tenant_id, tier_id
    )
    if row is None:
        raise NotFound("tier", tier_id)
    return dict(row)


async def update_tier(
    actor: Actor, tier_id: uuid.UUID, data: TierUpdate, gateway: StripeGateway
) -> TierOut:
    await _lock_chain(actor)
    row = await _locked(actor, tier_id)
    if row["version"] != data.version:
        raise VersionConflict("tier", row["version"])
    values = changed_fields(data)
    if "name" in values:
        values["name"] = values["name"].strip()
    tier = {**row, **values}
    others = {i: t for i, t in (await chain_tiers(actor)).items() if i != tier_id}
    await _check(actor, tier, others)
    paid = row["kind"] == "paid"
    if paid and values.get("monthly_price", row["monthly_price"]) != row["monthly_price"]:
        _, values["stripe_plan_id"] = await _stripe_plan(
            actor, gateway, tier, row["stripe_product_id"]
        )
    if paid and values.get("name", row["name"]) != row["name"]:
        name = values["name"]
        await _stripe_call(
            actor,
            gateway,
            lambda c: c.v1.products.update_async(row["stripe_product_id"], {"name": name}),
        )
    if "points_multiplier" in values:
        values["points_multiplier"] = values["points_multiplier"].quantize(_CENT)
    names = sorted(values)
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    after = await db.fetchrow(
        f"UPDATE tiers SET {sets}{', ' if sets else ''}version = version + 1, "  # noqa: S608
        "updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        tier_id,
        *(values[name] for name in names),
    )
    assert after is not None  # the row is locked
    out, before = tier_out(after), tier_out(row)
    await change_recorded(actor, RESOURCE, "updated", tier_id, out, before=before, after=out)
    return out


async def _move_off(actor: Actor, tiers: Mapping[uuid.UUID, Row], gone: Row) -> None:
    """Members standing in the deleted tier ``gone`` move: off an earned tier to the earned
    tier just below it (or none), off a paid one (whose plans have ended) to their earned
    tier."""
    below = [t for t in tiers.values() if t["kind"] == "earned" and t["rank"] < gone["rank"]]
    lower = max(below, key=lambda t: t["rank"], default=None)
    lower_id = lower["id"] if lower is not None else None
    moves = []
    for member_id, row in (await standing_rows(actor, lock=True)).items():
        if gone["id"] not in (row["tier_id"], row["earned_tier_id"]):
            continue
        new = {**row}
        if row["earned_tier_id"] == gone["id"]:
            new["earned_tier_id"] = lower_id
        if row["tier_id"] == gone["id"]:
            new.update(tier_id=new["earned_tier_id"], source="rules", until=None)
        moves.append((member_id, row, new, "tier_deleted"))
    await record_moves(actor, moves, now=datetime.now(UTC))


async def delete_tier(actor: Actor, tier_id: uuid.UUID, gateway: StripeGateway) -> None:
    """Delete a tier. Members of an earned tier step down to the earned tier below it; a paid
    tier with live premium plans cannot go (409) until they end; members still standing in it
    fall back to their earned tier."""
    await _lock_chain(actor)
    row = await _locked(actor, tier_id)
    if row["kind"] == "paid":
        live = await db.fetchval(
            "SELECT count(*) FROM premium_plans WHERE tenant_id = $1 AND tier_id = $2"
            " AND status NOT IN ('canceled', 'incomplete_expired')",
            actor.tenant_id,
            tier_id,
        )
        if live:
            raise Conflict(
                f"{live} member(s) hold premium plans of tier {row['name']!r}; it can be "
                "deleted once they have ended (cancel them first).",
                live_plans=live,
            )
        await _stripe_call(
            actor,
            gateway,
            lambda c: c.v1.plans.update_async(row["stripe_plan_id"], {"active": False}),
        )
        await db.execute(
            "UPDATE premium_plans SET tier_id = NULL WHERE tenant_id = $1 AND tier_id = $2",
            actor.tenant_id,
            tier_id,
        )
    await _move_off(actor, await chain_tiers(actor), row)
    await db.execute("DELETE FROM tiers WHERE tenant_id = $1 AND id = $2", actor.tenant_id, tier_id)
    out = tier_out(row)
    await change_recorded(actor, RESOURCE, "deleted", tier_id, out, before=out)


async def get_tier(actor: Actor, tier_id: uuid.UUID) -> TierOut:
    row = await db.fetchrow(
        "SELECT * FROM tiers WHERE tenant_id = $1 AND id = $2", actor.tenant_id, tier_id
    )
    if row is None:
        raise NotFound("tier", tier_id)
    return tier_out(row)


async def tiers_by_ids(actor: Actor, ids: list[uuid.UUID]) -> dict[uuid.UUID, TierOut]:
    rows = await db.fetch(
        "SELECT * FROM tiers WHERE tenant_id = $1 AND id = ANY($2)", actor.tenant_id, ids
    )
    return {r["id"]: tier_out(r) for r in rows}


async def list_tiers(
    actor: Actor, *, limit: int, cursor: str | None, kind: str | None = None
) -> Page[TierOut]:
    """By rank, lowest first (the cursor is the last tier's id)."""
    after = decode_cursor(cursor)
    rows = await db.fetch(
        "SELECT * FROM tiers WHERE tenant_id = $1 AND ($2::text IS NULL OR kind = $2)"
        " AND ($3::uuid IS NULL OR rank > (SELECT rank FROM tiers WHERE tenant_id = $1"
        " AND id = $3)) ORDER BY rank LIMIT $4",
        actor.tenant_id,
        kind,
        after,
        limit + 1,
    )
    return page_of([tier_out(r) for r in rows], limit)
