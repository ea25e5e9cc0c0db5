"""Numbers that mean "unknown" (an age of 999, an income of -1), found from outside: a CRM export's Age held 999
for 6% of its customers and its Income -1 for 4%. The default segments made the 999s a segment "Much older" of
mean age 999, and the data check proposed a log for the age (its skewness was the codes')."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.prepare import prepare_features
from core.quality import check_quality, unknown_codes
from core.segmentation import segment_new


def _crm(rows: int = 2_000, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    age[rng.random(rows) < 0.06] = 999
    income = rng.lognormal(10.8, 0.4, rows).round(0).astype(int)
    income[rng.random(rows) < 0.04] = -1
    return pd.DataFrame({"CustomerID": np.arange(1, rows + 1), "Age": age, "Income": income,
                         "Visits": rng.poisson(8, rows), "Spend": rng.gamma(2, 50, rows).round(2)}).astype(str)


def test_the_data_check_reads_999_and_minus_one_apart_from_the_other_values_as_unknown() -> None:
    frame = _crm()
    report = check_quality(frame)
    assert report.unknown_codes == {"Age": (999.0,), "Income": (-1.0,)}
    age = report.column("Age")
    assert age.unknown == int((frame["Age"] == "999").sum()) and age.missing == 0
    assert age.transform == "none" and abs(age.skewness) < 0.2  # the ages' own shape, not the codes'
    assert age.unique == 62  # 18 to 79
    said = [f for f in report.problems() if f.startswith("'Age' holds 999")]
    assert said == [f"'Age' holds 999 in {age.unknown} rows ({age.unknown / 2_000:.1%}), apart from all its other "
                    "values: read as a code for \"unknown\", those cells count as missing in a model. Keep them as "
                    "numbers if they are real values.".replace(".0%", "%")]
    assert "CustomerID" not in report.unknown_codes  # an identifier's 999 is a customer's number
    table = report.to_frame().set_index("column")  # the table of columns counts them beside the gaps
    assert table.loc["Age", "unknown code"] == age.unknown and table.loc["Visits", "unknown code"] == 0
    assert "unknown code" not in check_quality(frame[["Visits", "Spend"]]).to_frame().columns


@pytest.mark.parametrize("values", [
    np.r_[np.arange(1, 99), [99] * 10],  # a score up to 98 and some 99s: the 99s are scores
    np.r_[np.arange(0, 101), [99] * 10],  # a percentage
    np.r_[np.arange(-50, 50), [-1] * 10],  # negative values are values here
    np.r_[np.arange(18, 80), [999] * 2],  # two cells: too few to call a code
    np.full(40, 999.0),  # nothing else: the column is 999
])
def test_numbers_that_belong_with_the_others_are_values(values) -> None:
    assert unknown_codes(np.asarray(values, dtype=float)) == ((), 0)


def test_a_9s_code_and_a_negative_code_in_one_column() -> None:
    values = np.r_[np.arange(10, 60), [9999] * 4, [-9] * 5].astype(float)
    assert unknown_codes(values) == ((9999.0, -9.0), 9)


def test_a_model_reads_the_codes_as_missing_unless_they_are_kept() -> None:
    frame = _crm()
    report = check_quality(frame)
    matrix = prepare_features(frame, ["Age", "Income", "Visits"], "drop", unknown=report.unknown_codes)
    coded = (frame["Age"] == "999") | (frame["Income"] == "-1")
    assert matrix.used.tolist() == (~coded).tolist()
    assert matrix.X[:, 0].max() < 80 and matrix.X[:, 1].min() > 0
    assert matrix.notes[0] == f"'Age': {(frame['Age'] == '999').sum():,} cells holding 999, a code for \"unknown\", " \
                              "read as missing."
    filled = prepare_features(frame, ["Age"], "median", unknown=report.unknown_codes)
    assert filled.X[:, 0].max() < 80 and filled.fill_values["Age"] == pytest.approx(
        np.median(frame["Age"][frame["Age"] != "999"].astype(float)))
    kept = prepare_features(frame, ["Age", "Income"], "drop")
    assert kept.used.all() and kept.X[:, 0].max() == 999
    seg = segment_new(frame, ["Age", "Income", "Visits"], 3, unknown=report.unknown_codes)
    assert seg.feature_stats.means[:, 0].max() < 80  # no segment of mean age 999


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out, err), out.getvalue(), err.getvalue()


def test_the_command_line_reads_them_as_missing_and_keeps_them_when_asked(tmp_path) -> None:
    path = tmp_path / "crm.csv"
    _crm().to_csv(path, index=False)
    status, out, err = _run("fit", str(path), "--k", "3", "--stability-runs", "0", "--out", str(tmp_path / "a.csv"))
    assert status == 0, err
    assert "a code for \"unknown\", read as missing" in out and "999.00" not in out
    written = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    assert (written.loc[written["Age"] == "999", "cluster"] == "").all()  # left out, written as they were
    status, out, err = _run("fit", str(path), "--k", "3", "--stability-runs", "0", "--keep-codes", "--out",
                            str(tmp_path / "b.csv"))
    assert status == 0, err
    assert "Income (signed log)" in out and "999.00" in out  # -1 kept: no log; 999 kept: a segment of them
