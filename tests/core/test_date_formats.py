"""A customer file's date columns are read in every format an order file's are (found from outside).

A German export's last order written '05.01.2024 13:45' was a text column (its 342 different texts shown as
a 'mix' per segment) while the same dates in an order file were read: the customer file knew 19 formats, the
order file 133. One list now serves both (:data:`core.transform.DATE_FORMATS`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import check_quality
from core.transform import DATE_FORMATS, date_format, days_since


def _dates(count: int = 300, seed: int = 8) -> list[dt.datetime]:
    rng = np.random.default_rng(seed)
    start = dt.datetime(2023, 1, 1)
    return [start + dt.timedelta(days=int(rng.integers(0, 600)), minutes=int(rng.integers(0, 1440)))
            for _ in range(count)]


@pytest.mark.parametrize("fmt", ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%d/%m/%Y %H:%M:%S",
                                 "%d.%m.%y", "%Y-%m-%d", "%d %b %Y", "%m/%d/%Y"])
def test_a_date_column_is_found_in_the_formats_order_files_are_read_in(fmt: str) -> None:
    dates = _dates()
    frame = pd.DataFrame({"id": [str(i) for i in range(len(dates))], "last_order": [d.strftime(fmt) for d in dates],
                          "spend": [str(10 + i % 37) for i in range(len(dates))]})
    report = check_quality(frame)
    assert report.column("last_order").kind == "date"
    assert "last_order (days since)" in report.derived_features
    found = date_format(frame["last_order"])
    assert found in DATE_FORMATS
    days = days_since(frame["last_order"], found)
    latest = max(dates)
    expected = [(latest - d).total_seconds() / 86_400 for d in dates]
    if "%H" not in fmt and "%I" not in fmt:  # a date alone: days between midnights
        expected = [float((latest.date() - d.date()).days) for d in dates]
    np.testing.assert_allclose(days, expected, atol=1 / 86_400 * 60)


@pytest.mark.parametrize("cells", [
    [f"{7590 + i}-VHVEG" for i in range(300)],  # customer codes with digits
    [f"Plan {i % 4}" for i in range(300)],
    [f"{i % 9} kids" for i in range(300)],
])
def test_text_with_digits_is_not_taken_for_dates(cells: list[str]) -> None:
    assert date_format(pd.Series(cells, dtype="str")) is None
