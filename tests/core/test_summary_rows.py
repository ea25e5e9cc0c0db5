"""Totals and averages rows at the end of an export are found, said, and left out only when asked.

Found from outside: an export that ends with ``Total,,,,"$1,234,567.00"`` (Excel, BI tools and accounting
packages add one) was taken for a customer. The data check said nothing of it, and when its columns were
filled it went into a segment, whose mean spend it multiplied.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from core import check_quality, cli, read_table
from core.quality import SUMMARY_LABELS, SummaryRow, without_rows


def _customers(rows: int = 400, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "CustomerID": [f"C{i:06d}" for i in range(rows)],
        "Gender": rng.choice(["F", "M"], rows),
        "Age": rng.integers(18, 80, rows),
        "Income": rng.lognormal(3.8, 0.5, rows).round(2),
        "Spend": rng.lognormal(6, 1.2, rows).round(2),
        "Plan": rng.choice(["Basic", "Total", "Plus"], rows),  # a plan called "Total" is no summary
        "Member": np.ones(rows, dtype=int),  # a constant column: every row is its column's mean
    })


def _with(frame: pd.DataFrame, *rows: dict[str, object]) -> pd.DataFrame:
    added = pd.DataFrame([{k: str(v) for k, v in row.items()} for row in rows], columns=frame.columns, dtype=object)
    return pd.concat([frame.astype(str), added.fillna("")], ignore_index=True).astype(str)


def _sums(frame: pd.DataFrame, **cells: object) -> dict[str, object]:
    return {"Age": int(frame["Age"].sum()), "Income": round(float(frame["Income"].sum()), 2),
            "Spend": round(float(frame["Spend"].sum()), 2), **cells}


def test_a_labelled_totals_row_is_found_and_said_first() -> None:
    customers = _customers()
    report = check_quality(_with(customers, _sums(customers, CustomerID="Total")))
    assert report.summary_rows == (SummaryRow(400, "Total", "label"),)
    first = report.problems()[0]
    assert first.startswith("The last row (row 401) reads 'Total': a totals row, not a customer.")
    assert "you can leave it out of the table" in first


@pytest.mark.parametrize("label", ["  Grand Total: ", "TOTAL", "Summe", "Average", "total général"])
def test_labels_as_exports_write_them(label: str) -> None:
    customers = _customers()
    row = {"CustomerID": "", "Gender": label, "Spend": "12,345.00"}  # the label in the first filled cell
    report = check_quality(_with(customers, row))
    assert [(r.position, r.label) for r in report.summary_rows] == [(400, label.strip())]


def test_a_totals_row_and_an_averages_row_without_labels_are_found_by_their_numbers() -> None:
    customers = _customers()
    means = {"Age": round(customers["Age"].mean(), 2), "Income": round(customers["Income"].mean(), 2),
             "Spend": round(customers["Spend"].mean(), 2)}
    report = check_quality(_with(customers, _sums(customers), means))
    assert report.summary_rows == (SummaryRow(400, "", "sums"), SummaryRow(401, "", "means"))
    assert report.summary_rows_text() == ("the row before last (row 401) holds the sums of the rows above it and "
                                          "the last row (row 402) holds the means of the rows above it")
    assert report.problems()[0].endswith("totals rows, not customers. As it is, they stay in the table and count "
                                         "as customers in the model and a segment's means (unless they have gaps in "
                                         "the chosen columns); you can leave them out of the table.")


def test_customers_are_never_taken_for_summary_rows() -> None:
    """Ordinary last rows: a plan named 'Total', a constant column (each row is its mean), a customer whose
    one number happens to be a column's mean; a table too short to tell."""
    customers = _customers()
    assert check_quality(customers.astype(str)).summary_rows == ()
    near_mean = customers.astype({"Age": float})
    near_mean.loc[399, "Age"] = round(float(near_mean["Age"].iloc[:399].mean()), 6)
    assert check_quality(near_mean.astype(str)).summary_rows == ()
    tiny = _customers(rows=3)
    assert check_quality(_with(tiny, _sums(tiny))).summary_rows == ()
    assert "total" in SUMMARY_LABELS and "totally" not in SUMMARY_LABELS


def test_no_summary_row_in_a_hundred_thousand_skewed_customers() -> None:
    rng = np.random.default_rng(9)
    rows = 100_000
    frame = pd.DataFrame({"id": np.arange(rows), "orders": rng.poisson(3, rows), "spend": rng.lognormal(4, 1.5, rows),
                          "refunds": np.where(rng.random(rows) < 0.02, -rng.lognormal(3, 1, rows), 0.0)})
    assert check_quality(frame.astype(str)).summary_rows == ()


def test_leaving_them_out_keeps_every_customer_in_order() -> None:
    customers = _customers()
    table = _with(customers, _sums(customers, CustomerID="Total"), {"CustomerID": "Average", "Age": "49"})
    report = check_quality(table)
    assert [r.position for r in report.summary_rows] == [400, 401]
    kept = without_rows(table, [r.position for r in report.summary_rows])
    pd.testing.assert_frame_equal(kept, customers.astype(str))
    assert check_quality(kept).summary_rows == ()


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_the_command_line_says_it_and_leaves_it_out_when_asked(tmp_path) -> None:
    customers = _customers()
    path = tmp_path / "export.csv"
    _with(customers, _sums(customers, CustomerID="Total", Gender="", Plan="", Member="")).to_csv(path, index=False)

    status, out, _ = _run("inspect", str(path))
    assert status == 0 and "The last row (row 401) reads 'Total': a totals row, not a customer." in out

    kept = tmp_path / "kept.csv"
    status, out, _ = _run("fit", str(path), "--k", "3", "--stability-runs", "0", "--out", str(kept))
    assert status == 0 and "segmented 401 of 401 customers" in out
    assert "a totals row, counted as a customer unless it has gaps in the chosen columns; --skip-summary-rows " \
           "leaves it out of the table." in out
    assert read_table(kept).frame["CustomerID"].iloc[-1] == "Total"

    left = tmp_path / "left.csv"
    status, out, _ = _run("fit", str(path), "--k", "3", "--stability-runs", "0", "--skip-summary-rows",
                          "--out", str(left))
    assert status == 0 and "segmented 400 of 400 customers" in out
    assert "note: The last row (row 401) reads 'Total'; it was left out of the table, as asked " \
           "(--skip-summary-rows)." in out
    written = read_table(left).frame
    assert len(written) == 400 and "Total" not in set(written["CustomerID"])


def test_the_command_line_refuses_to_leave_out_rows_that_are_customers(tmp_path) -> None:
    path = tmp_path / "customers.csv"
    _customers().to_csv(path, index=False)
    status, _, err = _run("inspect", str(path), "--skip-summary-rows")
    assert status != 0 and "the last rows of the file hold customers" in err and "Traceback" not in err


def test_a_reports_closing_lines_under_its_totals_are_summary_rows_too() -> None:
    """Found from outside: a Salesforce report export ends with its totals, 'Grand Totals (400 records)', then
    'Confidential Information - Do Not Distribute' and a copyright line, each alone in the first column. Those two
    were counted as customers, and the totals row, no longer among the last three, went unnoticed by label."""
    customers = _customers()
    text = _with(customers, _sums(customers, CustomerID="Grand Totals (400 records)"),
                 {"CustomerID": "Confidential Information - Do Not Distribute"},
                 {"CustomerID": "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."}).to_csv(index=False)
    table = read_table(text.replace("\n", '\n""\n', 1).encode() + b'""\n', "report.csv")  # blank lines as written
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert [(r.position, r.kind) for r in report.summary_rows] == [(400, "label"), (401, "footer"), (402, "footer")]
    said = report.problems()[0]
    assert said.startswith("A row near the end (row 401) reads 'Grand Totals (400 records)' and the 2 lines under it "
                           "('Confidential Information - Do Not Distr\u2026', 'Copyright (c) 2000-2026 salesforce.com,"
                           "\u2026') close the report: totals rows, not customers."), said
    left = without_rows(table.frame, [r.position for r in report.summary_rows])
    assert len(left) == 400 and left["CustomerID"].iloc[-1] == "C000399"


def test_a_totals_row_of_its_label_alone_above_a_reports_closing_lines() -> None:
    """Found from outside: a Salesforce details export, whose "Grand Totals (1500 records)" row holds no sums
    (nothing was summarised), had its totals and closing lines all counted as customers with gaps: the totals
    row, alone in its first cell too, was taken for one of the closing lines."""
    customers = _customers()
    text = _with(customers, {"CustomerID": "Grand Totals (400 records)"},
                 {"CustomerID": "Confidential Information - Do Not Distribute"},
                 {"CustomerID": "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."}).to_csv(index=False)
    table = read_table(text.encode(), "report.csv")
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert [(r.position, r.kind) for r in report.summary_rows] == [(400, "label"), (401, "footer"), (402, "footer")]
    left = without_rows(table.frame, [r.position for r in report.summary_rows])
    assert len(left) == 400 and left["CustomerID"].iloc[-1] == "C000399"


def test_lines_of_one_cell_at_the_end_without_a_totals_row_above_stay_customers() -> None:
    customers = _customers()
    sparse = _with(customers, {"CustomerID": "C900001"}, {"CustomerID": "C900002"})  # two customers, little known
    assert check_quality(sparse).summary_rows == ()
