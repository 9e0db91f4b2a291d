"""Transfers between the stores of a chain.

Sending writes ``transfer_out`` movements at the origin at once (the goods have left), valued
at the products' cost when sent; the transfer is then in transit. Receiving writes
``transfer_in`` at the destination for everything that was sent and, for what did not
arrive, a ``transit`` loss at the destination: each store's ledger matches its shelves, the
chain's transfer movements cancel out, and what vanished on the way shows in the loss report.
Cancelling (only in transit) brings the goods back into the origin's stock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, NotFound, raise_if_errors
from bodega.api.pagination import Page, page_of
from bodega.audit import change_recorded
from bodega.catalog import missing_store_ids, require_store
from bodega.db import engine as db
from bodega.db.ids import new_id
from bodega.inventory._checks import WrongState, line_errors, products_of
from bodega.inventory.losses import save_loss
from bodega.inventory.schemas import (
    MovementIn,
    TransferIn,
    TransferLineOut,
    TransferOut,
    TransferReceiptIn,
)
from bodega.inventory.service import _page, _value, _when, post_movements

__all__ = [
    "cancel_transfer",
    "get_transfer",
    "list_transfers",
    "receive_transfer",
    "send_transfer",
]


async def send_transfer(actor: Actor, data: TransferIn) -> TransferOut:
    """Ship the lines from the origin now; they are in transit until received."""
    await require_store(actor, data.from_store_id, field="from_store_id")
    errors: list[FieldError] = []
    if data.to_store_id == data.from_store_id:
        errors.append(FieldError("to_store_id", "the same store as from_store_id"))
    elif await missing_store_ids(actor, [data.to_store_id]):
        errors.append(FieldError("to_store_id", "unknown store"))
    products = await products_of(actor, [line.product_id for line in data.lines])
    errors += line_errors(data.lines, products, unique=True)
    raise_if_errors(errors)
    transfer_id = new_id()
    costs = {line.product_id: products[line.product_id].cost_price for line in data.lines}
    movements = [
        MovementIn(
            store_id=data.from_store_id,
            product_id=line.product_id,
            kind="transfer_out",
            quantity=-line.quantity,
            unit_cost=costs[line.product_id],
            note=data.note,
        )
        for line in data.lines
    ]
    posted = await post_movements(actor, movements, source_type="transfer", source_id=transfer_id)
    row = await db.fetchrow(
        "INSERT INTO transfers (id, tenant_id, from_store_id, to_store_id, status, note, "
        "sent_by, sent_at) VALUES ($1, $2, $3, $4, 'in_transit', $5, $6, $7) RETURNING *",
        transfer_id,
        actor.tenant_id,
        data.from_store_id,
        data.to_store_id,
        data.note,
        actor.id,
        posted[0].occurred_at,
    )
    await db.execute(
        """
        INSERT INTO transfer_lines (id, tenant_id, transfer_id, product_id, quantity, unit_cost)
        SELECT d.id, $1, $2, d.product_id, d.quantity, d.unit_cost
        FROM unnest($3::uuid[], $4::uuid[], $5::numeric[], $6::bigint[])
            AS d(id, product_id, quantity, unit_cost)
        """,
        actor.tenant_id,
        transfer_id,
        [new_id() for _ in data.lines],
        [line.product_id for line in data.lines],
        [line.quantity for line in data.lines],
        [costs[line.product_id] for line in data.lines],
    )
    sent = (await _outs(actor, [row]))[0]
    await change_recorded(actor, "transfer", "sent", transfer_id, sent, after=sent)
    return sent


async def _outs(actor: Actor, rows: Sequence[Any]) -> list[TransferOut]:
    ids = [r["id"] for r in rows]
    lines = await db.fetch(
        "SELECT transfer_id, product_id, quantity, received, unit_cost FROM transfer_lines "
        "WHERE tenant_id = $1 AND transfer_id = ANY($2::uuid[]) ORDER BY id",
        actor.tenant_id,
        ids,
    )
    losses = await db.fetch(
        "SELECT transfer_id, id FROM losses WHERE tenant_id = $1 AND transfer_id = ANY($2::uuid[])",
        actor.tenant_id,
        ids,
    )
    by_transfer: dict[uuid.UUID, list[TransferLineOut]] = {i: [] for i in ids}
    for line in lines:
        values = {f: line[f] for f in TransferLineOut.__struct_fields__}
        by_transfer[line["transfer_id"]].append(TransferLineOut(**values))
    loss_of = {r["transfer_id"]: r["id"] for r in losses}
    fields = [f for f in TransferOut.__struct_fields__ if f not in ("lines", "value", "loss_id")]
    return [
        TransferOut(
            **{f: r[f] for f in fields},
            lines=by_transfer[r["id"]],
            value=sum(_value(x.quantity, x.unit_cost) for x in by_transfer[r["id"]]),
            loss_id=loss_of.get(r["id"]),
        )
        for r in rows
    ]


_READ = "SELECT * FROM transfers WHERE tenant_id = $1 AND id = $2"
_LOCK = _READ + " FOR UPDATE"


async def _row(actor: Actor, transfer_id: uuid.UUID, *, lock: bool = False) -> Any:
    row = await db.fetchrow(
        _LOCK if lock else _READ,
        actor.tenant_id,
        transfer_id,
    )
    if row is None:
        raise NotFound("transfer", transfer_id)
    return row


async def get_transfer(actor: Actor, transfer_id: uuid.UUID) -> TransferOut:
    return (await _outs(actor, [await _row(actor, transfer_id)]))[0]


async def list_transfers(
    actor: Actor,
    *,
    limit: int,
    cursor: str | None,
    store_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[TransferOut]:
    """Newest last; ``store_id`` matches either side."""
    conditions = _when(store_id, "{0} IN (from_store_id, to_store_id)") + _when(
        status, "status = {}"
    )
    rows = await _page(actor, "transfers", conditions, limit=limit, cursor=cursor)
    return page_of(await _outs(actor, rows), limit)


async def _arrived(
    actor: Actor, transfer: TransferOut, data: TransferReceiptIn | None
) -> dict[uuid.UUID, Decimal]:
    """What arrived of each product: as sent when no lines are given, else the lines,
    which must name every product of the transfer once, at most what was sent."""
    sent = {line.product_id: line.quantity for line in transfer.lines}
    if data is None or data.lines is None:
        return sent
    products = await products_of(actor, list(sent))
    errors = line_errors(data.lines, products, allow_zero=True, unique=True)
    for i, line in enumerate(data.lines):
        if line.product_id not in sent:
            errors = [e for e in errors if e["field"] != f"lines[{i}].product_id"]
            errors.append(FieldError(f"lines[{i}].product_id", "not on this transfer"))
        elif line.quantity.is_finite() and line.quantity > sent[line.product_id]:
            errors.append(
                FieldError(f"lines[{i}].quantity", f"more than the {sent[line.product_id]} sent")
            )
    arrived = {line.product_id: line.quantity for line in data.lines}
    errors += [
        FieldError("lines", f"product {p} of the transfer is missing")
        for p in sent
        if p not in arrived
    ]
    raise_if_errors(errors)
    return arrived


async def _closing(actor: Actor, transfer_id: uuid.UUID, field: str, change: str) -> Any:
    """The transfer, locked; in transit, and the acting store (``field``) one the caller
    works in."""
    row = await _row(actor, transfer_id, lock=True)
    await require_store(actor, row[field], field=field)
    if row["status"] != "in_transit":
        raise WrongState("transfer", row["status"], change)
    return row


async def receive_transfer(
    actor: Actor, transfer_id: uuid.UUID, data: TransferReceiptIn | None = None
) -> TransferOut:
    """Book the goods into the destination; what is missing becomes a ``transit`` loss there."""
    row = await _closing(actor, transfer_id, "to_store_id", "received")
    before = (await _outs(actor, [row]))[0]
    arrived = await _arrived(actor, before, data)
    store_id = row["to_store_id"]
    incoming = [
        MovementIn(
            store_id=store_id,
            product_id=line.product_id,
            kind="transfer_in",
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            note=row["note"],
        )
        for line in before.lines
    ]
    await post_movements(actor, incoming, source_type="transfer", source_id=transfer_id)
    short = [
        (line, line.quantity - arrived[line.product_id])
        for line in before.lines
        if arrived[line.product_id] < line.quantity
    ]
    if short:
        loss_id = new_id()
        note = f"Short on transfer {transfer_id}"
        missing = [
            MovementIn(
                store_id=store_id,
                product_id=line.product_id,
                kind="loss",
                quantity=-quantity,
                reason="transit",
                unit_cost=line.unit_cost,
                note=note,
            )
            for line, quantity in short
        ]
        lost = await post_movements(actor, missing, source_type="loss", source_id=loss_id)
        await save_loss(actor, loss_id, store_id, "transit", note, lost, transfer_id=transfer_id)
    await db.execute(
        """
        UPDATE transfer_lines l SET received = d.received
        FROM unnest($3::uuid[], $4::numeric[]) AS d(product_id, received)
        WHERE l.tenant_id = $1 AND l.transfer_id = $2 AND l.product_id = d.product_id
        """,
        actor.tenant_id,
        transfer_id,
        list(arrived),
        list(arrived.values()),
    )
    return await _close(actor, row, before, "received")


async def cancel_transfer(actor: Actor, transfer_id: uuid.UUID) -> TransferOut:
    """Call the goods back: ``transfer_in`` at the origin, at the cost they left with."""
    row = await _closing(actor, transfer_id, "from_store_id", "cancelled")
    before = (await _outs(actor, [row]))[0]
    back = [
        MovementIn(
            store_id=row["from_store_id"],
            product_id=line.product_id,
            kind="transfer_in",
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            note=row["note"],
        )
        for line in before.lines
    ]
    await post_movements(actor, back, source_type="transfer", source_id=transfer_id)
    return await _close(actor, row, before, "cancelled")


async def _close(actor: Actor, row: Any, before: TransferOut, status: str) -> TransferOut:
    by, at = f"{status}_by", f"{status}_at"
    after = await db.fetchrow(
        f"UPDATE transfers SET status = $3, {by} = $4, {at} = now(), version = version + 1 "  # noqa: S608
        "WHERE tenant_id = $1 AND id = $2 RETURNING *",
        actor.tenant_id,
        row["id"],
        status,
        actor.id,
    )
    closed = (await _outs(actor, [after]))[0]
    await change_recorded(actor, "transfer", status, row["id"], closed, before=before, after=closed)
    return closed
