"""The names: lifecycle stages, and the named RFM segments on a grid of recency against
frequency-and-monetary.

The grid is the usual RFM map (recency down the side, the mean of the F and M scores across the
top, rounded half up), with every one of its 25 cells named, so every scored member has exactly
one segment::

    FM ->    1              2                  3                  4               5
    R 5  new_customers  potential_loyalists potential_loyalists champions      champions
    R 4  promising      potential_loyalists potential_loyalists loyal          loyal
    R 3  about_to_sleep about_to_sleep      need_attention      loyal          loyal
    R 2  hibernating    hibernating         at_risk             at_risk        cant_lose_them
    R 1  lost           lost                at_risk             at_risk        cant_lose_them
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "GRID",
    "SEGMENTS",
    "STAGES",
    "Segment",
    "Stage",
    "fm_score",
    "segment_case_sql",
    "segment_of_scores",
]

Stage = Literal["new", "active", "at_risk", "lapsed", "won_back"]
Segment = Literal[
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose_them",
    "hibernating",
    "lost",
]
STAGES: tuple[str, ...] = get_args(Stage)
SEGMENTS: tuple[str, ...] = get_args(Segment)

_ROWS = {
    5: ("new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),
}
GRID: dict[tuple[int, int], str] = {
    (r, fm): name for r, names in _ROWS.items() for fm, name in enumerate(names, start=1)
}
"""(R score, FM score) -> named segment."""


def fm_score(f: int, m: int) -> int:
    """The mean of the F and M scores, rounded half up (4 and 5 make 5)."""
    return (f + m + 1) // 2


def segment_of_scores(r: int, f: int, m: int) -> str:
    return GRID[(r, fm_score(f, m))]


def segment_case_sql(r: str, f: str, m: str) -> str:
    """The grid as a SQL ``CASE`` over the score expressions ``r``, ``f`` and ``m`` (NULL
    scores give a NULL segment). The names are this module's constants, never input."""
    cell = f"({r}) * 10 + (({f}) + ({m}) + 1) / 2"
    whens = " ".join(f"WHEN {r_ * 10 + fm} THEN '{name}'" for (r_, fm), name in GRID.items())
    return f"CASE {cell} {whens} END"
