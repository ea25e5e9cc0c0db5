"""core.segmentation: segment_new end to end, summary, centroids, clustered_table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from core.errors import FeatureError, MissingValuesError, NotEnoughRowsError
from core.io import read_table
from core.errors import DataError
from core.segmentation import CLUSTER_COLUMN, NOT_SCORED, clustered_table, segment_new


@pytest.fixture
def three_groups(blobs):
    frame, truth = blobs([50, 30, 20], [(20, 100), (40, 300), (60, 100)], spread=2.0, seed=4,
                         names=["Age", "Spend"])
    frame.insert(0, "Name", [f"c{i}" for i in range(len(frame))])
    return frame, truth


def test_segment_new_basics(three_groups):
    frame, truth = three_groups
    seg = segment_new(frame, ["Age", "Spend"], k=3, seed=0)
    assert seg.source == "new" and seg.k == 3 and seg.seed == 0
    assert seg.features == ("Age", "Spend") == seg.model_features
    assert seg.labels.shape == (len(frame),) and seg.scored.all()
    assert seg.sizes().tolist() == [50, 30, 20]
    # the same partition as the truth, with the largest group first
    for cluster, group in zip(range(3), range(3)):
        assert set(seg.labels[truth == group]) == {cluster}
    scaled = seg.scaled_used()
    assert seg.silhouette == pytest.approx(silhouette_score(scaled, seg.labels))


def test_summary(three_groups):
    frame, _ = three_groups
    seg = segment_new(frame, ["Age", "Spend"], k=3, seed=0)
    summary = seg.summary()
    assert list(summary.columns) == ["cluster", "segment", "customers", "share", "Age", "Spend"]
    assert summary["cluster"].tolist() == [1, 2, 3]
    assert summary["customers"].tolist() == [50, 30, 20]
    np.testing.assert_allclose(summary["share"], [0.5, 0.3, 0.2])
    values = frame[["Age", "Spend"]].astype(float)
    means = values.groupby(seg.labels).mean()
    np.testing.assert_allclose(summary[["Age", "Spend"]].to_numpy(), means.to_numpy())
    centroids = seg.centroids()
    assert list(centroids.columns) == ["cluster", "Age", "Spend"]
    np.testing.assert_allclose(centroids[["Age", "Spend"]].to_numpy(), means.to_numpy(), rtol=1e-9)


def test_summary_with_rows_left_out_and_filled(three_groups):
    frame, _ = three_groups
    frame = frame.copy()
    frame.loc[[0, 1, 2], "Spend"] = ""
    dropped = segment_new(frame, ["Age", "Spend"], k=3, seed=0, missing="drop")
    summary = dropped.summary()
    assert summary["customers"].sum() == len(frame) - 3
    assert summary["share"].sum() == pytest.approx(1.0)
    assert (dropped.labels[:3] == NOT_SCORED).all()
    filled = segment_new(frame, ["Age", "Spend"], k=3, seed=0, missing="mean")
    assert filled.summary()["customers"].sum() == len(frame)
    with pytest.raises(MissingValuesError):
        segment_new(frame, ["Age", "Spend"], k=3, missing="error")


def test_clustered_table_keeps_every_row_and_column(three_groups):
    frame, _ = three_groups
    frame = frame.copy()
    frame.loc[7, "Age"] = "unknown"
    before = frame.copy()
    seg = segment_new(frame, ["Age", "Spend"], k=3, seed=0)
    out = clustered_table(frame, seg)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert list(out.columns) == ["Name", "Age", "Spend", CLUSTER_COLUMN, "segment"]
    pd.testing.assert_frame_equal(out.drop(columns=[CLUSTER_COLUMN, "segment"]), frame)
    assert out.loc[7, "segment"] == ""
    names = seg.segment_names
    assert out["segment"].drop(index=7).tolist() == [names[label] for label in np.delete(seg.labels, 7)]
    assert str(out[CLUSTER_COLUMN].dtype) == "Int64"
    assert pd.isna(out.loc[7, CLUSTER_COLUMN])
    scored = out[CLUSTER_COLUMN].drop(index=7)
    assert scored.notna().all() and set(scored) == {1, 2, 3}
    np.testing.assert_array_equal(scored.to_numpy(dtype=int), np.delete(seg.labels, 7) + 1)


def test_clustered_table_avoids_name_clash(three_groups):
    frame, _ = three_groups
    frame = frame.assign(cluster="old", cluster_1="older")
    seg = segment_new(frame, ["Age", "Spend"], k=2, seed=0)
    out = clustered_table(frame, seg)
    assert list(out.columns)[-2:] == ["cluster_2", "segment"]
    assert (out["cluster"] == "old").all()


def test_clustered_table_with_non_default_index(three_groups):
    frame, _ = three_groups
    frame = frame.set_axis(range(1000, 1000 + len(frame)))
    seg = segment_new(frame, ["Age", "Spend"], k=3, seed=0)
    out = clustered_table(frame, seg)
    np.testing.assert_array_equal(out[CLUSTER_COLUMN].to_numpy(dtype=int), seg.labels + 1)


def test_decimal_comma_file_end_to_end():
    rows = ["Name;Score;Spend"]
    rng = np.random.default_rng(0)
    for i in range(30):
        centre = 2.0 if i % 2 else 8.0
        score = f"{centre + rng.normal(0, 0.3):.2f}".replace(".", ",")
        spend = f"{centre * 10 + rng.normal(0, 1):.1f}".replace(".", ",")
        rows.append(f"n{i};{score};{spend}")
    table = read_table(("\n".join(rows) + "\n").encode())
    assert table.decimal == ","
    seg = segment_new(table.frame, ["Score", "Spend"], k=2, seed=0, decimal=table.decimal)
    assert seg.sizes().tolist() == [15, 15]
    expected = table.frame["Score"].str.replace(",", ".").astype(float).to_numpy()
    np.testing.assert_allclose(seg.matrix.X[:, 0], expected)
    assert set(seg.labels[::2]) != set(seg.labels[1::2])


def test_errors(three_groups):
    frame, _ = three_groups
    with pytest.raises(FeatureError):
        segment_new(frame, ["Name"], k=2)
    with pytest.raises(NotEnoughRowsError):
        segment_new(frame.head(3), ["Age", "Spend"], k=4)


def test_renaming_segments(three_groups):
    frame, _ = three_groups
    seg = segment_new(frame, ["Age", "Spend"], k=3, seed=0)
    renamed = seg.renamed({0: "  Loyal   regulars ", 2: "Bargain hunters"})
    assert renamed.segment_names[0] == "Loyal regulars" and renamed.segment_names[2] == "Bargain hunters"
    assert renamed.summary()["segment"].tolist() == renamed.segment_names
    assert clustered_table(frame, renamed)["segment"].iloc[0] == renamed.segment_names[seg.labels[0]]
    with pytest.raises(DataError, match="used twice"):
        seg.renamed({0: "Same", 1: "Same"})
    with pytest.raises(DataError, match="needs a name"):
        seg.renamed({1: "   "})


def test_a_segmentation_pickled_without_names_gets_its_automatic_names():
    """The dashboard's cache keeps pickled segmentations for a day: one written before segmentations were
    named when built has an empty names tuple (unless renamed); unpickled now, it has its automatic names."""
    import copy
    import pickle

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": np.concatenate([rng.normal(0, 1, 50), rng.normal(8, 1, 50)]),
                          "b": rng.normal(0, 1, 100)})
    seg = segment_new(frame, ["a", "b"], k=2, seed=0)
    old = copy.copy(seg)
    old.__dict__["names"] = ()  # as it was pickled before
    old.__dict__.pop("feature_stats", None)
    assert pickle.loads(pickle.dumps(old)).segment_names == seg.segment_names
    assert pickle.loads(pickle.dumps(seg)).segment_names == seg.segment_names
