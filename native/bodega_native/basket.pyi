"""Promotion discounts for one basket (``basket.pyx``, compiled; ``_basket_py.py``, its twin).

Every array is int64 (``array('q')`` or a read-only ``memoryview`` cast to ``'q'``), flat and
row-major; the names of the columns are the ``*_COLUMNS`` tuples below, in order.

``promotions``: one row per promotion, in the order they apply (PROMOTION_COLUMNS): ``kind``
(an index into KINDS), ``exclusive`` and ``repeat`` (0/1), ``percent_bp``, ``amount``, ``buy``,
``get``, then four half-open ranges ``[start, end)`` into the arrays below:

- ``targets``: the keys a line qualifies by, ascending within each promotion (a product's or a
  category's); an empty range is every product, except for a bundle, whose targets are its
  component products;
- ``get_targets``: buy_x_get_y's rewarded set, ascending; empty: the same as ``targets``;
- ``components``: a bundle's (product key, units per bundle) pairs, each product once;
- ``steps``: a threshold's (spend, off) pairs, spend ascending.

``blocked``: one flag per promotion (1: the caller decided it cannot apply here).

``lines``: one row per basket line (LINE_COLUMNS): ``product`` and ``category`` keys (-1 for
none, or for one no promotion names), ``quantity`` in thousandths of a unit, ``unit_price``,
``amount`` (minor units), ``countable`` and ``reduced`` (0/1).

:func:`apply` returns three new arrays: the discount of each line; one row per promotion
relevant to the basket, in the order applied (RESULT_COLUMNS: the promotion's row, its status
as an index into STATUSES, the discount, the short (spend or units missing), the row of the
promotion it was excluded by or -1, and how many allocations it has); and the allocations,
(line, amount) pairs, promotion after promotion, lines ascending. Arrays not laid out this way
raise ValueError.

:func:`encode_lines` makes ``lines`` from basket line objects, and :func:`decode_results` makes
one object per result row (``bodega.pricing.engine`` gives its ``PromotionResult``); both are
compiled too, since every quote runs them (the twin's docstrings say what they take).
"""

from array import array
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from typing_extensions import Buffer

KINDS: tuple[str, ...]
STATUSES: tuple[str, ...]
PROMOTION_COLUMNS: tuple[str, ...]
MAX_MONEY: int
MAX_UNITS: int
LINE_COLUMNS: tuple[str, ...]
RESULT_COLUMNS: tuple[str, ...]
ALLOCATION_COLUMNS: tuple[str, ...]

def apply(
    promotions: Buffer,
    targets: Buffer,
    get_targets: Buffer,
    components: Buffer,
    steps: Buffer,
    blocked: Buffer,
    lines: Buffer,
) -> tuple[array[int], array[int], array[int]]: ...
def encode_lines(
    lines: Sequence[Any], products: Mapping[int, int], categories: Mapping[int, int]
) -> tuple[array[int], int]: ...
def decode_results(
    results: Buffer,
    allocations: Buffer,
    keys: tuple[Hashable, ...],
    blocked: Mapping[Hashable, str],
    make: Callable[..., Any],
) -> tuple[Any, ...]: ...
