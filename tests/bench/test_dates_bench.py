"""bench/dates_bench.py runs, and prints each date column read both ways with their ratio."""

from __future__ import annotations

from bench import dates_bench


def test_the_dates_benchmark_prints_both_readings_and_their_ratio(capsys) -> None:
    dates_bench.main(["--sizes", "2000", "--repeat", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["rows", "column"]
    assert [line.split()[0] for line in lines[1:]] == ["2,000"] * 3
    assert lines[1].endswith("x") and lines[2].endswith("x") and "data check" in lines[3]
