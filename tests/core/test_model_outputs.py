"""Columns that hold another model's output are offered, not proposed (found on a bank's churn export).

The bank churners export ends with two ``Naive_Bayes_Classifier_..._1``/``_2`` columns: a churn classifier's
probabilities, which its own description says to delete. They were proposed as features (with a log), so the
segments followed that classifier's answer (k=3 found a segment that was 70% churned customers) rather than
what the customers do. A numeric column whose name says prediction, classifier, probability or propensity is
now left out of the proposed features, said so in the data check's findings, and can still be chosen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import check_quality, segment_new
from core.insight import name_segments

NAIVE_BAYES = "Naive_Bayes_Classifier_Attrition_Flag_Card_Category_Contacts_Count_12_mon_1"


def _bank(rows: int = 3_000, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    attrited = rng.random(rows) < 0.16
    score = np.clip(np.where(attrited, rng.beta(8, 2, rows), rng.beta(1, 30, rows)), 0, 1).round(5)
    return pd.DataFrame({
        "CLIENTNUM": 700_000_000 + rng.permutation(rows),
        "Attrition_Flag": np.where(attrited, "Attrited Customer", "Existing Customer"),
        "Customer_Age": rng.integers(26, 73, rows),
        "Credit_Limit": rng.lognormal(8.5, 0.8, rows).round(1),
        "Total_Trans_Amt": rng.lognormal(8.2, 0.6, rows).round(0).astype(int),
        "Total_Trans_Ct": rng.integers(10, 140, rows),
        NAIVE_BAYES: score,
        NAIVE_BAYES[:-1] + "2": (1 - score).round(5),
        "predicted_lifetime_value": rng.gamma(2, 300, rows).round(2),
        "Churn Probability": rng.random(rows).round(3),
        "upsell_propensity": rng.random(rows).round(3),
    }).astype(str)


def test_another_models_outputs_are_offered_but_not_proposed() -> None:
    report = check_quality(_bank())
    outputs = [NAIVE_BAYES, NAIVE_BAYES[:-1] + "2", "predicted_lifetime_value", "Churn Probability", "upsell_propensity"]
    assert report.default_features == ["Customer_Age", "Credit_Limit", "Total_Trans_Amt", "Total_Trans_Ct"]
    assert report.model_output_columns == outputs
    assert all(report.column(name).use == "model output" for name in outputs)
    assert report.redundant_columns == {}  # the complement is another model output, not a repeat of a feature
    found = [p for p in report.problems() if "another model's output" in p]
    assert found == [", ".join(f"'{name}'" for name in outputs) + " read like another model's output (a prediction, "
                     "a classifier's score or a probability, by their names): they are not proposed as features, so "
                     "that the segments follow what customers do rather than that model's answer. Choose them if you "
                     "want."]  # one finding for them all
    one = check_quality(_bank().drop(columns=outputs[1:]))
    assert [p for p in one.problems() if "model's output" in p] == [
        f"'{NAIVE_BAYES}' reads like another model's output (a prediction, a classifier's score or a probability, by "
        "its name): it is not proposed as a feature, so that the segments follow what customers do rather than that "
        "model's answer. Choose it if you want."]


@pytest.mark.parametrize("name", ["Spending Score (1-100)", "ChurnProb", "Problems reported", "Prospect visits"])
def test_measures_named_close_to_a_prediction_stay_proposed(name: str) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"Age": rng.integers(18, 80, 2_000), name: rng.normal(50, 15, 2_000).round(1)}).astype(str)
    report = check_quality(frame)
    assert report.default_features == ["Age", name]
    assert report.model_output_columns == []


def test_a_file_of_model_outputs_alone_still_has_features_to_propose() -> None:
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"churn_probability": rng.random(500).round(3),
                          "predicted_spend": rng.gamma(2, 50, 500).round(2)}).astype(str)
    report = check_quality(frame)
    assert report.default_features == ["churn_probability", "predicted_spend"]
    assert "another model's output" not in "\n".join(report.problems())  # (they are proposed after all)


def test_the_user_can_still_choose_a_model_output() -> None:
    seg = segment_new(_bank(600), ["Customer_Age", NAIVE_BAYES], k=2, seed=0)
    assert list(seg.features) == ["Customer_Age", NAIVE_BAYES]


def test_inspect_and_fit_leave_the_model_outputs_out(cli, tmp_path) -> None:
    path = tmp_path / "bank.csv"
    _bank().to_csv(path, index=False)
    status, out, err = cli("inspect", path)
    assert (status, err) == (0, "")
    assert out.count("model output") == 5
    assert "features proposed: Customer_Age, Credit_Limit (log), Total_Trans_Amt (log), Total_Trans_Ct" in out
    status, out, err = cli("fit", path, "--k", "3", "--out", tmp_path / "out.csv", "--stability-runs", "0")
    assert (status, err) == (0, "")
    assert "features: Customer_Age, Credit_Limit (log), Total_Trans_Amt (log), Total_Trans_Ct\n" in out


def test_a_file_whose_measures_all_have_gaps_proposes_them_before_a_model_output() -> None:
    """Found from outside (a Klaviyo export of a shop where 65% of the profiles never bought: their lifetime value
    and order count blank, the days between orders blank for all but repeat buyers): with every measured column
    set aside for its gaps, the fallback proposed every numeric column, "Predicted Customer Lifetime Value" (a
    model's output) among them. A model's output is now proposed only when nothing but outputs and map positions
    is left; with the blanks counted as 0 the measures are proposed as usual."""
    rng = np.random.default_rng(4)
    rows = 1_500
    buyer = rng.random(rows) < 0.35
    orders = np.where(buyer, rng.negative_binomial(1, 0.3, rows) + 1, 0)
    value = np.where(buyer, orders * rng.lognormal(4, 0.4, rows), 0).round(2)
    frame = pd.DataFrame({
        "Email": [f"p{i}@example.com" for i in range(rows)],
        "Total Customer Lifetime Value": np.where(buyer, value.astype(str), ""),
        "Historic Number Of Orders": np.where(buyer, orders.astype(str), ""),
        "Predicted Customer Lifetime Value": (value * 1.2 + rng.gamma(2, 5, rows)).round(2).astype(str),
        "Average Days Between Orders": np.where(orders > 1, rng.integers(10, 200, rows).astype(str), ""),
    })
    report = check_quality(frame)
    assert report.model_output_columns == ["Predicted Customer Lifetime Value"]
    # (found from outside, session 26: the days between orders, blank for all but repeat buyers, left out 75% of a
    # Klaviyo export's profiles beside measures blank for 35%: of the gappy measures, those with the fewest gaps)
    assert report.default_features == ["Total Customer Lifetime Value", "Historic Number Of Orders"]
    assert any("'Predicted Customer Lifetime Value' reads like another model's output" in p for p in report.problems())
    # the table of columns says they are proposed (it said "many gaps" of the three columns the Model page ticks)
    roles = report.to_frame().set_index("column")["role"]
    assert roles.to_dict() == {"Email": "ID-like", "Total Customer Lifetime Value": "feature (many gaps)",
                               "Historic Number Of Orders": "feature (many gaps)",
                               "Predicted Customer Lifetime Value": "model output",
                               "Average Days Between Orders": "many gaps"}
    zero = report.with_zero_blanks(report.zero_blank_proposed)
    assert zero.default_features == ["Total Customer Lifetime Value", "Historic Number Of Orders"]
    # the non-buyers' segment reads "No lifetime value · No orders" (not "No historic orders")
    seg = segment_new(frame, zero.default_features, 2, seed=0, zero=zero.zero_blank_columns,
                      transforms=zero.proposed_transforms_for(zero.default_features))
    assert sorted(seg.names) == ["High lifetime value · High orders", "No lifetime value · No orders"]
    assert name_segments(np.array([[1.0, 0.9], [-1.0, -0.9]]), ["Historic Number Of Orders",
                                                                 "Predicted Number Of Orders"]) == [
        "High orders · High predicted orders", "Low orders · Low predicted orders"]
