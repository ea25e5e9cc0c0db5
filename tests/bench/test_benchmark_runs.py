"""Every section of bench/benchmark.py runs to its table at a small size.

The benchmark is how the project's speed figures are made (docs/performance.md), but nothing ran it between
sessions: session 15 gave ``core.segmentation._built`` the frame (for the features written as percentages) and
the benchmark's own path through the steps ("ours") stopped with a TypeError, unseen until it was next run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import benchmark


@pytest.mark.slow
def test_every_section_of_the_benchmark_runs_and_prints_its_table(tmp_path: Path, capsys,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    small = "2000"
    monkeypatch.delenv(benchmark.WARM_MEMORY_ENV, raising=False)  # (the run sets it for its children)
    code = benchmark.main(["--warm-memory", "0.01", "--sizes", small, "--dashboard-sizes", small, "--upload-sizes", small,
                           "--rfm-sizes", small, "--cli-sizes", small, "--thread-sizes", small,
                           "--thread-repeats", "1", "--naive-limit", "60", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "failed:" not in out
    for heading in ("\n## 2,000 rows", "\n## from a file to a segmented file, 2,000 rows", "\n## threads, 2,000 rows",
                    "\n## dashboard, 2,000 rows", "\n## rfm: order file -> customer table, 2,000 order lines"):
        assert heading in out, heading
    end_to_end = next(line for line in out.splitlines() if line.startswith("end to end"))
    assert end_to_end.rstrip().endswith("x")  # ours against the naive way, both measured
    assert "ours end to end = " in out and "quality: WCSS ours vs naive" in out
    assert "(ours: 0.01 GB of fresh memory touched before the timed steps in " in out


@pytest.mark.slow
def test_a_run_of_large_sizes_only_skips_the_naive_steps_it_would_wait_hours_for(tmp_path: Path, capsys,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Found running ``--sizes 1e6`` alone: with no smaller size to extrapolate from, the naive exact silhouette ran
    on 10^6 rows (14 minutes of CPU before it was stopped; hours expected). The naive steps are now first timed,
    unprinted, at :data:`bench.benchmark.CALIBRATION_ROWS` (smaller here, as the sizes are)."""
    monkeypatch.setattr(benchmark, "CALIBRATION_ROWS", 1_000, raising=False)
    monkeypatch.delenv(benchmark.WARM_MEMORY_ENV, raising=False)
    code = benchmark.main(["--sizes", "30000", "--dashboard-sizes", "", "--upload-sizes", "", "--rfm-sizes", "",
                           "--cli-sizes", "", "--naive-limit", "0.5", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "naive steps first timed at 1,000 rows" in out
    assert "\n## 30,000 rows" in out and "\n## 1,000 rows" not in out  # the calibration is not a size of the run
    silhouette = out.split("\nsilhouette", 1)[1].splitlines()
    assert silhouette[0].split()[0].startswith(">") and "(naive skipped: >" in silhouette[1]
