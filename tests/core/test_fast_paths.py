"""The fast paths of issue 15 give the reference paths' answers (speed itself is measured in bench/, never
asserted here)."""

from __future__ import annotations

import numpy as np
import pytest

from core.transform import skewness


def _plain_skewness(values: np.ndarray) -> float:
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    centred = x - x.mean()
    return float(np.mean(centred ** 3) / np.mean(centred ** 2) ** 1.5)


@pytest.mark.parametrize("draw", [
    lambda rng: rng.gamma(2.0, 10.0, 200_000),
    lambda rng: rng.normal(size=200_000),
    lambda rng: rng.lognormal(0.0, 2.0, 200_000),
    lambda rng: -rng.pareto(1.5, 50_000),
    lambda rng: np.r_[np.zeros(999), 1e9],
    lambda rng: np.r_[rng.normal(size=1_000), np.nan, np.inf],
])
def test_skewness_equals_the_plain_formula(draw):
    values = draw(np.random.default_rng(4))
    assert skewness(values) == pytest.approx(_plain_skewness(values), rel=1e-12, abs=1e-12)


def test_skewness_is_none_without_spread():
    assert skewness(np.ones(10)) is None and skewness(np.array([1.0, 2.0])) is None


def test_fit_k_auto_writes_the_bytes_of_sweep_then_fit(cli, tmp_path):
    """``fit --k auto`` parses the columns once for its sweep and its fit: the same recommendation as
    ``sweep``, and byte for byte the file ``fit --k N`` writes with that N."""
    rng = np.random.default_rng(5)
    centres = np.array([[20.0, 200.0, 3.0], [60.0, 50.0, 9.0], [35.0, 900.0, 1.0], [70.0, 400.0, 5.0]])
    rows = centres[rng.integers(0, 4, 3_000)] * rng.normal(1.0, 0.08, size=(3_000, 3))
    lines = ["CustomerID,Region,Age,Spend,Visits"] + [
        f"C{i:05d},{'NSEW'[i % 4]},{a:.1f},{s:.2f},{v:.0f}" for i, (a, s, v) in enumerate(rows)]
    lines[7] = "C00006,N,,120.50,3"  # a gap: the row is left out of the model by both
    data = tmp_path / "customers.csv"
    data.write_text("\n".join(lines) + "\n")
    status, swept, err = cli("sweep", data, "--seed", "3")
    assert status == 0, err
    k = int(swept.split("recommended k: ")[1].split()[0])
    status, auto, err = cli("fit", data, "--k", "auto", "--seed", "3", "--out", tmp_path / "auto.csv",
                            "--stability-runs", "0")
    assert status == 0, err
    assert f"recommended k: {k} " in auto and f"new model, k={k}, seed=3" in auto
    status, _, err = cli("fit", data, "--k", k, "--seed", "3", "--out", tmp_path / "fixed.csv", "--stability-runs", "0")
    assert status == 0, err
    assert (tmp_path / "auto.csv").read_bytes() == (tmp_path / "fixed.csv").read_bytes()
