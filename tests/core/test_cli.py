"""core.cli: the ``segments`` command (in-process via main(argv, out, err), plus one real subprocess)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.demo import DEMO_FEATURES
from core.persist import DEFAULT_MODEL_PATH, SavedModel, load_shipped_model
from core.segmentation import segment_new, segment_with_model
from tests.fixtures import read_written

INCOME, SPENDING = "Annual Income (k$)", "Spending Score (1-100)"


def decimal_comma(text: str) -> float:
    """A number the product wrote with a decimal comma (in a semicolon file's outputs)."""
    return float(text.replace(",", "."))


def read_out(path: Path) -> pd.DataFrame:
    """An output as text cells, in the separator it was written in (the input file's own)."""
    return read_written(path)


@pytest.fixture
def demo_csv(demo, write):
    frame, _ = demo
    return write("demo.csv", frame.to_csv(index=False))


@pytest.fixture
def messy_csv(write):
    """A ;-separated cp1252 file with decimal commas, gaps, IDs with leading zeros and a formula cell."""
    rng = np.random.default_rng(3)
    lines = ["Kundennr;Name;Umsatz;Besuche;Notiz"]
    for i in range(40):
        centre = (10.0, 2.0) if i % 2 else (50.0, 9.0)
        umsatz = f"{centre[0] + rng.normal(0, 1):.2f}".replace(".", ",")
        besuche = str(int(round(centre[1] + rng.normal(0, 0.5))))
        lines.append(f"{i:05d};Kunde {i} é;{umsatz};{besuche};ok €")
    lines[4] = "00003;Kunde 3 é;;5;=HYPERLINK(\"x\")"      # missing Umsatz
    lines[9] = "00008;Kunde 8 é;12,5; 7 ;fine"              # padded number
    return write("messy.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))


# --- inspect ---------------------------------------------------------------------------------------

def test_inspect_demo(cli, demo_csv):
    status, out, err = cli("inspect", demo_csv)
    assert (status, err) == (0, "")
    first = out.splitlines()[0]
    assert first == f"{demo_csv}: 500 rows, 5 columns (CSV, utf-8, comma-separated, decimal mark '.')"
    assert re.search(r"CustomerID\s+numeric\s+0\s+0%.*ID-like\s*$", out, re.MULTILINE)  # the data's type, then its role
    assert re.search(r"Gender\s+text", out)
    assert f"features proposed: {', '.join(DEMO_FEATURES)}" in out
    assert "- 'CustomerID' looks like an identifier" in out


def test_inspect_messy(cli, messy_csv):
    status, out, err = cli("inspect", messy_csv)
    assert (status, err) == (0, "")
    assert "40 rows, 5 columns (CSV, cp1252, semicolon-separated, decimal mark ',')" in out
    assert "features proposed: Umsatz, Besuche" in out
    assert re.search(r"Umsatz\s+numeric\s+1\s+2\.5%", out)
    assert "- 'Umsatz' has 1 missing value (2.5%)." in out


def test_inspect_xlsx(cli, write):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Age", "Income"])
    for i in range(5):
        ws.append([20 + i, 1000 * (i % 3)])
    buffer = io.BytesIO()
    wb.save(buffer)
    status, out, _ = cli("inspect", write("book.xlsx", buffer.getvalue()))
    assert status == 0
    assert "5 rows, 2 columns (Excel workbook)" in out
    assert "findings: no missing values or other problems found" in out


# --- sweep -----------------------------------------------------------------------------------------

def test_sweep_prints_table_elbow_and_recommendation(cli, blobs, write):
    frame, _ = blobs([40, 40, 40, 40], [(0, 0), (6, 0), (0, 6), (6, 6)], spread=0.5, seed=1, names=["x", "y"])
    path = write("blobs.csv", frame.to_csv(index=False))
    status, out, err = cli("sweep", path, "--k-min", "2", "--k-max", "7", "--seed", "3")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "features: x, y"
    header = lines.index(next(line for line in lines if re.fullmatch(
        r"\s*k\s+wcss\s+silhouette\s+calinski_harabasz\s+davies_bouldin\s+smallest_share\s+largest_share"
        r"\s+stability", line)))
    rows = [line.split() for line in lines[header + 1: header + 7]]
    assert [int(r[0]) for r in rows] == [2, 3, 4, 5, 6, 7]
    wcss = [float(r[1].replace(",", "")) for r in rows]
    assert wcss == sorted(wcss, reverse=True)
    assert all(-1 <= float(r[2]) <= 1 for r in rows)
    ch = [float(r[3].replace(",", "")) for r in rows]
    db = [float(r[4]) for r in rows]
    assert rows[ch.index(max(ch))][0] == "4" and rows[db.index(min(db))][0] == "4"  # both indices find the 4 blobs
    assert rows[2][5] == rows[2][6] == "25.0%"  # k=4: four equal blobs
    assert float(rows[2][7]) > 0.99  # and they hold when the customers are resampled
    assert re.search(r"^elbow: k=(\d+)$", out, re.M).group(1) == "4"
    assert "best silhouette: k=4" in out
    recommended = re.search(r"^recommended k: (\d+)\. (.+)$", out, re.M)
    assert recommended, out
    assert recommended.group(1) == "4"
    assert recommended.group(2).startswith("All four measures agree")  # the k is said once
    assert lines[-1].startswith("recommended k: 4")  # no warnings for clean, large-enough blobs
    assert "warning:" not in out


def test_sweep_prints_the_recommendation_warnings(cli, blobs, write):
    frame, _ = blobs([8, 8, 8], [(0, 0), (6, 0), (0, 6)], spread=0.4, seed=2, names=["x", "y"])
    status, out, err = cli("sweep", write("few.csv", frame.to_csv(index=False)), "--k-max", "5")
    assert (status, err) == (0, "")
    assert re.search(r"^recommended k: 3\. [A-Z]", out, re.M)
    warnings = re.findall(r"^warning: (.+)$", out, re.M)
    assert any(w.startswith("Only 24 customers for 3 segments") for w in warnings), out
    assert out.index("recommended k:") < out.index("warning:")


def test_sweep_default_features_and_notes(cli, messy_csv):
    status, out, err = cli("sweep", messy_csv, "--k-max", "4")
    assert (status, err) == (0, "")
    assert "features: Umsatz, Besuche" in out
    assert "note: 1 of 40 rows" in out
    assert re.search(r"^elbow: k=\d+$", out, re.M)


# --- fit -------------------------------------------------------------------------------------------

def test_fit_writes_every_row_and_column_plus_cluster(cli, messy_csv, tmp_path):
    out_csv, summary_csv = tmp_path / "out.csv", tmp_path / "summary.csv"
    status, out, err = cli("fit", messy_csv, "--k", "2", "--seed", "1", "--out", out_csv, "--summary", summary_csv,
                           "--stability-runs", "0")
    assert (status, err) == (0, "")
    assert "stability:" not in out
    # the features are listed once, with their transforms (a wide file's list filled two long lines)
    assert out.startswith("segmented 39 of 40 customers (new model, k=2, seed=1)\nfeatures: Umsatz, Besuche\n")
    assert out.count("Umsatz") == 1 + out.split("\n", 2)[2].count("Umsatz")
    assert f"wrote {out_csv} and {summary_csv}" in out

    from core.io import read_table

    original = read_table(messy_csv).frame
    written = read_out(out_csv)
    assert list(written.columns) == list(original.columns) + ["cluster", "segment", "distance", "margin",
                                                              "silhouette", "borderline"]
    assert len(written) == len(original) == 40
    expected = original.copy()
    expected.loc[3, "Notiz"] = "'" + expected.loc[3, "Notiz"]   # formula escaped, nothing else changed
    assert written[list(original.columns)].to_dict("list") == expected.to_dict("list")
    assert written.loc[8, "Besuche"] == " 7 " and written.loc[0, "Kundennr"] == "00000"
    assert written.loc[0, "Umsatz"].count(",") == 1  # decimal commas kept as written
    clusters = written["cluster"]
    assert clusters[3] == ""
    assert set(clusters.drop(index=3)) == {"1", "2"}
    # the same labels as the library gives
    seg = segment_new(original, ["Umsatz", "Besuche"], k=2, seed=1, decimal=",")
    assert clusters.drop(index=3).astype(int).tolist() == (np.delete(seg.labels, 3) + 1).tolist()

    summary = read_out(summary_csv)
    # means named after the features, then indices, then the text mix (Name, all different, is left out;
    # the formula-like Notiz value belongs to the row left out)
    assert list(summary.columns) == ["cluster", "segment", "customers", "share", "Umsatz", "Besuche",
                                     "Umsatz index", "Besuche index", "Notiz: ok €", "Notiz: fine"]
    assert summary["cluster"].tolist() == ["1", "2"]
    customers = summary["customers"].astype(int)
    assert customers.sum() == 39 and customers.is_monotonic_decreasing
    # written in the input's dialect: semicolons and decimal commas
    assert summary["share"].map(decimal_comma).sum() == pytest.approx(1.0)
    np.testing.assert_allclose(summary[["Umsatz", "Besuche"]].map(decimal_comma).to_numpy(),
                               seg.summary()[["Umsatz", "Besuche"]].to_numpy(), atol=0.005)  # to 2 decimals


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_fit_fill_strategies_score_every_row(cli, messy_csv, tmp_path, strategy):
    out_csv = tmp_path / "out.csv"
    status, out, _ = cli("fit", messy_csv, "--k", "2", "--missing", strategy, "--out", out_csv,
                         "--stability-runs", "0")
    assert status == 0
    assert f"filled with the {strategy}" in out
    assert (read_out(out_csv)["cluster"] != "").all()


def test_fit_with_shipped_model_and_map(cli, demo, write, tmp_path):
    frame, _ = demo
    renamed = frame.rename(columns={INCOME: "AnnualIncome", SPENDING: "Score"})
    path = write("renamed.csv", renamed.to_csv(index=False))
    out_csv = tmp_path / "out.csv"

    status, _, err = cli("fit", path, "--model", DEFAULT_MODEL_PATH, "--out", out_csv)
    assert status == 2
    # AnnualIncome is income by name (case, spaces and the unit in brackets aside); Score is not spending
    assert err.startswith(f"error: The model needs '{SPENDING}', which this file lacks")
    assert not out_csv.exists()

    status, out, err = cli("fit", path, "--model", DEFAULT_MODEL_PATH, "--out", out_csv, "--stability-runs", "0",
                           "--map", f"AnnualIncome={INCOME}", "--map", f"Score={SPENDING}")
    assert (status, err) == (0, "")
    assert out.startswith("segmented 500 of 500 customers (pre-trained model)\nfeatures: AnnualIncome, Score\n")
    assert "note: Column mapping: 'AnnualIncome' is used as 'Annual Income (k$)'" in out
    assert "warning:" not in out  # the demo customers are like the model's training customers
    pipeline, info = load_shipped_model()
    expected = segment_with_model(frame, SavedModel(pipeline, info)).labels + 1
    assert read_out(out_csv)["cluster"].astype(int).tolist() == expected.tolist()


def test_fit_save_model_then_apply_it(cli, demo_csv, tmp_path):
    first, bundle = tmp_path / "first.csv", tmp_path / "model.json"
    status, _, _ = cli("fit", demo_csv, "--k", "5", "--features", f"{INCOME},{SPENDING}",
                       "--out", first, "--save-model", bundle, "--stability-runs", "0", "--name", "3=Stars")
    assert status == 0
    data = json.loads(bundle.read_text(encoding="utf-8"))
    assert data["format"] == "customer-segments-model"
    assert data["info"]["features"] == [INCOME, SPENDING] and data["info"]["k"] == 5
    names = data["info"]["names"]
    assert len(names) == 5 and names[2] == "Stars" and len(set(names)) == 5
    second = tmp_path / "second.csv"
    status, out, _ = cli("fit", demo_csv, "--model", bundle, "--out", second, "--stability-runs", "0")
    assert status == 0 and out.startswith("segmented 500 of 500 customers (saved model model.json, k=5)\n")
    assert read_out(first)["cluster"].tolist() == read_out(second)["cluster"].tolist()
    assert read_out(first)["segment"].tolist() == read_out(second)["segment"].tolist()  # the names travel along
    assert "Stars" in set(read_out(second)["segment"])


def test_fit_confidence_columns(cli, messy_csv, tmp_path):
    out_csv = tmp_path / "out.csv"
    status, _, err = cli("fit", messy_csv, "--k", "2", "--seed", "1", "--out", out_csv, "--stability-runs", "0")
    assert (status, err) == (0, "")
    written = read_out(out_csv)
    conf = ["distance", "margin", "silhouette", "borderline"]
    assert (written.loc[3, conf] == "").all()  # the row left out has no segment and no confidence
    scored = written.drop(index=3)
    distance = scored["distance"].map(decimal_comma)  # (the input's decimal commas)
    margin = scored["margin"].map(decimal_comma)
    silhouette = scored["silhouette"].map(decimal_comma)
    assert (distance >= 0).all() and (margin >= 0).all() and silhouette.between(-1, 1).all()
    assert set(scored["borderline"]) <= {"True", "False"}

    from core.insight import confidence
    from core.io import read_table

    seg = segment_new(read_table(messy_csv).frame, ["Umsatz", "Besuche"], k=2, seed=1, decimal=",")
    expected = confidence(seg).drop(index=3)
    np.testing.assert_allclose(distance, expected["distance"], atol=1e-4)
    np.testing.assert_allclose(silhouette, expected["silhouette"], atol=1e-4)
    assert (scored["borderline"] == expected["borderline"].astype(str).to_numpy()).all()


def test_fit_summary_indices_and_text_mix(cli, demo, demo_csv, tmp_path):
    summary_csv = tmp_path / "summary.csv"
    status, _, _ = cli("fit", demo_csv, "--k", "4", "--out", tmp_path / "o.csv", "--summary", summary_csv,
                       "--stability-runs", "0")
    assert status == 0
    summary = read_out(summary_csv)
    features = list(DEMO_FEATURES)
    assert list(summary.columns) == (["cluster", "segment", "customers", "share"] + features
                                     + [f"{f} index" for f in features] + ["Gender: Female", "Gender: Male"])
    share = summary["share"].astype(float)
    frame, _ = demo
    for feature in features:
        mean, index = summary[feature].astype(float), summary[f"{feature} index"].astype(float)
        overall = frame[feature].astype(float).mean()
        np.testing.assert_allclose(index, mean / overall * 100, atol=0.6)  # (means to 2 decimals, indices whole)
        assert (share * index).sum() == pytest.approx(100, abs=0.5)  # the customer-weighted average segment is 100
    mix = summary[["Gender: Female", "Gender: Male"]].astype(float)
    np.testing.assert_allclose(mix.sum(axis=1), 1.0)
    customers = summary["customers"].astype(int)
    female = (mix["Gender: Female"] * customers).round().sum()
    assert female == (frame["Gender"] == "Female").sum()


def test_fit_prints_stability(cli, messy_csv, tmp_path):
    out_csv = tmp_path / "out.csv"
    status, out, err = cli("fit", messy_csv, "--k", "2", "--out", out_csv)
    assert (status, err) == (0, "")
    line = re.search(r"^stability: adjusted Rand (\d\.\d{3}) over (\d+) re-fits \((.+?)\)\. (.+)$", out, re.M)
    assert line, out
    assert line.group(2) == "10"  # the default
    assert float(line.group(1)) > 0.9 and line.group(4).startswith("Very stable")  # two clear groups
    rows = int(re.search(r"^segmented ([\d,]+) of", out, re.M).group(1).replace(",", ""))
    assert line.group(3) == f"each re-fit trained on a resample of {rows:,} customers; segments compared on all " \
                            f"{rows:,} customers"  # the sample sizes are stated
    assert out.index("stability:") < out.index("wrote ")

    status, out, _ = cli("fit", messy_csv, "--k", "2", "--out", out_csv, "--stability-runs", "3")
    assert status == 0 and " over 3 re-fits (" in out
    status, out, _ = cli("fit", messy_csv, "--k", "2", "--out", out_csv, "--stability-runs", "0")
    assert status == 0 and "stability:" not in out


def test_fit_names_segments(cli, demo_csv, tmp_path):
    out_csv, summary_csv = tmp_path / "out.csv", tmp_path / "summary.csv"
    status, out, err = cli("fit", demo_csv, "--k", "3", "--out", out_csv, "--summary", summary_csv,
                           "--stability-runs", "0", "--name", "1=Big spenders", "--name", "3=Quiet = careful")
    assert (status, err) == (0, "")
    summary = read_out(summary_csv)
    assert summary.loc[0, "segment"] == "Big spenders" and summary.loc[2, "segment"] == "Quiet = careful"
    assert summary.loc[1, "segment"] not in {"", "Big spenders", "Quiet = careful"}  # keeps its automatic name
    written = read_out(out_csv)
    assert set(written.loc[written["cluster"] == "1", "segment"]) == {"Big spenders"}
    assert set(written.loc[written["cluster"] == "3", "segment"]) == {"Quiet = careful"}
    assert re.search(r"^\s*1\s+Big spenders\s+\d+", out, re.M)  # the printed summary too


def test_a_wide_summary_is_printed_segments_down_features_across_the_terminal(cli, write, tmp_path, monkeypatch):
    """A CRM export's 13 features, one named in 130 characters, printed a 400-character-wide summary: every
    row wrapped over several terminal lines. Too wide for the terminal, the means are printed one feature
    per row, a column per segment, long names shortened around an ellipsis (the CSV keeps them whole)."""
    rng = np.random.default_rng(5)
    long_name = "Naive_Bayes_Classifier_Attrition_Flag_Card_Category_Contacts_Count_12_mon_Dependent_count_" \
                "Education_Level_Months_Inactive_12_mon_1"
    names = [f"Measure_{i}_of_the_account" for i in range(12)] + [long_name]
    centres = rng.normal(0, 5, size=(3, len(names)))
    frame = pd.DataFrame(np.vstack([rng.normal(c, 1, size=(60, len(names))) for c in centres]), columns=names)
    path = write("wide.csv", frame.round(3).to_csv(index=False))
    monkeypatch.setenv("COLUMNS", "100")
    status, out, err = cli("fit", path, "--k", "3", "--out", tmp_path / "out.csv", "--summary",
                           tmp_path / "summary.csv", "--stability-runs", "0",
                           "--features", ",".join(names))  # (the classifier's output is not proposed: chosen)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^\s*cluster\s+segment\s+customers\s+share\s*$", line))
    table = lines[start:lines.index("mean of each feature by segment:")]
    assert len(table) == 4 and all(len(line) <= 100 for line in table)  # sizes: one row per segment
    header = lines.index("mean of each feature by segment:") + 1
    assert lines[header].split() == ["feature", "1", "2", "3"]
    rows = lines[header + 1:header + 1 + len(names)]
    assert all(len(line) <= 100 for line in rows)
    summary = read_out(tmp_path / "summary.csv")
    for name, row in zip(names, rows):
        label = row[:row.index("  ")] if name != long_name else row.split("  ")[0]
        assert name.startswith(label.split("\u2026")[0]) and name.endswith(label.split("\u2026")[-1])
        printed = [float(v.replace(",", "")) for v in row.split()[-3:]]
        assert printed == pytest.approx([float(v) for v in summary[name]], abs=0.0051)  # each rounded once
    assert "\u2026" in rows[-1] and rows[-1].split()[0].endswith("_1")


def test_a_summary_that_fits_is_printed_as_one_table(cli, demo_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    status, out, err = cli("fit", demo_csv, "--k", "3", "--out", tmp_path / "out.csv", "--stability-runs", "0")
    assert (status, err) == (0, "")
    assert re.search(r"^\s*cluster\s+segment\s+customers\s+share\s+Age\s+Annual Income", out, re.M)
    assert "mean of each feature by segment:" not in out


def test_fit_warns_when_a_saved_model_does_not_fit(cli, demo, demo_csv, write, tmp_path):
    bundle = tmp_path / "model.json"
    assert cli("fit", demo_csv, "--k", "3", "--out", tmp_path / "a.csv", "--save-model", bundle,
               "--stability-runs", "0")[0] == 0
    frame, _ = demo
    richer = frame.copy()
    richer[INCOME] = (richer[INCOME].astype(float) * 4).map(str)
    path = write("richer.csv", richer.to_csv(index=False))
    status, out, err = cli("fit", path, "--model", bundle, "--out", tmp_path / "b.csv", "--stability-runs", "0")
    assert (status, err) == (0, "")
    warning = re.findall(r"^warning: (.+)$", out, re.M)
    assert len(warning) == 1 and warning[0].startswith("The pre-trained model probably does not fit")
    assert INCOME in warning[0]


# --- errors: exit 2, one line on stderr starting "error:", no traceback -----------------------------

@pytest.fixture
def files(write, demo_csv, evil_pickle, tmp_path):
    gaps = write("gaps.csv", "A,B\n1,2\n3,\n5,6\n7,8\n")
    payload, marker = evil_pickle
    pipeline, info = load_shipped_model()
    from core.persist import bundle_bytes

    bundle = json.loads(bundle_bytes(SavedModel(pipeline, info)))
    bundle["scaler"]["mean"] = [float("nan"), 1.0]
    return {
        "demo": demo_csv,
        "empty": write("empty.csv", b""),
        "gaps": gaps,
        "header": write("header.csv", "A,B\n"),
        "png": write("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(40)),
        "dup": write("dup.csv", "A,A\n1,2\n"),
        "dup multiline": write("dup2.csv", '"two\nlines","two\nlines"\n1,2\n'),
        "newline column": write("nl.csv", '"Age\nYears",Spend\n1,2\n3,4\n'),
        "evil": write("evil.pkl", payload),
        "marker": marker,
        "nan bundle": write("nan.json", json.dumps(bundle)),
        "missing": tmp_path / "does-not-exist.csv",
        "out": tmp_path / "out.csv",
    }


ERROR_CASES = {
    "missing file": (["fit", "{missing}", "--k", "2", "--out", "{out}"], "There is no file at"),
    "missing file inspect": (["inspect", "{missing}"], "There is no file at"),
    "empty file": (["fit", "{empty}", "--k", "2", "--out", "{out}"], "'empty.csv' is empty"),
    "header only": (["sweep", "{header}"], "no data rows"),
    "binary file": (["inspect", "{png}"], "PNG image"),
    "bad --features": (["fit", "{demo}", "--features", "Age,Nope", "--k", "2", "--out", "{out}"],
                       "no column 'Nope'"),
    "text feature": (["sweep", "{demo}", "--features", "Gender"], "'Gender' is not a numeric column"),
    "empty --features": (["fit", "{demo}", "--features", ",", "--k", "2", "--out", "{out}"], "at least one"),
    "k larger than rows": (["fit", "{gaps}", "--k", "9", "--out", "{out}"], "9 segments need at least 9"),
    "k zero": (["fit", "{gaps}", "--k", "0", "--out", "{out}"], "k must be from 2 to 100"),  # as sweep: 2 or more
    "sweep too few rows": (["sweep", "{gaps}", "--features", "A,B", "--k-min", "3"], "at least 4 different customers"),
    "sweep k-min 1": (["sweep", "{gaps}", "--k-min", "1"], "at least 2"),
    "--missing error with gaps": (["fit", "{gaps}", "--features", "A,B", "--k", "2", "--missing", "error", "--out",
                                   "{out}"],
                                  "'B' (1)"),
    "unknown argument": (["fit", "{gaps}", "--k", "2", "--bogus", "--out", "{out}"],
                         "segments fit has no option --bogus"),  # named before argparse's other complaints
    "unknown command": (["cluster", "{gaps}"], "invalid choice"),
    "no command": ([], "required"),
    "k not a number": (["fit", "{gaps}", "--k", "two", "--out", "{out}"], "expected a whole number or 'auto'"),
    "bad --missing": (["fit", "{gaps}", "--k", "2", "--missing", "zero", "--out", "{out}"], "invalid choice"),
    "no --out": (["fit", "{gaps}", "--k", "2"], "--out"),
    "both --k and --model": (["fit", "{gaps}", "--k", "2", "--model", "m.json", "--out", "{out}"],
                             "not allowed with"),
    "--map without --model": (["fit", "{gaps}", "--k", "2", "--map", "A=B", "--out", "{out}"],
                              "--map goes with --model"),
    "--features with --model": (["fit", "{demo}", "--model", "{evil}", "--features", "Age", "--out", "{out}"],
                                "--features goes with --k"),
    "bad --map": (["fit", "{demo}", "--model", str(DEFAULT_MODEL_PATH), "--map", "nonsense", "--out", "{out}"],
                  "--map takes FILECOL=MODELCOL"),
    "map unknown column": (["fit", "{demo}", "--model", str(DEFAULT_MODEL_PATH), "--map", f"Nope={INCOME}",
                            "--out", "{out}"], "columns the file does not have: 'Nope'"),
    "model lacking features": (["fit", "{gaps}", "--model", str(DEFAULT_MODEL_PATH), "--out", "{out}"],
                               f"needs '{INCOME}', '{SPENDING}'"),
    "foreign pickle": (["fit", "{demo}", "--model", "{evil}", "--out", "{out}"], "Refusing to open evil.pkl"),
    "missing model": (["fit", "{demo}", "--model", "{missing}", "--out", "{out}"], "no model file"),
    "damaged bundle": (["fit", "{demo}", "--model", "{nan bundle}", "--out", "{out}"], "inconsistent"),
    "newline in a column name": (["fit", "{newline column}", "--features", "Nope", "--k", "2", "--out", "{out}"],
                                 "no column 'Nope'"),
    "output folder missing": (["fit", "{demo}", "--k", "2", "--out", "{missing}/sub/out.csv"],
                              "No such file or directory"),
    "--name without =": (["fit", "{gaps}", "--k", "2", "--name", "Big", "--out", "{out}"], "--name takes N=NAME"),
    "--name not a number": (["fit", "{gaps}", "--k", "2", "--name", "one=Big", "--out", "{out}"],
                            "--name takes N=NAME"),
    "--name beyond k": (["fit", "{gaps}", "--k", "2", "--name", "3=Big", "--out", "{out}"],
                        "there are 2 segments, numbered 1 to 2"),
    "--name zero": (["fit", "{gaps}", "--k", "2", "--name", "0=Big", "--out", "{out}"], "numbered 1 to 2"),
    "--name twice": (["fit", "{gaps}", "--k", "2", "--name", "1=A", "--name", "1=B", "--out", "{out}"],
                     "two names"),
    "--name blank": (["fit", "{gaps}", "--k", "2", "--name", "1= ", "--out", "{out}"], "Segment 1 needs a name"),
    "--name repeated": (["fit", "{gaps}", "--k", "2", "--name", "1=Same", "--name", "2=Same", "--out", "{out}"],
                        "used twice: 'Same'"),
    "same output twice": (["fit", "{gaps}", "--k", "2", "--summary", "{out}", "--out", "{out}"],
                          "name the same file"),
    "negative --stability-runs": (["fit", "{gaps}", "--k", "2", "--stability-runs", "-1", "--out", "{out}"],
                                  "--stability-runs must be 0"),
    "report folder missing": (["fit", "{demo}", "--k", "2", "--stability-runs", "0", "--report",
                               "{missing}/r.html", "--out", "{out}"], "No such file or directory"),
}


@pytest.mark.parametrize("argv,expected", list(ERROR_CASES.values()), ids=list(ERROR_CASES))
def test_bad_input_exits_2_with_one_error_line(cli, files, argv, expected):
    argv = [a.format(**files) for a in argv]
    status, _, err = cli(*argv)
    assert status == 2, err
    assert err.startswith("error: ")
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert expected in err
    assert "Traceback" not in err
    assert not files["marker"].exists()
    assert not files["out"].exists()


def test_repeated_column_names_are_numbered_in_one_line_notes(cli, files):
    """Repeated column names are read (numbered) rather than refused; a name of two lines is said on one."""
    status, out, err = cli("inspect", files["dup"])
    assert status == 0 and err == "", err
    assert "note: 2 columns are called 'A'; the later one is called 'A (2)' here" in out
    status, out, err = cli("inspect", files["dup multiline"])
    assert status == 0 and err == "", err
    notes = [line for line in out.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "columns are called 'two lines'" in notes[0], out


def test_internal_errors_are_one_line_too(cli, demo_csv, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("first line\nsecond line")

    monkeypatch.setattr("core.segmentation.segment_new", broken)  # the command imports it when it runs
    status, _, err = cli("fit", demo_csv, "--k", "2", "--out", tmp_path / "o.csv")
    assert status == 1
    assert err.startswith("error: internal error (ValueError: first line")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_help_exits_zero(capsys):
    from core.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "inspect" in capsys.readouterr().out


# --- the installed command, once, for real ---------------------------------------------------------

@pytest.mark.slow
def test_console_script_in_a_subprocess(repo, demo_csv, write, tmp_path):
    script = repo / ".venv" / "bin" / "segments"
    if script.exists():  # the installed console script, run from another folder as a user would
        command, env = [str(script)], dict(os.environ)
    else:
        command, env = [sys.executable, "-m", "core.cli"], {**os.environ, "PYTHONPATH": str(repo)}
    out_csv = tmp_path / "out.csv"
    ok = subprocess.run(command + ["fit", str(demo_csv), "--k", "3", "--out", str(out_csv), "--stability-runs", "2"],
                        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""
    assert ok.stdout.startswith("segmented 500 of 500 customers (new model, k=3, seed=0)")
    assert sorted(set(read_out(out_csv)["cluster"])) == ["1", "2", "3"]
    assert re.search(r"^stability: adjusted Rand \d\.\d{3} over 2 re-fits \(", ok.stdout, re.M)

    bad = subprocess.run(command + ["fit", str(write("empty.csv", b"")), "--k", "3", "--out", str(out_csv)],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr == "error: 'empty.csv' is empty.\n"
    assert bad.stdout == ""


@pytest.mark.slow
def test_the_module_command_ends_with_every_output_complete(repo, demo_csv, write, cli, tmp_path):
    """``python -m core.cli`` (and the ``segments`` script, core.cli:run) ends with os._exit instead of the
    interpreter's teardown: what it printed (to a pipe) and every file it wrote are complete, byte for byte
    what main() gives in-process, and the exit status is main()'s."""
    command, env = [sys.executable, "-m", "core.cli"], {**os.environ, "PYTHONPATH": str(repo)}
    args = ["fit", str(demo_csv), "--k", "3", "--stability-runs", "2", "--summary"]
    ran = subprocess.run(command + args + [str(tmp_path / "s1.csv"), "--out", str(tmp_path / "o1.csv")],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    status, out, err = cli(*args, tmp_path / "s2.csv", "--out", tmp_path / "o2.csv")
    assert (ran.returncode, ran.stderr) == (status, err) == (0, "")
    assert ran.stdout == out.replace(str(tmp_path / "o2.csv"), str(tmp_path / "o1.csv")).replace(
        str(tmp_path / "s2.csv"), str(tmp_path / "s1.csv"))
    for name in ("o", "s"):
        assert (tmp_path / f"{name}1.csv").read_bytes() == (tmp_path / f"{name}2.csv").read_bytes()
    bad = subprocess.run(command + ["sweep", str(write("empty.csv", b""))], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=120)
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, "", "error: 'empty.csv' is empty.\n")


def test_the_command_process_collects_garbage_less_often_and_main_leaves_it_alone(repo, cli, demo_csv):
    """run() (the process entry) spaces the garbage collector's runs (they cost a fit ~0.15 s of CPU while it
    imported, freeing next to nothing); main() called in-process leaves the interpreter's setting as it was."""
    import gc

    from core.cli import _GC_YOUNG_THRESHOLD

    before = gc.get_threshold()
    assert cli("inspect", demo_csv)[0] == 0
    assert gc.get_threshold() == before
    probe = ("import gc, core.cli\n"
             "core.cli.main = lambda: print(gc.get_threshold()[0], flush=True) or 0\n"
             "core.cli.run()\n")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo,
                         env={**os.environ, "PYTHONPATH": str(repo)}, timeout=60)
    assert (ran.returncode, ran.stdout.strip()) == (0, str(_GC_YOUNG_THRESHOLD)) != (0, str(before[0]))


def test_fit_that_fails_after_the_clustered_table_leaves_no_file(cli, messy_csv, tmp_path):
    """The clustered table is streamed to a hidden file first; a later failure (here a summary path that is
    a folder) removes it, and the output never appears half-written."""
    out_csv, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    summary.mkdir()
    status, _, err = cli("fit", messy_csv, "--k", "2", "--out", out_csv, "--summary", summary,
                         "--stability-runs", "0")
    assert status == 2 and err.startswith("error:") and "Traceback" not in err
    assert {p.name for p in tmp_path.iterdir()} == {Path(messy_csv).name, "summary.csv"}


def test_a_reader_that_stops_early_gets_no_error_message(tmp_path) -> None:
    """Found from outside: `segments inspect big.csv | head -3` printed "error: Broken pipe" once head had its
    lines. The command now stops quietly, with the status a shell gives a command a closed pipe stopped."""
    path = tmp_path / "customers.csv"
    path.write_text("id,Age,Income\n" + "".join(f"{i},{20 + i % 50},{i % 97}\n" for i in range(2_000)))
    repo = Path(__file__).resolve().parents[2]
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the command writes
    with os.fdopen(write, "w") as closed:
        ran = subprocess.run([sys.executable, "-m", "core.cli", "inspect", str(path)], stdout=closed,
                             stderr=subprocess.PIPE, text=True, cwd=repo, timeout=120)
    assert ran.stderr == "" and ran.returncode == 141, (ran.returncode, ran.stderr)


def test_fit_prints_a_years_means_without_thousands_separators(cli, tmp_path):
    """Found from outside: a Year_Birth's segment means printed "1,987.78" in the summary."""
    from tests.dashboard.test_callbacks import _born_and_joined

    source = tmp_path / "customers.csv"
    _born_and_joined().to_csv(source, index=False)
    status, printed, _ = cli("fit", source, "--k", "3", "--features", "Year_Birth,Income,Spend",
                             "--out", tmp_path / "out.csv", "--stability-runs", "0")
    assert status == 0
    assert not re.search(r"\b1,9\d\d\.\d\d", printed), printed
    assert len(re.findall(r"\b19[4-9]\d\.\d\d\b", printed)) == 3 and re.search(r"\b\d\d,\d{3}\.\d\d\b", printed)


def test_the_summary_is_rounded_as_the_dashboards_summary_download(cli, write, tmp_path):
    """Found from outside: `segments fit --summary` wrote means as 244.69608197677556 and shares as
    0.37718, where the dashboard's summary download of the same segments gives 244.7 and 0.3772
    (:func:`core.deliver.rounded_summary`): the command line now writes the same rounding."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"Spend": rng.lognormal(5, 1, 300).round(2), "Orders": rng.poisson(5, 300) + 1,
                          "Region": rng.choice(["North", "South", "East"], 300)})
    path = write("customers.csv", frame.to_csv(index=False))
    summary_csv = tmp_path / "summary.csv"
    status, _, err = cli("fit", path, "--k", "3", "--out", tmp_path / "out.csv", "--summary", summary_csv,
                         "--stability-runs", "0")
    assert (status, err) == (0, "")
    summary = read_out(summary_csv)
    decimals = lambda column: summary[column].str.split(".").str[1].str.len().fillna(0).max()  # noqa: E731
    assert decimals("Spend") <= 2 and decimals("share") <= 4 and (summary["Spend index"].astype(float) % 1 == 0).all()
    assert decimals("Region: North") <= 4
