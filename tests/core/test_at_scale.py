"""The scale paths of core, against plain reference computations on small data: statistics worked out a
slice of rows at a time, the per-customer confidence by matrix products, the profile's text mixes from
the distinct values, names worked out once per segmentation, and CSV written a piece at a time.

Each path is forced onto small data by shrinking its step (``monkeypatch``), so the slicing itself is
what the references check."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pandas as pd
import pytest

import core.export as export
from core import csv_writer_fast
import core.insight as insight
from core.model import clusterer
from core.insight import customer_confidence, naming
import core.segmentation as segmentation
from core.insight import confidence, profile
from core.segmentation import FeatureStats, segment_new


def messy_frame(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    """Three groups on two features, a text column with spaces, blanks and missing cells, and two rows
    left out of the model (blank feature cells)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, rows)
    a = rng.normal(10 + group * 4.0, 1.0)  # positive: a feature with an index (b's segments average below zero)
    b = rng.normal(-group * 3.0, 1.0)
    region = rng.choice(np.array(["North", " North", "North ", "South", "East", "West", "Mid", "", "  ", "x"],
                                 dtype=object), rows)
    frame = pd.DataFrame({"a": [f"{v:.3f}" for v in a], "b": [f"{v:.3f}" for v in b], "region": region})
    frame.loc[[3, 17], "a"] = ""
    frame.loc[[5, 9], "region"] = None
    return frame


@pytest.fixture(scope="module")
def seg_and_frame() -> tuple[segmentation.Segmentation, pd.DataFrame]:
    frame = messy_frame()
    return segment_new(frame, ["a", "b"], k=3, seed=0), frame


def test_feature_stats_in_slices_equal_the_plain_formulas(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(5, 3, size=(1_003, 4))
    labels = rng.integers(0, 5, 1_003)
    labels[labels == 4] = 3  # cluster 4 left empty
    monkeypatch.setattr(segmentation, "STATS_ROWS_PER_STEP", 7)
    stats = FeatureStats.of(X, labels, 5)
    assert stats.sizes.tolist() == np.bincount(labels, minlength=5).tolist()
    assert stats.customers == 1_003
    for c in range(4):
        assert stats.means[c] == pytest.approx(X[labels == c].mean(axis=0), rel=1e-12)
    assert np.isnan(stats.means[4]).all()
    assert stats.overall == pytest.approx(X.mean(axis=0), rel=1e-12)
    assert stats.spread == pytest.approx(X.std(axis=0), rel=1e-12)
    assert stats.largest == pytest.approx(np.abs(X).max(axis=0))
    own_means = np.nan_to_num(stats.means)[labels]
    assert stats.within == pytest.approx(((X - own_means) ** 2).sum(axis=0), rel=1e-12)
    assert stats.total == pytest.approx(((X - X.mean(axis=0)) ** 2).sum(axis=0), rel=1e-12)


def test_feature_stats_of_no_customers() -> None:
    stats = FeatureStats.of(np.empty((0, 2)), np.empty(0, dtype=np.int64), 3)
    assert stats.customers == 0 and np.isnan(stats.overall).all() and np.isnan(stats.means).all()


def test_the_matrix_is_not_copied_when_every_row_has_a_segment() -> None:
    frame = messy_frame().drop(index=[3, 17]).reset_index(drop=True)
    seg = segment_new(frame, ["a", "b"], k=3, seed=0)
    X, labels = seg.scored_matrix()
    assert X is seg.matrix.X or np.shares_memory(X, seg.matrix.X)
    assert labels.tolist() == seg.labels.tolist()


def test_scored_matrix_leaves_out_rows_without_a_segment(seg_and_frame) -> None:
    seg, _ = seg_and_frame
    X, labels = seg.scored_matrix()
    assert X.shape[0] == labels.size == int(seg.scored.sum()) == seg.labels.size - 2
    scored_view = seg.restricted(np.arange(50))
    X50, labels50 = scored_view.scored_matrix()
    assert labels50.size == int(scored_view.scored.sum()) == 48  # rows 3 and 17 have no segment
    assert X50 == pytest.approx(seg.matrix.X[:48])


def test_summary_and_profile_agree_with_a_groupby(seg_and_frame) -> None:
    seg, frame = seg_and_frame
    numbers = frame[["a", "b"]].replace("", np.nan).astype(float)
    scored = seg.labels >= 0
    expected = numbers[scored].groupby(seg.labels[scored]).mean()
    summary = seg.summary()
    prof = profile(seg, frame, [])
    for feature in ("a", "b"):
        assert summary[feature].to_numpy() == pytest.approx(expected[feature].to_numpy(), rel=1e-12)
        assert prof.means[feature].to_numpy() == pytest.approx(expected[feature].to_numpy(), rel=1e-12)
        overall = numbers.loc[scored, feature].mean()
        if (expected[feature] >= 0).all():
            assert prof.indices[feature].to_numpy() == pytest.approx(expected[feature].to_numpy() / overall * 100)
        else:  # a segment averages below zero: no index (see test_signed_index.py)
            assert prof.indices[feature].isna().all()


def _reference_mix(seg: segmentation.Segmentation, frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """The text mix the slow way: strip every cell in Python, count, keep the five most common."""
    scored = seg.labels >= 0
    cells = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
             for v in frame[column].tolist()]
    present = [(label, cell) for label, cell, keep in zip(seg.labels, cells, scored) if keep and cell]
    counts: dict[str, int] = {}
    for _, cell in present:
        counts[cell] = counts.get(cell, 0) + 1
    top = sorted(counts, key=lambda v: (-counts[v], v))[:insight.TOP_TEXT_VALUES]
    sizes = np.bincount(seg.labels[scored], minlength=seg.k)
    return {value: np.array([sum(1 for label, cell in present if label == c and cell == value) / sizes[c]
                             for c in range(seg.k)]) for value in top}


@pytest.mark.parametrize("view", ["all", "selection"])
def test_text_mix_from_distinct_values_equals_the_cell_by_cell_count(seg_and_frame, view: str) -> None:
    seg, frame = seg_and_frame
    if view == "selection":
        seg = seg.restricted(np.arange(0, 400, 3))
    expected = _reference_mix(seg, frame, "region")
    mix = {value: shares.to_numpy() for value, shares in profile(seg, frame, ["region"]).mix("region").items()}
    assert list(mix) == list(expected)  # same values, same order (most common first, then by text)
    assert "North" in mix and " North" not in mix  # spaces around a value do not make another value
    for value, shares in expected.items():
        assert mix[value] == pytest.approx(shares)


def test_confidence_by_matrix_products_equals_the_distances(seg_and_frame, monkeypatch) -> None:
    seg, _ = seg_and_frame
    monkeypatch.setattr(customer_confidence, "_CHUNK_ROWS", 13)
    conf = confidence(seg)
    scaled = seg.scaled_used()
    centers = clusterer(seg.pipeline).cluster_centers_
    distances = np.linalg.norm(scaled[:, None, :] - centers[None, :, :], axis=2)
    rows = np.flatnonzero(seg.matrix.used)
    labels = seg.labels[rows]
    own = distances[np.arange(rows.size), labels]
    distances[np.arange(rows.size), labels] = np.inf
    assert conf.loc[rows, "distance"].to_numpy() == pytest.approx(own, rel=1e-9, abs=1e-9)
    assert conf.loc[rows, "margin"].to_numpy() == pytest.approx(distances.min(axis=1) - own, rel=1e-9, abs=1e-9)
    assert conf.loc[[3, 17]].drop(columns="borderline").isna().all().all()
    assert conf["borderline"].isna().tolist() == [i in (3, 17) for i in range(len(conf))]


def test_confidence_of_a_selection_leaves_the_others_blank(seg_and_frame) -> None:
    seg, _ = seg_and_frame
    full = confidence(seg)
    part = confidence(seg.restricted(np.arange(100, 200)))
    inside = [i for i in range(100, 200)]
    assert part.loc[inside, "distance"].tolist() == pytest.approx(full.loc[inside, "distance"].tolist())
    assert part.drop(index=inside)["distance"].isna().all()


def test_names_are_worked_out_once_and_travel_with_the_segmentation(seg_and_frame, monkeypatch) -> None:
    seg, _ = seg_and_frame
    # named when the segmentation was made, from statistics it keeps
    assert len(seg.names) == seg.k and "feature_stats" in seg.__dict__
    assert seg.segment_names == insight.segment_names(seg)
    calls = []
    monkeypatch.setattr(naming, "automatic_names", lambda *a: calls.append(a) or ["x"] * seg.k)
    copy = pickle.loads(pickle.dumps(seg))  # as the dashboard's cache stores it
    assert copy.segment_names == seg.segment_names
    assert not calls
    renamed = seg.renamed({0: "Best"})
    assert renamed.segment_names[0] == "Best" and seg.segment_names[0] != "Best"
    assert renamed.segment_names[1:] == seg.segment_names[1:]
    # a renamed copy has the same customers: what was worked out stays
    assert renamed.feature_stats is seg.feature_stats
    # a selection has other customers: worked out again
    assert "feature_stats" not in seg.restricted(np.arange(10)).__dict__


def test_streamed_csv_is_the_same_bytes_in_any_number_of_pieces(monkeypatch, tmp_path) -> None:
    frame = pd.DataFrame({
        "name": pd.array(["=1+2", 'say "hi", then', "Zoë", None, "line\nbreak", "-7"] * 5, dtype="str"),
        "n": pd.array([1, None, -3, 4, 5, 6] * 5, dtype="Int64"),
        "x": [0.1, np.nan, 1e-7, 123456789012345678.0, -2.5, 3.0] * 5,
        "flag": [True, False] * 15,
        "segment": pd.Categorical.from_codes([0, 1, 2, 3, 4] * 6, ["Big, spenders", "=cmd", "Zoë", "", 'a "b"']),
    })
    whole = export.to_csv_bytes(frame)
    pandas_bytes = export.escape_formulas(frame).to_csv(index=False, lineterminator="\n").encode()
    assert whole == pandas_bytes
    monkeypatch.setattr(csv_writer_fast, "ROWS_PER_STEP", 4)
    pieces = list(export.iter_csv(frame))
    assert len(pieces) == 1 + 8  # the header, then 30 rows 4 at a time
    assert b"".join(pieces) == whole
    assert export.write_csv(frame, tmp_path / "out.csv") == len(whole)
    assert (tmp_path / "out.csv").read_bytes() == whole


def test_segment_names_are_a_categorical_column_written_and_escaped_as_text(seg_and_frame) -> None:
    seg, frame = seg_and_frame
    named = seg.renamed({0: "=HYPERLINK(\"http://x\")", 1: "Big, loyal"})
    table = segmentation.clustered_table(frame, named)
    assert isinstance(table["segment"].dtype, pd.CategoricalDtype)
    assert table["segment"].memory_usage(deep=True) < 2 * len(table) + 1_000  # a byte a customer, not a string
    expected = [named.segment_names[label] if label >= 0 else "" for label in seg.labels]
    assert table["segment"].astype(str).tolist() == expected
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(table)), dtype=str, keep_default_na=False)
    assert back["segment"].tolist() == ["'" + e if e.startswith("=") else e for e in expected]


def test_categorical_values_that_collide_once_escaped_are_escaped_cell_by_cell() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3], "s": pd.Categorical(["=x", "'=x", "y"])})
    escaped = export.escape_formulas(frame)
    assert escaped["s"].tolist() == ["'=x", "'=x", "y"]
    assert frame["s"].tolist() == ["=x", "'=x", "y"]  # the input is left as it was
