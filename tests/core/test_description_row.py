"""A second header line under the header (descriptions or units of the columns) is found and can be left out.

Real exports carry one (a bank's churn export has a row of Indonesian/English column descriptions under
its header); before, its text only showed as "1 cell is not a number" in every numeric column, and the
row stayed a "customer" in every download and in the text columns' mix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import check_quality
from core.quality import without_first_row


def _customers(rows: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "CustomerID": np.arange(100_001, 100_001 + rows),
        "Gender": rng.choice(["F", "M"], rows),
        "Age": rng.integers(18, 80, rows),
        "Income": rng.normal(50, 12, rows).round(1),
        "Visits": rng.poisson(6, rows),
    }).astype(str)


def _described(frame: pd.DataFrame) -> pd.DataFrame:
    row = pd.DataFrame([{"CustomerID": "Unique customer number", "Gender": "M/F", "Age": "years",
                         "Income": "Annual income in k$", "Visits": "Store visits last year"}])
    return pd.concat([row, frame], ignore_index=True)


def test_a_description_row_is_found_and_reported_first() -> None:
    report = check_quality(_described(_customers()))
    assert report.description_row == ("Unique customer number", "years", "Annual income in k$")
    first = report.problems()[0]
    assert first.startswith("The first row under the header describes the columns ('Unique customer number'")
    assert "you can leave it out of the table altogether" in first


def test_a_customer_with_one_stray_text_cell_is_not_a_description_row() -> None:
    frame = _customers()
    frame.loc[0, "Income"] = "unknown"
    report = check_quality(frame)
    assert report.description_row == ()
    assert not any("describes the columns" in p for p in report.problems())


def test_a_stray_text_row_further_down_is_not_taken_for_one() -> None:
    frame = _described(_customers()).iloc[[1, 0, *range(2, 301)]].reset_index(drop=True)
    assert check_quality(frame).description_row == ()


def test_leaving_it_out_keeps_every_customer_and_the_file_order() -> None:
    customers = _customers()
    without = without_first_row(_described(customers))
    pd.testing.assert_frame_equal(without, customers)
    report = check_quality(without)
    assert report.description_row == () and report.column("Income").not_numbers == 0


def test_cli_skips_the_description_row_only_when_asked_and_only_when_there_is_one(cli, write, tmp_path) -> None:
    path = write("described.csv", _described(_customers()).to_csv(index=False))
    status, out, err = cli("inspect", path)
    assert status == 0 and "describes the columns" in out and "301 rows" in out
    status, out, err = cli("fit", path, "--k", "3", "--skip-description-row", "--stability-runs", "0",
                           "--out", tmp_path / "out.csv")
    assert (status, err) == (0, "")
    assert "left out of the table, as asked (--skip-description-row)" in out
    written = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert len(written) == 300 and written["cluster"].notna().all()
    plain = write("plain.csv", _customers().to_csv(index=False))
    status, out, err = cli("inspect", plain, "--skip-description-row")
    assert status == 2 and "holds a customer, not descriptions of the columns; nothing was left out" in err


def test_fit_and_sweep_say_once_that_the_first_row_describes_the_columns(cli, write, tmp_path) -> None:
    """Without --skip-description-row, `segments fit` on the bank's churn export printed "'X': 1 cell is not a
    number and counted as missing." once per feature (13 lines) and never named the row or the option."""
    path = write("described.csv", _described(_customers()).to_csv(index=False))
    for command in (["sweep", path], ["fit", path, "--k", "3", "--stability-runs", "0", "--out", tmp_path / "o.csv"]):
        status, out, err = cli(*command)
        assert (status, err) == (0, ""), err
        notes = [line for line in out.splitlines() if line.startswith("note:")]
        assert not any("1 cell is not a number" in line for line in notes), notes
        described = [line for line in notes if "describes the columns" in line]
        assert len(described) == 1, notes
        assert "--skip-description-row" in described[0] and "'years'" in described[0]


def test_a_stray_text_cell_in_a_feature_is_still_noted_by_column(cli, write, tmp_path) -> None:
    frame = _customers()
    frame.loc[5, "Income"] = "unknown"
    status, out, err = cli("sweep", write("stray.csv", frame.to_csv(index=False)))
    assert status == 0 and "note: 'Income': 1 cell is not a number and counted as missing." in out



def test_the_description_rows_cells_are_said_once_not_once_per_column() -> None:
    """Found from outside (the bank churn export again): under the finding that names the description row, each of
    its 14 numeric columns had its own "has 1 cell that is not a number (e.g. 'umur (tahun)')". Said once now; a
    column with other text cells besides still says how many."""
    frame = _described(_customers())
    frame.loc[5, "Income"] = "n.a."
    report = check_quality(frame)
    cells = [f for f in report.problems() if "not a number" in f]
    assert cells == ["'Income' has 2 cells that are not a number (e.g. 'Annual income in k$', 'n.a.'); in a model "
                     "they count as missing."]
    assert report.column("Age").not_numbers == 1  # still counted: the table and the model see it
