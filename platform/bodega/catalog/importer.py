"""Product import from a spreadsheet (CSV): validate every row, then write all or nothing.

Rows are matched to existing products by SKU (updated) or created. Prices are written the way
people type them, in major units (``3.50``), and stored in minor units of the chain's currency.
Categories are named by path (``Bakery > Bread``) and created when missing; suppliers by code.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
from babel.numbers import get_currency_precision

from bodega.api.auth import Actor
from bodega.api.errors import FieldError, InvalidInput
from bodega.audit import create_recorded, update_recorded
from bodega.catalog.list_prices import record_list_price
from bodega.catalog.schemas import CategoryOut, ImportResult, ProductIn, ProductOut
from bodega.catalog.service import product_field_errors, product_values
from bodega.catalog.tables import Category, Product, Supplier
from bodega.db.ids import new_id
from bodega.tenancy import get_tenant

__all__ = ["COLUMNS", "MAX_ROWS", "import_product_rows", "import_products"]

MAX_ROWS = 20_000
COLUMNS = (
    "sku",
    "name",
    "price",
    "cost",
    "gtin",
    "plu",
    "unit",
    "category",
    "supplier",
    "tax_rate",
    "shelf_life_days",
    "case_pack",
    "status",
)
REQUIRED = ("sku", "name", "price")
CATEGORY_SEPARATOR = ">"
Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase is ``validate`` or ``write``."""


_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")
_COLUMN_OF = {
    "list_price": "price",
    "cost_price": "cost",
    "supplier_id": "supplier",
    "category_id": "category",
}


def _parse_price(text: str, exponent: int) -> int:
    text = text.strip()
    if "," in text:  # "1,234.50" is fine; "3,50" must not silently become 350
        if not _GROUPED.match(text):
            raise ValueError(
                "write amounts with a dot for decimals (1234.50); commas only between thousands"
            )
        text = text.replace(",", "")
    amount = Decimal(text)
    if not amount.is_finite():
        raise ValueError("not a number")
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value() or minor < 0:
        raise ValueError(f"a non-negative amount with at most {exponent} decimals")
    return int(minor)


def _money(row: dict[str, str], column: str, exponent: int, errors: list[FieldError]) -> int:
    """The amount in ``column`` in minor units; 0, with an error named after it, if bad."""
    try:
        return _parse_price(row.get(column, ""), exponent)
    except (ValueError, InvalidOperation) as exc:
        message = str(exc) if isinstance(exc, ValueError) and str(exc) else "not a number"
        errors.append(FieldError(column, message))
        return 0


def _read_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        return _parse_csv(text)
    except csv.Error as exc:
        raise InvalidInput(
            f"The file is not valid CSV ({exc}); save the spreadsheet as CSV UTF-8.",
            errors=[FieldError("file", str(exc))],
        ) from None


def _parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    # newline="": the csv module itself splits \n, \r\n and lone \r (old Mac exports)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        errors = [FieldError(c, "required column missing", row=1) for c in missing]
        errors += [
            FieldError(c, f"unknown column; known: {', '.join(COLUMNS)}", row=1) for c in unknown
        ]
        raise InvalidInput("The header row does not fit the import format.", errors=errors)
    rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"At most {MAX_ROWS} rows per import; split the file.")
    return header, rows


async def import_products(
    actor: Actor, text: str, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Import a CSV file (see the module's docstring for the columns)."""
    _, rows = _read_rows(text)
    return await import_product_rows(actor, rows, dry_run=dry_run, progress=progress)


async def import_product_rows(
    actor: Actor,
    rows: list[dict[str, str]],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import rows keyed by the CSV column names (values as text)."""
    report = progress or (lambda *_: None)
    exponent = get_currency_precision((await get_tenant(actor)).currency)
    suppliers = {
        r["code"]: r["id"]
        for r in await Supplier.select(Supplier.code, Supplier.id).where(
            Supplier.tenant_id == actor.tenant_id
        )
    }
    existing = {
        r["sku"]: r for r in await Product.select().where(Product.tenant_id == actor.tenant_id)
    }
    categories = _CategoryPaths(
        await Category.select().where(Category.tenant_id == actor.tenant_id)
    )

    errors: list[FieldError] = []
    parsed: list[tuple[dict[str, Any], str]] = []
    seen: dict[str, dict[str, int]] = {"sku": {}, "gtin": {}, "plu": {}}
    for line, row in enumerate(rows, start=2):
        values, category_path, row_errors = _parse_row(row, exponent, suppliers)
        for field in seen:
            value = values.get(field)
            if value and value in seen[field]:
                row_errors.append(FieldError(field, f"same {field} as row {seen[field][value]}"))
            elif value:
                seen[field][value] = line
        errors += [FieldError(e["field"], e["message"], row=line) for e in row_errors]
        parsed.append((values, category_path))
        report("validate", line - 1, len(rows))
    errors += _conflicts_with_other_products(parsed, existing)
    if errors:
        raise InvalidInput(
            f"{len(errors)} problem(s) in the file; nothing was imported.", errors=errors
        )

    created = updated = 0
    for done, (values, category_path) in enumerate(parsed, start=1):
        if category_path:
            values["category_id"] = await categories.ensure(actor, category_path, dry_run)
        current = existing.get(values["sku"])
        if current is None:
            created += 1
            if not dry_run:
                await _create(actor, values)
        elif _differs(current, values):
            updated += 1
            if not dry_run:
                await _update(actor, current, values)
        report("write", done, len(parsed))
    return ImportResult(
        rows=len(rows),
        created=created,
        updated=updated,
        categories_created=categories.created,
        dry_run=dry_run,
    )


def _parse_row(
    row: dict[str, str], exponent: int, suppliers: dict[str, uuid.UUID]
) -> tuple[dict[str, Any], str, list[FieldError]]:
    errors: list[FieldError] = []
    raw: dict[str, Any] = {"sku": row.get("sku", ""), "name": row.get("name", "")}
    raw["list_price"] = _money(row, "price", exponent, errors)
    if row.get("cost"):
        raw["cost_price"] = _money(row, "cost", exponent, errors)
    for field in ("gtin", "plu", "unit", "status"):
        if row.get(field):
            raw[field] = row[field]
    for field in ("shelf_life_days", "case_pack"):
        if row.get(field):
            if not (row[field].isascii() and row[field].isdigit()):
                errors.append(FieldError(field, "a whole number"))
            else:
                raw[field] = int(row[field])
    if row.get("tax_rate"):
        raw["tax_rate"] = row["tax_rate"].rstrip("%").strip()
    supplier = row.get("supplier")
    if supplier:
        if supplier in suppliers:
            raw["supplier_id"] = suppliers[supplier]
        else:
            errors.append(FieldError("supplier", f"no supplier with code {supplier!r}"))
    # Each value is checked on its own, so a row with several problems gets one error for each,
    # named by its column in the file.
    type_errors = [e for field, value in raw.items() if (e := _type_error(field, value))]
    values = raw if type_errors else product_values(msgspec.convert(raw, ProductIn, strict=False))
    invalid = {e["field"] for e in type_errors}
    errors += type_errors + [e for e in product_field_errors(values) if e["field"] not in invalid]
    return values, row.get("category", ""), errors


@functools.cache
def _field_types() -> dict[str, Any]:
    return typing.get_type_hints(ProductIn, include_extras=True)


def _type_error(field: str, value: Any) -> FieldError | None:
    try:
        msgspec.convert(value, _field_types()[field], strict=False)
    except msgspec.ValidationError as exc:
        return FieldError(_COLUMN_OF.get(field, field), str(exc))
    return None


def _conflicts_with_other_products(
    parsed: list[tuple[dict[str, Any], str]], existing: dict[str, dict[str, Any]]
) -> list[FieldError]:
    """A GTIN or PLU already used by a product with another SKU would break uniqueness."""
    owners = {
        (field, p[field]): sku
        for sku, p in existing.items()
        for field in ("gtin", "plu")
        if p[field]
    }
    errors = []
    for line, (values, _) in enumerate(parsed, start=2):
        for field in ("gtin", "plu"):
            owner = owners.get((field, values.get(field)))
            if owner is not None and owner != values["sku"]:
                errors.append(FieldError(field, f"already used by product {owner}", row=line))
    return errors


def _differs(current: dict[str, Any], values: dict[str, Any]) -> bool:
    return any(current.get(k) != v for k, v in values.items())


def _new_row(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    return {
        **values,
        "id": new_id(),
        "tenant_id": actor.tenant_id,
        "created_at": datetime.now(UTC),
        "version": 1,
    }


async def _create(actor: Actor, values: dict[str, Any]) -> None:
    created = await create_recorded(actor, Product, _new_row(actor, values), "product", ProductOut)
    await record_list_price(actor, created.id, created.list_price, created.created_at)


async def _update(actor: Actor, current: dict[str, Any], values: dict[str, Any]) -> None:
    """Update with the version read at the start: a product changed meanwhile is a 409."""
    updated = await update_recorded(
        actor, Product, current["id"], current["version"], values, "product", ProductOut
    )
    if updated.list_price != current["list_price"]:
        await record_list_price(actor, updated.id, updated.list_price)


class _CategoryPaths:
    """Categories by path (``Bakery > Bread``), created on first use."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._by_parent_name = {(r["parent_id"], r["name"].lower()): r["id"] for r in rows}
        self.created = 0

    async def ensure(self, actor: Actor, path: str, dry_run: bool) -> uuid.UUID | None:
        parent: uuid.UUID | None = None
        for name in (part.strip() for part in path.split(CATEGORY_SEPARATOR)):
            if not name:
                continue
            key = (parent, name.lower())
            if key not in self._by_parent_name:
                self.created += 1
                ident = new_id()
                if not dry_run:
                    row = {
                        **_new_row(actor, {"name": name[:200], "parent_id": parent}),
                        "id": ident,
                    }
                    await create_recorded(actor, Category, row, "category", CategoryOut)
                self._by_parent_name[key] = ident
            parent = self._by_parent_name[key]
        return parent
