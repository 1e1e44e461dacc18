"""The click-to-grid benchmark runs and measures what it says (no timing is asserted: speed is in benchmarks/)."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import require_browser

pytestmark = pytest.mark.browser


def test_find_benchmark_measures_the_whole_grid() -> None:
    require_browser()
    from benchmarks.find_in_lab import run

    (row,) = run(repeats=1)
    assert row["orders"] == 178  # notebook 03's customers, every row drawn before the clock stopped
    assert 0 < row["kernel_ms"] < row["median_find_ms"]
    assert row["first_find_ms"] > 0 and row["median_vs_target"] == row["median_find_ms"] / 1000
