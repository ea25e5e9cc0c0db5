"""Numbers written with a unit, found from outside: a CRM export's "Tenure" written "3 years" and an analytics
export's "Avg. session" written "5 min" were text columns, shown as a mix per segment of every different value. A
column whose every number is written with one unit (:data:`core.quality.UNITS`) is read as those numbers, the unit
dropped and said; the files written keep the cells as they came."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import check_quality, clustered_table, segment_new
from core.prepare import prepare_features


def crm(rows: int = 400, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = rng.integers(0, 15, rows)
    return pd.DataFrame({
        "Customer": [f"C{i:04d}" for i in range(rows)],
        "Tenure": [f"{y} year" if y == 1 else f"{y} years" for y in years],
        "Avg. session": [f"{m:.1f} min" for m in rng.gamma(2, 4, rows)],
        "Distance": [f"{d:,} km" for d in rng.integers(1, 4000, rows)],
        "Spend": rng.gamma(2, 200, rows).round(2).astype(str),
    })


def test_numbers_written_with_one_unit_are_numbers() -> None:
    frame = crm()
    report = check_quality(frame)
    assert [report.column(c).unit for c in ("Tenure", "Avg. session", "Distance")] == ["years", "minutes", "km"]
    assert {"Tenure", "Avg. session", "Distance", "Spend"} <= set(report.default_features)
    assert "'Tenure' holds numbers written with a unit (years): they are read as those numbers, the unit dropped." \
        in report.problems()
    matrix = prepare_features(frame, ["Tenure", "Distance"])
    assert list(matrix.values[:, 0]) == [float(t.split()[0]) for t in frame["Tenure"]]
    assert list(matrix.values[:, 1]) == [float(d.split()[0].replace(",", "")) for d in frame["Distance"]]  # 1,500 km
    seg = segment_new(frame, ["Tenure", "Spend"], 3, seed=0)
    pd.testing.assert_frame_equal(clustered_table(frame, seg)[frame.columns], frame)  # written as they came
    assert seg.unit_features == (("Tenure", "years"),)  # (the charts say it: tests/dashboard/test_figures.py)


@pytest.mark.parametrize("cells", [
    ["45 min", "1 hour", "3 min", "2 hours"] * 10,  # two units: not one measure as written
    ["12 Main St", "3 Oak Rd", "9 Elm St", "1 High St"] * 10,  # addresses
    ["7,5 kg", "3,2 kg", "1,1 kg", "9,9 kg"] * 10,  # a decimal comma in a file of decimal points
    ["3 apples", "5 pears", "2 apples", "1 plum"] * 10,  # no unit
])
def test_other_text_with_numbers_stays_text(cells: list[str]) -> None:
    report = check_quality(pd.DataFrame({"Value": cells, "Spend": [str(10 + i) for i in range(len(cells))]}))
    assert report.column("Value").kind == "text" and report.column("Value").unit is None
