"""Hardening, second round (issue 13), the command line: no output ever replaces an input (item 1), and
argument edge cases end with exit status 2 and a message, never "internal error" (items 13 and 19)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.hardening.test_corpus import assert_cli_contract, run_cli

ROWS = "".join(f"{i},{20 + (i * 7) % 50},{15 + (i * 13) % 120},{(i * 31) % 100}\n" for i in range(1, 61))
CSV = "id,Age,Income,Score\n" + ROWS


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(CSV)
    return path


@pytest.fixture
def bundle(tmp_path: Path, data: Path) -> Path:
    path = tmp_path / "m.json"
    code, _, err = run_cli(["fit", str(data), "--k", "3", "--out", str(tmp_path / "first.csv"),
                            "--stability-runs", "0", "--save-model", str(path)])
    assert code == 0, err
    return path


def _fit(data: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(["fit", str(data), "--stability-runs", "0", *extra])


# -- item 1: no output may replace an input --------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--out", "--summary", "--report", "--save-model"])
def test_no_output_replaces_the_input_file(data: Path, tmp_path: Path, flag: str) -> None:
    extra = ["--k", "3"] + ([] if flag == "--out" else ["--out", str(tmp_path / "o.csv")])
    code, out, err = _fit(data, *extra, flag, str(data))
    assert_cli_contract(code, out, err)
    assert code == 2 and f"{flag} {data} is the input file" in err, err
    assert data.read_text() == CSV
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("spelling", ["relative", "dotted", "symlink", "hardlink"])
def test_the_input_is_recognised_however_it_is_spelled(data: Path, tmp_path: Path, spelling: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if spelling == "relative":
        target = "in.csv"
    elif spelling == "dotted":
        (tmp_path / "sub").mkdir()
        target = "sub/../in.csv"
    elif spelling == "symlink":
        os.symlink(data, tmp_path / "link.csv")
        target = "link.csv"
    else:
        os.link(data, tmp_path / "hard.csv")
        target = "hard.csv"
    code, out, err = _fit(data, "--k", "3", "--out", target)
    assert code == 2 and "is the input file" in err, err
    assert data.read_text() == CSV


def test_the_model_file_is_not_replaced(data: Path, bundle: Path, tmp_path: Path) -> None:
    before = bundle.read_bytes()
    code, out, err = _fit(data, "--model", str(bundle), "--out", str(bundle))
    assert_cli_contract(code, out, err)
    assert code == 2 and "--out" in err and "is --model" in err, err
    assert bundle.read_bytes() == before
    code, out, err = _fit(data, "--model", str(bundle), "--out", str(tmp_path / "o.csv"), "--summary", str(bundle))
    assert code == 2 and "--summary" in err
    assert bundle.read_bytes() == before


def test_two_outputs_naming_one_file_through_a_link_are_refused(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    out.write_text("keep")
    os.link(out, tmp_path / "o2.csv")
    code, _, err = _fit(data, "--k", "3", "--out", str(out), "--summary", str(tmp_path / "o2.csv"))
    assert code == 2 and "name the same file" in err, err


def test_a_different_file_is_still_written(data: Path, tmp_path: Path) -> None:
    code, _, err = _fit(data, "--k", "3", "--out", str(tmp_path / "o.csv"))
    assert code == 0, err
    assert pd.read_csv(tmp_path / "o.csv").shape[0] == 60
    assert data.read_text() == CSV


def test_compare_does_not_replace_a_file_it_compares(data: Path, tmp_path: Path) -> None:
    clustered = tmp_path / "o.csv"
    assert _fit(data, "--k", "3", "--out", str(clustered))[0] == 0
    before = clustered.read_bytes()
    os.link(clustered, tmp_path / "same.csv")
    code, out, err = run_cli(["compare", str(clustered), str(clustered), "--id", "id", "--out",
                              str(tmp_path / "same.csv")])
    assert_cli_contract(code, out, err)
    assert code == 2 and "is OLD (a file being compared)" in err, err
    assert clustered.read_bytes() == before


# -- items 13 and 19: argument edge cases end with exit 2 and a message ---------------------------------------


@pytest.mark.parametrize("argv,message", [
    (["--seed", "-1", "--k", "3"], "the seed must be a whole number from 0 to 4294967295, not '-1'"),
    (["--seed", "4294967296", "--k", "3"], "not '4294967296'"),
    (["--seed", "x", "--k", "3"], "not 'x'"),
    (["--k", "1"], "k must be from 2 to 100"),
    (["--k", "0"], "k must be from 2 to 100"),
    (["--k", "101"], "k must be from 2 to 100"),
    (["--clusters", "3"], "segments fit has no option --clusters (did you mean --k?)"),
    (["--k", "3", "--ouptut", "x.csv"], "has no option --ouptut"),
])
def test_bad_arguments_are_named(data: Path, tmp_path: Path, argv: list[str], message: str) -> None:
    code, out, err = run_cli(["fit", str(data), *argv, "--out", str(tmp_path / "o.csv")])
    assert_cli_contract(code, out, err)
    assert code == 2 and message in err, err
    assert not (tmp_path / "o.csv").exists()


def test_sweep_and_fit_refuse_k_1_alike(data: Path) -> None:
    code, _, err = run_cli(["sweep", str(data), "--k-min", "1"])
    assert code == 2 and "at least 2" in err
    code, _, err = run_cli(["fit", str(data), "--k", "1", "--out", "o.csv"])
    assert code == 2 and "from 2" in err


def test_an_empty_output_name_is_refused(data: Path) -> None:
    code, out, err = _fit(data, "--k", "3", "--out", "")
    assert_cli_contract(code, out, err)
    assert code == 2 and "--out needs a file name" in err


def test_a_folder_as_output_is_named_without_a_temporary_file(data: Path, tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    code, out, err = _fit(data, "--k", "3", "--out", str(tmp_path / "adir"))
    assert_cli_contract(code, out, err)
    assert code == 2 and "is a folder" in err and ".part" not in err, err
    assert list((tmp_path / "adir").iterdir()) == []


def test_a_feature_name_with_a_comma_is_quoted(tmp_path: Path) -> None:
    path = tmp_path / "comma.csv"
    path.write_text(CSV.replace("Income", '"Income, k$"', 1))
    code, out, err = _fit(path, "--k", "3", "--features", 'Age,"Income, k$"', "--out", str(tmp_path / "o.csv"))
    assert code == 0, err
    assert "features: Age, Income, k$\n" in out


def test_excel_outputs_are_real_workbooks(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "ids.csv"
    path.write_text(CSV.replace("\n1,", "\n00001,", 1))  # one ID with leading zeros: the column stays text
    code, out, err = _fit(path, "--k", "3", "--out", str(tmp_path / "o.xlsx"), "--summary", str(tmp_path / "s.xlsx"))
    assert code == 0, err
    rows = list(openpyxl.load_workbook(tmp_path / "o.xlsx")["Customers"].iter_rows(values_only=True))
    assert rows[0][:5] == ("id", "Age", "Income", "Score", "cluster")
    assert rows[1][:4] == ("00001", 27, 28, 31) and rows[2][0] == "2"
    assert len(rows) == 61
    summary = list(openpyxl.load_workbook(tmp_path / "s.xlsx")["Segments"].iter_rows(values_only=True))
    assert summary[0][:4] == ("cluster", "segment", "customers", "share") and len(summary) == 4
    assert sum(r[2] for r in summary[1:]) == 60


def test_numeric_ids_stay_numbers_in_excel(data: Path, tmp_path: Path) -> None:
    import openpyxl

    assert _fit(data, "--k", "3", "--out", str(tmp_path / "o.xlsx"))[0] == 0
    rows = list(openpyxl.load_workbook(tmp_path / "o.xlsx")["Customers"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:4]] == [1, 2, 3]
