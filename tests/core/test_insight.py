"""core.insight (and the sweep's extra indices): recommended k, segment names, profile, stability,
per-customer confidence, pre-trained model fit and comparing segmentations, on generated data whose
truth is known."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.feature_selection import f_classif
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score
from sklearn.preprocessing import StandardScaler

import core.insight as insight
from core.insight import customer_confidence, stability_check
import core.selection as selection
from core.insight import (
    AVERAGE_NAME,
    compare_labels,
    confidence,
    name_segments,
    out_of_range,
    profile,
    recommend_k,
    scatter_features,
    segment_names,
    segment_z_scores,
    short_feature_name,
    stability,
    stability_verdict,
)
from core.demo import generate_demo
from core.errors import FeatureError
from core.io import read_table
from core.model import clusterer, fit_segmenter
from core.persist import ModelInfo, training_statistics
from core.report import render_report
from core.segmentation import segment_new
from core.selection import SweepResult, sweep_k
from tests.fixtures import players_csv

INCOME, SPENDING, AGE = "Annual Income (k$)", "Spending Score (1-100)", "Age"


def polygon_blobs(k: int, n_per: int = 50, spread: float = 0.6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k Gaussian blobs on the corners of a regular polygon of radius 10 (neighbours >= 10 apart)."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(k) / k + 0.3
    centers = 10 * np.c_[np.cos(angles), np.sin(angles)]
    X = np.vstack([rng.normal(c, spread, size=(n_per, 2)) for c in centers])
    return X, np.repeat(np.arange(k), n_per)


def text_frame(X: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Cells as text, like read_table returns."""
    return pd.DataFrame({n: [f"{v:.6f}" for v in X[:, j]] for j, n in enumerate(names)})


# ---------------------------------------------------------------------------------------------- sweep


@pytest.fixture(scope="module")
def four_blob_sweep():
    X, _ = polygon_blobs(4, n_per=40)
    scaled = StandardScaler().fit_transform(X)
    return scaled, sweep_k(scaled, 2, 6, seed=0)


def test_sweep_has_the_extra_indices(four_blob_sweep):
    scaled, result = four_blob_sweep
    assert list(result.table.columns) == ["k", "wcss", "silhouette"]  # unchanged
    indices = result.indices
    assert list(indices.columns) == ["k", "calinski_harabasz", "davies_bouldin", "smallest_share", "largest_share",
                                     "stability"]
    assert indices["k"].tolist() == result.table["k"].tolist() == list(range(1, 7))
    first = indices.iloc[0]
    assert np.isnan(first["calinski_harabasz"]) and np.isnan(first["davies_bouldin"])
    assert first["smallest_share"] == 1.0 and first["largest_share"] == 1.0 and np.isnan(first["stability"])
    assert indices.iloc[1:, 1:].notna().all().all()
    for k in (2, 4, 5):
        ref = KMeans(n_clusters=k, n_init=10, random_state=0).fit(scaled)
        row = indices[indices["k"] == k].iloc[0]
        assert row["calinski_harabasz"] == pytest.approx(calinski_harabasz_score(scaled, ref.labels_), rel=1e-9)
        assert row["davies_bouldin"] == pytest.approx(davies_bouldin_score(scaled, ref.labels_), rel=1e-9)
        assert row["smallest_share"] == pytest.approx(np.bincount(ref.labels_).min() / len(scaled))
        assert row["largest_share"] == pytest.approx(np.bincount(ref.labels_).max() / len(scaled))
    # four equal blobs: every cluster holds a quarter at k=4; the indices peak there
    assert indices.loc[indices["k"] == 4, "smallest_share"].item() == pytest.approx(0.25)
    assert indices.loc[indices["calinski_harabasz"].idxmax(), "k"] == 4
    assert indices.loc[indices["davies_bouldin"].idxmin(), "k"] == 4
    # the true k is perfectly stable under resampling; a k that cuts a blob in two is not
    assert indices.loc[indices["k"] == 4, "stability"].item() > 0.99
    assert indices.loc[indices["k"] == 5, "stability"].item() < 0.9
    full = result.full_table()
    assert list(full.columns) == ["k", "wcss", "silhouette", "calinski_harabasz", "davies_bouldin",
                                  "smallest_share", "largest_share", "stability"]
    pd.testing.assert_frame_equal(full[["k", "wcss", "silhouette"]], result.table)


def test_sweep_indices_use_the_same_sample(monkeypatch):
    X, _ = polygon_blobs(4, n_per=50)  # 200 rows
    scaled = StandardScaler().fit_transform(X)
    monkeypatch.setattr(selection, "SWEEP_MAX_ROWS", 100)
    result = sweep_k(scaled, 2, 5, seed=3)
    rng = np.random.default_rng(3)
    sample = scaled[np.sort(rng.choice(200, size=100, replace=False))]
    ref = KMeans(n_clusters=3, n_init=10, random_state=3).fit(sample)
    row = result.indices[result.indices["k"] == 3].iloc[0]
    assert row["calinski_harabasz"] == pytest.approx(calinski_harabasz_score(sample, ref.labels_), rel=1e-9)
    assert row["smallest_share"] == pytest.approx(np.bincount(ref.labels_).min() / 100)
    shares = result.indices["smallest_share"].to_numpy() * 100
    assert np.allclose(shares, np.round(shares))  # shares of the 100 sampled rows, not of all 200


# ------------------------------------------------------------------------------------------ recommend


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_recommend_k_finds_the_true_number_of_blobs(k):
    X, _ = polygon_blobs(k, n_per=50, seed=k)
    sweep = sweep_k(StandardScaler().fit_transform(X), 2, 8, seed=0)
    rec = recommend_k(sweep, len(X))
    assert rec.k == k
    assert rec.best_silhouette == rec.best_calinski == rec.best_davies == k
    # the k is said once: "Recommended: k=N." comes first wherever the reason is shown
    assert rec.reason[0].isupper() and not rec.reason.startswith(f"k={k}")
    assert f"each hold {round(100 / k)}% of customers" in rec.reason  # equal segments: not "hold 20% to 20%"
    assert rec.warnings == []


def test_recommend_k_sets_aside_a_tiny_cluster():
    X, _ = polygon_blobs(4, n_per=200)
    tiny = np.random.default_rng(5).normal((0, 0), 0.3, size=(8, 2))  # 1% of the customers, at the centre
    X = np.vstack([X, tiny])
    sweep = sweep_k(StandardScaler().fit_transform(X), 2, 8, seed=0)
    assert sweep.indices.loc[sweep.indices["k"] == 5, "smallest_share"].item() < 0.02
    loose = recommend_k(sweep, len(X), tiny_share=0.005, useful_share=0.005)  # the small group is allowed: k=5 gets votes
    assert loose.votes == {"elbow": 4, "silhouette": 4, "calinski_harabasz": 5, "davies_bouldin": 5}
    assert loose.k == 4 and "disagree" in loose.reason  # two against two: the better silhouette wins
    rec = recommend_k(sweep, len(X))
    assert rec.k == 4
    assert "k=5" in rec.reason and "1%" in rec.reason
    assert any(w.startswith("At k=5 one segment would hold only 1%") for w in rec.warnings)


def made_up_sweep(sil, ch, db, share, elbow, k_min=2):
    """A SweepResult for k = 1..len(sil)+1 with the given values for k >= 2."""
    ks = list(range(1, len(sil) + 2))
    table = pd.DataFrame({"k": ks, "wcss": np.linspace(100, 10, len(ks)), "silhouette": [np.nan, *sil]})
    indices = pd.DataFrame({"k": ks, "calinski_harabasz": [np.nan, *ch], "davies_bouldin": [np.nan, *db],
                            "smallest_share": [1.0, *share]})
    return SweepResult(table, elbow, k_min, ks[-1], None, indices)


OK_SHARES = [0.4, 0.3, 0.2, 0.15, 0.1, 0.08]  # k = 2..7


def test_recommend_k_majority_vote():
    sweep = made_up_sweep(sil=[0.5, 0.6, 0.7, 0.6, 0.5, 0.4], ch=[10, 20, 30, 40, 50, 45],
                          db=[0.9, 0.8, 0.5, 0.6, 0.7, 0.8], share=OK_SHARES, elbow=4)
    rec = recommend_k(sweep, 1000)
    assert (rec.k, rec.elbow, rec.best_silhouette, rec.best_calinski, rec.best_davies) == (4, 4, 4, 6, 4)
    assert rec.votes == {"elbow": 4, "silhouette": 4, "calinski_harabasz": 6, "davies_bouldin": 4}
    assert rec.reason == ("The elbow, the silhouette and Davies-Bouldin point to it "
                          "(Calinski-Harabasz prefers k=6).")
    assert rec.warnings == []


def test_when_every_measure_chooses_another_k_the_middle_choice_wins():
    """Found from outside (the telco export on tenure and charges): the four measures chose 2, 3, 4 and 10,
    and the silhouette's k=2 won, as the silhouette's choice always did when every measure chose another k
    (it leans to few segments: every real file tried was recommended k=2). k=4 separates as well (0.47
    against 0.48), holds under resampling and is the middle choice: tenure and charges' four corners."""
    sweep = made_up_sweep(sil=[0.4789, 0.4542, 0.4696, 0.4412, 0.4354, 0.4300, 0.4285, 0.4343, 0.4368],
                          ch=[8257.9, 8489.0, 9581.5, 10165.0, 10175.2, 10171.2, 10371.3, 10532.2, 10886.6],
                          db=[0.7801, 0.8537, 0.7082, 0.7584, 0.7743, 0.8248, 0.7927, 0.7779, 0.7471],
                          share=[0.336, 0.305, 0.165, 0.134, 0.109, 0.106, 0.091, 0.077, 0.070], elbow=3)
    rec = recommend_k(sweep, 7032)
    assert rec.votes == {"elbow": 3, "silhouette": 2, "calinski_harabasz": 10, "davies_bouldin": 4}
    assert rec.k == 4
    assert rec.reason.startswith("The measures disagree (the elbow k=3; the silhouette k=2; Calinski-Harabasz k=10; "
                                 "Davies-Bouldin k=4); of the two in the middle of their choices, k=4 has the "
                                 "better-separated segments (silhouette 0.47, against 0.45 at k=3)."), rec.reason
    # three measures (the sweep has no Davies-Bouldin), each choosing another k: the middle one
    del_db = made_up_sweep(sil=[0.5, 0.45, 0.4, 0.35, 0.3, 0.25], ch=[1, 2, 3, 4, 5, 9], db=[np.nan] * 6,
                           share=OK_SHARES, elbow=4)
    three = recommend_k(del_db, 1000)
    assert three.votes == {"elbow": 4, "silhouette": 2, "calinski_harabasz": 7} and three.k == 4
    assert "k=4 is the middle of their choices" in three.reason


@pytest.mark.parametrize("elbow,ch_best,db_best,expected", [
    (3, 6, 4, 5),  # four different votes (3, 4, 5, 6): of the middle two, the better silhouette
    (3, 3, 5, 5),  # two against two: the pair with the better silhouette wins
    (5, 5, 5, 5),  # unanimous
])
def test_recommend_k_ties_go_to_the_best_silhouette(elbow, ch_best, db_best, expected):
    ch = [100.0] * 6
    ch[ch_best - 2] = 200.0
    db = [1.0] * 6
    db[db_best - 2] = 0.5
    sweep = made_up_sweep(sil=[0.5, 0.55, 0.6, 0.7, 0.5, 0.4], ch=ch, db=db, share=OK_SHARES, elbow=elbow)
    rec = recommend_k(sweep, 1000)
    assert rec.k == expected
    if len({elbow, ch_best, db_best, 5}) == 4:
        assert "disagree" in rec.reason
    if expected == elbow == ch_best == db_best:
        assert rec.reason.startswith("All four measures agree")


def test_recommend_k_never_picks_a_tiny_cluster_when_there_is_another_k():
    # k=5 wins on every measure, but its smallest cluster holds 1.5%
    share = [0.4, 0.3, 0.2, 0.015, 0.01, 0.01]
    sweep = made_up_sweep(sil=[0.5, 0.6, 0.65, 0.8, 0.5, 0.4], ch=[10, 20, 30, 90, 50, 45],
                          db=[0.9, 0.8, 0.6, 0.3, 0.7, 0.8], share=share, elbow=5)
    rec = recommend_k(sweep, 1000)
    assert rec.k == 4
    assert (rec.best_silhouette, rec.best_calinski, rec.best_davies) == (5, 5, 5)  # what each index prefers
    assert set(rec.votes.values()) == {4}  # voting among k = 2..4; the elbow moves to the nearest, 4
    assert "k=5 (preferred by the elbow, the silhouette, Calinski-Harabasz and Davies-Bouldin) was set aside" \
        in rec.reason and "1.5%" in rec.reason
    assert rec.warnings == ["At k=5 one segment would hold only 1.5% of customers (about 15)."]
    # every k has a tiny cluster: recommend anyway, and say so
    sweep = made_up_sweep(sil=[0.5, 0.6, 0.65, 0.8, 0.5, 0.4], ch=[10, 20, 30, 90, 50, 45],
                          db=[0.9, 0.8, 0.6, 0.3, 0.7, 0.8], share=[0.01] * 6, elbow=5)
    rec = recommend_k(sweep, 1000)
    assert rec.k == 5
    assert rec.warnings[0].startswith("At k=5 the smallest segment holds only 1% of customers (about 10)")
    assert any(w.startswith("At k=4 one segment") for w in rec.warnings)
    assert any(w.startswith("At k=6 one segment") for w in rec.warnings)


def test_recommend_k_mentions_a_tiny_next_cluster_and_other_warnings():
    share = [0.4, 0.3, 0.2, 0.012, 0.01, 0.01]  # k=5 would add a 1.2% segment
    sweep = made_up_sweep(sil=[0.1, 0.15, 0.2, 0.18, 0.1, 0.1], ch=[10, 20, 30, 20, 15, 10],
                          db=[0.9, 0.8, 0.6, 0.7, 0.8, 0.9], share=share, elbow=4)
    rec = recommend_k(sweep, 30)
    assert rec.k == 4
    assert rec.reason == ("All four measures agree (the elbow, the silhouette, Calinski-Harabasz and "
                          "Davies-Bouldin); k=5 adds a segment of only 1.2% of customers.")
    text = " ".join(rec.warnings)
    assert "Only 30 customers for 4 segments" in text
    assert "weakly separated (silhouette 0.20 at k=4)" in text
    assert recommend_k(sweep, 5000).warnings == ["At k=5 one segment would hold only 1.2% of customers (about 60).",
                                                 rec.warnings[-1]]


def _paren_depth(text: str) -> int:
    """How deeply parentheses nest in a text (1 for "(a) (b)", 2 for "(a (b))")."""
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


def test_recommend_k_at_the_largest_k_tried_says_the_scores_keep_improving():
    # every score is best at k=7, the end of the range; the elbow is at 4
    sweep = made_up_sweep(sil=[0.3, 0.35, 0.4, 0.42, 0.45, 0.5], ch=[10, 20, 30, 40, 50, 60],
                          db=[1.2, 1.1, 1.0, 0.9, 0.8, 0.7], share=OK_SHARES, elbow=4)
    rec = recommend_k(sweep, 1000)
    assert (rec.k, rec.at_edge) == (7, True)
    assert rec.reason.startswith(
        "It is the largest k tried: the silhouette, Calinski-Harabasz and Davies-Bouldin keep improving up to "
        "it, so no best number of segments shows in this range; try the elbow's k=4 for fewer, broader "
        "segments, or more than 7 segments if you need finer groups."), rec.reason
    assert "point to it" not in rec.reason and "agree" not in rec.reason
    # a best k inside the range is a found optimum, said as before
    inside = made_up_sweep(sil=[0.3, 0.35, 0.6, 0.42, 0.45, 0.5], ch=[10, 20, 90, 40, 50, 60],
                           db=[1.2, 1.1, 0.5, 0.9, 0.8, 0.7], share=OK_SHARES, elbow=4)
    assert not recommend_k(inside, 1000).at_edge


def test_recommend_k_on_mall_like_data_with_a_uniform_age_is_at_the_edge():
    frame, _ = generate_demo(500, seed=2025)
    frame["Age"] = np.random.default_rng(1).integers(18, 71, len(frame))  # no groups in age: it slices evenly
    X = StandardScaler().fit_transform(frame[[AGE, INCOME, SPENDING]].to_numpy(float))
    rec = recommend_k(sweep_k(X, 2, 10, seed=0), len(X))
    assert (rec.k, rec.at_edge) == (10, True)
    assert rec.reason.startswith("It is the largest k tried: ") and "keep improving up to it" in rec.reason
    assert f"try the elbow's k={rec.elbow}" in rec.reason
    assert _paren_depth(rec.reason) <= 1, rec.reason


def test_recommend_k_reason_never_nests_parentheses():
    # the elbow's k=5 is set aside (a 1% segment): the reason quotes it and the nearest k kept
    share = [0.4, 0.3, 0.2, 0.01, 0.1, 0.08]
    sweep = made_up_sweep(sil=[0.5, 0.7, 0.6, 0.9, 0.55, 0.4], ch=[10, 20, 30, 90, 50, 60],
                          db=[0.5, 0.8, 0.6, 0.3, 0.7, 0.8], share=share, elbow=5)
    rec = recommend_k(sweep, 1000)
    assert rec.k == 3 and "disagree" in rec.reason
    assert "(the elbow k=5, nearest k kept 4; the silhouette k=3; Calinski-Harabasz k=7; Davies-Bouldin k=2)" \
        in rec.reason, rec.reason
    assert _paren_depth(rec.reason) == 1, rec.reason


def test_recommend_k_without_the_extra_indices():
    table = pd.DataFrame({"k": [1, 2, 3, 4, 5], "wcss": [100.0, 50, 20, 15, 12],
                          "silhouette": [np.nan, 0.5, 0.7, 0.6, 0.55]})
    sweep = SweepResult(table, 3, 2, 5, None)  # built the old way: no indices
    assert sweep.full_table()["davies_bouldin"].isna().all()
    rec = recommend_k(sweep, 500)
    assert (rec.k, rec.best_calinski, rec.best_davies) == (3, None, None)
    assert rec.votes == {"elbow": 3, "silhouette": 3}
    assert rec.reason == "The elbow and the silhouette agree."


# --------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize("name,short", [
    ("Annual Income (k$)", "income"),
    ("Spending Score (1-100)", "spending"),
    ("Age", "age"),
    ("AnnualIncome", "income"),
    ("total_spend_amount", "spend"),
    ("Avg Score", "avg score"),  # nothing but generic words: kept
    ("Visits [per month]", "visits"),
    ("num_orders", "orders"),
    # a rate or window in time says when, not what: dropped whole, never leaving "returns year"
    ("Returns per year", "returns"),
    ("Visits per month", "visits"),
    ("Tenure in months", "tenure"),
    ("Contacts_Count_12_mon", "contacts"),
    ("Income per year (k$)", "income"),
    ("Income k$", "income"),  # a unit outside brackets
    # found from outside (a Salesforce accounts report): "Total Won Amount" named segments "High won"
    ("Total Won Amount", "deals won"), ("Lost Amount", "deals lost"), ("Opportunities Won", "opportunities won"),
    # a joining word between two kept words is kept, so the name stays grammatical
    ("Revenue per visit", "revenue per visit"),
    ("Spend in store", "spend in store"),
    ("Orders per customer per year", "orders"),  # every column of a customer file is per customer
    ("Revenue per store visit", "revenue per store visit"),
    ("Number of purchases", "purchases"),
    ("Months_on_book", "months on book"),
    # found from outside (a Klaviyo export): "Historic Number Of Orders" read "historic of orders", its "of" kept
    # once "number" was gone (a joining word stays only right after a kept word), and "historic" says only when
    ("Historic Number Of Orders", "orders"), ("Amount of time on site", "time on site"),
    # "customer" / "client" says whose, which every column of a customer file is: dropped
    ("Customer_Age", "age"),
    ("CustomerLifetimeValue", "lifetime value"),
    ("client_tenure", "tenure"),
    ("Customers", "customers"),  # nothing else left: kept
    # found from outside: a German export's segments read "High anzahl bestellungen" ("number of orders"); the
    # generic words, time units and joining words of German, French and Spanish exports are dropped too
    ("Anzahl Bestellungen", "bestellungen"), ("Umsatz pro Jahr", "umsatz"), ("Bestellungen je Monat", "bestellungen"),
    ("Nombre de commandes", "commandes"), ("Commandes par mois", "commandes"), ("Kunden Alter", "alter"),
    # found from outside (a loyalty export of 20,000 members): "Spend Meat 12m" named a segment "High spend meat
    # 12m"; a window written as one word, or as "last 12 months", says when, not what
    ("Spend Meat 12m", "spend meat"), ("Spend_L12M", "spend"), ("visits_last_90d", "visits"),
    ("Revenue YTD", "revenue"), ("Net Sales LTM", "net sales"), ("Sales FY24", "sales"),
    ("Spend last 12 months", "spend"), ("Sales past 3 months", "sales"), ("Purchases in the last 90 days", "purchases"),
    ("Spend last month", "spend"),
    # "last" that is not a window stays; a window alone stays as written
    ("Days since last order", "days since last order"), ("last_order_days", "last order"), ("12m", "12m"),
])
def test_short_feature_name(name, short):
    assert short_feature_name(name) == short


@pytest.mark.parametrize("name,short", [
    ("How likely are you to recommend us to a friend?", "recommendation"),
    ("How satisfied are you with the delivery speed?", "delivery speed satisfaction"),
    # found from outside: a survey's segments were named "High many times order"; a counting question says what it
    # counts
    ("How many times did you order from us in the last 12 months?", "orders"),
    ("How often do you visit our store?", "store visits"), ("Q5. How often do you shop online?", "online shopping trips"),
    ("How many products did you buy last month?", "products"), ("How many people live in your household?", "people"),
    ("How long have you been a customer?", "tenure"), ("How long have you been a member of our club?", "tenure"),
    ("Q1. How satisfied are you with our service? (1-5)", "service satisfaction"),
    ("How would you rate our customer support?", "support"),
    ("On a scale of 1-5, how easy was it to find what you needed?", "easy find needed"),
    ("Overall, how satisfied are you?", "satisfaction"),
    ("Q7", "Q7"),  # a question's number alone stays its name, as written
    # found from outside: a Qualtrics export's matrix questions Q5_1 and Q5_2 named the segments "High 1"
    ("Q5_1", "Q5_1"), ("q12b", "q12b"),
    # found from outside: a Qualtrics export's matrix question named its segments "Low rate following price"
    ("Rate the following - Price", "price rating"), ("Please rate our staff - Friendliness", "friendliness rating"),
    ("How satisfied are you with the following? - Delivery speed", "delivery speed satisfaction"),
    ("Q4_support", "support"), ("Q12b Store staff", "store staff"),  # a battery's numbered topics
    ("MntGoldProds", "gold products"),  # (the marketing-campaign export's spend columns)
])
def test_a_survey_questions_short_name_keeps_what_it_asks_about(name, short):
    """Found from outside: a survey export's columns are its questions, and the segments were named "Low q1 how
    satisfied are you with our" (the question cut at 40 characters). A question's words that ask rather than say
    what is rated (how, are you, to, our...) are dropped; "satisfied" reads "satisfaction", after what it rates.
    A question's number before its topic is dropped too ("Q4_support"; two such names alike keep their numbers)."""
    assert short_feature_name(name) == short
    assert name_segments(np.array([[1.0, 0.0], [0.0, -1.0]]), ["Q1 revenue", "Q2 revenue"]) == [
        "High Q1 revenue", "Low Q2 revenue"]


def test_abbreviations_stay_in_capitals_in_segment_names():
    """Found from outside (a SaaS accounts export): "MRR ($)" and "NPS" named segments "High mrr · High seats"
    and "Very low nps". An abbreviation the header writes in capitals, or a known one (NPS, LTV...) whatever
    its case, stays in capitals; a header written all in capitals is read as words ("MEMBER_RATING")."""
    z = np.array([[1.0, 0.8, 0.0, 0.0], [-1.0, -0.8, 0.0, 0.0]])
    assert name_segments(z, ["MRR ($)", "nps", "Seats", "Logins"]) == ["High MRR · High NPS", "Low MRR · Low NPS"]
    # a call-centre export's handle time and an ad platform's click-through rate, headers in capitals
    assert name_segments(z, ["AHT", "CTR", "Seats", "Logins"]) == ["High AHT · High CTR", "Low AHT · Low CTR"]
    assert name_segments(np.array([[1.6], [-1.0]]), ["Customer LTV"]) == ["Very high LTV", "Low LTV"]
    assert name_segments(np.array([[1.0], [-1.0]]), ["MEMBER_RATING"]) == ["High member rating", "Low member rating"]
    assert name_segments(np.array([[1.0], [-1.0]]), ["NumWebVisitsMonth"]) == ["High web visits", "Low web visits"]
    assert name_segments(np.array([[1.0], [-1.0]]), ["Last Login (days since)"]) == [
        "Long-ago last login", "Recent last login"]


def test_the_scatter_opens_on_the_features_that_keep_the_segments_apart():
    """The strongest feature across; up, the second strongest unless it leaves segments on top of each other that
    another keeps apart (found from outside: purchases and spend, both telling the payers from the rest, drew
    94% of a game's players on one point)."""
    features = ["sessions", "purchases", "spend"]
    centers = np.array([[0.6, -0.3, -0.3], [-0.9, -0.3, -0.3], [0.8, 3.5, 3.4]])  # engaged, casual, payers
    assert scatter_features(["purchases", "spend", "sessions"], features, centers) == ["purchases", "sessions"]
    # the second strongest leaves no more segments on top of each other than another would: it stays
    apart = np.array([[0.0, 1.0, -1.0], [1.0, -1.0, 1.0], [-1.0, 0.0, 0.0]])
    assert scatter_features(["purchases", "spend", "sessions"], features, apart) == ["purchases", "spend"]
    both_hide_a_pair = np.array([[0.0, 0.0, 0.0], [0.1, 0.3, 0.2], [2.0, -2.0, 2.0]])
    assert scatter_features(["purchases", "spend", "sessions"], features, both_hide_a_pair) == ["purchases", "spend"]
    # features the ranking leaves out come after it; one feature, or one segment, gives what there is
    assert scatter_features([], features, centers) == ["sessions", "purchases"]
    assert scatter_features(["spend"], ["spend"], np.array([[0.0], [1.0]])) == ["spend"]
    assert scatter_features(["spend", "sessions"], ["sessions", "spend"], np.zeros((1, 2))) == ["spend", "sessions"]


def test_a_game_export_opens_its_report_scatter_on_purchases_against_sessions():
    frame = read_table(players_csv()).frame
    seg = segment_new(frame, ["sessions", "purchases", "total_spend_usd"], k=3, seed=0,
                      transforms={"sessions": "log", "purchases": "log", "total_spend_usd": "log"})
    assert sorted(np.round(seg.sizes() / seg.sizes().sum(), 1)) == [0.1, 0.4, 0.5]
    drivers = profile(seg, frame, []).drivers
    assert set(drivers["feature"][:2]) == {"purchases", "total_spend_usd"}  # the payers' two, strongest
    page = render_report("players.csv", frame, seg)
    assert re.search(r"the two features that set the segments furthest apart, (purchases|total_spend_usd) and "
                     r"sessions", page), re.findall(r"Customers on [^:]*", page)


def test_a_currency_code_in_a_name_is_a_unit_not_a_word():
    """Found from outside (a mobile game's player export): "total_spend_usd" named a segment "Very high spend
    USD". A currency code in a header is its unit, like "($)": dropped when another word remains."""
    assert short_feature_name("total_spend_usd") == "spend"
    assert short_feature_name("Revenue EUR") == "revenue"
    assert short_feature_name("gbp_ltv") == "ltv"
    assert short_feature_name("USD") == "usd"  # nothing else to say
    assert short_feature_name("Retry count") == "retries"  # (a word, not Turkey's lira, TRY; a count of them)
    assert short_feature_name("Try outs") == "try outs"
    assert name_segments(np.array([[1.6], [-1.0]]), ["total_spend_usd"]) == ["Very high spend", "Low spend"]


def test_segment_names_of_rate_features_read_as_written():
    features = ["Returns per year", "Revenue per visit", "Tenure in months"]
    z = np.array([[-1.0, 0.7, 0.0], [0.0, -0.8, 1.2], [0.9, 0.0, -0.6]])
    assert name_segments(z, features) == ["Low returns · High revenue per visit",
                                          "High tenure · Low revenue per visit", "High returns · Low tenure"]


def test_name_segments_rules():
    features = [INCOME, SPENDING, AGE]
    z = np.array([
        [1.0, -0.7, 0.1],    # two distinctive features, most distinctive first
        [0.49, -0.49, 0.0],  # nothing reaches 0.5 SD
        [2.0, 0.1, -1.6],    # very high / much younger
        [-0.6, 1.5, 0.8],    # the third distinctive feature is left out
        [0.0, 0.0, 0.5],     # age reads older/younger
    ])
    assert name_segments(z, features) == [
        "High income · Low spending",
        AVERAGE_NAME,
        "Very high income · Much younger",
        "Very high spending · Older",
        "Older",
    ]


def test_segments_with_the_same_traits_in_another_order_are_told_apart():
    """Found from outside: a shop's 100,000 customers, the buyers split by age alone. The two buyer segments were
    named "High orders · High spending" and "High spending · High orders": the same two traits (ranked a hair
    apart), so the names differed as text and nothing told the segments apart, although one was 31 years older.
    Names with the same traits clash whatever their order: the shared traits read in one order, then the
    trait that tells them apart."""
    features = ["Age", "Total Orders", "Total Spent"]
    z = np.array([[0.9, 0.62, 0.61], [-0.9, 0.61, 0.62], [0.0, -1.2, -1.3]])
    indices = np.array([[132.0, 143.0, 142.0], [68.0, 142.0, 143.0], [100.0, 0.0, 0.0]])
    none = np.array([[False] * 3, [False] * 3, [False, True, True]])
    assert name_segments(z, features, indices, none) == [
        "High orders · High spending · Older", "High orders · High spending · Younger", "No orders · No spending"]
    # with no trait left to tell them apart, they are numbered, their traits in the same order
    assert name_segments(z[:2, 1:], features[1:], indices[:2, 1:]) == [
        "High orders · High spending (1)", "High orders · High spending (2)"]


def test_a_clash_with_no_room_left_makes_room_with_the_shared_traits():
    """Two segments of eight features differed by their newsletter clicks alone (z -0.25 and +0.92): both read
    "High returns · Low basket value · Older", the next traits, shared, too long to add, so they were numbered
    "(1)" and "(2)". The trait that tells one apart takes the place of the weaker shared ones."""
    features = ["Age", "Basket value", "Returns per year", "Visits per month", "Newsletter clicks"]
    z = np.array([[0.94, -0.91, 1.05, 0.94, -0.25], [0.94, -0.93, 1.06, 0.96, 0.92]])
    indices = np.array([[149.6, 43.2, 161.5, 140.6, 90.3], [149.6, 41.8, 161.8, 141.1, 135.7]])
    assert name_segments(z, features, indices) == ["High returns · Low basket value · Older",
                                                   "High returns · High newsletter clicks"]


def test_average_segments_are_told_apart_by_their_weaker_traits():
    """Found from outside (a marketing-campaign export of 2,240 customers, six spend columns taken the log of): k=2
    split the customers by what they spend, wine 55 and 146 against the average, but every trait stayed under
    0.5 SD in log units, so both segments read "Average customers (1)" and "(2)". Segments that clash with nothing
    stronger to tell them apart are named by their traits from 0.25 SD, in comparatives."""
    features = ["Year_Birth", "Income", "MntWines", "MntFishProducts", "NumDealsPurchases"]
    z = np.array([[-0.04, -0.03, -0.41, -0.40, 0.10], [0.04, 0.03, 0.43, 0.42, -0.11]])
    indices = np.array([[np.nan, 99.0, 55.3, 53.8, 106.6], [np.nan, 101.0, 146.1, 147.5, 93.2]])
    assert name_segments(z, features, indices) == ["Lower fish products · Lower wines",  # (fish 46 from 100)
                                                   "Higher fish products · Higher wines"]
    # ages and dates keep their own words
    assert name_segments(np.array([[0.3], [-0.3]]), ["Age"]) == ["Slightly older", "Slightly younger"]
    # a lone average segment stays "Average customers"; weaker traits only tell clashing names apart
    assert name_segments(np.array([[1.0, 0.0], [0.0, 0.3]]), ["Income", "Spend"]) == ["High income", AVERAGE_NAME]


def test_refunds_written_as_negatives_read_by_their_size():
    """Found from outside (a shop of 10^6 customers, refunds written as negative amounts): the segment of the
    customers with the largest refunds (-26.39 against -0.27) was named "Very low refunds · High orders", which a
    marketer reads as few refunds. A feature that is never above zero is named by its size: "Very high refunds",
    and the customers with none read "No refunds"."""
    rng = np.random.default_rng(2)
    rows = 6_000
    refunder = rng.random(rows) < 0.15
    frame = pd.DataFrame({
        "Orders": rng.poisson(4, rows) + 1,
        "Refunds": np.where(refunder, -rng.lognormal(3.3, 0.4, rows).round(2), 0.0),
    }).astype(str)
    seg = segment_new(frame, ["Orders", "Refunds"], 2, seed=0)
    by_size = dict(zip(seg.summary()["Refunds"].round(2), seg.segment_names))
    assert by_size[min(by_size)].startswith("Very high refunds"), by_size  # (the others: "Average customers")
    # a segment without refunds among customers who have them reads "No refunds"
    from core.insight.naming import negative_only, none_of
    from core.stats import FeatureStats

    X = np.array([[0.0]] * 199 + [[-1.0]] + [[-5.0], [-20.0], [-8.0]])  # one small refund among 200 customers
    labels = np.array([0] * 200 + [1, 1, 1])
    stats = FeatureStats.of(X, labels, 2)
    assert negative_only(X, stats).tolist() == [True]
    assert none_of(X, labels, stats, negative_only(X, stats))[:, 0].tolist() == [True, False]
    assert not none_of(X, labels, stats).any()  # (read as written, a mean below zero was never "none")


@pytest.mark.parametrize(("name", "short"), [("Payment Count", "payments"), ("visit_count", "visits"),
                                             ("Delivery Count", "deliveries"), ("Box Count", "boxes"),
                                             ("num_children", "children"), ("Number of Orders", "orders"),
                                             ("Total Spend", "spend")])
def test_a_counts_name_reads_as_the_things_counted(name: str, short: str):
    """Found from outside (a Stripe customers export): 'Payment Count' named segments "High payment", which reads as
    the size of a payment; a count's name reads as the things counted, "High payments"."""
    assert short_feature_name(name) == short


def test_a_balance_below_zero_is_named_by_its_value_not_its_size():
    """Found from outside (a Stripe customers export): the customers holding a credit, 'Account Balance' -27.33
    against -0.01 for everyone else, were named "Very high account balance": a column never above zero was read as
    refunds written as negatives whatever its name. Only a column named for money going back (refunds, returns,
    discounts, chargebacks) is named by its size; a balance reads "Very low account balance"."""
    rng = np.random.default_rng(3)
    rows = 6_000
    credit = rng.random(rows) < 0.1
    frame = pd.DataFrame({
        "Orders": rng.poisson(4, rows) + 1,
        "Account Balance": np.where(credit, -rng.lognormal(3.3, 0.4, rows).round(2), 0.0),
    }).astype(str)
    seg = segment_new(frame, ["Orders", "Account Balance"], 2, seed=0)
    by_balance = dict(zip(seg.summary()["Account Balance"].round(2), seg.segment_names))
    assert by_balance[min(by_balance)].startswith("Very low account balance"), by_balance


def test_recency_in_days_reads_recent_and_long_ago():
    """Found from outside (the marketing-campaign export's Recency, and our own `segments rfm` table's recency_days):
    days since the last purchase named segments "High recency", which a marketer reads as having bought lately,
    the opposite of what it meant. Recency and "days since ..." read "Recent ..." / "Long-ago ..."."""
    z = np.array([[1.6, 0.0], [-0.8, 0.9]])
    assert name_segments(z, ["recency_days", "monetary"]) == ["Very long-ago purchase", "High spending · Recent purchase"]
    assert name_segments(z[:, :1], ["Days since last order"]) == ["Very long-ago last order", "Recent last order"]


def test_a_date_named_for_what_was_done_reads_recently_and_long_ago_after_it():
    """Found from outside (an Intercom export's "Signed up (your timezone)" and "Last seen (your timezone)",
    offered as days since): segments were named "Recent signed up" and "Long-ago last seen", as a Django
    export's "Date Joined" was "Recent date joined". A date whose name says what was done reads "Signed up
    recently", "Last seen very long ago", "Joined longer ago"; one that names a thing still reads "Recent last
    order"."""
    z = np.array([[1.6, 0.0, 0.6], [-0.8, 0.9, 0.0], [0.3, -0.6, -0.9], [0.0, 0.0, 1.7]])
    assert name_segments(z, ["Last seen (your timezone) (days since)", "Signed up (your timezone) (days since)",
                             "Monthly Spend"]) == [
        "Last seen very long ago · High spend", "Signed up long ago · Last seen recently",
        "Low spend · Signed up recently", "Very high spend"]
    assert name_segments(z, ["Date Joined (days since)", "Last Order Date (days since)", "created_at (days since)"]) == [
        "Joined very long ago · Created long ago", "Long-ago last order · Joined recently",
        "Created recently · Recent last order", "Created very long ago"]
    weak = np.array([[0.3, 1.0], [-0.3, 1.0]])  # told apart by a weaker trait
    assert name_segments(weak, ["Last Active (days since)", "Orders"]) == [
        "High orders · Last active longer ago", "High orders · Last active more recently"]


def test_traits_at_one_level_that_share_a_word_say_it_once():
    """Found from outside: the marketing-campaign file's strongest segment was named "High web purchases", its
    store purchases left out because "High web purchases · High store purchases" was too long, and a loyalty
    export's "High spend toys · High visits toys" said its level and category twice. Traits side by side at the
    same level whose nouns share a word say both once; other traits keep their own."""
    z = np.array([[1.0, 0.9, 0.0], [-1.0, -0.8, 0.2], [0.0, 0.1, 1.8], [-0.2, 0.0, -1.6]])
    assert name_segments(z, ["NumWebPurchases", "NumStorePurchases", "MntWines"]) == [
        "High web & store purchases", "Low web & store purchases", "Very high wines", "Very low wines"]
    assert name_segments(z, ["Toys Spend", "Toys Visits", "Books Spend"])[:2] == [
        "High toys spend & visits", "Low toys spend & visits"]
    three = np.array([[1.0, 0.9, 0.8], [-1.0, -1.2, -0.9]])
    assert name_segments(three, ["NumWebPurchases", "NumStorePurchases", "NumCatalogPurchases"]) == [
        "High web & store purchases", "Low store & web purchases"]
    # another level, or nothing shared: two traits as before
    mixed = np.array([[1.7, 0.8], [-0.9, 0.0]])
    assert name_segments(mixed, ["Web Orders", "Store Orders"]) == [
        "Very high web orders · High store orders", "Low web orders"]
    assert name_segments(np.array([[1.0, 0.9], [-1.0, -0.8]]), ["Income", "Spending"]) == [
        "High income · High spending", "Low income · Low spending"]
    # dates read before their noun share it too
    days = np.array([[-1.0, -0.9], [1.0, 0.8]])
    assert name_segments(days, ["Last Order Date (days since)", "Last Login (days since)"]) == [
        "Recent last order & login", "Long-ago last order & login"]


def test_a_segment_with_none_of_what_few_have_says_so():
    """Found from outside (a HubSpot export, "Total Revenue" blank for the 87% of contacts who never bought,
    counted as 0): the two segments of non-buyers were named "Older" and "Younger". Their revenue of 0 was only
    0.4 standard deviations below the average (which the 13% of buyers lift), short of a named trait. None at all
    is named from the weaker level on; a weak low that is not none stays unnamed."""
    z = np.array([[0.8, -0.39], [-0.9, -0.39], [0.1, 2.6]])
    none = np.array([[False, True], [False, True], [False, False]])
    assert name_segments(z, ["Age", "Total Revenue"], none=none) == [
        "Older · No revenue", "Younger · No revenue", "Very high revenue"]
    assert name_segments(z, ["Age", "Total Revenue"]) == ["Older", "Younger", "Very high revenue"]
    index = np.array([[133.0, 0.0], [68.0, 0.0], [100.0, 660.0]])  # the profile's indices rank the none first
    assert name_segments(z, ["Age", "Total Revenue"], index, none) == [
        "No revenue · Older", "No revenue · Younger", "Very high revenue"]


def test_an_rfm_tables_frequency_and_monetary_read_as_orders_and_spending():
    """Found from outside (a 12-month window of a shop's orders, `segments rfm --window 12`): the customers with no
    purchase in the window were named "Long-ago purchase · No monetary" ("monetary" is an adjective: it said
    nothing to a marketer). The RFM table's monetary value reads "spending" and its frequency "orders", with a
    window or without; someone else's "Purchase frequency" keeps its own words."""
    z = np.array([[1.6, -1.0, -1.0], [-0.8, 0.9, 1.7]])
    none = np.array([[False, True, True], [False, False, False]])
    assert name_segments(z, ["recency_days", "frequency_12m", "monetary_12m"], none=none) == [
        "Very long-ago purchase · No orders", "Very high spending · High orders"]
    assert name_segments(z, ["recency_days", "frequency", "monetary"]) == [
        "Very long-ago purchase · Low orders", "Very high spending · High orders"]
    assert name_segments(z[:, 1:], ["Purchase Frequency", "Monetary Value"]) == [
        "Low purchase frequency · Low spending", "Very high spending"]
    assert insight.short_feature_name("Monetary Value") == "spending"


def test_a_customer_age_reads_older_and_younger():
    z = np.array([[1.0, 0.0], [-1.6, 0.8]])
    assert name_segments(z, ["Customer_Age", "Credit_Limit"]) == ["Older", "Much younger · High credit limit"]


def test_name_segments_are_unique():
    features = [INCOME, SPENDING, AGE]
    z = np.array([
        [0.9, 0.8, 0.0],
        [1.0, 0.7, -0.6],   # same two leading features: the next one tells them apart
        [0.1, 0.0, 0.2],
        [0.0, np.nan, 0.0],  # two average segments: numbered; NaN counts as 0
        [1.0, 0.7, -0.6],   # identical to the second: numbered
    ])
    names = name_segments(z, features)
    assert names == [
        "High income · High spending",
        "High income · High spending · Younger (1)",
        f"{AVERAGE_NAME} (1)",
        f"{AVERAGE_NAME} (2)",
        "High income · High spending · Younger (2)",
    ]
    assert len(set(names)) == len(names)
    # two features that shorten alike keep their fuller names
    assert name_segments(np.array([[1.0, 0.0], [0.0, -1.0]]), ["Total Spend", "Avg Spend"]) == [
        "High total spend", "Low avg spend"]
    with pytest.raises(ValueError):
        name_segments(np.zeros((2, 3)), ["a", "b"])


def marketing_frame(seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Three known groups (income, spending, age), Gender tied to the first two, a Region column."""
    rng = np.random.default_rng(seed)
    spec = [((20, 80, 32), 130, "Female"), ((90, 35, 35), 70, "Male"), ((90, 80, 34), 60, None)]
    rows, truth = [], []
    for group, ((income, spending, age), size, gender) in enumerate(spec):
        for _ in range(size):
            rows.append({
                "CustomerID": str(len(rows) + 1),
                "Gender": gender or str(rng.choice(["Female", "Male"])),
                INCOME: f"{rng.normal(income, 4):.1f}", SPENDING: f"{rng.normal(spending, 4):.1f}",
                AGE: f"{rng.normal(age, 8):.0f}",
                "Region": f"R{rng.integers(0, 8)}",
            })
            truth.append(group)
    frame = pd.DataFrame(rows)
    frame.loc[5, "Gender"] = ""  # a missing text cell
    frame.loc[7, INCOME] = ""  # left out of the model
    return frame, np.asarray(truth)


@pytest.fixture(scope="module")
def marketing():
    frame, truth = marketing_frame()
    seg = segment_new(frame, [INCOME, SPENDING, AGE], k=3, seed=0)
    return frame, truth, seg


def test_segment_names_from_a_segmentation(marketing):
    frame, truth, seg = marketing
    names = segment_names(seg)
    # traits ranked by how far their index is from 100 (income 163 before spending 52)
    assert names == ["Low income · High spending", "High income · Very low spending",
                     "High income · High spending"]
    # by construction: cluster 1 is the largest group (0), cluster 2 group 1, cluster 3 group 2
    scored = seg.labels >= 0
    assert (seg.labels[scored] == truth[scored]).all()
    X = seg.matrix.X
    expected = (X[seg.labels[scored] == 1].mean(axis=0) - X.mean(axis=0)) / X.std(axis=0)
    assert segment_z_scores(seg)[1] == pytest.approx(expected)


# ------------------------------------------------------------------------------------------- profile


def test_profile_table(marketing):
    frame, truth, seg = marketing
    result = profile(seg, frame, ["Gender", "Region"])
    sizes, means, indices = result.sizes, result.means, result.indices
    assert sizes.index.tolist() == [0, 1, 2]  # internal labels
    assert sizes["cluster"].tolist() == [1, 2, 3]
    assert sizes["segment"].tolist() == result.names == segment_names(seg)
    assert sizes["customers"].tolist() == [129, 70, 60]  # row 7 (group 0) is not scored
    assert sizes["share"].sum() == pytest.approx(1.0)
    values = frame[INCOME].replace("", np.nan).astype(float)
    scored = seg.labels >= 0
    overall = values[scored].mean()
    for cluster in range(3):
        mean = values[seg.labels == cluster].mean()
        assert means.loc[cluster, INCOME] == pytest.approx(mean)
        assert indices.loc[cluster, INCOME] == pytest.approx(mean / overall * 100)
    assert indices.loc[0, INCOME] < 50 < 140 < indices.loc[1, INCOME]
    # Gender: group 0 all Female except the missing cell, group 1 all Male
    gender = result.mix("Gender")
    assert result.mixes.loc[0, ("Gender", "Female")] == pytest.approx(128 / 129)
    assert gender.loc[0, "Male"] == 0
    assert gender.loc[1, "Male"] == 1.0
    share3 = (frame.loc[seg.labels == 2, "Gender"] == "Female").mean()
    assert gender.loc[2, "Female"] == pytest.approx(share3)
    # Region has 8 values: only the 5 most common are shown
    region = result.mix("Region")
    assert region.shape[1] == 5
    counts = frame.loc[scored, "Region"].value_counts()
    assert set(region.columns) == set(counts.index[:5]) or counts.iloc[4] == counts.iloc[5]
    assert result.described == ["Gender", "Region"] and result.mixes.columns.names == ["column", "value"]
    assert list(means.columns) == list(indices.columns) == result.features == [INCOME, SPENDING, AGE]
    flat = result.flat()
    assert list(flat.columns[:10]) == ["cluster", "segment", "customers", "share", INCOME, SPENDING, AGE,
                                       f"{INCOME} index", f"{SPENDING} index", f"{AGE} index"]
    assert flat.loc[0, "Gender: Female"] == pytest.approx(128 / 129)


def test_profile_drivers(marketing):
    frame, _, seg = marketing
    drivers = profile(seg, frame, []).drivers
    assert list(drivers.columns) == ["feature", "F", "eta_squared", "rank"]
    assert drivers["rank"].tolist() == [1, 2, 3]
    assert drivers["feature"].tolist()[-1] == AGE  # age differs least between the groups
    assert set(drivers["feature"][:2]) == {INCOME, SPENDING}
    scored = seg.labels[seg.matrix.used] >= 0
    F, _ = f_classif(seg.matrix.X[scored], seg.labels[seg.matrix.used][scored])
    by_feature = dict(zip(drivers["feature"], drivers["F"]))
    assert [by_feature[f] for f in seg.features] == pytest.approx(F.tolist(), rel=1e-9)
    assert ((drivers["eta_squared"] > 0) & (drivers["eta_squared"] < 1)).all()
    assert drivers.loc[0, "eta_squared"] > 0.9


def test_the_strength_of_a_logged_feature_is_measured_as_the_model_sees_it():
    """Found from outside (a SaaS accounts export): the segments split free accounts (MRR 0) from paying ones on
    the log of MRR, and were named "High MRR" / "Low MRR", but the drivers line said MRR's strength was 0.05 (in
    dollars, a few very large accounts are most of the variance) and put logins first. A transformed feature's
    η² is that of the values the model clustered; a feature without a transform keeps its η² in its units."""
    rng = np.random.default_rng(3)
    n = 4000
    paying = rng.random(n) < 0.55
    mrr = np.round(np.where(paying, rng.lognormal(4.5, 1.5, n), 0.0), 2)
    logins = np.round(rng.normal(15, 6, n).clip(0), 1)
    frame = pd.DataFrame({"MRR": [f"{v:.2f}" for v in mrr], "Logins": [f"{v:.1f}" for v in logins]})
    seg = segment_new(frame, ["MRR", "Logins"], k=2, seed=0, transforms={"MRR": "log"})
    drivers = profile(seg, frame, []).drivers.set_index("feature")
    labels = seg.labels
    assert abs(np.corrcoef(labels, paying)[0, 1]) > 0.9  # the segments are free against paying
    logged = np.log1p(mrr)
    between = sum((labels == c).sum() * (logged[labels == c].mean() - logged.mean()) ** 2 for c in (0, 1))
    assert drivers.loc["MRR", "eta_squared"] == pytest.approx(between / ((logged - logged.mean()) ** 2).sum(), rel=1e-6)
    assert drivers.loc["MRR", "eta_squared"] > 0.8
    assert drivers.index[0] == "MRR"
    plain = sum((labels == c).sum() * (logins[labels == c].mean() - logins.mean()) ** 2 for c in (0, 1))
    assert drivers.loc["Logins", "eta_squared"] == pytest.approx(plain / ((logins - logins.mean()) ** 2).sum())


def test_profile_zero_mean_and_errors(marketing):
    frame, _, seg = marketing
    centred = frame.copy()
    income = centred[INCOME].replace("", np.nan).astype(float)
    centred[INCOME] = (income - income[seg.labels >= 0].mean()).map(lambda v: "" if np.isnan(v) else f"{v:.9f}")
    seg0 = segment_new(centred, [INCOME, SPENDING], k=3, seed=0)
    indices = profile(seg0, centred, []).indices
    assert indices[INCOME].isna().all()  # overall mean 0: no index, no error
    assert indices[SPENDING].notna().all()
    with pytest.raises(FeatureError, match="no column 'Country'"):
        profile(seg, frame, ["Country"])
    with pytest.raises(FeatureError, match="one of the segmentation's features"):
        profile(seg, frame, [AGE])
    with pytest.raises(ValueError):
        profile(seg, frame, [], names=["a", "b"])
    assert profile(seg, frame, [], names=["x", "y", "z"]).names == ["x", "y", "z"]


# ----------------------------------------------------------------------------------------- stability


def test_stability_of_well_separated_blobs_and_of_noise():
    X, _ = polygon_blobs(3, n_per=80, spread=0.7)
    calls = []
    blobs = stability(X, 3, seed=0, runs=4, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert blobs.overall >= 0.9 and blobs.runs == 4 and blobs.sample_rows == 240
    assert blobs.verdict.startswith("Very stable")
    assert blobs.per_segment["cluster"].tolist() == [1, 2, 3]
    assert (blobs.per_segment["jaccard"] >= 0.9).all()
    assert len(blobs.run_scores) == 4
    noise = np.random.default_rng(0).uniform(0, 1, size=(240, 3))
    reference = fit_segmenter(noise, 6, 0)
    calls.clear()
    unstable = stability(noise, 6, seed=0, runs=4, reference=reference,
                         progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)  # no reference fit to count
    assert unstable.overall < 0.85 and unstable.overall < blobs.overall - 0.1
    assert not unstable.verdict.startswith(("Very stable", "Stable"))
    assert unstable.per_segment["jaccard"].min() < 0.9
    # the same seed gives the same result
    again = stability(noise, 6, seed=0, runs=4, reference=reference)
    assert again.run_scores == unstable.run_scores


def test_stability_fits_on_a_capped_sample(monkeypatch):
    X, _ = polygon_blobs(3, n_per=40)
    sizes = []
    real = stability_check.fit_segmenter

    def spy(X_, k, seed=0, transforms=()):
        sizes.append(X_.shape[0])
        return real(X_, k, seed, transforms)

    monkeypatch.setattr(stability_check, "STABILITY_MAX_ROWS", 50)
    monkeypatch.setattr(stability_check, "fit_segmenter", spy)
    result = stability(X, 3, seed=1, runs=2)
    assert sizes == [120, 50, 50]  # the reference on every row, then the capped re-fits
    assert result.sample_rows == 50 and result.overall >= 0.9
    with pytest.raises(ValueError):
        stability(X, 3, runs=0)


def test_stability_compares_a_seeded_sample_of_many_customers(monkeypatch):
    """Above STABILITY_COMPARE_ROWS the re-fits' segments are compared on a seeded sample (the check's cost
    at 10^6-10^7 was labelling every customer each time): the same re-fits, an estimate close to the full
    comparison, the sample size stated."""
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(4_000, 2))  # no real segments: every re-fit moves the borders, the score is < 1
    reference = fit_segmenter(X, 5, 0)
    full = stability(X, 5, seed=0, runs=4, reference=reference)
    assert (full.compared_rows, full.rows) == (4_000, 4_000)
    assert full.sample_note.endswith("segments compared on all 4,000 customers")
    monkeypatch.setattr(stability_check, "STABILITY_COMPARE_ROWS", 1_000)
    sampled = stability(X, 5, seed=0, runs=4, reference=reference)
    assert (sampled.compared_rows, sampled.rows, sampled.runs) == (1_000, 4_000, 4)
    assert "seeded sample of 1,000 of the 4,000 customers" in sampled.sample_note
    assert abs(sampled.overall - full.overall) < 0.05 and sampled.overall < 0.99
    np.testing.assert_allclose(sampled.run_scores, full.run_scores, atol=0.08)  # the same re-fits, fewer rows
    assert stability(X, 5, seed=0, runs=4, reference=reference).run_scores == sampled.run_scores  # seeded


def test_stability_verdicts():
    assert stability_verdict(0.95).startswith("Very stable")
    assert stability_verdict(0.8).startswith("Stable")
    assert stability_verdict(0.65).startswith("Somewhat stable")
    assert stability_verdict(0.3).startswith("Unstable") and "try another k" in stability_verdict(0.3)
    text = stability_verdict(0.8, np.array([0.95, 0.5, 0.9]))
    assert "Cluster 2 (overlap 0.50)" in text and "Cluster 1" not in text


# ---------------------------------------------------------------------------------------- confidence


@pytest.fixture(scope="module")
def with_midpoints():
    """Three well-separated blobs plus 5 customers exactly halfway between each pair of centres."""
    rng = np.random.default_rng(0)
    angles = 2 * np.pi * np.arange(3) / 3 + 0.3
    centers = 10 * np.c_[np.cos(angles), np.sin(angles)]
    core = np.vstack([rng.normal(c, 0.7, size=(100, 2)) for c in centers])
    between = np.vstack([np.repeat(((centers[i] + centers[j]) / 2)[None], 5, axis=0)
                         for i, j in ((0, 1), (1, 2), (0, 2))])
    frame = text_frame(np.vstack([core, between]), ["a", "b"])
    frame.loc[len(frame)] = ["", "1.0"]  # not scored
    return frame, segment_new(frame, ["a", "b"], k=3, seed=0)


def test_confidence_flags_the_customers_between_segments(with_midpoints):
    frame, seg = with_midpoints
    conf = confidence(seg)
    assert list(conf.columns) == ["distance", "margin", "silhouette", "borderline"]
    assert len(conf) == len(frame) and conf.index.tolist() == list(range(len(frame)))
    assert conf.iloc[-1][["distance", "margin", "silhouette"]].isna().all()
    assert conf["borderline"].isna().tolist() == [False] * (len(frame) - 1) + [True]
    core, between = conf.iloc[:300], conf.iloc[300:315]
    assert between["borderline"].all()
    assert core["borderline"].sum() <= 3
    assert (between["margin"] < 0.3).all() and (core["margin"] > 1).all()
    # distance: to the own centre in standardised units
    scaled = seg.scaled_used()
    centers = clusterer(seg.pipeline).cluster_centers_
    own = np.linalg.norm(scaled[0] - centers[seg.labels[0]])
    assert conf.loc[0, "distance"] == pytest.approx(own)
    from sklearn.metrics import silhouette_samples
    assert conf["silhouette"].iloc[:-1].to_numpy() == pytest.approx(silhouette_samples(scaled, seg.labels[:-1]))


def test_confidence_approximation_for_many_customers(with_midpoints, monkeypatch):
    _, seg = with_midpoints
    monkeypatch.setattr(customer_confidence, "EXACT_SILHOUETTE_MAX_ROWS", 10)
    conf = confidence(seg).iloc[:-1]
    a = conf["distance"].to_numpy()
    b = a + conf["margin"].to_numpy()
    assert conf["silhouette"].to_numpy() == pytest.approx((b - a) / np.maximum(a, b))
    assert conf["borderline"].iloc[300:315].all()
    assert conf["borderline"].iloc[:300].sum() <= 3


def test_borderline_rule_uses_the_margin_and_the_silhouette():
    # a wide segment next to a tight one: its customers facing the tight one have a low silhouette
    # although their own centre is clearly nearer; customers between the two have a small margin
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal((0, 0), 2.0, size=(150, 2)), rng.normal((9, 0), 0.3, size=(150, 2))])
    conf = confidence(segment_new(text_frame(X, ["a", "b"]), ["a", "b"], k=2, seed=0))
    by_margin = conf["margin"] < insight.BORDERLINE_MARGIN * conf["distance"]
    by_silhouette = conf["silhouette"] < insight.BORDERLINE_SILHOUETTE
    assert (by_margin & ~by_silhouette).any() and (by_silhouette & ~by_margin).any()
    assert conf["borderline"].astype(bool).tolist() == (by_margin | by_silhouette).tolist()


def test_confidence_with_one_segment(with_midpoints):
    frame, _ = with_midpoints
    conf = confidence(segment_new(frame, ["a", "b"], k=1, seed=0))
    assert conf["distance"].iloc[:-1].notna().all()
    assert conf[["margin", "silhouette"]].isna().all().all()
    assert not conf["borderline"].iloc[:-1].any()


# ------------------------------------------------------------------------------------- model fit


def model_info(X_train: np.ndarray, features: list[str]) -> ModelInfo:
    return ModelInfo(features=features, k=3, seed=0, sklearn_version="", trained_on="the demo customers",
                     rows=len(X_train), **training_statistics(X_train, features))


def test_out_of_range():
    rng = np.random.default_rng(0)
    features = [INCOME, AGE]
    train = np.c_[rng.normal(60, 20, 1000), rng.normal(40, 10, 1000)]
    info = model_info(train, features)
    same = np.c_[rng.normal(60, 20, 300), rng.normal(40, 10, 300)]
    check = out_of_range(same, info, features)
    assert check.warning is None
    assert list(check.table.columns) == ["feature", "below", "above", "outside", "mean", "train_mean",
                                         "train_min", "train_max", "shift_sd"]
    assert (check.table["outside"] < 0.05).all() and (check.table["shift_sd"].abs() < 0.3).all()

    richer = np.c_[rng.normal(60, 20, 300) + 40, rng.normal(40, 10, 300)]  # incomes 2 SD higher
    check = out_of_range(richer, info, features)
    row = check.table.iloc[0]
    assert row["shift_sd"] == pytest.approx((richer[:, 0].mean() - train[:, 0].mean()) / train[:, 0].std())
    assert row["shift_sd"] > 1.5
    assert row["above"] == pytest.approx(np.mean(richer[:, 0] > train[:, 0].max()))
    assert row["below"] == pytest.approx(np.mean(richer[:, 0] < train[:, 0].min()))
    assert check.warning is not None
    assert check.warning.startswith("The pre-trained model probably does not fit these customers")
    assert f"'{INCOME}'" in check.warning and "higher" in check.warning and f"'{AGE}'" not in check.warning
    assert "the demo customers" in check.warning


def test_out_of_range_thresholds_and_names():
    info = model_info(np.c_[np.arange(0.0, 101.0), np.arange(0.0, 101.0)], ["x", "y"])  # 0..100, sd 29.2
    values = np.c_[np.r_[np.full(89, 50.0), np.full(11, 150.0)], np.r_[np.full(90, 50.0), np.full(10, -5.0)]]
    check = out_of_range(values, info, ["x", "y"])
    assert check.table["outside"].tolist() == pytest.approx([0.11, 0.10])
    assert check.table["below"].tolist() == pytest.approx([0.0, 0.10])
    assert "11% of the 'x' values" in check.warning and "'y'" not in check.warning  # 10% is not over 10%
    # the file's own column names: statistics found by position
    renamed = out_of_range(values, info, ["Income", "Years"])
    assert renamed.table["feature"].tolist() == ["Income", "Years"]
    assert renamed.table["outside"].tolist() == check.table["outside"].tolist()
    # a feature without training statistics is not checked
    partial = ModelInfo(**{**info.to_json(), "features": ["x"], "mins": {}, "maxs": {}, "means": {}, "stds": {}})
    assert out_of_range(values[:, :1] + 1000, partial, ["x"]).warning is None


# ------------------------------------------------------------------------------------------- compare


def test_compare_labels():
    a = np.array([0, 0, 1, 1, 2, 2, -1, 0])
    b = np.array([2, 2, 0, 0, 1, 1, 1, -1])  # the same partition, renumbered
    same = compare_labels(a, b, "Model A", "Model B")
    assert same.adjusted_rand == pytest.approx(1.0) and same.rows == 6
    assert same.table.index.name == "Model A" and same.table.columns.name == "Model B"
    assert same.table.index.tolist() == [1, 2, 3] and same.table.columns.tolist() == [1, 2, 3]
    assert same.table.to_numpy().tolist() == [[0, 0, 2], [2, 0, 0], [0, 2, 0]]
    assert same.summary.startswith("Model A and Model B give nearly the same segments")
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 4, 2000), rng.integers(0, 3, 2000)
    unrelated = compare_labels(x, y, "A", "B")
    assert abs(unrelated.adjusted_rand) < 0.05 and unrelated.table.to_numpy().sum() == 2000
    assert "very differently" in unrelated.summary
    assert np.isnan(compare_labels(np.array([-1, 0]), np.array([0, -1]), "A", "B").adjusted_rand)
    with pytest.raises(ValueError):
        compare_labels(np.zeros(3), np.zeros(4), "A", "B")


def test_everything_is_exported():
    for name in insight.__all__:
        assert hasattr(insight, name), name
    assert {"recommend_k", "name_segments", "segment_names", "profile", "stability", "confidence",
            "out_of_range", "compare_labels"} <= set(insight.__all__)


def test_the_text_columns_are_ranked_by_how_much_their_mix_differs_between_segments():
    """Found from outside (a 300,000-customer shop export and the telco file): the "who is in each segment"
    table listed text columns in the file's order, so the one that told segments apart (Churn) came last of
    45. Each column now has a strength, Cramér's V of its segments x values counts, and the share of all
    customers with each value to compare a segment's share with."""
    from core.insight.profiling import cramers_v
    from scipy.stats import chi2_contingency
    from scipy.stats.contingency import association

    rng = np.random.default_rng(8)
    rows = 4_000
    group = rng.integers(0, 3, rows)
    frame = pd.DataFrame({
        "Spend": (50 + 40 * group + rng.normal(0, 5, rows)).round(2).astype(str),
        "Country": rng.choice(["US", "UK", "DE"], rows),  # the same mix in every segment
        "Churn": np.where(rng.random(rows) < np.array([0.05, 0.5, 0.9])[group], "Yes", "No"),
        "Plan": np.where(group == 2, "Gold", rng.choice(["Basic", "Plus"], rows)),
    })
    seg = segment_new(frame, ["Spend"], 3, seed=0)
    result = profile(seg, frame, ["Country", "Churn", "Plan"])
    assert result.described == ["Country", "Churn", "Plan"]  # the files keep the file's order
    assert result.described_by_strength == ["Plan", "Churn", "Country"]
    assert result.mix_strength["Country"] < 0.05 < 0.5 < result.mix_strength["Churn"] < result.mix_strength["Plan"]
    for column in result.described:
        table = pd.crosstab(seg.labels, frame[column]).to_numpy()
        # the bias-corrected V (Bergsma 2013) from scipy's chi-squared
        n, (r, c) = table.sum(), table.shape
        phi2 = chi2_contingency(table, correction=False).statistic / n
        corrected = np.sqrt(max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
                            / (min(r - (r - 1) ** 2 / (n - 1), c - (c - 1) ** 2 / (n - 1)) - 1))
        assert result.mix_strength[column] == pytest.approx(corrected)
        assert result.mix_strength[column] <= association(table, method="cramer")
        for value in result.mix(column).columns:
            assert result.mix_overall[(column, value)] == pytest.approx((frame[column] == value).mean())
    assert result.mix_overall.index.equals(result.mixes.columns)
    assert np.isnan(cramers_v(np.array([[5, 3]]))) and np.isnan(cramers_v(np.array([[5], [3]])))
    assert cramers_v(np.array([[10, 0], [0, 7]])) == pytest.approx(1.0)
    assert np.isnan(cramers_v(np.array([[10, 0, 0], [0, 0, 0], [10, 0, 0]])))  # one value held: nothing to compare


def test_a_column_filled_for_one_segment_only_has_the_strength_its_shares_show():
    """Found from outside (a HubSpot export of 10^6 contacts, revenue blanks counted as 0): 'Refunds', filled only
    for the 12% who bought, all in the 'Very high revenue' segment (0, 1 or 2 refunds, a third each), showed shares
    of 33% there against <0.1% elsewhere, with a strength of 0.00: it was measured among the filled cells only,
    where the segments do not differ. Blanks now count as a value of their own, as in the shares."""
    rng = np.random.default_rng(4)
    rows = 3_000
    bought = rng.random(rows) < 0.15
    frame = pd.DataFrame({
        "Spend": np.where(bought, rng.normal(500, 20, rows), rng.normal(10, 2, rows)).round(2).astype(str),
        "Refunds": np.where(bought, rng.integers(0, 3, rows).astype(str), ""),
        "Country": rng.choice(["US", "UK", "DE"], rows),  # no blanks, the same mix everywhere
        "Region": np.where(rng.random(rows) < 0.3, "", rng.choice(["N", "S"], rows)),  # blanks at random
    })
    seg = segment_new(frame, ["Spend"], 2, seed=0)
    result = profile(seg, frame, ["Refunds", "Country", "Region"])
    assert result.mix_strength["Refunds"] > 0.9
    assert result.mix_strength["Country"] < 0.05 and result.mix_strength["Region"] < 0.05
    assert result.described_by_strength[0] == "Refunds"


def test_the_text_columns_shown_are_those_whose_mix_differs_the_rest_are_named():
    """Found from outside: a CRM export's 25 text and flag columns, none telling, filled the page with "20% 20%
    20%"; the telco file's six telling columns and eleven others. At most six columns whose mix differs (Cramér's
    V at least 0.1) are shown, or the two strongest when none does; the note names the rest truthfully (the
    telco file's folded Contract differs, less)."""
    rng = np.random.default_rng(9)
    rows = 3_000
    group = rng.integers(0, 3, rows)
    frame = pd.DataFrame({"Spend": (50 + 40 * group + rng.normal(0, 5, rows)).round(2).astype(str)})
    for j in range(8):  # eight telling columns, each a little weaker than the one before
        frame[f"telling_{j}"] = np.where(rng.random(rows) < 0.9 - 0.08 * j, group.astype(str), "other")
    for j in range(3):
        frame[f"noise_{j}"] = rng.choice(["a", "b", "c"], rows)
    seg = segment_new(frame, ["Spend"], 3, seed=0)
    wide = profile(seg, frame, list(frame.columns[1:]))
    shown, folded = wide.telling_mixes
    assert shown == [f"telling_{j}" for j in range(6)] and folded[:2] == ["telling_6", "telling_7"]
    assert sorted(folded[2:]) == ["noise_0", "noise_1", "noise_2"]
    note = wide.folded_mixes_note()
    strongest = wide.mix_strength["telling_6"]
    assert strongest > 0.1 and note == (f"5 more columns whose mix differs less between the segments (strength "
                                        f"{strongest:.2f} or less): telling_6, telling_7, " + ", ".join(folded[2:]))
    noise = profile(seg, frame, ["noise_0", "noise_1", "noise_2"])
    assert noise.telling_mixes[0] == noise.described_by_strength[:2]
    assert noise.folded_mixes_note().startswith("1 more column whose mix differs little between the segments")
    assert profile(seg, frame, ["telling_0"]).folded_mixes_note() == ""


def test_at_the_most_segments_a_small_file_allows_the_reason_does_not_ask_for_more():
    """Found from outside (a 4-customer file, `fit --k auto`): the reason said "try more than 3 segments" when
    the file's four different customers allow no more. The sweep now says when the data, not the range asked,
    set its largest k, and the reason says so."""
    X = StandardScaler().fit_transform(np.array([[1.0, 10], [2, 30], [8, 12], [9, 40]]))
    sweep = sweep_k(X, 2, 10, seed=0)
    assert (sweep.k_max, sweep.data_limit) == (3, 3)
    rec = recommend_k(sweep, 4)
    assert "try more than" not in rec.reason and not rec.at_edge, rec.reason
    if rec.k == 3:
        assert "the most segments 4 different customers allow" in rec.reason, rec.reason
        # "all four measures agree" of the one k left read as a contradiction beside "k=2 (preferred by the
        # elbow and the silhouette) was set aside"
        assert rec.reason.startswith("It is the only k from 2 to 3 left once the others were set aside; k=2 "
                                     "(preferred by"), rec.reason
        assert "agree" not in rec.reason
    assert sweep_k(StandardScaler().fit_transform(generate_demo(200, seed=1)[0][[AGE, INCOME]].to_numpy(float)),
                   2, 6, seed=0).data_limit is None  # the range asked was there to try


def test_a_coded_columns_values_are_listed_in_number_order():
    """Found from outside (the bank churners export): a count of products held read 3, 4, 5, 6, 2, most common
    first. Values that are all numbers are listed in their order; text keeps the most common first."""
    rng = np.random.default_rng(3)
    rows = 2_000
    frame = pd.DataFrame({"Spend": rng.gamma(2, 40, rows).round(2).astype(str),
                          "Products": rng.choice(["3", "4", "5", "6", "2", "1", "10"], rows,
                                                 p=[.3, .2, .2, .1, .1, .05, .05]),
                          "Plan": rng.choice(["Gold", "Basic", "Plus"], rows, p=[.2, .5, .3])})
    seg = segment_new(frame, ["Spend"], 2, seed=0)
    result = profile(seg, frame, ["Products", "Plan"])
    assert list(result.mix("Products").columns) == ["2", "3", "4", "5", "6"]  # the five most common, in order
    assert list(result.mix("Plan").columns) == ["Basic", "Plus", "Gold"]


def test_a_k_whose_stability_could_not_be_measured_is_not_taken_for_a_stable_one():
    """Found from outside (an 8-customer file, `fit --k auto`): k=7, seven segments for eight customers, was
    recommended as "the only k left" because its re-fits could not run (a resample of 8 customers has fewer
    than 7 different ones), so its stability was unknown, while k=2, 3 and 5, measured unstable, were set
    aside. Unknown now counts as not stable while some k was measured."""
    ks = list(range(1, 8))
    table = pd.DataFrame({"k": ks, "wcss": np.linspace(100, 10, 7),
                          "silhouette": [np.nan, 0.45, 0.40, 0.30, 0.35, 0.20, 0.18]})
    indices = pd.DataFrame({"k": ks, "calinski_harabasz": [np.nan, 9, 12, 8, 10, 7, 6],
                            "davies_bouldin": [np.nan, 0.8, 0.7, 0.9, 0.75, 0.9, 0.95],
                            "smallest_share": [1.0, 0.375, 0.25, 0.125, 0.125, 0.125, 0.125],
                            "largest_share": [1.0, 0.625, 0.5, 0.375, 0.25, 0.25, 0.25],
                            "stability": [np.nan, 0.57, 0.63, 0.40, 0.63, np.nan, np.nan]})
    sweep = SweepResult(table, 3, 2, 7, None, indices, rows=8, data_limit=7)
    rec = recommend_k(sweep, 8)
    assert rec.k in (2, 3), rec.reason
    assert "only k" not in rec.reason and "the most segments" not in rec.reason, rec.reason
    assert any(w.startswith("No k from 2 to 7 gives segments that hold") for w in rec.warnings), rec.warnings
    # one k measured stable, the others unknown: the measured one is recommended, the unknown said set aside
    indices["stability"] = [np.nan, 0.9, np.nan, np.nan, np.nan, np.nan, np.nan]
    rec = recommend_k(SweepResult(table, 3, 2, 7, None, indices, rows=8, data_limit=7), 8)
    assert rec.k == 2, rec.reason
    assert "could not be measured" in rec.reason, rec.reason
    # a result with no stability at all (cached before it existed) is recommended as before
    indices["stability"] = np.nan
    assert recommend_k(SweepResult(table, 3, 2, 7, None, indices, rows=8, data_limit=7), 8).k == 3


def test_dates_and_joining_years_read_as_people_say_them_in_segment_names():
    """Found from outside: a file's "Last order" date, offered as the feature "Last order (days since)", named a
    segment "High last order" (its last order long ago), and a "Member since" year "Low member since"."""
    features = ["Last order (days since)", "Member since", "Signup date (days since)", "Date of birth (days since)",
                "Spend", "Birth year", "Geburtsjahr", "Kunde seit", "Date of birth (age)"]
    for j, (high, very_low) in enumerate([("Long-ago last order", "Very recent last order"),
                                          ("Newer", "Much longer-standing"),
                                          ("Long-ago signup", "Very recent signup"),
                                          ("Older", "Much younger"),
                                          ("High spend", "Very low spend"),
                                          ("Younger", "Much older"),  # a later year of birth: younger
                                          ("Younger", "Much older"),
                                          ("Newer", "Much longer-standing"),
                                          ("Older", "Much younger")]):  # a date of birth's age
        z = np.zeros((2, len(features)))
        z[0, j], z[1, j] = 0.8, -1.7
        assert name_segments(z, features) == [high, very_low], features[j]


def test_a_column_of_many_values_is_not_called_telling_by_chance():
    """Found from outside (a Shopify customer export): a zip code column of thousands of values in as many rows,
    unrelated to the segments, had the strongest Cramér's V of all (chance alone fills a table of thousands of
    values unevenly) and was shown first. The strength is now bias-corrected (Bergsma 2013): about 0 for chance,
    as before for a few values in many rows."""
    from core.insight.profiling import cramers_v

    rng = np.random.default_rng(3)
    rows = 3_000
    group = rng.integers(0, 3, rows)
    frame = pd.DataFrame({
        "Spend": (50 + 40 * group + rng.normal(0, 5, rows)).round(2).astype(str),
        "Zip": [f"{v:05d}" for v in rng.integers(10_000, 10_300, rows)],  # plain V about 0.3 by chance
        "Plan": np.where(group == 2, "Gold", rng.choice(["Basic", "Plus"], rows)),
    })
    seg = segment_new(frame, ["Spend"], 3, seed=0)
    result = profile(seg, frame, ["Zip", "Plan"])
    assert result.mix_strength["Zip"] < 0.1 < 0.5 < result.mix_strength["Plan"]
    assert result.telling_mixes[0] == ["Plan"]
    chance = rng.integers(0, 50, (3, 50)) + 100  # a few values, many rows: almost unchanged by the correction
    plain = np.sqrt(((chance - np.outer(chance.sum(1), chance.sum(0)) / chance.sum()) ** 2
                     / (np.outer(chance.sum(1), chance.sum(0)) / chance.sum())).sum() / (chance.sum() * 2))
    assert cramers_v(chance) <= plain


def test_a_text_mix_reads_missing_markers_and_case_as_the_data_check_does():
    """Found from outside (a CRM export's Gender written Male, male, FEMALE, N/A, - and ?): the data check
    reported the markers missing, but the segments' mix showed "N/A" as a value beside "Female", and "Male" and
    "male" as two values. Markers are missing in the mix too (a column's own "none", and "NA" among codes,
    stay values, as in the check), and spellings that differ only in case are one value, written as its most
    common spelling."""
    rng = np.random.default_rng(3)
    rows = 3_000
    group = rng.integers(0, 2, rows)
    gender = rng.choice(["Male", "male", "MALE", "Female", "female", "N/A", "-", "?", " n/a "], rows,
                        p=[.3, .1, .02, .3, .1, .1, .04, .02, .02])
    frame = pd.DataFrame({
        "Spend": (50 + 60 * group + rng.normal(0, 5, rows)).round(2).astype(str),
        "Gender": gender,
        "Plan": rng.choice(["none", "None", "Pro", "Basic"], rows),
        "Region": rng.choice(["EMEA", "APAC", "NA", "LATAM"], rows),
    })
    seg = segment_new(frame, ["Spend"], 2, seed=0)
    result = profile(seg, frame, ["Gender", "Plan", "Region"])
    assert list(result.mix("Gender").columns) == ["Male", "Female"]  # the most common first
    folded = pd.Series(gender).str.strip().str.lower()
    for value in ("Female", "Male"):
        expected = [(folded[seg.labels == c] == value.lower()).mean() for c in range(2)]
        assert result.mix("Gender")[value].tolist() == pytest.approx(expected)
        assert result.mix_overall[("Gender", value)] == pytest.approx((folded == value.lower()).mean())
    assert sorted(result.mix("Plan").columns) == ["Basic", "Pro", "none"]  # "None" and "none": one value
    assert sorted(result.mix("Region").columns) == ["APAC", "EMEA", "LATAM", "NA"]


def test_a_segment_of_customers_who_have_none_of_a_feature_is_named_so():
    """Found from outside (a Klaviyo profiles export): the subscribers who never ordered, zero orders and zero
    lifetime value each, made a segment named "Low historic lifetime value", as if they had bought a little.
    A segment whose every customer has none of a feature that others have is named "No ..."."""
    rng = np.random.default_rng(4)
    rows = 3_000
    buyers = rng.random(rows) < 0.6
    orders = np.where(buyers, 8 + rng.poisson(4, rows), 0)
    frame = pd.DataFrame({"Orders": orders.astype(str),
                          "Lifetime Value": np.where(buyers, orders * rng.gamma(9, 15, rows), 0).round(2).astype(str)})
    seg = segment_new(frame, ["Orders", "Lifetime Value"], 3, seed=0)
    names = insight.segment_names(seg)
    never = int(np.bincount(seg.labels[~buyers]).argmax())
    assert (seg.labels[~buyers] == never).all() and not (seg.labels[buyers] == never).any()
    assert names[never] == "No orders · No lifetime value", names
    assert not any(n.startswith("No ") for i, n in enumerate(names) if i != never), names
    # found from outside (a Shopify customers export): a segment of 1,479 who never ordered and one who ordered
    # once read "Very low spending · Low orders"; at least 99% with none is "No ..."
    few = np.where(buyers, 4 + rng.poisson(4, rows), 0)
    frame = pd.DataFrame({"Orders": few.astype(str),
                          "Lifetime Value": np.where(buyers, few * rng.gamma(9, 15, rows), 0).round(2).astype(str)})
    seg = segment_new(frame, ["Orders", "Lifetime Value"], 3, seed=0)
    never = int(np.bincount(seg.labels[~buyers]).argmax())
    assert 0 < (seg.labels[buyers] == never).sum() <= 0.01 * (seg.labels == never).sum()  # a few buyers with them
    assert set(insight.segment_names(seg)[never].split(" · ")) == {"No orders", "No lifetime value"}
    # a feature that is zero for some of a segment only, or negative elsewhere, is not "none"
    z = np.array([[-1.0], [1.0]])
    assert name_segments(z, ["Orders"], none=np.array([[False], [False]])) == ["Low orders", "High orders"]
    assert name_segments(z, ["Orders"], none=np.array([[True], [False]])) == ["No orders", "High orders"]


def test_a_feature_written_as_durations_is_shown_as_them(tmp_path):
    """An analytics export's "Avg. Session Duration" (00:03:25) is read as seconds; the tables showed a segment's
    mean as "174.44". The profile, the report and `segments fit`'s summary show means as durations ("2:54")."""
    import io as text_io

    from core.cli import main
    from core.stats import written_as_duration
    from core.text import duration_text, mean_text

    assert [duration_text(v) for v in (174.44, 54, 3723, 0, -41, float("nan"))] == [
        "2:54", "0:54", "1:02:03", "0:00", "-0:41", ""]
    assert duration_text(41, sign=True) == "+0:41" and mean_text(174.44, duration=True) == "2:54"
    rng = np.random.default_rng(2)
    rows = 600
    group = rng.integers(0, 2, rows)
    seconds = (40 + 200 * group + rng.uniform(0, 20, rows)).astype(int)
    frame = pd.DataFrame({"Avg. Session Duration": [f"00:{s // 60:02d}:{s % 60:02d}" for s in seconds],
                          "Spend": [f"{v:.2f}" for v in 50 + 20 * group + rng.normal(0, 5, rows)]})
    assert written_as_duration(frame, ["Avg. Session Duration", "Spend", "x (days since)"]).tolist() == [
        True, False, False]
    seg = segment_new(frame, ["Avg. Session Duration", "Spend"], 2, seed=0)
    assert seg.duration_features == ("Avg. Session Duration",)
    assert profile(seg, frame, []).durations.to_dict() == {"Avg. Session Duration": True, "Spend": False}
    means = [duration_text(m) for m in seg.feature_stats.means[:, 0]]
    html = render_report("sessions.csv", frame, seg)
    assert all(f"<td>{m} " in html for m in means), means
    path = tmp_path / "sessions.csv"
    frame.to_csv(path, index=False)
    out, err = text_io.StringIO(), text_io.StringIO()
    assert main(["fit", str(path), "--k", "2", "--stability-runs", "0", "--out", str(tmp_path / "out.csv")],
                out, err) == 0, err.getvalue()
    assert all(m in out.getvalue() for m in means), out.getvalue()


def test_a_feature_written_as_a_percentage_is_shown_as_one(tmp_path):
    """Found from outside: an e-mail platform's export wrote its open rates and discounts as 24.4% and 19%; the
    data check reads them as 0.244 and 0.19 (as a spreadsheet holds them), and every table then showed a
    segment's mean discount as "0.31". The tables show such means as percentages ("30.75%")."""
    import io as text_io

    from core.cli import main
    from core.report import render_report
    from core.stats import written_as_percent
    from core.text import mean_text

    rng = np.random.default_rng(2)
    rows = 600
    group = rng.integers(0, 2, rows)
    frame = pd.DataFrame({"Discount": [f"{v:.0f}%" for v in 5 + 25 * group + rng.uniform(0, 5, rows)],
                          "Spend": [f"{v:.2f}" for v in 50 + 20 * group + rng.normal(0, 5, rows)],
                          "Joined": ["2024-01-%02d" % (1 + i % 28) for i in range(rows)]})
    assert written_as_percent(frame, ["Discount", "Spend", "Joined (days since)"]).tolist() == [True, False, False]
    assert mean_text(0.3075, percentage=True) == "30.75%" and mean_text(1234.5) == "1,234.50"
    seg = segment_new(frame, ["Discount", "Spend"], 2, seed=0)
    prof = profile(seg, frame, [])
    assert prof.percents.to_dict() == {"Discount": True, "Spend": False}
    html = render_report("rates.csv", frame, seg)
    high = seg.feature_stats.means[:, 0].max()
    assert f"{high * 100:.1f}%" in html
    assert ">20%</text>" in html and ">0.2</text>" not in html  # the scatter's axis of discounts
    path = tmp_path / "rates.csv"
    frame.to_csv(path, index=False)
    out, err = text_io.StringIO(), text_io.StringIO()
    assert main(["fit", str(path), "--features", "Discount,Spend", "--k", "2", "--stability-runs", "0", "--out",
                 str(tmp_path / "out.csv")], out, err) == 0, err.getvalue()
    assert f"{high * 100:.2f}%" in out.getvalue() and f"{high:.2f} " not in out.getvalue()


def test_features_that_differ_only_in_their_window_keep_it_in_their_names():
    """"Spend 3m" and "Spend 12m" both read "spend" without their windows: their names fall back to the fuller
    forms, so the segments' names tell them apart."""
    from core.insight.naming import _short_names

    assert _short_names(["Spend 3m", "Spend 12m", "Visits 12m"]) == ["spend 3m", "spend 12m", "visits"]


def test_a_k_chosen_among_splits_with_a_small_segment_is_not_called_useful():
    """Found from outside (a Stripe export's recommendation after its k=2 broke up on every customer): k=7, whose
    smallest segment holds 2.4%, was chosen "among the stable, useful splits", where a useful split's segments each
    hold 5% or more. Chosen among stable splits whose smallest segment is small but not tiny, it says so."""
    ks = list(range(1, 11))
    table = pd.DataFrame({"k": ks, "wcss": [200_000, 141_642, 93_798, 59_004, 38_757, 22_891, 17_430, 14_979,
                                            13_582, 12_348],
                          "silhouette": [np.nan, 0.44, 0.47, 0.51, 0.56, 0.66, 0.70, 0.67, 0.66, 0.65]})
    indices = pd.DataFrame({
        "k": ks,
        "calinski_harabasz": [np.nan, 3_658, 5_311, 7_593, 9_974, 14_894, 16_821, 17_014, 16_540, 16_282],
        "davies_bouldin": [np.nan, 1.21, 0.80, 0.65, 0.57, 0.49, 0.465, 0.49, 0.61, 0.76],
        "smallest_share": [1.0, 0.025, 0.024, 0.024, 0.024, 0.024, 0.024, 0.024, 0.024, 0.009],
        "largest_share": [1.0, 0.975, 0.602, 0.586, 0.571, 0.427, 0.426, 0.375, 0.375, 0.375],
        "stability": [np.nan, 0.79, 0.95, 0.98, 0.70, 1.0, 0.99, 0.88, 0.98, 0.85]})
    rec = recommend_k(SweepResult(table, 5, 2, 10, None, indices), 40_000)
    assert rec.k == 7
    assert "among the stable splits without a tiny segment" in rec.reason and "useful" not in rec.reason, rec.reason
