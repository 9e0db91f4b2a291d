"""The basket kernel: the compiled module really loads, and it gives exactly what its pure-Python
twin gives, on hand-made arrays and on random baskets against random promotion sets."""

from __future__ import annotations

import os
from array import array
from dataclasses import replace
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodega.pricing.engine import (
    BasketLine,
    PromotionOutcome,
    PromotionSpec,
    apply_promotions,
    compile_promotions,
)
from bodega_native import _basket_py, load_kernel
from bodega_native import basket as compiled_kernel

PRODUCTS = [UUID(int=i) for i in range(1, 9)]
CATEGORIES = [UUID(int=i) for i in range(101, 104)]
STRANGER = UUID(int=999)  # a product no promotion names


def test_the_compiled_kernel_is_selected_unless_extensions_are_off(monkeypatch):
    monkeypatch.delenv("BODEGA_NO_EXTENSIONS", raising=False)
    assert load_kernel("basket").__file__.endswith(".so")
    monkeypatch.setenv("BODEGA_NO_EXTENSIONS", "1")
    assert load_kernel("basket") is _basket_py


def test_both_kernels_share_one_layout():
    for name in (n for n in _basket_py.__all__ if n.isupper()):
        assert getattr(compiled_kernel, name) == getattr(_basket_py, name), name


EMPTY = array("q")
PERCENT_ROW = [0, 0, 0, 1000, 0, 0, 0] + [0] * 8  # percent_off 10 % for every product
LINE = [0, 1, 2000, 500, 1000, 1, 0]  # 2 units at 500


@pytest.mark.parametrize("kernel", [compiled_kernel, _basket_py], ids=["compiled", "twin"])
def test_each_kernel_reads_the_arrays_it_is_given(kernel):
    discounts, results, allocations = kernel.apply(
        array("q", PERCENT_ROW), EMPTY, EMPTY, EMPTY, EMPTY, array("q", [0]), array("q", LINE)
    )
    assert list(discounts) == [100]
    assert list(results) == [0, 0, 100, 0, -1, 1]  # promotion 0 applied, 100 off, 1 share
    assert list(allocations) == [0, 100]  # line 0, 100


@pytest.mark.parametrize("kernel", [compiled_kernel, _basket_py], ids=["compiled", "twin"])
@pytest.mark.parametrize(
    ("row", "components", "blocked", "line"),
    [
        (PERCENT_ROW[:-1], [], [0], LINE),  # a row too short
        (PERCENT_ROW, [], [0, 0], LINE),  # blocked flags for two promotions, one row
        (PERCENT_ROW, [], [0], LINE[:-1]),  # a line too short
        ([9, *PERCENT_ROW[1:]], [], [0], LINE),  # no such kind
        ([5, 0, 0, 0, 100, 0, *PERCENT_ROW[6:]], [], [0], LINE),  # 0 for 100
        ([4, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0], [0, 1, 0, 1], [0], LINE),  # 2 x product 0
        ([4, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0], [0, 1], [0], LINE),  # past the end
        ([6, *PERCENT_ROW[1:]], [], [0], LINE),  # a threshold without steps
    ],
)
def test_arrays_laid_out_wrongly_are_refused_not_crashed_on(kernel, row, components, blocked, line):
    with pytest.raises(ValueError, match=r"laid out|distinct"):
        kernel.apply(
            array("q", row),
            EMPTY,
            EMPTY,
            array("q", components),
            EMPTY,
            array("q", blocked),
            array("q", line),
        )


PERCENT = st.one_of(st.sampled_from([1, 2500, 5000, 10000]), st.integers(1, 10000))
MONEY = st.one_of(st.integers(0, 3000), st.integers(0, 10**9))
PRODUCT_SETS = st.frozensets(st.sampled_from(PRODUCTS), max_size=3)
CATEGORY_SETS = st.frozensets(st.sampled_from(CATEGORIES), max_size=1)
UNITS = st.integers(1, 4)
BUNDLES = st.lists(
    st.tuples(st.sampled_from(PRODUCTS), UNITS),
    min_size=1,
    max_size=3,
    unique_by=lambda part: part[0],
)
SPENDS = st.lists(st.integers(2, 50_000), min_size=1, max_size=3, unique=True)


@st.composite
def promotion(draw, key: int) -> PromotionSpec:
    kind = draw(st.sampled_from(_basket_py.KINDS))
    spec = PromotionSpec(
        key=key,
        kind=kind,
        priority=draw(st.integers(0, 3)),
        exclusive=draw(st.booleans()),
        product_ids=draw(PRODUCT_SETS),
        category_ids=draw(CATEGORY_SETS),
    )
    if kind in ("percent_off", "buy_x_get_y"):
        spec = replace(spec, percent_bp=draw(PERCENT))
    if kind in ("amount_off", "fixed_price", "multi_buy", "bundle"):
        spec = replace(spec, amount=draw(MONEY) or 1)
    if kind in ("multi_buy", "buy_x_get_y"):
        spec = replace(spec, buy=draw(UNITS), get=draw(UNITS) if kind == "buy_x_get_y" else 0)
    if kind == "buy_x_get_y":
        spec = replace(
            spec, get_product_ids=draw(PRODUCT_SETS), get_category_ids=draw(CATEGORY_SETS)
        )
    if kind == "bundle":
        spec = replace(spec, bundle=tuple(draw(BUNDLES)))
    if kind == "threshold":
        spends = sorted(draw(SPENDS))
        steps = tuple((spend, draw(st.integers(1, spend - 1))) for spend in spends)
        spec = replace(spec, steps=steps, repeat=len(steps) == 1 and draw(st.booleans()))
    return spec


@st.composite
def basket_line(draw) -> BasketLine:
    countable = draw(st.booleans())
    if countable:
        quantity = Decimal(draw(st.integers(1, 12)))
    else:
        quantity = Decimal(draw(st.integers(1, 5000))) / 1000
    unit_price = draw(MONEY)
    return BasketLine(
        product_id=draw(st.sampled_from([*PRODUCTS, STRANGER])),
        category_id=draw(st.sampled_from([*CATEGORIES, None])),
        quantity=quantity,
        unit_price=unit_price,
        amount=int(quantity * unit_price * 2 + 1) // 2,
        countable=countable,
        reduced=draw(st.integers(0, 5)) == 0,
    )


@st.composite
def quote(draw):
    count = draw(st.integers(0, 60))
    specs = [draw(promotion(key)) for key in range(count)]
    lines = draw(st.lists(basket_line(), min_size=1, max_size=50))
    blocked = {key: f"reason {key}" for key in range(count) if draw(st.integers(0, 7)) == 0}
    return specs, lines, blocked


def assert_adds_up(outcome: PromotionOutcome, lines: list[BasketLine]) -> None:
    """No cent lost or invented: every discount is its allocations, every line its share."""
    per_line = [0] * len(lines)
    for result in outcome.results:
        assert sum(amount for _, amount in result.allocations) == result.discount
        assert all(amount > 0 for _, amount in result.allocations)
        assert (result.status == "applied") == (result.discount > 0)
        for line, amount in result.allocations:
            per_line[line] += amount
    assert list(outcome.line_discounts) == per_line
    assert outcome.discount_total == sum(result.discount for result in outcome.results)
    assert all(0 <= d <= line.amount for d, line in zip(per_line, lines, strict=True))


# The normal run is deterministic and takes a few seconds; BODEGA_FUZZ=1 explores many more.
FUZZ = os.environ.get("BODEGA_FUZZ") == "1"


@settings(
    max_examples=3000 if FUZZ else 60,
    derandomize=not FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(quote())
def test_the_compiled_kernel_and_its_twin_agree_on_random_baskets(case):
    specs, lines, blocked = case
    compiled = compile_promotions(specs)
    fast = apply_promotions(compiled, lines, blocked, kernel=compiled_kernel)
    assert fast == apply_promotions(compiled, lines, blocked, kernel=_basket_py)
    assert_adds_up(fast, lines)
    assert [r.key for r in fast.results] == [
        k for k in compiled.keys if k in {r.key for r in fast.results}
    ]
    for result in fast.results:
        assert (result.blocked_reason is not None) == (result.status == "blocked")
