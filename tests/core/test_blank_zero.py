"""Blanks that mean 0: a total or a count left empty for customers who did nothing.

Found from outside (a HubSpot contacts export): "Total Revenue" is empty for the 88% of contacts who never bought,
and the session and pageview counts for those who never visited. The data check called such a column "many gaps"
and did not propose it; choosing it left those contacts out of the model (or filled them with a made-up mean),
and nothing offered to count the blanks as what they are, 0. The check now proposes it (never does it unasked),
and the choice reaches the model, its notes, the saved model and every later file it is applied to.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.persist import ModelInfo, bundle_bytes, load_bundle
from core.prepare import prepare_features
from core.quality import check_quality, rows_with_gaps
from core.segmentation import segment_new, segment_with_model

REVENUE, SESSIONS = "Total Revenue", "Number of Sessions"


def hubspot(rows: int = 3_000, seed: int = 3) -> pd.DataFrame:
    """A HubSpot-shaped contacts export: revenue blank for those who never bought, sessions blank for those who
    never visited, an amount of the latest deal and an average that have no value without a deal."""
    rng = np.random.default_rng(seed)
    bought = rng.random(rows) < 0.12
    revenue = np.where(bought, rng.lognormal(6, 1, rows).round(2), np.nan)
    sessions = np.where(rng.random(rows) < 0.7, rng.poisson(6, rows) + 1, np.nan)
    text = lambda values: ["" if np.isnan(v) else f"{v:g}" for v in values]  # noqa: E731
    return pd.DataFrame({
        "Record ID": [str(1_000_000 + i) for i in range(rows)],
        "Age": [str(v) for v in rng.integers(18, 80, rows)],
        REVENUE: text(revenue),
        SESSIONS: text(sessions),
        "Recent Deal Amount": text(revenue),
        "Average Order Value": text(revenue / 2),
        "Refunds": text(np.where(bought, rng.integers(0, 3, rows), np.nan)),  # a 0 is written: a blank is unknown
    })


def test_the_check_proposes_blanks_as_zero_for_totals_and_counts_only():
    report = check_quality(hubspot())
    assert report.zero_blank_proposed == [REVENUE, SESSIONS]
    # every numeric column with blanks can be chosen (the proposed first); the identifier cannot
    assert report.zero_blank_columns[:2] == [REVENUE, SESSIONS]
    assert set(report.zero_blank_columns) == {REVENUE, SESSIONS, "Recent Deal Amount", "Average Order Value", "Refunds"}
    assert REVENUE not in report.default_features  # nothing is counted as 0 unasked
    said = [p for p in report.problems() if p.startswith(f"'{REVENUE}' is blank in")]
    assert said == [f"'{REVENUE}' is blank in 87% of the rows and holds no 0: in a total or a count a blank most "
                    "likely means none. Counted as 0, it can be a feature; as it is, it is not proposed (a model on "
                    "it would leave those customers out). Nothing is filled unless you choose it."]
    assert not [p for p in report.problems() if p.startswith(f"'{REVENUE}' is empty in")]  # said once, with the 0s
    assert report.zero_blank_problem("Record ID") == "'Record ID' looks like an identifier: its blanks cannot be counted as 0."
    assert report.zero_blank_problem("Nope").startswith("The file has no column 'Nope'.")


def test_a_column_with_its_blanks_as_zero_is_proposed_and_transformed_with_the_zeros():
    report = check_quality(hubspot()).with_zero_blanks([REVENUE, SESSIONS, "Record ID", "Nope"])
    revenue = report.column(REVENUE)
    assert revenue.missing == 0 and revenue.zeroed == 2_598 and not revenue.many_gaps
    assert report.default_features == ["Age", REVENUE, SESSIONS]
    assert report.proposed_transforms_for([REVENUE, SESSIONS]) == {REVENUE: "log", SESSIONS: "none"}
    assert report.zero_blank_proposed == []  # done
    assert f"'{REVENUE}': 2,598 blank cells are counted as 0, as chosen." in report.problems()
    assert report.column("Record ID") == check_quality(hubspot()).column("Record ID")


def test_the_matrix_counts_blanks_as_zero_and_keeps_text_and_codes_as_gaps():
    frame = pd.DataFrame({REVENUE: ["", "10", "n/a", "oops", "999", "20"] * 50, "Age": ["30", "40"] * 150})
    matrix = prepare_features(frame, [REVENUE, "Age"], unknown={REVENUE: (999.0,)}, zero=[REVENUE])
    column = matrix.values[:6, 0]
    assert column[0] == 0 and column[2] == 0 and column[1] == 10 and column[5] == 20
    assert np.isnan(column[3]) and np.isnan(column[4])  # a text cell and a code for "unknown" stay gaps
    assert matrix.zero == (REVENUE,)
    assert f"'{REVENUE}': 100 cells (blank or 'n/a') are counted as 0, as chosen." in matrix.notes  # as written
    assert matrix.rows_left_out == 100
    unasked = prepare_features(frame, [REVENUE, "Age"])
    assert unasked.rows_left_out == 150 and unasked.zero == () and not any("as 0" in n for n in unasked.notes)
    assert rows_with_gaps(frame, [REVENUE], zero=[REVENUE]) == 50
    assert rows_with_gaps(frame, [REVENUE]) == 150


def test_a_saved_model_counts_the_same_blanks_as_zero_wherever_it_is_applied():
    frame = hubspot()
    features = ["Age", REVENUE, SESSIONS]
    seg = segment_new(frame, features, 4, transforms={REVENUE: "log"}, zero=[REVENUE, SESSIONS])
    assert seg.scored.all()
    info = seg.model_info("hubspot.csv")
    assert info.zero == [REVENUE, SESSIONS]
    model = load_bundle(bundle_bytes(seg.saved_model("hubspot.csv")))
    assert model.info.zero == [REVENUE, SESSIONS]
    applied = segment_with_model(frame, model)
    assert np.array_equal(applied.labels, seg.labels)
    # next month's export names the revenue differently: the mapped column's blanks are 0 too
    renamed = frame.rename(columns={REVENUE: "Revenue (total)"})
    mapped = segment_with_model(renamed, model, {"Revenue (total)": REVENUE})
    assert np.array_equal(mapped.labels, seg.labels)
    assert any("'Revenue (total)': 2,598 blank cells are counted as 0" in n for n in mapped.notes)
    # a bundle saved before the choice existed counts nothing as 0
    old = ModelInfo.from_json({k: v for k, v in info.to_json().items() if k != "zero"})
    assert old.zero == []


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "contacts.csv"
    hubspot().to_csv(path, index=False)
    return path


def test_the_command_line_proposes_and_counts_blanks_as_zero(export, tmp_path):
    code, out, _ = _run("inspect", str(export))
    assert code == 0
    assert ("blanks that likely mean 0 (--blank-is-zero COLUMN counts them as 0): Total Revenue (86.6% blank), "
            "Number of Sessions (29.0% blank)") in out
    written = tmp_path / "out.csv"
    code, out, err = _run("fit", str(export), "--k", "3", "--features", f"Age,{REVENUE}", "--blank-is-zero", REVENUE,
                          "--out", str(written), "--stability-runs", "0")
    assert code == 0, err
    assert "segmented 3,000 of 3,000 customers" in out
    assert f"note: '{REVENUE}': 2,598 blank cells are counted as 0, as chosen." in out
    assert "features: Age, Total Revenue (log)" in out
    clustered = pd.read_csv(written, dtype=str, keep_default_na=False)
    assert (clustered[REVENUE] == "").sum() == 2_598  # the file keeps its blanks: nothing is changed on the way
    code, out, _ = _run("fit", str(export), "--k", "3", "--features", f"Age,{REVENUE}", "--out", str(written),
                        "--stability-runs", "0")
    assert code == 0 and "segmented 402 of 3,000 customers" in out  # unasked, the blanks stay gaps


@pytest.mark.parametrize("column, said", [
    ("Nope", "error: --blank-is-zero: The file has no column 'Nope'."),
    ("Record ID", "error: --blank-is-zero: 'Record ID' looks like an identifier: its blanks cannot be counted as 0."),
])
def test_the_command_line_refuses_a_column_whose_blanks_cannot_be_zero(export, column, said):
    code, _, err = _run("sweep", str(export), "--blank-is-zero", column)
    assert code == 2 and err.startswith(said)


def test_a_saved_model_brings_its_own_zeros_on_the_command_line(export, tmp_path):
    bundle = tmp_path / "model.json"
    code, _, err = _run("fit", str(export), "--k", "3", "--features", f"Age,{REVENUE}", "--blank-is-zero", REVENUE,
                        "--out", str(tmp_path / "a.csv"), "--save-model", str(bundle), "--stability-runs", "0")
    assert code == 0, err
    code, out, _ = _run("fit", str(export), "--model", str(bundle), "--out", str(tmp_path / "b.csv"))
    assert code == 0 and "segmented 3,000 of 3,000 customers" in out
    first = pd.read_csv(tmp_path / "a.csv", dtype=str)["cluster"]
    assert first.equals(pd.read_csv(tmp_path / "b.csv", dtype=str)["cluster"])
    code, _, err = _run("fit", str(export), "--model", str(bundle), "--blank-is-zero", REVENUE,
                        "--out", str(tmp_path / "c.csv"))
    assert code == 2 and "--blank-is-zero goes with --k" in err


def test_the_html_report_says_which_blanks_were_counted_as_zero():
    from core.report import render_report

    frame = hubspot(600)
    seg = segment_new(frame, ["Age", REVENUE], 3, transforms={REVENUE: "log"}, zero=[REVENUE])
    html = render_report("contacts.csv", frame, seg, report=check_quality(frame).with_zero_blanks([REVENUE]))
    assert "Blanks counted as 0" in html and "Total Revenue (as chosen: a blank total or count is none)" in html
    plain = segment_new(frame, ["Age", REVENUE], 3, transforms={REVENUE: "log"})
    assert "Blanks counted as 0" not in render_report("contacts.csv", frame, plain, report=check_quality(frame))


def test_the_transform_with_the_zeros_keeps_sight_of_a_negative_value_in_a_long_column():
    """Above a million values the zeros' transform is measured on every n-th value: a single negative one (a
    refund) still makes it a signed log, which a log could not apply to."""
    from core.quality import blank_zero_reading

    values = np.random.default_rng(0).lognormal(3, 1, 2_500_000)
    values[7] = -50.0
    reading = blank_zero_reading("Total Revenue", values, 1_000_000, 100_000)
    assert reading.transform == "signed_log" and not reading.proposed
    values[7] = 5.0
    assert blank_zero_reading("Total Revenue", values, 1_000_000, 100_000).transform == "log"


def loyalty(rows: int = 600, categories: int = 12, seed: int = 4) -> pd.DataFrame:
    """A loyalty export with spend per category, blank for the customers who never bought in it."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"Member ID": [f"M{i:05d}" for i in range(rows)],
                          "Age": [str(v) for v in rng.integers(18, 80, rows)]})
    for c in range(categories):
        bought = rng.random(rows) < 0.4
        frame[f"Spend cat {c:02d}"] = [f"{v:.2f}" if b else "" for v, b in zip(rng.lognormal(3, 1, rows), bought)]
    return frame


def test_a_wide_exports_blanks_are_said_in_one_finding_and_one_line(tmp_path):
    """Found from outside (a loyalty export with spend in 12 categories): each proposal was a finding of its own, a
    dozen near-identical lines, and the command line named every column on one line."""
    report = check_quality(loyalty())
    said = [p for p in report.problems() if "blank" in p and "no 0" in p]
    assert len(said) == 1 and said[0].startswith("12 totals or counts have blanks and no 0: 'Spend cat 00' (")
    assert said[0].count("'Spend cat") == 8 and said[0].endswith(
        "and 4 more. In a total or a count a blank most likely means none: counted as 0, they can be features. "
        "Nothing is filled unless you choose it.")
    chosen = report.with_zero_blanks(report.zero_blank_proposed)
    assert [p for p in chosen.problems() if "counted as 0" in p][0].startswith(
        "The blank cells of 12 columns are counted as 0, as chosen: 'Spend cat 00' (")
    path = tmp_path / "loyalty.csv"
    loyalty().to_csv(path, index=False)
    code, out, _ = _run("inspect", str(path))
    line = next(text for text in out.splitlines() if text.startswith("blanks that likely mean 0"))
    assert re.search(r"Spend cat 07 \(\d+\.\d% blank\) and 4 more$", line) and line.count("Spend cat") == 8


@pytest.mark.parametrize("name", ["Annual Revenue", "AnnualRevenue", "Company Revenue", "Yearly Turnover",
                                  "Number of Employees", "NumberOfEmployees"])
def test_a_companys_size_is_never_proposed_as_blank_meaning_0(name):
    """Found from outside (a Salesforce accounts report): the company's "Annual Revenue", blank for 15% of the
    accounts (not known), was proposed as blank meaning 0, the way a contact's "Total Revenue" is. A company's
    annual or yearly revenue or turnover and its number of employees describe its size: a blank is not known,
    never none. What a customer spent in a year still is ("Annual Spend")."""
    rng = np.random.default_rng(1)
    values = ["" if i % 7 == 0 else f"{v:.2f}" for i, v in enumerate(rng.lognormal(12, 1, 700))]
    report = check_quality(pd.DataFrame({name: values, "Age": [str(v) for v in rng.integers(18, 80, 700)]}))
    assert report.zero_blank_proposed == []
    assert name in report.zero_blank_columns  # (it can still be chosen)
    spend = check_quality(pd.DataFrame({"Annual Spend": values}))
    assert spend.zero_blank_proposed == ["Annual Spend"]


def test_the_cells_to_count_as_zero_are_said_as_written():
    """Found from outside: a spreadsheet's 'Spend' with '#N/A' where a lookup found nothing, and a warehouse's
    'Orders' with 'NA' (a join's "none"), were said to be "blank in 1.5% of the rows", and the command line listed
    "Spend (1.5% blank)". What the cells hold is said: '#N/A', or blank or 'NA' where both are written."""
    rows = 400
    frame = pd.DataFrame({
        "Spend": ["#N/A" if i % 40 == 0 else f"{10 + i % 97}.5" for i in range(rows)],
        "Orders": ["" if i % 25 == 0 else "NA" if i % 25 == 1 else str(1 + i % 9) for i in range(rows)],
        "Visits": ["" if i % 20 == 0 else str(1 + i % 30) for i in range(rows)],
    })
    report = check_quality(frame)
    assert [report.column(c).blank_cells for c in ("Spend", "Orders", "Visits")] == ["'#N/A'", "blank or 'NA'",
                                                                                    "blank"]
    findings = report.problems()
    assert any(f.startswith("'Spend' is '#N/A' in 2.5% of the rows and holds no 0") for f in findings), findings
    assert any(f.startswith("'Orders' is blank or 'NA' in 8% of the rows") for f in findings), findings
    assert any(f.startswith("'Visits' is blank in 5% of the rows") for f in findings), findings
    # counted as 0, as chosen, the note says what they held (found from outside: "3 blank cells are counted as 0"
    # of cells that held 'NA'), in the check, the matrix and on the command line
    chosen = report.with_zero_blanks(["Spend", "Orders", "Visits"])
    said = chosen.problems()
    assert "'Spend': 10 cells ('#N/A') are counted as 0, as chosen." in said
    assert "'Orders': 32 cells (blank or 'NA') are counted as 0, as chosen." in said
    assert "'Visits': 20 blank cells are counted as 0, as chosen." in said
    matrix = prepare_features(frame, ["Spend", "Orders", "Visits"], zero=["Spend", "Orders", "Visits"])
    assert [n for n in matrix.notes if "as chosen" in n] == [
        "'Spend': 10 cells ('#N/A') are counted as 0, as chosen.",
        "'Orders': 32 cells (blank or 'NA') are counted as 0, as chosen.",
        "'Visits': 20 blank cells are counted as 0, as chosen."]
