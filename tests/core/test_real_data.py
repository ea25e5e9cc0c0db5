"""Real customer files: skewed spend, coded columns, dates, transforms before scaling (issue 11).

Known answers, on data generated here: customers drawn from segments that differ in log space
(log-normal spend, order counts and basket values, a few extreme buyers) beside an ID, a coded region, a
0/1 flag and a sign-up date. By default the product must pick the real features only, propose a log for
the skewed ones and recover the true segments; plain scaling must do noticeably worse.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from core import check_quality, load_bundle, segment_new, segment_with_model
from core.errors import FeatureError, ModelFeatureError
from core.persist import bundle_bytes
from core.transform import (FeatureTransform, TransformError, check_transform, days_since, feature_label,
                            parse_transform_pairs, propose_transform)

#: (log spend, log orders, log basket, recency days) per true segment, and its share.
LOG_CENTRES = [(4.0, 1.2, 3.0, 40.0), (5.2, 2.2, 3.6, 50.0), (6.2, 1.4, 4.8, 60.0), (7.2, 2.8, 4.2, 45.0)]
SHARES = [0.4, 0.25, 0.2, 0.15]


def skewed_customers(rows: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers from four segments in log space, with an ID, a coded region, a flag and a date; text cells."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(len(SHARES), size=rows, p=SHARES)
    centres = np.asarray(LOG_CENTRES)[truth]
    spend = np.exp(rng.normal(centres[:, 0], 0.25))
    extreme = rng.choice(rows, size=rows // 200, replace=False)  # a few very large buyers
    spend[extreme] *= rng.uniform(3, 6, extreme.size)
    orders = np.maximum(1, np.round(np.exp(rng.normal(centres[:, 1], 0.2))))
    basket = np.exp(rng.normal(centres[:, 2], 0.25))
    recency = rng.normal(centres[:, 3], 12.0)
    joined = pd.Timestamp("2024-06-30") - pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")
    frame = pd.DataFrame({
        "CustomerID": rng.permutation(rows) + 1,
        "Spend": np.round(spend, 2),
        "Orders": orders.astype(int),
        "Region": rng.integers(1, 6, rows),
        "Basket": np.round(basket, 2),
        "AcceptedCampaign": (rng.random(rows) < 0.2).astype(int),
        "Recency": np.round(recency, 1),
        "Joined": joined.strftime("%d/%m/%Y"),
    })
    return frame.astype(str), truth


@pytest.fixture(scope="module")
def skewed():
    return skewed_customers()


def test_the_data_check_proposes_the_real_features_and_logs_the_skewed_ones(skewed):
    frame, _ = skewed
    report = check_quality(frame)
    assert report.default_features == ["Spend", "Orders", "Basket", "Recency"]
    assert report.column("CustomerID").use == "ID-like"
    assert report.column("Region").use == "profile" and report.column("AcceptedCampaign").use == "profile"
    assert report.coded_columns == ["Region", "AcceptedCampaign"]
    assert report.column("Joined").kind == "date" and report.column("Joined").use == "date"
    assert report.derived_features == ["Joined (days since)"]
    assert "Joined" not in report.describing_columns and "Region" in report.describing_columns
    proposed = report.proposed_transforms
    assert {f: proposed[f] for f in report.default_features} == {
        "Spend": "log", "Orders": "log", "Basket": "log", "Recency": "none"}
    assert "right-skewed" in report.column("Spend").transform_reason
    assert report.column("Spend").skewness > 1 and abs(report.column("Recency").skewness) < 1
    table = report.to_frame().set_index("column")
    assert table.loc["Spend", "role"] == "feature" and table.loc["Spend", "transform"] == "log"
    assert table.loc["Region", "role"] == "profile"


def test_log_before_scaling_recovers_the_true_segments_and_plain_scaling_does_not(skewed):
    frame, truth = skewed
    report = check_quality(frame)
    features = report.default_features
    with_log = segment_new(frame, features, 4, transforms=report.proposed_transforms_for(features))
    plain = segment_new(frame, features, 4)
    ari_log = adjusted_rand_score(truth, with_log.labels)
    ari_plain = adjusted_rand_score(truth, plain.labels)
    assert ari_log >= 0.97
    assert ari_plain <= ari_log - 0.2, (ari_log, ari_plain)
    # the model's steps: transform, then StandardScaler right before K-Means
    assert [name for name, _ in with_log.pipeline.steps] == ["featuretransform", "standardscaler", "sizeorderedkmeans"]
    assert with_log.feature_labels == ["Spend (log)", "Orders (log)", "Basket (log)", "Recency"]
    # profiles and centroids speak in the original units
    summary = with_log.summary()
    for j, feature in enumerate(features):
        values = with_log.matrix.X[:, j]
        assert summary[feature].between(values.min(), values.max()).all()
    centroids = with_log.centroids()
    assert centroids["Spend"].max() > 500  # dollars, not log-dollars


def test_a_bundle_applies_the_same_transforms_to_a_new_file(skewed, tmp_path):
    frame, _ = skewed
    report = check_quality(frame)
    features = report.default_features
    seg = segment_new(frame, features, 4, transforms=report.proposed_transforms_for(features))
    raw = bundle_bytes(seg.saved_model("skewed: 4000 rows"))
    assert json.loads(raw)["info"]["transforms"] == ["log", "log", "log", "none"]
    model = load_bundle(raw)
    assert model.info.transforms == ["log", "log", "log", "none"]
    again = segment_with_model(frame, model)
    assert np.array_equal(again.labels, seg.labels)
    assert again.feature_labels == seg.feature_labels
    # a new file with a negative spend cannot take the log: refused, naming the column
    bad = frame.copy()
    bad.loc[3, "Spend"] = "-12.5"
    with pytest.raises(ModelFeatureError, match="'Spend'"):
        segment_with_model(bad, model)


def test_an_old_bundle_without_transforms_still_loads(skewed):
    frame, _ = skewed
    seg = segment_new(frame, ["Spend", "Recency"], 3)
    data = json.loads(bundle_bytes(seg.saved_model("old")))
    data["info"].pop("transforms", None)
    model = load_bundle(json.dumps(data).encode())
    assert model.info.transforms == [] and [n for n, _ in model.pipeline.steps] == ["standardscaler",
                                                                                    "sizeorderedkmeans"]
    assert np.array_equal(segment_with_model(frame, model).labels, seg.labels)


def test_refunds_never_give_nan():
    rng = np.random.default_rng(3)
    spend = np.exp(rng.normal(4, 1, 2000))
    spend[rng.choice(2000, 150, replace=False)] *= -0.3  # refunds
    proposal = propose_transform(spend)
    assert proposal.transform == "signed_log" and "negative" in proposal.reason
    frame = pd.DataFrame({"Net spend": spend, "Visits": rng.normal(10, 2, 2000)}).astype(str)
    report = check_quality(frame)
    assert report.proposed_transforms["Net spend"] == "signed_log"
    seg = segment_new(frame, ["Net spend", "Visits"], 3, transforms=report.proposed_transforms_for(["Net spend",
                                                                                                      "Visits"]))
    assert seg.scored.all()
    assert np.isfinite(seg.scaled_used()).all() and np.isfinite(seg.centroids()["Net spend"]).all()
    step = FeatureTransform(("signed_log",)).fit(spend[:, None])
    assert np.allclose(step.inverse_transform(step.transform(spend[:, None]))[:, 0], spend)


def test_a_transform_that_cannot_apply_is_refused_naming_the_column():
    frame = pd.DataFrame({"Refunds": [f"-{i + 1}.5" for i in range(50)], "Visits": [str(i % 9) for i in range(50)],
                          "Gender": ["F", "M"] * 25})
    with pytest.raises(TransformError, match="'Refunds'.*every value is negative"):
        segment_new(frame, ["Refunds", "Visits"], 2, transforms={"Refunds": "log"})
    with pytest.raises(TransformError, match="'Gender'"):
        segment_new(frame, ["Refunds", "Visits"], 2, transforms={"Gender": "log"})
    with pytest.raises(FeatureError, match="'Gender' is not a numeric column"):
        segment_new(frame, ["Gender", "Visits"], 2, transforms={"Gender": "log"})
    with pytest.raises(TransformError, match="Unknown transform 'sqrt' for 'Visits'"):
        parse_transform_pairs(["Visits=sqrt"])
    with pytest.raises(TransformError, match="'Visits'"):
        check_transform("Visits", "cube", np.ones(3))
    assert parse_transform_pairs(["Spend=log", "Net=signed log", "Age=none"]) == {
        "Spend": "log", "Net": "signed_log", "Age": "none"}
    assert feature_label("Net", "signed_log") == "Net (signed log)"


def test_a_date_column_is_offered_as_days_since(skewed):
    frame, _ = skewed
    days = days_since(frame["Joined"])
    assert days.min() == 0 and 1000 < days.max() < 1500
    seg = segment_new(frame, ["Spend", "Joined (days since)"], 3, transforms={"Spend": "log"})
    assert seg.features == ("Spend", "Joined (days since)")
    assert seg.feature_labels == ["Spend (log)", "Joined (days since)"]
    for text, fmt_days in (("2024-01-31", 0.0), ("31.01.2024", 0.0), ("Jan 31, 2024", 0.0)):
        assert days_since(pd.Series([text, text])).tolist() == [fmt_days, fmt_days]
    assert check_quality(pd.DataFrame({"When": ["2024-01-0%d" % (i % 9 + 1) for i in range(40)]})).date_columns \
        == ["When"]
    assert check_quality(pd.DataFrame({"Note": ["call back %d" % i for i in range(40)]})).date_columns == []


# --- the command line ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def skewed_csv(skewed, tmp_path_factory):
    path = tmp_path_factory.mktemp("skewed") / "customers.csv"
    skewed[0].to_csv(path, index=False)
    return path


def test_cli_fit_k_auto_uses_the_proposed_features_and_transforms(cli, skewed, skewed_csv, tmp_path):
    out_path = tmp_path / "out.csv"
    status, out, err = cli("fit", skewed_csv, "--k", "auto", "--out", out_path, "--stability-runs", "0")
    assert (status, err) == (0, "")
    assert "features: Spend (log), Orders (log), Basket (log), Recency\n" in out
    assert out.startswith("recommended k: 4. All four measures agree")
    clusters = pd.read_csv(out_path)["cluster"].to_numpy()
    assert adjusted_rand_score(skewed[1], clusters) >= 0.97


def test_cli_sweep_and_inspect_show_features_roles_and_transforms(cli, skewed_csv):
    status, out, err = cli("sweep", skewed_csv, "--k-max", "6", "--transform", "Basket=none")
    assert (status, err) == (0, "")
    assert "features: Spend (log), Orders (log), Basket, Recency\n" in out
    status, out, err = cli("inspect", skewed_csv)
    assert (status, err) == (0, "")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    assert rows["Spend"][-3:] == ["feature", rows["Spend"][-2], "log"]
    assert rows["Region"][-3:-2] == ["profile"] and rows["CustomerID"][-1] == "ID-like"  # no skewness, no transform
    assert rows["Joined"][-1] == "date"
    assert "features proposed: Spend (log), Orders (log), Basket (log), Recency" in out


@pytest.mark.parametrize("transform,expected", [
    ("Joined=log", "'Joined' is a date column, not one of the features"),
    ("Nope=log", "'Nope' is not a column of the file"),
    ("Region=log", "'Region' is not one of the features"),
    ("Spend=sqrt", "Unknown transform 'sqrt' for 'Spend'"),
    ("Spend", "COLUMN=TRANSFORM"),
])
def test_cli_refuses_a_transform_that_cannot_apply(cli, skewed_csv, tmp_path, transform, expected):
    status, out, err = cli("fit", skewed_csv, "--k", "3", "--out", tmp_path / "o.csv", "--transform", transform)
    assert status == 2 and err.startswith("error: ") and expected in err, err
    assert not (tmp_path / "o.csv").exists()


def test_cli_refuses_a_log_of_negative_values_naming_the_column(cli, write, tmp_path):
    rows = ["Balance,Visits"] + [f"{-(i % 17) - 1}.5,{i % 11}" for i in range(60)]
    path = write("neg.csv", "\n".join(rows) + "\n")
    status, _, err = cli("fit", path, "--features", "Balance,Visits", "--k", "2", "--out", tmp_path / "o.csv",
                         "--transform", "Balance=log")
    assert status == 2 and "'Balance'" in err and "negative" in err, err


# --- a recommended k that holds up ------------------------------------------------------------------

def usefulness_sweep(sil, ch, db, smallest, largest, stab, elbow):
    """A SweepResult for k = 1..len(sil)+1 with every index given for k >= 2."""
    from core.selection import SweepResult

    ks = list(range(1, len(sil) + 2))
    table = pd.DataFrame({"k": ks, "wcss": np.linspace(100, 10, len(ks)), "silhouette": [np.nan, *sil]})
    indices = pd.DataFrame({"k": ks, "calinski_harabasz": [np.nan, *ch], "davies_bouldin": [np.nan, *db],
                            "smallest_share": [1.0, *smallest], "largest_share": [1.0, *largest],
                            "stability": [np.nan, *stab]})
    return SweepResult(table, elbow, 2, ks[-1], None, indices)


def test_a_split_with_one_dominant_segment_loses_to_a_stable_useful_one():
    from core.insight import recommend_k

    # k = 2..6: every guide likes k=2, which puts 87% of the customers in one segment
    sweep = usefulness_sweep(sil=[0.7, 0.45, 0.5, 0.4, 0.35], ch=[900, 500, 600, 400, 300],
                             db=[0.5, 0.9, 0.8, 1.0, 1.1], smallest=[0.13, 0.08, 0.12, 0.04, 0.03],
                             largest=[0.87, 0.6, 0.38, 0.35, 0.3], stab=[0.98, 0.7, 0.93, 0.8, 0.6], elbow=2)
    rec = recommend_k(sweep, 5000)
    assert rec.k == 4
    assert "k=2 (preferred by the elbow, the silhouette, Calinski-Harabasz and Davies-Bouldin) was set aside " \
           "because one segment would hold 87% of customers" in rec.reason
    assert rec.reason.endswith("Its segments are stable under resampling (stability 0.93) and hold 12% to 38% of "
                               "customers each.")
    assert rec.reason.count(". ") == 1  # two sentences


def test_a_dominant_segment_is_set_aside_also_when_every_k_has_a_small_one():
    """Found from outside (a Stripe customers export: "Refunded Volume" zero for 95% of the customers, logged): every
    k had a 4.8% segment of refunders, so no k was a "useful" split, and k=2, 95% of the customers in one "Average
    customers" segment, won the vote among the stable ones. A k where one segment holds most customers is set aside
    while a stable k without one remains."""
    from core.insight import recommend_k

    # the export's own sweep, k = 2..10
    sweep = usefulness_sweep(sil=[0.666, 0.423, 0.490, 0.427, 0.410, 0.426, 0.418, 0.423, 0.419],
                             ch=[1166, 2008, 2948, 3228, 3172, 3143, 3178, 3301, 3351],
                             db=[0.513, 0.742, 0.563, 0.649, 0.726, 0.711, 0.779, 0.794, 0.790],
                             smallest=[0.048, 0.048, 0.048, 0.048, 0.048, 0.048, 0.022, 0.022, 0.022],
                             largest=[0.952, 0.488, 0.546, 0.383, 0.33, 0.2, 0.2, 0.192, 0.186],
                             stab=[0.80, 0.93, 0.98, 0.96, 0.68, 0.70, 0.78, 0.78, 0.83], elbow=4)
    rec = recommend_k(sweep, 2500)
    assert rec.k == 4
    assert "k=2 (preferred by the silhouette and Davies-Bouldin) was set aside because one segment would hold 95% " \
           "of customers" in rec.reason
    # with no stable k but the dominated one, it stays the choice
    alone = usefulness_sweep(sil=[0.666, 0.423], ch=[1166, 2008], db=[0.513, 0.742], smallest=[0.048, 0.048],
                             largest=[0.952, 0.488], stab=[0.80, 0.5], elbow=2)
    assert recommend_k(alone, 2500).k == 2


def test_never_an_unstable_k_when_a_stable_one_exists():
    from core.insight import recommend_k

    sweep = usefulness_sweep(sil=[0.5, 0.6, 0.55, 0.5], ch=[100, 300, 200, 150], db=[0.9, 0.6, 0.7, 0.8],
                             smallest=[0.4, 0.3, 0.2, 0.15], largest=[0.6, 0.4, 0.3, 0.25],
                             stab=[0.9, 0.45, 0.88, 0.7], elbow=3)
    rec = recommend_k(sweep, 5000)
    assert rec.k != 3 and rec.k in (2, 4)
    assert "k=3 (preferred by the elbow, the silhouette, Calinski-Harabasz and Davies-Bouldin) was set aside " \
           "because its segments change when the customers are resampled (stability 0.45)" in rec.reason
    # the elbow quoted is the elbow the chart marks
    assert set(re.findall(r"the elbow k=(\d+)", rec.reason)) <= {"3"}
    # no stable k at all: recommend anyway, and warn
    flat = usefulness_sweep(sil=[0.3, 0.35, 0.3, 0.25], ch=[100, 120, 110, 100], db=[1.0, 0.9, 1.0, 1.1],
                            smallest=[0.4, 0.3, 0.2, 0.15], largest=[0.6, 0.4, 0.3, 0.25],
                            stab=[0.5, 0.55, 0.4, 0.3], elbow=3)
    rec = recommend_k(flat, 5000)
    assert rec.k == 3 and "not stable under resampling" in rec.reason
    assert any(w.startswith("No k from 2 to 5 gives segments that hold") for w in rec.warnings)


def test_the_elbow_quoted_is_the_elbow_marked_when_its_k_is_set_aside():
    from core.insight import recommend_k

    sweep = usefulness_sweep(sil=[0.5, 0.6, 0.55, 0.52, 0.4], ch=[100, 150, 300, 200, 150],
                             db=[0.9, 0.7, 0.8, 0.6, 0.8], smallest=[0.4, 0.3, 0.2, 0.01, 0.01],
                             largest=[0.6, 0.4, 0.3, 0.3, 0.25], stab=[0.9, 0.9, 0.9, 0.9, 0.9], elbow=5)
    rec = recommend_k(sweep, 5000)
    quoted = re.findall(r"the elbow k=(\d+)", rec.reason)
    assert quoted and set(quoted) == {"5"}, rec.reason


def test_the_recommended_k_on_skewed_customers_is_the_true_one_and_holds_up(skewed):
    from core.insight import recommend_k, stability
    from core.model import standardised
    from core.prepare import prepare_features
    from core.selection import sweep_k

    frame, _ = skewed
    report = check_quality(frame)
    features = report.default_features
    matrix = prepare_features(frame, features, transforms=report.proposed_transforms_for(features))
    sweep = sweep_k(standardised(matrix.X, matrix.transforms), 2, 10)
    rec = recommend_k(sweep, len(frame))
    assert rec.k == 4
    check = stability(matrix.X, rec.k, runs=5, transforms=matrix.transforms)
    assert not check.verdict.startswith("Unstable") and check.overall > 0.9


def test_mall_like_data_still_gives_five_with_the_defaults(demo):
    from core.insight import recommend_k
    from core.model import standardised
    from core.prepare import prepare_features
    from core.selection import sweep_k

    frame, _ = demo
    report = check_quality(frame)
    assert report.default_features == ["Age", "Annual Income (k$)", "Spending Score (1-100)"]
    assert set(report.proposed_transforms_for(report.default_features).values()) == {"none"}
    matrix = prepare_features(frame, report.default_features, transforms=report.proposed_transforms_for(
        report.default_features))
    assert matrix.transforms == ()
    rec = recommend_k(sweep_k(standardised(matrix.X), 2, 10), len(frame))
    assert rec.k == 5
    seg = segment_new(frame, report.default_features, 5, transforms=report.proposed_transforms_for(
        report.default_features))
    assert [name for name, _ in seg.pipeline.steps] == ["standardscaler", "sizeorderedkmeans"]  # no transform: as before
    assert np.array_equal(seg.labels, segment_new(frame, report.default_features, 5).labels)


# --- names people would write -------------------------------------------------------------------------

def test_names_are_grammatical_strongest_trait_first_and_short():
    from core.insight import MAX_NAME_CHARS, name_segments, short_feature_name

    assert short_feature_name("Spent") == "spending" and short_feature_name("MntWines") == "wines"
    assert short_feature_name("NumStorePurchases") == "store purchases"
    z = np.array([[1.2, 0.9], [-0.8, -1.6]])
    assert name_segments(z, ["Spent", "NumStorePurchases"]) == [
        "High spending · High store purchases", "Very low store purchases · Low spending"]
    # with the profile's indices, the trait furthest from 100 comes first, in either direction
    indices = np.array([[130.0, 180.0], [40.0, 90.0]])
    assert name_segments(z, ["Spent", "NumStorePurchases"], indices) == [
        "High store purchases · High spending", "Low spending · Very low store purchases"]
    long = ["Average Monthly Premium Subscription Revenue", "Lifetime Customer Loyalty Programme Points"]
    names = name_segments(np.array([[2.0, 1.0], [-2.0, -1.0], [0.0, 0.0]]), long)
    assert all(len(n) <= MAX_NAME_CHARS for n in names) and len(set(names)) == 3
    assert names[0] == "Very high premium subscription revenue"  # the second trait left out, nothing cut


def test_the_strongest_trait_of_a_mall_like_segment_is_in_its_name(demo):
    from core.insight import segment_indices, segment_names, segment_z_scores

    frame, _ = demo
    seg = segment_new(frame, ["Age", "Annual Income (k$)", "Spending Score (1-100)"], 5)
    names, z, index = segment_names(seg), segment_z_scores(seg), segment_indices(seg)
    short = ["age", "income", "spending"]
    for i, name in enumerate(names):
        traits = sorted((j for j in range(3) if abs(z[i, j]) >= 0.5), key=lambda j: -abs(index[i, j] - 100))[:2]
        named = [part for part in name.split(" · ")]
        assert len(named) == len(traits) or name == "Average customers"
        for part, j in zip(named, traits):
            assert short[j] in part.lower() or (j == 0 and part.split()[-1] in ("Older", "Younger", "older",
                                                                                  "younger"))
    # the young, low-income big spenders: spending (index 160) is their strongest trait, then income (44);
    # age (65) is the third and is left out
    assert "High spending · Low income" in names and len(set(names)) == 5


def test_names_stay_whole_through_a_bundle(cli, tmp_path, write):
    rng = np.random.default_rng(5)
    rows = ["Average Monthly Premium Subscription Revenue,Lifetime Customer Loyalty Programme Points"]
    for centre in ((10, 50), (40, 10), (70, 90)):
        rows += [f"{rng.normal(centre[0], 3):.2f},{rng.normal(centre[1], 3):.2f}" for _ in range(60)]
    path = write("long.csv", "\n".join(rows) + "\n")
    bundle, first, second = tmp_path / "m.json", tmp_path / "a.csv", tmp_path / "b.csv"
    assert cli("fit", path, "--k", "3", "--out", first, "--save-model", bundle, "--stability-runs", "0")[0] == 0
    assert cli("fit", path, "--model", bundle, "--out", second, "--stability-runs", "0")[0] == 0
    a, b = pd.read_csv(first), pd.read_csv(second)
    assert a["segment"].tolist() == b["segment"].tolist()
    by_cluster = a.groupby("cluster")["segment"].first().sort_index().tolist()
    assert json.loads(bundle.read_text())["info"]["names"] == by_cluster  # whole, in cluster order


def test_several_k_set_aside_for_the_same_reason_make_one_clause():
    from core.insight import recommend_k

    sweep = usefulness_sweep(sil=[0.6, 0.5, 0.55, 0.4, 0.52], ch=[300, 200, 150, 120, 250],
                             db=[0.6, 0.7, 0.8, 0.9, 0.5], smallest=[0.45, 0.3, 0.22, 0.15, 0.12],
                             largest=[0.55, 0.42, 0.3, 0.25, 0.2], stab=[0.38, 0.8, 0.73, 0.7, 0.53], elbow=4)
    rec = recommend_k(sweep, 5000)
    assert rec.k == 3
    assert "k=2, 4 and 6 (preferred by the silhouette, Calinski-Harabasz, the elbow and Davies-Bouldin) were set " \
           "aside because their segments change when the customers are resampled (stability 0.38, 0.73 and 0.53)" \
        in rec.reason, rec.reason
    assert rec.reason.count(". ") == 1


def test_the_report_names_each_features_transform(skewed):
    from core.report import render_report

    frame, _ = skewed
    report = check_quality(frame)
    seg = segment_new(frame, ["Spend", "Recency"], 3, transforms={"Spend": "log"})
    html = render_report("orders.csv", frame, seg, report=report)
    assert "<li>Spend (log)</li>" in html and "<li>Recency</li>" in html


def test_a_skewness_that_rounds_to_zero_reads_0_0_never_minus_0_0():
    """The demo's model page read "roughly symmetric (skewness -0.0)" (seen in a screenshot)."""
    half = np.random.default_rng(4).normal(0, 10, 2_500)
    values = np.concatenate([50 + half, 50 - half, [20.0]])  # symmetric, and one low value: a touch of left skew
    proposal = propose_transform(values)
    assert proposal.skewness is not None and -0.05 < proposal.skewness < 0
    assert proposal.reason == "roughly symmetric (skewness 0.0)"


def test_refunds_written_as_negatives_get_a_signed_log_and_left_skew_is_not_called_symmetric():
    """Found from outside (a shop of 10^6 customers): its Refunds, 0 for most and down to -200 for a tenth, had a
    skewness of -5.3 and were proposed no transform, "roughly symmetric (skewness -5.3)": a few very large refunds
    then decided a segment of their own. A column strongly skewed to either side with values below zero gets the
    signed log; one skewed to the left without negatives (scores bunched near the top) keeps its values, and the
    reason says why."""
    rng = np.random.default_rng(8)
    refunds = np.where(rng.random(5_000) < 0.1, -rng.lognormal(3, 0.6, 5_000).round(2), 0.0)
    proposal = propose_transform(refunds)
    assert proposal.skewness < -1 and proposal.transform == "signed_log", proposal
    assert "negative" in proposal.reason
    bunched = 100 - rng.lognormal(1, 0.8, 5_000).round(1).clip(0, 99)  # most near 100, a tail to the left
    left = propose_transform(bunched)
    assert left.skewness < -1 and left.transform == "none" and left.reason.startswith("left-skewed"), left
    frame = pd.DataFrame({"Refunds": refunds, "Orders": rng.poisson(3, 5_000)}).astype(str)
    assert check_quality(frame).proposed_transforms["Refunds"] == "signed_log"


def test_the_data_checks_table_never_shows_a_skewness_of_minus_zero():
    """The Upload page's table and ``segments inspect`` showed "-0.0" and "-0.00" for a bank export's
    ``members_in_household`` (a skewness of about -0.001: the reason said 0.0, the table did not)."""
    half = np.random.default_rng(4).normal(0, 10, 2_500)
    values = np.concatenate([50 + half, 50 - half, [30.0]]).round(2)  # a skewness of about -0.0004
    report = check_quality(pd.DataFrame({"Members": [f"{v:g}" for v in values]}))
    assert -0.005 < report.column_reports[0].skewness < 0
    skew = report.to_frame().loc[0, "skewness"]
    assert skew == 0 and not np.signbit(skew)
