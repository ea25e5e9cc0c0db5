"""Answers on a scale written as words, found from outside: a survey export that writes each answer's text
("Somewhat agree", "Very satisfied", as SurveyMonkey and Qualtrics do by default) had no numeric column, so
nothing could be segmented and every question was a mix of texts. A column whose answers are all words of one
scale (:data:`core.quality.SCALE_WORDS`) is read as their places, 1 to n, a rating proposed as a feature; answers
that place nobody ("Don't know") count as missing; the file's cells are written back as they came."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from core import check_quality, clustered_table, segment_new
from core.deliver import to_xlsx_bytes
from core.prepare import prepare_features

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
SATISFIED = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
OFTEN = ["Never", "Rarely", "Sometimes", "Often", "Always"]


def survey(rows: int = 600, seed: int = 3) -> pd.DataFrame:
    """Two kinds of respondents: happy frequent users and unhappy rare ones, answers as words."""
    rng = np.random.default_rng(seed)
    happy = rng.random(rows) < 0.5
    place = lambda centre: np.clip(np.round(rng.normal(centre, 0.7, rows)), 0, 4).astype(int)  # noqa: E731
    easy = np.array(AGREE, dtype=object)[place(np.where(happy, 3.4, 0.8))]
    easy[rng.random(rows) < 0.12] = "Don't know"
    return pd.DataFrame({
        "Respondent ID": [str(114_000_000 + i) for i in range(rows)],
        "The app is easy to use": easy,
        "How satisfied are you with the delivery?": np.array(SATISFIED, dtype=object)[place(np.where(happy, 3.5, 0.6))],
        "How often do you order?": np.array(OFTEN, dtype=object)[place(np.where(happy, 3.2, 1.0))],
        "Gender": rng.choice(["Female", "Male"], rows),
        "Comments": [f"comment {i}" for i in range(rows)],
    }).astype(str)


def test_answers_written_as_words_of_a_scale_are_ratings() -> None:
    frame = survey()
    report = check_quality(frame)
    questions = ["The app is easy to use", "How satisfied are you with the delivery?", "How often do you order?"]
    assert report.default_features == questions
    easy = report.column("The app is easy to use")
    assert (easy.kind, easy.rating, easy.scale, easy.scale_words[0]) == ("numeric", True, (1, 5), "strongly disagree")
    assert easy.missing == int((frame["The app is easy to use"] == "Don't know").sum()) and easy.not_numbers == 0
    assert report.to_frame().set_index("column").loc["How often do you order?", "type"] == "scale words"
    assert ("'How satisfied are you with the delivery?' holds answers written as words of a scale of 5: they are read "
            "as its places, from 1 ('Very dissatisfied') to 5 ('Very satisfied').") in report.problems()
    assert any(p.startswith("'The app is easy to use' holds answers written as words of a scale of 5") and
               "\"Don't know\" count as missing" in p for p in report.problems())
    matrix = prepare_features(frame, questions, missing="drop")
    places = {w: i + 1.0 for i, w in enumerate(SATISFIED)}
    expected = frame["How satisfied are you with the delivery?"].map(places).to_numpy()
    np.testing.assert_array_equal(matrix.values[:, 1], expected)  # "Neutral" is the middle: 3
    assert matrix.used.sum() == (frame["The app is easy to use"] != "Don't know").sum()
    seg = segment_new(frame, questions, 2, seed=0, missing="drop")
    assert sorted(seg.summary()["How often do you order?"].round(0)) == [2.0, 4.0]
    assert any(name.startswith("High") for name in seg.names) and any(name.startswith("Low") for name in seg.names)
    out = clustered_table(frame, seg)
    pd.testing.assert_frame_equal(out[frame.columns], frame)  # every answer written back as its words
    workbook = pd.read_excel(io.BytesIO(to_xlsx_bytes({"Customers": out}, report.numeric_columns)), dtype=str,
                             engine="calamine")
    assert set(workbook["How often do you order?"]) == set(OFTEN)


@pytest.mark.parametrize("cells", [
    ["Agree", "Disagree"] * 20,  # two answers: a yes/no
    ["Agree", "Disagree", "Strongly agree", "I agree with the plan"] * 10,  # free text among them
    ["Good", "Excellent", "Fair", "Tuesday"] * 10,
    ["Neutral", "Neither agree nor disagree", "Agree", "Disagree"] * 10,  # two middles: not one scale
])
def test_other_text_is_not_read_as_a_scale(cells: list[str]) -> None:
    report = check_quality(pd.DataFrame({"Answer": cells, "Spend": [str(10 + i) for i in range(len(cells))]}))
    assert report.column("Answer").kind == "text" and not report.column("Answer").scale_words


def test_the_smallest_scale_that_holds_the_answers_is_read() -> None:
    """A seven-point agreement ("Somewhat agree") places "Agree" at 6; a five-point one at 4; "Very poor" makes
    the quality scale six points long."""
    seven = check_quality(pd.DataFrame({"Q": ["Somewhat agree", "Agree", "Strongly agree", "Disagree"] * 10}))
    assert seven.column("Q").scale == (1, 7)
    five = prepare_features(pd.DataFrame({"Q": ["Agree", "Strongly agree", "Disagree"] * 10}), ["Q"])
    assert list(five.values[:3, 0]) == [4.0, 5.0, 2.0]
    six = prepare_features(pd.DataFrame({"Q": ["Very poor", "Good", "Excellent"] * 10}), ["Q"])
    assert list(six.values[:3, 0]) == [1.0, 4.0, 6.0]
