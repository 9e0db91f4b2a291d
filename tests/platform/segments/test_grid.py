"""The named-segment grid: every (R, F, M) has exactly one segment, the map reads as
documented, and the SQL CASE the refresh uses agrees with it cell by cell."""

from __future__ import annotations

import itertools
import re

import pytest

from bodega.segments import grid

ALL_SCORES = list(itertools.product(range(1, 6), repeat=3))


def test_every_score_has_one_of_the_eleven_segments() -> None:
    found = {grid.segment_of_scores(r, f, m) for r, f, m in ALL_SCORES}
    assert found == set(grid.SEGMENTS)
    assert len(grid.SEGMENTS) == 11
    assert len(grid.GRID) == 25


@pytest.mark.parametrize(
    ("f", "m", "fm"), [(1, 1, 1), (1, 2, 2), (2, 2, 2), (2, 3, 3), (4, 5, 5), (1, 5, 3)]
)
def test_fm_is_the_mean_rounded_half_up(f: int, m: int, fm: int) -> None:
    assert grid.fm_score(f, m) == fm


@pytest.mark.parametrize(
    ("scores", "segment"),
    [
        ((5, 5, 5), "champions"),
        ((5, 4, 4), "champions"),
        ((4, 5, 5), "loyal"),
        ((3, 4, 4), "loyal"),
        ((5, 2, 3), "potential_loyalists"),
        ((4, 3, 3), "potential_loyalists"),
        ((5, 1, 1), "new_customers"),
        ((4, 1, 1), "promising"),
        ((3, 3, 3), "need_attention"),
        ((3, 1, 2), "about_to_sleep"),
        ((2, 3, 4), "at_risk"),
        ((1, 4, 4), "at_risk"),
        ((2, 5, 5), "cant_lose_them"),
        ((1, 5, 4), "cant_lose_them"),
        ((2, 2, 1), "hibernating"),
        ((1, 1, 1), "lost"),
        ((1, 2, 2), "lost"),
    ],
)
def test_documented_cells(scores: tuple[int, int, int], segment: str) -> None:
    assert grid.segment_of_scores(*scores) == segment


def test_the_module_doc_draws_the_grid() -> None:
    doc = grid.__doc__ or ""
    for r in range(1, 6):
        (line,) = [x for x in doc.splitlines() if x.strip().startswith(f"R {r}")]
        assert line.split()[2:] == [grid.GRID[(r, fm)] for fm in range(1, 6)]


def test_the_sql_case_matches_the_grid() -> None:
    """Evaluate the CASE's arithmetic and branches in Python (PostgreSQL's integer division
    truncates like ``//`` on these positive numbers)."""
    sql = grid.segment_case_sql("r", "f", "m")
    branches = dict(re.findall(r"WHEN (\d+) THEN '([a-z_]+)'", sql))
    assert sql.startswith("CASE (r) * 10 + ((f) + (m) + 1) / 2 ")
    for r, f, m in ALL_SCORES:
        assert branches[str(r * 10 + (f + m + 1) // 2)] == grid.segment_of_scores(r, f, m)
