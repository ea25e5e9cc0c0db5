"""Ratings are measurements, found from outside: a survey export (eight questions answered 1 to 5, an NPS from 0
to 10, a respondent id) was segmented on the NPS alone. Its answers hold a few whole numbers, so the data check
took every question for a code (a region, a channel) that describes the segments rather than drives them; the
NPS, with eleven values, was the only proposed feature, and `--k auto` cut it into ten segments, one per score
("High NPS (1)", "High NPS (2)", "No NPS").

A column of whole numbers on a rating scale (from 0 or 1 up to at most 10, three values or more) is a rating, a
proposed feature, when its name says so (rating, score, satisfaction, likely to recommend, NPS, "(1-5)"...) or
when at least three such columns share a scale from 1 (a battery of questions: "Q1" to "Q8"). Flags, small counts
named as counts (kids at home) and codes named as codes (a region) stay coded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import segment_new
from core.insight.naming import name_segments
from core.quality import RATING_BATTERY, check_quality


def _survey(rows: int = 3_000, questions: int = 8, named: bool = True, seed: int = 8) -> pd.DataFrame:
    """Three groups of respondents answering ``questions`` questions on a 1-5 scale, and an NPS."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, rows)
    columns: dict[str, np.ndarray] = {"Respondent ID": np.arange(1, rows + 1)}
    for q in range(1, questions + 1):
        centre = rng.integers(1, 6, 3)
        name = f"Q{q} rating" if named else f"Q{q}"
        columns[name] = np.clip(centre[group] + rng.integers(-1, 2, rows), 1, 5)
    columns["NPS (0-10)"] = np.clip(np.array([2, 6, 9])[group] + rng.integers(-2, 3, rows), 0, 10)
    columns["Age group"] = rng.choice(["18-24", "25-34", "35-44", "45-54", "55+"], rows)
    return pd.DataFrame(columns).astype(str)


def test_a_surveys_answers_are_proposed_as_features():
    report = check_quality(_survey())
    ratings = [f"Q{q} rating" for q in range(1, 9)]
    assert report.default_features == [*ratings, "NPS (0-10)"]
    by_name = {c.name: c for c in report.column_reports}
    assert all(by_name[r].rating and not by_name[r].coded and by_name[r].use == "feature" for r in ratings)
    assert report.coded_columns == []
    assert any("ratings" in finding.lower() and "'Q1 rating'" in finding for finding in report.problems())


def test_a_battery_of_questions_on_one_scale_is_read_as_ratings_without_a_name_saying_so():
    report = check_quality(_survey(named=False))
    assert report.default_features == [*(f"Q{q}" for q in range(1, 9)), "NPS (0-10)"]
    # fewer questions than a battery: codes, as before
    few = check_quality(_survey(questions=RATING_BATTERY - 1, named=False))
    assert few.coded_columns == [f"Q{q}" for q in range(1, RATING_BATTERY)]


def test_flags_counts_and_codes_stay_coded():
    rng = np.random.default_rng(3)
    rows = 2_000
    frame = pd.DataFrame({
        "Region code": rng.integers(1, 6, rows),  # 1-5, named as a code
        "Kidhome": rng.integers(0, 3, rows),  # a small count from 0
        "Teenhome": rng.integers(0, 3, rows),
        "Number of cars": rng.integers(1, 6, rows),  # counts named as counts, sharing a scale from 1
        "Number of pets": rng.integers(1, 6, rows),
        "Number of phones": rng.integers(1, 6, rows),
        "AcceptedCmp1": rng.integers(0, 2, rows),  # flags
        "AcceptedCmp2": rng.integers(0, 2, rows),
        "AcceptedCmp3": rng.integers(0, 2, rows),
        "Income": rng.normal(50_000, 9_000, rows).round(),
        "Rating": rng.integers(1, 6, rows),  # a rating by its name, beside them
    }).astype(str)
    report = check_quality(frame)
    assert report.default_features == ["Income", "Rating"]
    assert "'Rating' holds ratings, answers from 1 to 5: it measures how customers rate something" in " ".join(
        report.problems())
    assert set(report.coded_columns) == set(frame.columns) - {"Income", "Rating"}


def test_a_surveys_segments_follow_its_answers():
    frame = _survey()
    report = check_quality(frame)
    seg = segment_new(frame, report.default_features, 3, seed=0)
    sizes = np.bincount(seg.labels, minlength=3)
    assert sizes.min() > 0.25 * len(frame)  # the three groups of respondents, not slices of one score
    assert not any(name.startswith("No ") for name in seg.segment_names)


def test_a_score_of_zero_is_low_not_none():
    """A segment whose NPS is 0 throughout read "No NPS": a rating of 0 is a low score, not the absence of one."""
    z = np.array([[-1.6], [0.8]])
    none = np.array([[True], [False]])
    assert name_segments(z, ["NPS (0-10)"], none=none) == ["Very low NPS", "High NPS"]
    assert name_segments(z, ["Orders"], none=none) == ["No orders", "High orders"]


def test_a_forms_questions_are_ratings_and_read_as_what_they_ask():
    """Found from outside: a Google Forms response sheet, one column per question. "How would you rate our customer
    support?" and "How easy was it to place your order?" (1 to 5) were coded columns, and the segments were named
    after the questions cut at 40 characters. A question's whole-number answers on a scale are ratings, unless it
    counts ("How many children do you have?"); a rating by its name also counts in its scale's battery."""
    rng = np.random.default_rng(11)
    rows = 2_000
    group = rng.integers(0, 3, rows)
    frame = pd.DataFrame({
        "How satisfied are you with the delivery speed?": np.array([1, 3, 5])[group],
        "How would you rate our customer support?": np.array([5, 2, 3])[group],
        "How easy was it to place your order?": np.clip(np.array([2, 5, 3])[group] + rng.integers(-1, 2, rows), 1, 5),
        "How many children do you have?": rng.integers(0, 4, rows),
        "Shipping speed": rng.integers(1, 6, rows),  # no rating name: in the battery of the three above
        "Region": rng.integers(1, 4, rows),  # 1-3: no rating scale's top, no rating name
    }).astype(str)
    report = check_quality(frame)
    assert report.coded_columns == ["How many children do you have?", "Region"]
    assert report.column("Shipping speed").rating
    seg = segment_new(frame, report.default_features[:3], 3, seed=0)
    assert sorted(seg.segment_names) == ["High delivery speed satisfaction", "High easy place order · Low support",
                                         "Low delivery speed satisfaction"]


def _with_dont_know(rows: int = 3_000, questions: int = 15) -> pd.DataFrame:
    rng = np.random.default_rng(13)
    group = rng.integers(0, 3, rows)
    columns: dict[str, object] = {"Respondent": np.arange(1, rows + 1)}
    for q in range(1, questions + 1):
        answers = np.clip(rng.integers(1, 6, 3)[group] + rng.integers(-1, 2, rows), 1, 5).astype(object)
        answers[rng.random(rows) < 0.05] = "Don't know"
        columns[f"Q{q} rating"] = answers
    return pd.DataFrame(columns).astype(str)


def test_a_surveys_dont_knows_are_said_once_with_the_customers_a_model_would_leave_out():
    """Found from outside: a survey of 15 questions with 5% "Don't know" in each. The data check said "'Q1 rating'
    has 137 cells that are not a number" fifteen times, and nothing said that together they left out over half of
    the respondents: `segments fit` then segmented 1,386 of 3,000. Many such columns are said in one finding, and
    the check counts the rows a model on the proposed features would leave out."""
    from core.quality import rows_with_gaps

    frame = _with_dont_know()
    report = check_quality(frame)
    said = [p for p in report.problems() if "not a number" in p]
    assert len(said) == 1 and said[0].startswith("15 columns have cells that are not a number (e.g. \"Don't know\")")
    assert "'Q1 rating' (" in said[0]
    gaps = rows_with_gaps(frame, report.default_features)
    seg = segment_new(frame, report.default_features, 3, seed=0)
    assert gaps == len(frame) - int(seg.scored.sum()) and gaps > len(frame) / 2
    assert rows_with_gaps(frame, ["Q1 rating"]) == int((frame["Q1 rating"] == "Don't know").sum())


def test_segments_inspect_says_how_many_customers_a_model_would_leave_out(tmp_path, capsys):
    from core.cli import main

    frame = _with_dont_know()
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    assert main(["inspect", str(path)]) == 0
    gaps = int((frame.iloc[:, 1:] == "Don't know").any(axis=1).sum())
    assert (f"customers with a gap in a proposed feature: {gaps:,} of 3,000" in capsys.readouterr().out)
