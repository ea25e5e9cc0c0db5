"""bench/xlsx_bench.py runs, and prints the fast writer beside its openpyxl baseline."""

from __future__ import annotations

from bench import xlsx_bench


def test_the_excel_benchmark_prints_both_writers_and_their_ratio(capsys) -> None:
    xlsx_bench.main(["--sizes", "300,2000", "--baseline-limit", "300", "--repeat", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["rows", "cells", "fast"]
    assert lines[1].split()[0] == "300" and lines[1].endswith("x")  # with the baseline and the ratio
    assert lines[2].split()[0] == "2,000" and not lines[2].endswith("x")  # above the limit: the fast one only
