"""The promotion engine on baskets worked out by hand, over both kernels (compiled and twin).

Amounts are in minor units (fen): 1000 is 10.00 yuan. Every outcome is also checked to add up:
each discount is the sum of its allocations, each line's discount the sum of its shares.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from bodega.pricing.engine import (
    BasketLine,
    PromotionOutcome,
    PromotionResult,
    PromotionSpec,
    apply_promotions,
    compile_promotions,
)
from bodega_native import _basket_py
from bodega_native import basket as compiled_kernel
from tests.native.test_basket import assert_adds_up

MILK, CHEESE, BREAD, APPLES, COFFEE, MUG, CHIPS, DIP, SOAP = (UUID(int=i) for i in range(1, 10))
DAIRY, BAKERY = UUID(int=101), UUID(int=102)


@pytest.fixture(params=[compiled_kernel, _basket_py], ids=["compiled", "twin"])
def kernel(request):
    return request.param


def line(product, quantity, unit_price, *, category=None, amount=None, **flags) -> BasketLine:
    quantity = Decimal(quantity)
    if amount is None:
        amount = int(quantity * unit_price * 2 + 1) // 2  # halves up
    return BasketLine(product, category, quantity, unit_price, amount, **flags)


def quote(kernel, specs, lines, blocked=None) -> PromotionOutcome:
    outcome = apply_promotions(compile_promotions(specs), lines, blocked or {}, kernel=kernel)
    assert_adds_up(outcome, lines)
    return outcome


def only(outcome: PromotionOutcome) -> PromotionResult:
    (result,) = outcome.results
    return result


def spec(key, kind, *products, **fields) -> PromotionSpec:
    return PromotionSpec(key, kind, product_ids=frozenset(products), **fields)


def test_percent_off_rounds_halves_up(kernel):
    """12.5 % of 900 = 112.5 -> 113; of 300 = 37.5 -> 38; of 4 = 0.5 -> 1; of 3 = 0.375 -> 0
    (nothing taken from that line)."""
    lines = [line(MILK, 2, 450), line(MILK, 1, 300), line(MILK, 1, 4), line(MILK, 1, 3)]
    result = only(quote(kernel, [spec("p", "percent_off", MILK, percent_bp=1250)], lines))
    assert result.status == "applied"
    assert result.allocations == ((0, 113), (1, 38), (2, 1))
    assert result.discount == 152


def test_amount_off_a_kilo_of_weighed_goods(kernel):
    """1.50 off per kg: 1.235 kg -> 185.25 -> 185; 0.5 kg -> 75; 5.00 off per kg of 0.2 kg of
    leaves at 1.00/kg (an amount of 20) is capped at what the line costs."""
    apples = [
        line(APPLES, "1.235", 800, countable=False),
        line(APPLES, "0.5", 800, countable=False),
    ]
    result = only(quote(kernel, [spec("kg", "amount_off", APPLES, amount=150)], apples))
    assert result.allocations == ((0, 185), (1, 75))
    leaves = [line(SOAP, "0.2", 100, countable=False)]
    result = only(quote(kernel, [spec("kg", "amount_off", SOAP, amount=500)], leaves))
    assert result.allocations == ((0, 20),)


def test_a_fixed_price_above_the_shelf_price_takes_nothing_off(kernel):
    """2 at 5.00 with a fixed price of 6.00 each: max(0, 1000 - 1200) = 0. At 4.50: 100 off."""
    lines = [line(MILK, 2, 500)]
    result = only(quote(kernel, [spec("f", "fixed_price", MILK, amount=600)], lines))
    assert (result.status, result.discount, result.allocations) == ("nothing_off", 0, ())
    assert only(quote(kernel, [spec("f", "fixed_price", MILK, amount=450)], lines)).discount == 100


def test_multi_buy_takes_the_dearest_units_first(kernel):
    """3 for 10.00 over 7 units: 500 500 | 400 400 400 | 300 300.
    Groups (dearest first): 500+500+400 = 1400 -> 400 off; 400+400+300 = 1100 -> 100 off; the
    7th unit (300) is left. 500 shared by the value each line gave: 1000, 1200, 300 of 2500 ->
    200, 240, 60. The buy-1-get-1 after it finds 1 free unit of line 2: 1 short."""
    lines = [line(CHIPS, 2, 500), line(DIP, 3, 400), line(SOAP, 2, 300)]
    specs = [
        spec("3for10", "multi_buy", CHIPS, DIP, SOAP, buy=3, amount=1000, priority=1),
        spec("bogo", "buy_x_get_y", SOAP, buy=1, get=1, percent_bp=10000),
    ]
    multi, bogo = quote(kernel, specs, lines).results
    assert multi.allocations == ((0, 200), (1, 240), (2, 60))
    assert (bogo.status, bogo.short) == ("not_enough_units", 1)


def test_a_bundle_short_of_one_component_and_a_bundle_made(kernel):
    """Coffee + 2 mugs for 20.00. With one mug: 1 unit short. With 2 coffees and mugs in two
    lines (1 at 6.00, 2 at 7.00): one bundle, units in line order: 1500 + 600 + 700 = 2800 ->
    800 off; by value: 428.57, 171.43, 200 -> 428, 171, 200 and the leftover 1 to the largest
    remainder (the coffee): 429."""
    bundle = spec("set", "bundle", bundle=((COFFEE, 1), (MUG, 2)), amount=2000)
    short = only(quote(kernel, [bundle], [line(COFFEE, 1, 1500), line(MUG, 1, 600)]))
    assert (short.status, short.short) == ("not_enough_units", 1)
    made = quote(kernel, [bundle], [line(COFFEE, 2, 1500), line(MUG, 1, 600), line(MUG, 2, 700)])
    assert only(made).allocations == ((0, 429), (1, 171), (2, 200))


def test_buy_one_get_one_free_gives_the_cheapest_units(kernel):
    """Bread, 3 at 3.00 and 1 at 2.50: 2 deals; the 2 cheapest units are free (250, and one of
    300), the 2 dearest are bought."""
    lines = [line(BREAD, 3, 300), line(BREAD, 1, 250)]
    bogo = spec("bogo", "buy_x_get_y", BREAD, buy=1, get=1, percent_bp=10000)
    assert only(quote(kernel, [bogo], lines)).allocations == ((0, 300), (1, 250))


def test_buy_two_chips_get_a_dip_at_half_price(kernel):
    """5 chips -> 2 deals -> 2 dips at 50 %, the cheapest: both from the 3.00 line, 150 each.
    Without dips: no_reward_items; with 1 bag of chips: 1 short."""
    deal = PromotionSpec(
        "dip",
        "buy_x_get_y",
        product_ids=frozenset({CHIPS}),
        get_product_ids=frozenset({DIP}),
        buy=2,
        get=1,
        percent_bp=5000,
    )
    lines = [line(CHIPS, 5, 400), line(DIP, 1, 350), line(DIP, 2, 300)]
    assert only(quote(kernel, [deal], lines)).allocations == ((2, 300),)
    assert only(quote(kernel, [deal], lines[:1])).status == "no_reward_items"
    short = only(quote(kernel, [deal], [line(CHIPS, 1, 400), lines[1]]))
    assert (short.status, short.short) == ("not_enough_units", 1)


STEPPED = ((10000, 2000), (20000, 5000))


@pytest.mark.parametrize(
    ("amounts", "status", "discount", "short"),
    [
        ((9000, 6000), "applied", 2000, 0),  # 150.00 reaches 100: 20 off, 1200 + 800
        ((20000, 5000), "applied", 5000, 0),
        ((5000, 3000), "below_threshold", 0, 2000),
    ],
)
def test_a_stepped_threshold_gives_the_highest_step_reached(
    kernel, amounts, status, discount, short
):
    lines = [line(MILK, 1, amount) for amount in amounts]
    result = only(quote(kernel, [PromotionSpec("t", "threshold", steps=STEPPED)], lines))
    assert (result.status, result.discount, result.short) == (status, discount, short)
    if amounts == (9000, 6000):
        assert result.allocations == ((0, 1200), (1, 800))


def test_a_threshold_counts_what_is_left_after_the_item_promotions(kernel):
    """10 % off 110.00 leaves 99.00: 1.00 short of 100, whatever the priorities say."""
    specs = [
        PromotionSpec("t", "threshold", steps=STEPPED, priority=9),
        spec("p", "percent_off", MILK, percent_bp=1000),
    ]
    percent, threshold = quote(kernel, specs, [line(MILK, 1, 11000)]).results
    assert (percent.key, threshold.status, threshold.short) == ("p", "below_threshold", 100)


def test_every_full_100_takes_20_off_again(kernel):
    """每满100减20 on 350.50: 3 x 20 = 60, shared 20000 : 15050 -> 3423.68, 2576.32 -> 3423 and
    2576, the leftover 1 to the larger remainder: 3424."""
    repeat = PromotionSpec("man100", "threshold", steps=((10000, 2000),), repeat=True)
    result = only(quote(kernel, [repeat], [line(MILK, 1, 20000), line(CHEESE, 1, 15050)]))
    assert result.allocations == ((0, 3424), (1, 2576))


def test_two_percents_stack_one_after_the_other(kernel):
    """10 % (priority 2) then 20 % on 3.33: 33.3 -> 33 leaves 300; 20 % of 300 = 60: 93 in all
    (the other order would give 67 + 27 = 94)."""
    specs = [
        spec("twenty", "percent_off", MILK, percent_bp=2000, priority=1),
        spec("ten", "percent_off", MILK, percent_bp=1000, priority=2),
    ]
    outcome = quote(kernel, specs, [line(MILK, 1, 333)])
    assert [(r.key, r.discount) for r in outcome.results] == [("ten", 33), ("twenty", 60)]
    assert outcome.line_discounts == (93,)


def test_an_exclusive_promotion_locks_its_lines(kernel):
    """30 % off milk, exclusive, first: the dairy 10 % after it gets only the cheese, and a 5 %
    on milk alone is excluded by it."""
    specs = [
        spec("milk30", "percent_off", MILK, percent_bp=3000, exclusive=True, priority=5),
        PromotionSpec("dairy10", "percent_off", category_ids=frozenset({DAIRY}), percent_bp=1000),
        spec("milk5", "percent_off", MILK, percent_bp=500),
    ]
    lines = [line(MILK, 1, 1000, category=DAIRY), line(CHEESE, 1, 2000, category=DAIRY)]
    milk30, dairy10, milk5 = quote(kernel, specs, lines).results
    assert milk30.allocations == ((0, 300),)
    assert dairy10.allocations == ((1, 200),)
    assert (milk5.status, milk5.excluded_by) == ("excluded", "milk30")


def test_an_exclusive_promotion_passes_by_lines_already_reduced(kernel):
    """A markdown reduced the bread: an exclusive promotion leaves it (excluded_by None), a
    non-exclusive one still applies; an exclusive after a stacking one is excluded by it."""
    specs = [
        spec("bread20", "percent_off", BREAD, percent_bp=2000, exclusive=True, priority=2),
        spec("bread10", "percent_off", BREAD, percent_bp=1000, priority=1),
        spec("late", "percent_off", MILK, percent_bp=1000, exclusive=True),
        spec("early", "amount_off", MILK, amount=10, priority=3),
    ]
    lines = [line(BREAD, 1, 500, reduced=True), line(MILK, 1, 500)]
    early, bread20, bread10, late = quote(kernel, specs, lines).results
    assert (bread20.status, bread20.excluded_by) == ("excluded", None)
    assert (bread10.status, bread10.discount) == ("applied", 50)
    assert (early.discount, late.status, late.excluded_by) == (10, "excluded", "early")


def test_blocked_promotions_are_reported_and_irrelevant_ones_are_not(kernel):
    """A blocked promotion with a line in the basket is reported with the caller's reason; one
    for products not in the basket is not reported, blocked or not; an every-product
    threshold always is."""
    specs = [
        spec("hours", "percent_off", MILK, percent_bp=1000),
        spec("members", "percent_off", SOAP, percent_bp=1000),
        spec("soap", "percent_off", SOAP, percent_bp=1000),
        PromotionSpec("basket", "threshold", steps=((100000, 5000),)),
    ]
    blocked = {"hours": "outside its hours", "members": "members only"}
    hours, basket = quote(kernel, specs, [line(MILK, 1, 1000)], blocked).results
    assert (hours.status, hours.blocked_reason, hours.discount) == (
        "blocked",
        "outside its hours",
        0,
    )
    assert (basket.status, basket.short) == ("below_threshold", 99000)


def test_whole_units_only_count_for_unit_promotions(kernel):
    """Weighed cheese cannot make a multi-buy group; a countable line of 2.5 has 2 whole units."""
    multi = spec("2for", "multi_buy", CHEESE, buy=2, amount=100)
    weighed = only(quote(kernel, [multi], [line(CHEESE, "2.5", 1000, countable=False)]))
    assert weighed.status == "not_countable"
    counted = only(quote(kernel, [multi], [line(CHEESE, "2.5", 1000)]))
    assert counted.allocations == ((0, 1900),)


def test_a_large_quantity_is_counted_in_runs_not_unit_by_unit(kernel):
    """10**6 units at 1.00, 3 for 2.50: 333,333 groups of 50 off."""
    multi = spec("3for", "multi_buy", SOAP, buy=3, amount=250)
    assert only(quote(kernel, [multi], [line(SOAP, 10**6, 100)])).discount == 16_666_650


def test_promotions_apply_by_priority_and_thresholds_last():
    specs = [
        PromotionSpec("basket", "threshold", steps=((100, 10),), priority=99),
        spec("a", "percent_off", MILK, percent_bp=100),
        spec("b", "percent_off", MILK, percent_bp=100, priority=2),
        spec("c", "percent_off", MILK, percent_bp=100),
        PromotionSpec("small", "threshold", steps=((100, 10),)),
    ]
    assert compile_promotions(specs).keys == ("b", "a", "c", "basket", "small")


def test_an_empty_basket_and_no_promotions():
    compiled = compile_promotions([spec("p", "percent_off", percent_bp=100)])
    assert apply_promotions(compiled, []) == PromotionOutcome((), ())
    outcome = apply_promotions(compile_promotions([]), [line(MILK, 1, 100)])
    assert (outcome.line_discounts, outcome.results, outcome.discount_total) == ((0,), (), 0)


@pytest.mark.parametrize(
    ("promotion", "message"),
    [
        (PromotionSpec(1, "half_off"), "kind must be one of"),
        (spec(1, "percent_off", percent_bp=0), "percent_bp must be from 1 to 10000"),
        (spec(1, "percent_off", percent_bp=10001), "percent_bp must be from 1 to 10000"),
        (spec(1, "amount_off", amount=0), "amount must be from 1"),
        (spec(1, "fixed_price", amount=-1), "amount must be from 0"),
        (spec(1, "multi_buy", amount=100), "units must be from 1"),
        (spec(1, "buy_x_get_y", buy=2, percent_bp=100), "units must be from 1"),
        (spec(1, "bundle", amount=1), "at least one component"),
        (spec(1, "bundle", bundle=((MUG, 1), (MUG, 1))), "each product only once"),
        (spec(1, "bundle", bundle=((MUG, 0),)), "units must be from 1"),
        (spec(1, "threshold"), "steps need"),
        (spec(1, "threshold", steps=((100, 100),)), "steps need"),
        (spec(1, "threshold", steps=((200, 10), (100, 5))), "ascending"),
        (spec(1, "threshold", steps=((100, 10), (200, 5)), repeat=True), "exactly one step"),
    ],
)
def test_promotions_that_would_break_the_kernel_are_refused(promotion, message):
    with pytest.raises(ValueError, match=message):
        compile_promotions([promotion])


def test_two_promotions_with_one_key_are_refused():
    with pytest.raises(ValueError, match="same key"):
        compile_promotions([spec(1, "percent_off", percent_bp=1)] * 2)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (line(MILK, 0, 100), "quantity must be > 0"),
        (line(MILK, -1, 100, amount=0), "quantity must be > 0"),
        (line(MILK, "0.0005", 100, amount=0), "at most 3 decimal places"),
        (line(MILK, 1, -5), "unit price, the amount"),
        (line(MILK, 1, 5, amount=-5), "unit price, the amount"),
        (line(MILK, 10**6, 10**7), "unit price, the amount"),
    ],
)
def test_lines_that_would_break_the_kernel_are_refused(kernel, bad, message):
    compiled = compile_promotions([spec("p", "percent_off", percent_bp=100)])
    with pytest.raises(ValueError, match=f"line 1: .*{message}"):
        apply_promotions(compiled, [line(MILK, 1, 100), bad, line(MILK, 1, 100)], kernel=kernel)
