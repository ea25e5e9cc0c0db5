"""Shares as people read them: one customer in thousands is never '0.0%', 3,999 of 4,000 never '100.0%'."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import check_quality
from core.insight import recommend_k
from core.selection import sweep_k
from core.text import join_words, percent


@pytest.mark.parametrize(("share", "kwargs", "text"), [
    (0.235, {}, "23.5%"), (0.0, {}, "0%"), (1.0, {}, "100%"), (1 / 20_000, {}, "<0.1%"), (0.0005, {}, "0.1%"),
    (0.9996, {}, ">99.9%"), (None, {}, "–"), (float("nan"), {}, "–"),
    (0.015, {"short": True}, "1.5%"), (0.02, {"short": True}, "2%"), (0.235, {"short": True}, "24%"),
    (0.0001, {"short": True}, "<0.1%"), (0.004, {"decimals": 0}, "<1%"),
])
def test_percent(share, kwargs, text) -> None:
    assert percent(share, **kwargs) == text


def test_one_missing_cell_in_thousands_is_not_zero_percent() -> None:
    frame = pd.DataFrame({"Age": [str(20 + i % 50) for i in range(4_000)],
                          "Income": [str(30 + i % 70) for i in range(4_000)]})
    frame.loc[7, "Age"] = ""
    problems = check_quality(frame).problems()
    assert "'Age' has 1 missing value (<0.1%)." in problems


def test_a_tiny_segment_is_not_said_to_hold_zero_percent() -> None:
    # three groups of 2,500 and one customer far away: at k=4 that customer is a segment of 0.013%
    rng = np.random.default_rng(0)
    centres = np.repeat([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]], 2_500, axis=0)
    X = np.vstack([centres + rng.normal(0, 1, centres.shape), [[200.0, 200.0]]])
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    sweep = sweep_k(X, 2, 5, seed=0)
    recommendation = recommend_k(sweep, rows=X.shape[0])
    text = " ".join([recommendation.reason, *recommendation.warnings])
    assert "<0.1%" in text
    assert " 0% " not in text and "0.0%" not in text


@pytest.mark.parametrize("words,text", [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")])
def test_join_words(words, text) -> None:
    assert join_words(words) == text



def test_a_mean_that_rounds_to_zero_has_no_sign():
    """Found from outside (a Stripe export's 'Account Balance', -0.004 in most segments): the profile showed
    "-0.00" beside "0.00"."""
    from core.text import mean_text

    assert [mean_text(v) for v in (-0.004, 0.004, -0.0, -0.005001, -1234.5)] == [
        "0.00", "0.00", "0.00", "-0.01", "-1,234.50"]
    assert mean_text(-0.00004, percentage=True) == "0.00%"
