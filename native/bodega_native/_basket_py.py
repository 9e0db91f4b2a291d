"""Promotion discounts for one basket: the pure-Python twin of ``basket.pyx``.

The same function over the same arrays with the same results as the compiled kernel (the
tests compare the two on random baskets); this one is the readable reference. The arrays are
laid out as ``basket.pyi`` describes; ``bodega.pricing.engine`` encodes the promotions and the
lines and decodes the results, and docs/promotions.md states the rules in the shop's words.

Integers only: money in minor units, quantities in thousandths of a unit, percentages in basis
points. Every rounded value is >= 0 and rounds halves up.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

__all__ = [
    "ALLOCATION_COLUMNS",
    "KINDS",
    "LINE_COLUMNS",
    "MAX_MONEY",
    "MAX_UNITS",
    "PROMOTION_COLUMNS",
    "RESULT_COLUMNS",
    "STATUSES",
    "apply",
    "decode_results",
    "encode_lines",
]

KINDS = (
    "percent_off",
    "amount_off",
    "fixed_price",
    "buy_x_get_y",
    "bundle",
    "multi_buy",
    "threshold",
)
STATUSES = (
    "applied",
    "blocked",
    "below_threshold",
    "not_enough_units",
    "no_reward_items",
    "excluded",
    "nothing_off",
    "not_countable",
)
PROMOTION_COLUMNS = (
    "kind",
    "exclusive",
    "repeat",
    "percent_bp",
    "amount",
    "buy",
    "get",
    "targets_start",
    "targets_end",
    "get_targets_start",
    "get_targets_end",
    "components_start",
    "components_end",
    "steps_start",
    "steps_end",
)
MAX_MONEY = 10**12
"""The largest line amount, unit price, line value (quantity x unit price), promotion amount or
spend the kernel takes, in minor units."""
MAX_UNITS = 10**9
"""The largest quantity of a line, and the most units a promotion counts (buy, get, N, bundle)."""
LINE_COLUMNS = ("product", "category", "quantity", "unit_price", "amount", "countable", "reduced")
RESULT_COLUMNS = ("promotion", "status", "discount", "short", "excluded_by", "allocations")
ALLOCATION_COLUMNS = ("line", "amount")

_PERCENT_OFF, _AMOUNT_OFF, _FIXED_PRICE, _BUY_X_GET_Y, _BUNDLE, _MULTI_BUY, _THRESHOLD = range(7)
(
    _APPLIED,
    _BLOCKED,
    _BELOW_THRESHOLD,
    _NOT_ENOUGH_UNITS,
    _NO_REWARD_ITEMS,
    _EXCLUDED,
    _NOTHING_OFF,
    _NOT_COUNTABLE,
) = range(8)
_NONE = -1

Offer = tuple[int, int, dict[int, int], dict[int, int]]
"""What a promotion would do: status, short, discount per line, whole units used per line."""
Run = tuple[int, int, int]
"""Whole units of one line: (line, unit price, count)."""


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _failed(status: int, short: int = 0) -> Offer:
    return status, short, {}, {}


class _Basket:
    """The lines, and what is left of them as the promotions are applied in turn."""

    def __init__(self, lines: Sequence[int]) -> None:
        width = len(LINE_COLUMNS)
        rows = [lines[i : i + width].tolist() for i in range(0, len(lines), width)]
        self.size = len(rows)
        self.product = [row[0] for row in rows]
        self.category = [row[1] for row in rows]
        self.quantity = [row[2] for row in rows]
        self.unit_price = [row[3] for row in rows]
        self.countable = [row[5] for row in rows]
        self.amount = [row[4] for row in rows]
        self.touched = [row[6] for row in rows]
        self.locked_by = [_NONE] * self.size
        self.first_by = [_NONE] * self.size
        self.free = [row[2] // 1000 if row[5] else 0 for row in rows]
        self.discounts = [0] * self.size
        keyed = sorted(
            (key, line) for line, row in enumerate(rows) for key in (row[0], row[1]) if key >= 0
        )
        self.keys = [key for key, _ in keyed]
        self.owners = [line for _, line in keyed]

    def matching(self, targets: Sequence[int]) -> set[int]:
        """The lines whose product or category is one of ``targets``."""
        found = set()
        for key in targets:
            i = bisect_left(self.keys, key)
            while i < len(self.keys) and self.keys[i] == key:
                found.add(self.owners[i])
                i += 1
        return found

    def runs(self, lines: Sequence[int], *, dearest_first: bool) -> list[Run]:
        """The free whole units of ``lines``: in line order, or dearest first (then line order)."""
        runs = [
            (line, self.unit_price[line], self.free[line]) for line in lines if self.free[line] > 0
        ]
        if dearest_first:
            runs.sort(key=lambda run: (-run[1], run[0]))
        return runs

    def settle(self, promotion: int, exclusive: int, offer: Offer, allocations: array[int]) -> int:
        """Take ``offer`` off the lines (never more than a line has left); return the total."""
        _, _, discounts, used = offer
        total = 0
        for line in sorted(discounts):
            off = min(discounts[line], self.amount[line])
            if off <= 0:
                continue
            self.amount[line] -= off
            self.discounts[line] += off
            self.touched[line] = 1
            if self.first_by[line] == _NONE:
                self.first_by[line] = promotion
            if exclusive:
                self.locked_by[line] = promotion
            allocations.extend((line, off))
            total += off
        if total:
            for line, count in used.items():
                self.free[line] -= count
        return total


class _Units:
    """A stream of whole units over runs, taken from the front."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.index = 0
        self.left = runs[0][2] if runs else 0

    def take(self, count: int) -> list[Run]:
        taken = []
        while count:
            line, unit_price, _ = self.runs[self.index]
            part = min(count, self.left)
            taken.append((line, unit_price, part))
            count -= part
            self.left -= part
            if not self.left and self.index + 1 < len(self.runs):
                self.index += 1
                self.left = self.runs[self.index][2]
        return taken


def _share(total: int, weights: dict[int, int]) -> dict[int, int]:
    """Split ``total`` in proportion to ``weights``; leftover units go to the largest remainders."""
    whole = sum(weight for weight in weights.values() if weight > 0)
    shares, remainders = {}, []
    for line, weight in weights.items():
        if weight > 0:
            shares[line], rest = divmod(total * weight, whole)
            remainders.append((-rest, line))
    remainders.sort()
    for _, line in remainders[: total - sum(shares.values())]:
        shares[line] += 1
    return shares


def _any_countable(basket: _Basket, lines: list[int]) -> bool:
    return any(basket.countable[line] for line in lines)


def _multi_buy(basket: _Basket, eligible: list[int], size: int, price: int) -> Offer:
    if not _any_countable(basket, eligible):
        return _failed(_NOT_COUNTABLE)
    runs = basket.runs(eligible, dearest_first=True)
    units = sum(run[2] for run in runs)
    if units < size:
        return _failed(_NOT_ENOUGH_UNITS, size - units)
    stream, groups, total = _Units(runs), units // size, 0
    value, used = defaultdict(int), defaultdict(int)
    while groups:
        alike = min(groups, stream.left // size) or 1  # whole groups of one line are alike
        taken = stream.take(alike * size)
        off = sum(count * unit_price for _, unit_price, count in taken) - alike * price
        if off <= 0:  # the groups left are no dearer
            break
        total += off
        groups -= alike
        for line, unit_price, count in taken:
            value[line] += count * unit_price
            used[line] += count
    return _APPLIED, 0, _share(total, value), used


def _bundle(
    basket: _Basket, eligible: list[int], parts: list[tuple[int, int]], price: int
) -> Offer:
    if not _any_countable(basket, eligible):
        return _failed(_NOT_COUNTABLE)
    part_runs = [
        basket.runs(
            [line for line in eligible if basket.product[line] == product], dearest_first=False
        )
        for product, _ in parts
    ]
    have = [sum(run[2] for run in runs) for runs in part_runs]
    bundles = min(units // per for units, (_, per) in zip(have, parts, strict=True))
    if not bundles:
        return _failed(
            _NOT_ENOUGH_UNITS,
            sum(max(0, per - units) for units, (_, per) in zip(have, parts, strict=True)),
        )
    streams = [_Units(runs) for runs in part_runs]
    total, value, used = 0, defaultdict(int), defaultdict(int)
    while bundles:
        alike = (
            min(bundles, *(s.left // per for s, (_, per) in zip(streams, parts, strict=True))) or 1
        )
        taken = [
            run for s, (_, per) in zip(streams, parts, strict=True) for run in s.take(alike * per)
        ]
        off = sum(count * unit_price for _, unit_price, count in taken) - alike * price
        bundles -= alike
        if off > 0:
            total += off
            for line, unit_price, count in taken:
                value[line] += count * unit_price
                used[line] += count
    return _APPLIED, 0, _share(total, value), used


def _buy_x_get_y(
    basket: _Basket,
    eligible: list[int],
    buying: set[int] | None,
    buy: int,
    get: int,
    percent_bp: int,
) -> Offer:
    """``buying`` None: the units given come from the same set as the units bought."""
    if not _any_countable(basket, eligible):
        return _failed(_NOT_COUNTABLE)
    if buying is None:
        runs = basket.runs(eligible, dearest_first=True)
        units = sum(run[2] for run in runs)
        deals = units // (buy + get)
        if not deals:
            return _failed(_NOT_ENOUGH_UNITS, buy + get - units)
        given = _Units(runs[::-1]).take(deals * get)
        paid = _Units(runs).take(deals * buy)
    else:
        buy_runs = basket.runs([x for x in eligible if x in buying], dearest_first=True)
        get_runs = basket.runs([x for x in eligible if x not in buying], dearest_first=True)
        buy_units = sum(run[2] for run in buy_runs)
        get_units = sum(run[2] for run in get_runs)
        deals = buy_units // buy
        if not deals:
            return _failed(_NOT_ENOUGH_UNITS, buy - buy_units)
        if not get_units:
            return _failed(_NO_REWARD_ITEMS)
        given_units = min(deals * get, get_units)
        given = _Units(get_runs[::-1]).take(given_units)
        paid = _Units(buy_runs).take(-(-given_units // get) * buy)
    discounts, used = defaultdict(int), defaultdict(int)
    for line, unit_price, count in given:
        discounts[line] += count * _half_up(unit_price * percent_bp, 10000)
        used[line] += count
    for line, _, count in paid:
        used[line] += count
    return _APPLIED, 0, discounts, used


def _threshold(basket: _Basket, eligible: list[int], steps: list[int], repeat: int) -> Offer:
    spend = sum(basket.amount[line] for line in eligible)
    if repeat:
        step_spend, step_off = steps[0], steps[1]
        if spend < step_spend:
            return _failed(_BELOW_THRESHOLD, step_spend - spend)
        off = spend // step_spend * step_off
    else:
        reached = [step_off for step_spend, step_off in _pairs(steps) if step_spend <= spend]
        if not reached:
            return _failed(_BELOW_THRESHOLD, steps[0] - spend)
        off = reached[-1]
    return _APPLIED, 0, _share(off, {line: basket.amount[line] for line in eligible}), {}


def _line_by_line(
    basket: _Basket, eligible: list[int], kind: int, percent_bp: int, amount: int
) -> Offer:
    """percent_off, amount_off (``amount`` off each unit) and fixed_price (``amount`` each)."""
    discounts = {}
    for line in eligible:
        if kind == _PERCENT_OFF:
            discounts[line] = _half_up(basket.amount[line] * percent_bp, 10000)
        elif kind == _AMOUNT_OFF:
            discounts[line] = _half_up(amount * basket.quantity[line], 1000)
        else:
            discounts[line] = basket.amount[line] - _half_up(amount * basket.quantity[line], 1000)
    return _APPLIED, 0, discounts, {}


def _pairs(values: Sequence[int]) -> list[tuple[int, int]]:
    return list(zip(values[::2], values[1::2], strict=True))


def _check(
    promotions: Sequence[int],
    arrays: Sequence[Sequence[int]],
    blocked: Sequence[int],
    lines: Sequence[int],
) -> None:
    """Refuse arrays not laid out as basket.pyi says (the compiled kernel would crash on them)."""
    width = len(PROMOTION_COLUMNS)
    components, steps = arrays[2], arrays[3]
    if (
        len(promotions) != len(blocked) * width
        or len(lines) % len(LINE_COLUMNS)
        or any(units < 1 for units in components[1::2])
        or any(spend < 1 for spend in steps[::2])
    ):
        raise ValueError("the arrays are not laid out as basket.pyi says")
    for p in range(len(blocked)):
        kind, _, _, _, _, buy, get, *bounds = promotions[p * width : (p + 1) * width]
        spans = _pairs(bounds)
        if (
            not 0 <= kind < len(KINDS)
            or not all(
                0 <= start <= end <= len(values)
                for (start, end), values in zip(spans, arrays, strict=True)
            )
            or any((end - start) % 2 for start, end in spans[2:])
            or (kind in (_BUY_X_GET_Y, _MULTI_BUY) and buy < 1)
            or (kind == _BUY_X_GET_Y and get < 1)
            or (kind == _THRESHOLD and spans[3][0] == spans[3][1])
        ):
            raise ValueError(f"promotion {p} is not laid out as basket.pyi says")
        products = components[spans[2][0] : spans[2][1] : 2].tolist()
        if kind == _BUNDLE and (not products or len(set(products)) < len(products)):
            raise ValueError(f"promotion {p}: a bundle needs distinct component products")


def apply(
    promotions: Sequence[int],
    targets: Sequence[int],
    get_targets: Sequence[int],
    components: Sequence[int],
    steps: Sequence[int],
    blocked: Sequence[int],
    lines: Sequence[int],
) -> tuple[array[int], array[int], array[int]]:
    """Apply the promotions in order to the lines: (line discounts, results, allocations)."""
    _check(promotions, (targets, get_targets, components, steps), blocked, lines)
    basket = _Basket(lines)
    results, allocations = array("q"), array("q")
    width = len(PROMOTION_COLUMNS)
    for p in range(len(promotions) // width):
        (kind, exclusive, repeat, percent_bp, amount, buy, get, t0, t1, g0, g1, c0, c1, s0, s1) = (
            promotions[p * width : (p + 1) * width]
        )
        if kind == _BUNDLE or t0 < t1:
            qualifying = basket.matching(targets[t0:t1])
        else:
            qualifying = set(range(basket.size))
        rewarded = qualifying
        if kind == _BUY_X_GET_Y and g0 < g1:
            rewarded = basket.matching(get_targets[g0:g1])
        relevant = sorted(qualifying | rewarded)
        if not relevant:
            continue
        if blocked[p]:
            results.extend((p, _BLOCKED, 0, 0, _NONE, 0))
            continue
        eligible = [
            line
            for line in relevant
            if basket.locked_by[line] == _NONE and not (exclusive and basket.touched[line])
        ]
        if not eligible:
            first = relevant[0]
            by = (
                basket.locked_by[first]
                if basket.locked_by[first] != _NONE
                else basket.first_by[first]
            )
            results.extend((p, _EXCLUDED, 0, 0, by, 0))
            continue
        if kind == _BUY_X_GET_Y:
            buying = None if rewarded is qualifying else qualifying - rewarded
            offer = _buy_x_get_y(basket, eligible, buying, buy, get, percent_bp)
        elif kind == _BUNDLE:
            parts = components[c0:c1].tolist()
            offer = _bundle(basket, eligible, _pairs(parts), amount)
        elif kind == _MULTI_BUY:
            offer = _multi_buy(basket, eligible, buy, amount)
        elif kind == _THRESHOLD:
            offer = _threshold(basket, eligible, steps[s0:s1].tolist(), repeat)
        else:
            offer = _line_by_line(basket, eligible, kind, percent_bp, amount)
        status, short = offer[0], offer[1]
        before = len(allocations)
        total = basket.settle(p, exclusive, offer, allocations) if status == _APPLIED else 0
        if status == _APPLIED and not total:
            status = _NOTHING_OFF
        results.extend((p, status, total, short, _NONE, (len(allocations) - before) // 2))
    return array("q", basket.discounts), results, allocations


def encode_lines(
    lines: Sequence[Any], products: Mapping[int, int], categories: Mapping[int, int]
) -> tuple[array[int], int]:
    """The basket's lines as :func:`apply` reads them, and the index of the first line outside
    the limits (-1: none; the lines after it are not encoded). A line has ``product_id`` and
    ``category_id`` (UUIDs, the category may be None), ``quantity`` (a Decimal), ``unit_price``
    and ``amount`` (ints) and ``countable`` and ``reduced``; ``products`` and ``categories``
    give the key of a UUID's ``int`` (none: -1). Limits: a quantity > 0 with at most 3
    decimals, at most MAX_UNITS; price, amount and quantity x price from 0 to MAX_MONEY."""
    encoded = array("q")
    for index, line in enumerate(lines):
        numerator, denominator = line.quantity.as_integer_ratio()
        thousandths, rest = divmod(numerator * 1000, denominator)
        price, amount, category = line.unit_price, line.amount, line.category_id
        if (
            rest
            or not 0 < thousandths <= MAX_UNITS * 1000
            or not 0 <= price <= MAX_MONEY
            or not 0 <= amount <= MAX_MONEY
            or price * thousandths > MAX_MONEY * 1000
        ):
            return encoded, index
        encoded.extend(
            (
                products.get(line.product_id.int, _NONE),
                categories.get(category.int, _NONE) if category is not None else _NONE,
                thousandths,
                price,
                amount,
                1 if line.countable else 0,
                1 if line.reduced else 0,
            )
        )
    return encoded, -1


def decode_results(
    results: Sequence[int],
    allocations: Sequence[int],
    keys: Sequence[Hashable],
    blocked: Mapping[Hashable, str],
    make: Callable[..., Any],
) -> tuple[Any, ...]:
    """``make(key, status, discount, shares, short, excluded_by, blocked_reason)`` for each
    row of :func:`apply`'s results: the promotions' ``keys`` instead of their rows, the status
    by name, the shares as (line, amount) pairs, and a blocked promotion's reason from
    ``blocked``."""
    width, decoded, taken = len(RESULT_COLUMNS), [], 0
    for i in range(0, len(results), width):
        position, code, discount, short, by, count = results[i : i + width]
        key = keys[position]
        shares = tuple(_pairs(allocations[2 * taken : 2 * (taken + count)]))
        decoded.append(
            make(
                key,
                STATUSES[code],
                discount,
                shares,
                short,
                keys[by] if by != _NONE else None,
                blocked[key] if code == _BLOCKED else None,
            )
        )
        taken += count
    return tuple(decoded)
