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
    k = int(swept.split("recommended k: ")[1].split(".")[0])
    status, auto, err = cli("fit", data, "--k", "auto", "--seed", "3", "--out", tmp_path / "auto.csv",
                            "--stability-runs", "0")
    assert status == 0, err
    assert f"recommended k: {k}. " in auto and f"new model, k={k}, seed=3" in auto
    status, _, err = cli("fit", data, "--k", k, "--seed", "3", "--out", tmp_path / "fixed.csv", "--stability-runs", "0")
    assert status == 0, err
    assert (tmp_path / "auto.csv").read_bytes() == (tmp_path / "fixed.csv").read_bytes()


def _texts(rng: np.random.Generator, rows: int) -> list[str]:
    """Cells of every kind the full rules tell apart, drawn from few distinct texts."""
    kinds = ["Male", "Female", "", " ", "NA", "n/a", "-", "?", "null", "12", "-3.5", " 7 ", "1,234", "$5",
             "€ 12,50", "12%", "inf", "nan", "1e3", "٣", "Zoë", "=1+2", "0x10", "1e400", "+4", ".5"]
    return [kinds[i] for i in rng.integers(0, len(kinds), rows)]


@pytest.mark.parametrize("decimal", [".", ","])
def test_text_column_parsed_by_distinct_values_equals_cell_by_cell(decimal):
    """A column of few distinct texts is parsed one distinct text at a time: the same numbers and flags as
    parsing every cell."""
    import pandas as pd

    from core import quality

    cells = pd.Series(_texts(np.random.default_rng(6), 30_000), dtype="str")
    assert cells.size > quality.DISTINCT_PARSE_ROWS
    numbers, invalid = quality.parse_numeric(cells, decimal)
    expected_numbers, expected_invalid = quality._parse_text(cells, decimal)
    np.testing.assert_array_equal(numbers, expected_numbers)
    np.testing.assert_array_equal(invalid, expected_invalid)
    assert np.isfinite(numbers).any() and invalid.any() and np.isnan(numbers[~invalid]).any()


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("chunked", [False, True])
def test_text_column_with_null_cells_parsed_by_distinct_values_equals_cell_by_cell(decimal, chunked):
    """The same with null cells (None), and with the column in several pyarrow chunks (as parse_columns
    hands over several short columns): every distinct text, null included, gets its cells' answer."""
    import pandas as pd
    import pyarrow as pa

    from core import quality

    texts: list[str | None] = list(_texts(np.random.default_rng(7), 30_000))
    texts[::7] = [None] * len(texts[::7])
    if chunked:
        cells = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(
            [pa.array(texts[:12_345], pa.large_string()), pa.array(texts[12_345:], pa.large_string())])))
    else:
        cells = pd.Series(texts, dtype="str")
    numbers, invalid = quality.parse_numeric(cells, decimal)
    expected_numbers, expected_invalid = quality._parse_text(cells.astype(str), decimal)
    np.testing.assert_array_equal(numbers, expected_numbers)
    np.testing.assert_array_equal(invalid, expected_invalid)
    assert np.isnan(numbers[::7]).all() and not invalid[::7].any()  # null cells: missing


@pytest.mark.parametrize("draw", [
    lambda rng: rng.integers(18, 70, 50_000).astype(float),
    lambda rng: rng.integers(-10**6, 10**6, 50_000).astype(float),
    lambda rng: np.r_[rng.integers(0, 100, 20_000), 0.5].astype(float),
    lambda rng: rng.normal(size=50_000),
    lambda rng: np.arange(30_000, dtype=float) * 3,
    # written with a few decimals (prices, ratings): counted in a table, as whole numbers are
    lambda rng: np.round(rng.gamma(2, 40, 60_000), 2),
    lambda rng: np.round(rng.normal(0, 3, 60_000), 1),  # negative values, and -0.0 beside 0.0
    lambda rng: np.round(rng.random(60_000), 4),
    lambda rng: np.round(rng.random(60_000) * 5, 2) + 1e9,  # a table, if the integers stay exact
    lambda rng: np.round(rng.random(60_000), 2) + 1e13,  # too large for exact integers: sorted
    lambda rng: np.r_[np.round(rng.random(20_000) * 9, 1), np.round(rng.random(20_000) * 9, 2)],  # more decimals below
    lambda rng: np.r_[rng.integers(0, 9, 20_000), np.round(rng.random(20_000), 3)].astype(float),  # whole, then not
    lambda rng: np.r_[np.round(rng.random(20_000), 2), 1 / 3],  # one value with every decimal, at the end
    lambda rng: np.float64([0.1, 0.2, 0.30000000000000004, 0.3] * 5_000),  # 0.1 + 0.2 is not 0.3
])
def test_distinct_count_and_whole_numbers_equal_numpy(draw):
    from core import quality

    values = draw(np.random.default_rng(8))
    assert quality._distinct_values(values)[0] == np.unique(values).size
    assert quality._whole(values) == bool(np.all(np.mod(values, 1) == 0))


def test_sweep_and_fit_give_the_same_answers_on_one_and_two_threads(cli, tmp_path):
    """``--threads`` changes how fast, never what: the sweep's table and the written file are the same
    with one thread and with two (the sweep fits two k at a time; the fit's K-Means runs on two)."""
    rng = np.random.default_rng(9)
    centres = np.array([[20.0, 200.0, 3.0], [60.0, 50.0, 9.0], [35.0, 900.0, 1.0]])
    rows = centres[rng.integers(0, 3, 12_000)] * rng.normal(1.0, 0.1, size=(12_000, 3))
    data = tmp_path / "customers.csv"
    data.write_text("\n".join(["CustomerID,Age,Spend,Visits"] + [
        f"C{i:05d},{a:.1f},{s:.2f},{v:.0f}" for i, (a, s, v) in enumerate(rows)]) + "\n")
    answers = []
    for threads in ("1", "2"):
        status, swept, err = cli("sweep", data, "--seed", "4", "--threads", threads)
        assert status == 0, err
        status, fitted, err = cli("fit", data, "--k", "auto", "--seed", "4", "--threads", threads,
                                  "--out", tmp_path / "out.csv", "--stability-runs", "2")
        assert status == 0, err
        answers.append((swept, fitted, (tmp_path / "out.csv").read_bytes()))
    assert answers[0] == answers[1]


def test_fit_on_two_threads_makes_the_stability_re_fits_beside_the_fit(cli, tmp_path, monkeypatch):
    """With a second thread, ``fit`` starts the stability check's re-fits on a thread of their own before
    the model's fit (they do not depend on it) and compares them at the end; with one, the check makes
    them itself after the fit. Either way the same output (the test above)."""
    import threading

    import core.insight
    import core.segmentation

    events: list[tuple[str, str]] = []
    real_refit, real_segment = core.insight.refit, core.segmentation.segment_new

    def refit(*args, **kwargs):
        events.append(("refit", threading.current_thread().name))
        return real_refit(*args, **kwargs)

    def segment_new(*args, **kwargs):
        events.append(("fit", threading.current_thread().name))
        return real_segment(*args, **kwargs)

    monkeypatch.setattr(core.insight, "refit", refit)
    monkeypatch.setattr(core.segmentation, "segment_new", segment_new)
    rng = np.random.default_rng(5)
    data = tmp_path / "customers.csv"
    data.write_text("Age,Spend\n" + "".join(f"{a:.1f},{s:.2f}\n" for a, s in
                                           rng.normal([30, 300], [5, 40], size=(600, 2)) *
                                           rng.integers(1, 3, size=(600, 1))))
    for threads, expected in (("2", [("refit", "stability"), ("fit", "MainThread")]), ("1", [("fit", "MainThread")])):
        events.clear()
        status, out, err = cli("fit", data, "--k", "2", "--threads", threads, "--stability-runs", "3",
                               "--out", tmp_path / "out.csv")
        assert status == 0, err
        assert [(what, name.split("_")[0]) for what, name in events] == expected
        assert "stability: adjusted Rand" in out


def test_sweep_k_on_one_or_several_threads_is_the_same() -> None:
    from core.selection import sweep_k

    rng = np.random.default_rng(3)
    X = rng.normal(size=(3_000, 4)) + rng.integers(0, 4, 3_000)[:, None] * 3.0
    one, three = sweep_k(X, 2, 8, seed=2, threads=1), sweep_k(X, 2, 8, seed=2, threads=3)
    assert one.table.equals(three.table) and one.indices.equals(three.indices) and one.elbow == three.elbow


def test_the_command_line_lets_waiting_openmp_threads_sleep(cli, tmp_path, monkeypatch):
    """Spinning OpenMP threads tripled the fit's CPU time on a shared machine (docs/performance.md): the
    command line asks for the passive wait policy, unless the environment already chose one."""
    import os

    data = tmp_path / "c.csv"
    data.write_text("Age,Spend\n" + "".join(f"{20 + i % 50},{i * 7 % 300}\n" for i in range(60)))
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    assert cli("inspect", data)[0] == 0
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert cli("inspect", data)[0] == 0
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def _segmented_rows(rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[20.0, 200.0, 3.0], [60.0, 50.0, 9.0], [35.0, 900.0, 1.0], [70.0, 400.0, 5.0]])
    return centres[rng.integers(0, 4, rows)] * rng.lognormal(0.0, 0.1, (rows, 3))


@pytest.mark.parametrize("rows", [300, 12_000])
@pytest.mark.parametrize("transforms", [(), ("none", "log", "none")])
def test_sweep_scaling_its_sample_only_equals_the_sweep_of_every_row_scaled(rows, transforms):
    # the sweep standardises only the rows it uses (above SWEEP_MAX_ROWS a sample): the same table as
    # standardising every row first
    from core.model import standardised, standardiser
    from core.selection import sweep_k

    X = _segmented_rows(rows, 8)
    reference = sweep_k(standardised(X, transforms), 2, 5, seed=3)
    fast = sweep_k(X, 2, 5, seed=3, scale=standardiser(X, transforms))
    assert fast.full_table().equals(reference.full_table())
    assert (fast.elbow, fast.sample_rows, fast.rows) == (reference.elbow, reference.sample_rows, reference.rows)


@pytest.mark.parametrize("rows", [4_000, 30_000])
def test_silhouette_scaling_its_sample_only_equals_the_silhouette_of_every_row_scaled(rows):
    import functools

    from core.model import fit_segmenter, model_space
    from core.selection import silhouette

    X = _segmented_rows(rows, 9)
    pipeline = fit_segmenter(X, 4, seed=2, transforms=("log", "none", "none"))
    labels = pipeline[-1].labels_
    scale = functools.partial(model_space, pipeline)
    assert silhouette(X, labels, 5, scale=scale) == silhouette(model_space(pipeline, X), labels, 5)
    for undefined in (np.zeros(rows, dtype=np.int64), np.arange(rows)):  # one cluster; one row per cluster
        assert silhouette(X, undefined, 5, scale=scale) is None


_SCALER_CASES = {
    "normal": lambda rng: rng.normal(50, 20, (140_000, 6)),  # more rows than one step: the sums are carried
    "offset": lambda rng: 1e9 + rng.normal(0, 1e-3, (70_000, 3)),
    "constant": lambda rng: np.c_[np.full(70_000, 7.25), rng.normal(size=70_000), np.zeros(70_000),
                                  np.full(70_000, -0.0)],
    "one row": lambda rng: np.array([[1.0, -2.0]]),
    "tiny": lambda rng: rng.normal(0, 1e-300, (1_000, 2)),
    "skewed": lambda rng: rng.lognormal(0, 3, (65_537, 4)),
    "missing": lambda rng: np.r_[rng.normal(size=(10, 2)), [[np.nan, 1.0]]],
    "fortran": lambda rng: np.asfortranarray(rng.normal(size=(100, 3))),
}


@pytest.mark.parametrize("case", list(_SCALER_CASES))
def test_fit_scaler_learns_what_standard_scaler_learns_to_the_last_bit(case):
    from sklearn.preprocessing import StandardScaler

    from core.model import fit_scaler

    X = _SCALER_CASES[case](np.random.default_rng(6))
    reference, fast = StandardScaler().fit(X), fit_scaler(X)
    assert reference.__dict__.keys() == fast.__dict__.keys()
    for name, value in reference.__dict__.items():
        mine = fast.__dict__[name]
        assert type(mine) is type(value), name
        if isinstance(value, (np.ndarray, np.floating)):
            assert np.array_equal(mine, value, equal_nan=True), name
            assert np.array_equal(np.signbit(mine), np.signbit(value)), name  # -0.0 stays -0.0
        else:
            assert mine == value, name


@pytest.mark.parametrize("transforms", [(), ("log", "none", "none")])
def test_fit_segmenter_equals_the_pipeline_fitted_by_scikit_learn(transforms):
    # fit_segmenter fits the steps in turn, the scaler by fit_scaler: the pipeline Pipeline.fit gives
    from core.model import build_segmenter, fit_segmenter

    X = _segmented_rows(70_000, 10)
    fast, reference = fit_segmenter(X, 4, 3, transforms), build_segmenter(4, 3, transforms=transforms).fit(X)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        assert np.array_equal(getattr(fast[-2], name), getattr(reference[-2], name))
    assert np.array_equal(fast[-1].cluster_centers_, reference[-1].cluster_centers_)
    assert np.array_equal(fast[-1].labels_, reference[-1].labels_)
    assert fast[-1].inertia_ == reference[-1].inertia_
    assert np.array_equal(fast.predict(X[:1_000]), reference.predict(X[:1_000]))


@pytest.mark.parametrize("rows", [1, 17, 262_144 + 32, 262_144 * 2 + 5])
def test_feature_stats_equal_the_plain_formulas_to_the_last_bit(rows):
    # FeatureStats.of works a block of rows at a time, the largest value 16 rows to a line: the same numbers
    # as the plain formulas over each block
    from core.stats import STATS_ROWS_PER_STEP, FeatureStats

    rng = np.random.default_rng(rows)
    X = rng.normal(50, 20, (rows, 4)) * np.array([1.0, -3.0, 1e6, 1e-6])
    labels = rng.integers(0, 3, rows)
    stats = FeatureStats.of(X, labels, 3)
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty cluster has no mean
        means = np.nan_to_num(np.array([np.bincount(labels, weights=X[:, j], minlength=3) for j in range(4)]).T
                              / np.bincount(labels, minlength=3)[:, None])
    largest, within, total = np.zeros(4), np.zeros(4), np.zeros(4)
    for start in range(0, rows, STATS_ROWS_PER_STEP):
        part, part_labels = X[start:start + STATS_ROWS_PER_STEP], labels[start:start + STATS_ROWS_PER_STEP]
        largest = np.maximum(largest, np.abs(part).max(axis=0))
        within += np.square(part - means[part_labels]).sum(axis=0)
        total += np.square(part - X.mean(axis=0)).sum(axis=0)
    assert np.array_equal(stats.largest, largest)
    assert np.array_equal(stats.within, within) and np.array_equal(stats.total, total)


@pytest.mark.parametrize("copy_x", [False, True])
def test_size_ordered_kmeans_refines_on_every_row_as_kmeans_does(copy_x):
    # above full_fit_max_rows the Lloyd run on every row is scikit-learn's own, without KMeans.fit's count
    # of distinct labels through a Python set: the same labels, centres, WCSS and iterations as KMeans.fit
    # from the sample's centres (and the same data afterwards when KMeans may centre it in place)
    from sklearn.cluster import KMeans

    from core.model import SizeOrderedKMeans, size_order

    X = _segmented_rows(30_000, 11)
    X = (X - X.mean(axis=0)) / X.std(axis=0) + 0.25
    mine, theirs = X.copy(), X.copy()
    fast = SizeOrderedKMeans(4, random_state=7, full_fit_max_rows=3_000, copy_x=copy_x).fit(mine)
    rng = np.random.default_rng(7)
    sample = np.sort(rng.choice(X.shape[0], size=3_000, replace=False))
    start = KMeans(n_clusters=4, n_init=10, random_state=7).fit(X[sample])
    kmeans = KMeans(n_clusters=4, init=start.cluster_centers_, n_init=1, random_state=7, copy_x=copy_x,
                    tol=0.0).fit(theirs)
    order = size_order(kmeans.cluster_centers_, kmeans.labels_, 4)
    assert np.array_equal(fast.cluster_centers_, kmeans.cluster_centers_[order])
    assert np.array_equal(fast.labels_, np.argsort(order)[kmeans.labels_])
    assert (fast.inertia_, fast.n_iter_) == (kmeans.inertia_, kmeans.n_iter_)
    assert np.array_equal(mine, theirs)


def test_fit_segmenter_standardises_as_the_scaler_does():
    from core.model import _standardise, fit_scaler

    X = _segmented_rows(5_000, 12)
    scaler = fit_scaler(X)
    assert np.array_equal(_standardise(scaler, X), scaler.transform(X))


@pytest.mark.parametrize("transforms", [(), ("log", "none", "signed_log")])
def test_a_model_given_the_sweeps_scaler_is_the_model_fitted_without_it(transforms) -> None:
    """`fit --k auto` hands the fit the scaler its sweep fitted on the same rows (not fitted twice): the same
    scaler attributes, centres and labels, bit for bit. A scaler of other rows is refused."""
    from core.model import fit_segmenter, standardiser

    rng = np.random.default_rng(12)
    X = np.column_stack([rng.lognormal(3, 1, 30_000), rng.normal(50, 10, 30_000), rng.normal(0, 100, 30_000)])
    given = fit_segmenter(X, 4, 3, transforms, scaler=standardiser(X, transforms).scaler)
    fitted = fit_segmenter(X, 4, 3, transforms)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        np.testing.assert_array_equal(getattr(given[-2], name), getattr(fitted[-2], name))
    np.testing.assert_array_equal(given[-1].cluster_centers_, fitted[-1].cluster_centers_)
    np.testing.assert_array_equal(given[-1].labels_, fitted[-1].labels_)
    with pytest.raises(ValueError, match="other rows"):
        fit_segmenter(X, 4, 3, transforms, scaler=standardiser(X[:1_000], transforms).scaler)
