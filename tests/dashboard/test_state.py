"""The view state in the URL: parsing, defaults, round trips."""

from __future__ import annotations

from dashboard.state import DEFAULT_K, ViewState

TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEF"


def test_round_trip():
    state = ViewState(ds=TOKEN, features=("Age", "Annual Income (k$)"), missing="median", mode="pretrained", k=7,
                      seed=3, mapping=(("AnnualIncome", "Annual Income (k$)"),), x="Age", y="pca")
    assert ViewState.from_search(state.query()) == state


def test_defaults_are_left_out_of_links():
    assert ViewState(ds=TOKEN).query() == f"?ds={TOKEN}"
    assert ViewState().query() == ""


def test_bad_values_fall_back():
    state = ViewState.from_query({"ds": "../../etc/passwd", "k": "lots", "seed": "-5", "mode": "evil",
                                  "missing": "zero", "utm_source": "mail"})
    assert state.ds is None
    assert state.k == DEFAULT_K
    assert state.seed == 0
    assert state.mode == "new"
    assert state.missing == "drop"


def test_k_is_clamped_and_lists_accepted():
    assert ViewState.from_query({"k": "99"}).k == 15
    assert ViewState.from_query({"k": ["3", "6"]}).k == 6
    assert ViewState.from_query({"feature": "Age"}).features == ("Age",)
    assert ViewState.from_query({"feature": ["Age", "Age", "Income"]}).features == ("Age", "Income")


def test_axes_are_never_one_feature_against_itself():
    from dashboard.state import PCA, distinct_axes

    axes = ["Age", "Income", "Score", PCA]
    assert distinct_axes(axes, "Age", "Income") == ("Age", "Income")
    assert distinct_axes(axes, PCA, PCA) == (PCA, PCA)  # components 1 and 2
    # a feature unticked: its axis moves to another feature, never onto the other axis's
    assert distinct_axes(["Income", "Score"], "Age", "Income") == ("Income", "Score")
    assert distinct_axes(["Income", "Score"], "Income", "Age") == ("Income", "Score")
    assert distinct_axes(axes, "Age", "Age") == ("Age", "Income")
    assert distinct_axes(axes, PCA, None) == (PCA, PCA)
    # one axis picked onto the other's feature: they swap
    assert distinct_axes(axes, "Score", "Score", previous=("Age", "Score")) == ("Score", "Age")
    assert distinct_axes(axes, "Age", "Age", previous=("Age", "Score")) == ("Score", "Age")
    assert distinct_axes(["Age"], None, None) == ("Age", "Age")  # nothing else to show
    assert distinct_axes([], "Age", "Income") == (None, None)


def test_the_reading_of_codes_for_unknown_round_trips_and_defaults_to_missing():
    assert ViewState.from_search("?codes=keep").codes == "keep"
    assert ViewState.from_search("?codes=yes").codes == "unknown"  # a bad value: the default, never an error
    assert ViewState().query() == "" and ViewState(codes="keep").query() == "?codes=keep"
    assert ViewState.from_search(ViewState(ds="T" * 32, codes="keep").query()).codes == "keep"
