"""The click-to-grid benchmark measures what it says (no timing is asserted: speed is in benchmarks/)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.find_in_lab import CUSTOMERS, SETUP, kernel_ms, measure
from tests.e2e.helpers import Lab

pytestmark = pytest.mark.browser


def test_find_benchmark_measures_the_whole_grid(lab: Lab, page: Any) -> None:
    found = measure(lab, page, "find.ipynb", SETUP.format(customers=CUSTOMERS), repeats=1)
    assert found["orders"] == 178  # notebook 03's customers, every row drawn before the clock stopped
    assert float(found["first_find_ms"]) > 0 and float(found["median_find_ms"]) > 0
    assert kernel_ms(1) > 0
