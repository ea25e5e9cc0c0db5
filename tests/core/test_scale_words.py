"""Answers on a scale written as words, found from outside: a survey export that writes each answer's text
("Somewhat agree", "Very satisfied", as SurveyMonkey and Qualtrics do by default) had no numeric column, so
nothing could be segmented and every question was a mix of texts. A column whose answers are all words of one
scale (:data:`core.quality.SCALE_WORDS`) is read as the words' numbers, the same in every file, a rating proposed
as a feature; answers that place nobody ("Don't know") count as missing; the file's cells are written back as they
came."""

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
    assert (easy.kind, easy.rating, easy.scale, easy.scale_words) == ("numeric", True, (1, 5), tuple(
        w.lower() for w in AGREE))
    assert easy.missing == int((frame["The app is easy to use"] == "Don't know").sum()) and easy.not_numbers == 0
    assert report.to_frame().set_index("column").loc["How often do you order?", "type"] == "scale words"
    assert ("'How satisfied are you with the delivery?' holds answers written as words of a scale: they are read as "
            "numbers on it ('Very dissatisfied' = 1, 'Dissatisfied' = 2, 'Neutral' = 3, 'Satisfied' = 4, "
            "'Very satisfied' = 5).") in report.problems()
    assert any(p.startswith("'The app is easy to use' holds answers written as words of a scale") and
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


def test_a_word_is_read_as_the_same_number_whichever_answers_a_file_holds() -> None:
    """A model saved on one export scores the next alike: "Agree" is 4 whether or not the file has a seven-point
    scale's "Somewhat agree" (3.5); "Good" is 3 on a quality scale with or without "Very poor" (0), and 4 on a
    good-or-bad one; the words of another family decide which."""
    seven = check_quality(pd.DataFrame({"Q": ["Somewhat agree", "Agree", "Strongly agree", "Disagree"] * 10}))
    assert seven.column("Q").scale == (2, 5)
    assert "('Disagree' = 2, 'Somewhat agree' = 3.5, 'Agree' = 4, 'Strongly agree' = 5)" in " ".join(seven.problems())
    for answers, expected in ((["Somewhat agree", "Agree", "Strongly agree"], [3.5, 4.0, 5.0]),
                              (["Agree", "Strongly agree", "Disagree"], [4.0, 5.0, 2.0]),
                              (["Very poor", "Good", "Excellent"], [0.0, 3.0, 5.0]),
                              (["Poor", "Good", "Excellent"], [1.0, 3.0, 5.0]),
                              (["Bad", "Good", "Very good"], [2.0, 4.0, 5.0])):
        matrix = prepare_features(pd.DataFrame({"Q": answers * 10}), ["Q"])
        assert list(matrix.values[:3, 0]) == expected, answers


@pytest.mark.parametrize("answers,expected", [
    (["Stimme voll zu", "Stimme eher zu", "Teils/teils", "Stimme eher nicht zu", "Stimme gar nicht zu", "Weiß nicht"],
     [5.0, 4.0, 3.0, 2.0, 1.0, None]),
    (["Tout à fait d’accord", "Plutôt d'accord", "Plutôt pas d'accord", "Pas du tout d'accord"], [5.0, 4.0, 2.0, 1.0]),
    (["Muy satisfecho", "Satisfecho", "Neutral", "Insatisfecho", "Muy insatisfecho"], [5.0, 4.0, 3.0, 2.0, 1.0]),
])
def test_answers_in_german_french_and_spanish_are_read_too(answers: list[str], expected: list[float | None]) -> None:
    """Found from outside: a German survey export ("Stimme eher zu") stayed text after English answers were read."""
    frame = pd.DataFrame({"Frage": answers * 10})
    assert check_quality(frame).column("Frage").scale_words
    values = prepare_features(frame, ["Frage"], missing="drop").values[:len(answers), 0]
    assert [None if np.isnan(v) else float(v) for v in values] == expected
