"""The promotion engine: what each promotion takes off a basket, line by line, and why the
others give nothing.

The rest of Bodega calls only this module. :func:`compile_promotions` checks a chain's
promotions and encodes them once, in the order they apply, as integer arrays (the caller
keeps the result per chain); :func:`apply_promotions` has the basket kernel
(``bodega_native.basket``, compiled, or its pure-Python twin when ``BODEGA_NO_EXTENSIONS=1``)
check and encode a basket, apply the promotions and decode what it found. No I/O; the same
input always gives the same outcome. The rules are in docs/promotions.md, "How promotions
combine (the engine)".
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType, ModuleType
from typing import NoReturn
from uuid import UUID

import msgspec

from bodega_native import load_kernel

# The array layout and the limits are the twin's, the readable reference; the compiled
# kernel's are the same.
from bodega_native._basket_py import KINDS, MAX_MONEY, MAX_UNITS

__all__ = [
    "MAX_MONEY",
    "MAX_UNITS",
    "BasketLine",
    "CompiledPromotions",
    "PromotionOutcome",
    "PromotionResult",
    "PromotionSpec",
    "apply_promotions",
    "compile_promotions",
]

_NOTHING_BLOCKED: Mapping[Hashable, str] = MappingProxyType({})


@dataclass(frozen=True)
class PromotionSpec:
    """One promotion as the engine sees it; which fields count depends on ``kind``."""

    key: Hashable  # given back as it is in the results
    kind: str  # percent_off, amount_off, fixed_price, buy_x_get_y, bundle, multi_buy, threshold
    priority: int = 0  # higher first
    exclusive: bool = False
    product_ids: frozenset[UUID] = frozenset()  # the qualifying items; with
    category_ids: frozenset[UUID] = frozenset()  # category_ids both empty: every product
    percent_bp: int = 0  # basis points: percent_off, and buy_x_get_y off the given units
    amount: int = 0  # off each unit (kg); fixed_price: unit price; multi_buy, bundle: group price
    buy: int = 0  # buy_x_get_y: units bought; multi_buy: units in a group
    get: int = 0  # buy_x_get_y: units given
    get_product_ids: frozenset[UUID] = frozenset()  # buy_x_get_y: the rewarded items; with
    get_category_ids: frozenset[UUID] = frozenset()  # get_product_ids both empty: the same
    bundle: tuple[tuple[UUID, int], ...] = ()  # (product, units) components
    steps: tuple[tuple[int, int], ...] = ()  # threshold: (spend, off), spend ascending
    repeat: bool = False  # threshold: every full spend takes off again (one step)


@dataclass(frozen=True)
class BasketLine:
    """A basket line already priced (price lists and markdowns applied)."""

    product_id: UUID
    category_id: UUID | None
    quantity: Decimal  # > 0; weighed goods up to 3 places
    unit_price: int  # before promotions, minor units
    amount: int  # before promotions: quantity x unit_price rounded half up
    countable: bool = True  # sold by the unit: its whole units count for unit promotions
    reduced: bool = False  # reduced by a markdown: exclusive promotions pass it by


class PromotionResult(msgspec.Struct, frozen=True, gc=False):
    """What one promotion relevant to the basket did, or why it did nothing (``status``). A
    quote builds dozens, and a Struct is built several times faster than a frozen dataclass or
    a named tuple (it holds no cycles, so the garbage collector need not track it)."""

    key: Hashable
    status: str
    discount: int
    allocations: tuple[tuple[int, int], ...]  # (line index, amount > 0), adding up to discount
    short: int = 0  # below_threshold: the spend missing; not_enough_units: the units missing
    excluded_by: Hashable | None = None
    blocked_reason: str | None = None


@dataclass(frozen=True)
class PromotionOutcome:
    """What all the promotions took off each line, and each relevant one's result in the order
    they applied."""

    line_discounts: tuple[int, ...]
    results: tuple[PromotionResult, ...]

    @property
    def discount_total(self) -> int:
        return sum(self.line_discounts)


@dataclass(frozen=True, eq=False)
class CompiledPromotions:
    """Promotions in the order they apply, encoded for the kernel; read-only, reused for many
    baskets. Products and categories are numbered by their ``UUID.int`` (products even,
    categories odd): hashing an int is much quicker than hashing a UUID."""

    keys: tuple[Hashable, ...]
    positions: Mapping[Hashable, int]
    products: Mapping[int, int]
    categories: Mapping[int, int]
    arrays: tuple[memoryview, ...]
    """promotions, targets, get_targets, components, steps: laid out as basket.pyi says."""
    unblocked: memoryview


def _frozen(values: Sequence[int]) -> memoryview:
    return memoryview(array("q", values).tobytes()).cast("q")


def _check_spec(spec: PromotionSpec) -> None:
    def refuse(problem: str) -> NoReturn:
        raise ValueError(f"promotion {spec.key!r} ({spec.kind}): {problem}")

    kind = spec.kind
    if kind not in KINDS:
        refuse(f"the kind must be one of {', '.join(KINDS)}")
    if kind in ("percent_off", "buy_x_get_y") and not 1 <= spec.percent_bp <= 10000:
        refuse(f"percent_bp must be from 1 to 10000, not {spec.percent_bp}")
    if kind == "amount_off" and not 0 < spec.amount <= MAX_MONEY:
        refuse(f"amount must be from 1 to {MAX_MONEY}, not {spec.amount}")
    if kind in ("fixed_price", "bundle", "multi_buy") and not 0 <= spec.amount <= MAX_MONEY:
        refuse(f"amount must be from 0 to {MAX_MONEY}, not {spec.amount}")
    counts = {"buy_x_get_y": (spec.buy, spec.get), "multi_buy": (spec.buy,)}.get(kind, ())
    counts += tuple(units for _, units in spec.bundle) if kind == "bundle" else ()
    if any(not 1 <= units <= MAX_UNITS for units in counts):
        refuse(f"buy, get and bundle units must be from 1 to {MAX_UNITS}")
    products = [product for product, _ in spec.bundle]
    if kind == "bundle" and (not products or len(set(products)) < len(products)):
        refuse("a bundle needs at least one component and each product only once")
    if kind == "threshold":
        spends = [spend for spend, _ in spec.steps]
        if not spec.steps or any(not 0 < off < spend <= MAX_MONEY for spend, off in spec.steps):
            refuse(f"steps need 0 < off < spend <= {MAX_MONEY}")
        if spends != sorted(set(spends)):
            refuse("the steps' spends must be ascending")
        if spec.repeat and len(spec.steps) != 1:
            refuse("a repeating threshold has exactly one step")


def compile_promotions(specs: Sequence[PromotionSpec]) -> CompiledPromotions:
    """Check and encode ``specs`` once: every item promotion by priority (highest first, then
    in the order given), then every threshold promotion the same way."""
    for spec in specs:
        _check_spec(spec)
    if len({spec.key for spec in specs}) < len(specs):
        raise ValueError("two promotions have the same key")
    order = sorted(specs, key=lambda s: (s.kind == "threshold", -s.priority))  # stable
    products: dict[int, int] = {}
    categories: dict[int, int] = {}

    def keyed(product_ids: Iterable[UUID], category_ids: Iterable[UUID] = ()) -> list[int]:
        found = [products.setdefault(p.int, 2 * len(products)) for p in product_ids]
        found += [categories.setdefault(c.int, 2 * len(categories) + 1) for c in category_ids]
        return sorted(set(found))

    rows: list[int] = []
    tables: tuple[list[int], ...] = ([], [], [], [])  # targets, get_targets, components, steps
    for spec in order:
        is_bundle, is_reward = spec.kind == "bundle", spec.kind == "buy_x_get_y"
        parts = keyed([p for p, _ in spec.bundle]) if is_bundle else []
        added = (
            parts if is_bundle else keyed(spec.product_ids, spec.category_ids),
            keyed(spec.get_product_ids, spec.get_category_ids) if is_reward else [],
            [n for p, units in spec.bundle for n in (products[p.int], units)] if is_bundle else [],
            [n for step in spec.steps for n in step] if spec.kind == "threshold" else [],
        )
        rows += (KINDS.index(spec.kind), spec.exclusive, spec.repeat, spec.percent_bp)
        rows += (spec.amount, spec.buy, spec.get)
        for table, values in zip(tables, added, strict=True):
            rows += (len(table), len(table) + len(values))
            table += values
    keys = tuple(spec.key for spec in order)
    return CompiledPromotions(
        keys=keys,
        positions=MappingProxyType({key: i for i, key in enumerate(keys)}),
        products=MappingProxyType(products),
        categories=MappingProxyType(categories),
        arrays=(_frozen(rows), *(_frozen(table) for table in tables)),
        unblocked=_frozen([0] * len(keys)),
    )


def _refuse_line(index: int, line: BasketLine) -> NoReturn:
    raise ValueError(
        f"line {index}: the quantity must be > 0, at most {MAX_UNITS}, with at most 3 decimal"
        f" places; the unit price, the amount and the line's value (quantity x unit price) from"
        f" 0 to {MAX_MONEY}: not {line.quantity} x {line.unit_price} = {line.amount}"
    )


@functools.cache
def _selected_kernel() -> ModuleType:
    return load_kernel("basket")


def apply_promotions(
    compiled: CompiledPromotions,
    lines: Sequence[BasketLine],
    blocked: Mapping[Hashable, str] = _NOTHING_BLOCKED,
    *,
    kernel: ModuleType | None = None,
) -> PromotionOutcome:
    """What the compiled promotions take off ``lines``. ``blocked`` maps a promotion's key to
    the reason it cannot apply here (decided by the caller: dates, stores, members, usage); it
    is then reported, when relevant, with that reason. ``kernel``: the selected one if None."""
    kernel = kernel or _selected_kernel()
    encoded, refused = kernel.encode_lines(lines, compiled.products, compiled.categories)
    if refused >= 0:
        _refuse_line(refused, lines[refused])
    flags: memoryview | array[int] = compiled.unblocked
    if blocked:
        flags = array("q", compiled.unblocked.tobytes())
        for key in blocked:
            if key in compiled.positions:
                flags[compiled.positions[key]] = 1
    discounts, results, allocations = kernel.apply(*compiled.arrays, flags, encoded)
    decoded = kernel.decode_results(results, allocations, compiled.keys, blocked, PromotionResult)
    return PromotionOutcome(tuple(discounts), decoded)
