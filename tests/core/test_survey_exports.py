"""Survey tools' exports, found from outside.

A Qualtrics export writes under its header (Q1, Q2, StartDate...) each question's text, then each column's import
id (``{"ImportId":"QID1"}``). The two rows stayed in the table as respondents, so the answers ("Agree"), the dates
and even the numbers were read as text (a date column needs nine in ten of its first cells to be dates, and a
question's text is none), and the map position was proposed as a feature.

A SurveyMonkey export writes each question once above its columns and, on a second header line, what each column
holds ("Response", or the option of a checkbox question: "Reports", "Dashboards"). The line stayed as a respondent
(every answer column held "Response", so no question was read as answers), the checkbox's columns were "Column 14",
"Column 15", and each, one option or blank, was "constant"."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

from core import check_quality, read_table

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def qualtrics_csv(rows: int = 300, seed: int = 6) -> bytes:
    rng = np.random.default_rng(seed)
    header = ["StartDate", "EndDate", "Progress", "Duration (in seconds)", "ResponseId", "LocationLatitude",
              "LocationLongitude", "Q1", "Q2", "Q3"]
    texts = ["Start Date", "End Date", "Progress", "Duration (in seconds)", "Response ID", "Location Latitude",
             "Location Longitude", "The checkout is easy", "The prices are fair", "How likely are you to recommend us?"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([header, texts, [json.dumps({"ImportId": h}, separators=(",", ":")) for h in header]])
    for i in range(rows):
        writer.writerow([f"2024-05-{1 + i % 28:02d} 09:{i % 60:02d}:00", f"2024-05-{1 + i % 28:02d} 09:{i % 60:02d}:40",
                         "100", str(int(rng.integers(40, 900))), f"R_{i:012x}", f"{rng.uniform(30, 45):.4f}",
                         f"{rng.uniform(-120, -80):.4f}", AGREE[int(rng.integers(0, 5))], AGREE[int(rng.integers(0, 5))],
                         str(int(rng.integers(0, 11)))])
    return out.getvalue().encode("utf-8-sig")


def test_a_qualtrics_exports_question_texts_and_import_ids_are_left_out_and_said() -> None:
    table = read_table(qualtrics_csv(), "survey.csv")
    assert table.frame.shape[0] == 300 and table.frame.iloc[0]["The checkout is easy"] in AGREE
    assert ("The 2 lines under the header are a Qualtrics export's question texts and import ids, not respondents: "
            "the columns are named by their questions (Q2 is 'The prices are fair', Q3 is 'How likely are you to "
            "recommend us?'), and the lines were left out.") in table.warnings
    # the columns are named by their questions (found from outside: the segments were named after Q1 and Q5_1)
    assert list(table.frame.columns) == ["Start Date", "End Date", "Progress", "Duration (in seconds)", "Response ID",
                                         "Location Latitude", "Location Longitude", "The checkout is easy",
                                         "The prices are fair", "How likely are you to recommend us?"]
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.column("The checkout is easy").scale_words and report.column("Start Date").kind == "date"
    assert report.location_columns == ["Location Latitude", "Location Longitude"]
    assert {"The checkout is easy", "The prices are fair", "How likely are you to recommend us?"} <= set(
        report.default_features) and not report.description_row
    # how long each response took measures the survey, not the respondent: offered, not proposed
    assert report.survey_timing_columns == ["Duration (in seconds)"]
    assert report.column("Duration (in seconds)").use == "survey timing"
    assert "Duration (in seconds)" not in report.default_features


def test_a_second_row_of_other_text_stays() -> None:
    """Only a whole row of import ids marks the export: one cell of JSON is a customer's value."""
    rows = ["id,Spend,Note", "1,10,x", '2,20,"{""ImportId"":""a""}"', "3,30,y", "4,40,z"]
    table = read_table("\n".join(rows).encode(), "x.csv")
    assert table.frame.shape[0] == 4 and not any("Qualtrics" in w for w in table.warnings)


def surveymonkey_csv(rows: int = 300, seed: int = 2) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Respondent ID", "Collector ID", "Start Date", "How satisfied are you with our product?",
                     "Which features do you use?", "", "", "Age"])
    writer.writerow(["", "", "", "Response", "Reports", "Dashboards", "Other (please specify)", "Response"])
    satisfied = ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied",
                 "Very satisfied"]
    for i in range(rows):
        writer.writerow([str(114_000_000_000 + i), "431234567", f"03/{1 + i % 28:02d}/2024 10:{i % 60:02d}:00 AM",
                         satisfied[int(rng.integers(0, 5))], "Reports" if i % 3 else "",
                         "Dashboards" if i % 2 else "", "a custom report" if i % 10 == 0 else "",
                         str(int(rng.integers(18, 80)))])
    return out.getvalue().encode()


def test_a_surveymonkey_exports_second_header_line_is_joined_to_the_names() -> None:
    table = read_table(surveymonkey_csv(), "survey.csv")
    assert list(table.frame.columns) == [
        "Respondent ID", "Collector ID", "Start Date", "How satisfied are you with our product?",
        "Which features do you use? - Reports", "Which features do you use? - Dashboards",
        "Which features do you use? - Other (please specify)", "Age"]
    assert table.frame.shape[0] == 300 and table.frame.iloc[0]["Respondent ID"] == "114000000000"
    assert ("The line under the header is SurveyMonkey's second header line (what each column of a question holds: "
            "'Response', or an option): it was joined to the column names ('Which features do you use? - Reports', "
            "'Which features do you use? - Dashboards') and left out.") in table.warnings
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.column("How satisfied are you with our product?").scale_words
    assert report.default_features == ["How satisfied are you with our product?", "Age"]
    # a checkbox's column, its option where chosen and blank elsewhere, describes the segments (not "constant")
    reports = report.column("Which features do you use? - Reports")
    assert not reports.constant and "Which features do you use? - Reports" in report.describing_columns


def test_a_checkbox_columns_blanks_are_answers_not_missing_values() -> None:
    """Found from outside: the Upload page said "'Which features do you use? - Reports' has 486 missing values
    (40.5%)" and its table "missing 40.5%", where a blank is a respondent who did not tick the option. A column whose
    one value is the option its name ends with is a checkbox's: its blanks are answers. A column of one value and
    blanks whose name does not name it (a "Country" of "US") keeps its missing values."""
    table = read_table(surveymonkey_csv(), "survey.csv")
    frame = table.frame.assign(Country=["US" if i % 4 else "" for i in range(len(table.frame))])
    report = check_quality(frame, table.decimal, table.numbers)
    reports = report.column("Which features do you use? - Reports")
    assert reports.ticked == "Reports" and reports.missing == 0 and reports.unique == 2
    assert report.column("Which features do you use? - Dashboards").ticked == "Dashboards"
    assert report.column("Which features do you use? - Other (please specify)").ticked is None  # free text
    country = report.column("Country")
    assert country.ticked is None and country.missing == 75
    findings = report.problems()
    assert not any("Reports' has" in f and "missing" in f for f in findings)
    assert ("'Which features do you use? - Reports' is a checkbox's option: it holds 'Reports' where it was ticked "
            "and is blank where it was not. The blanks are answers, not missing values.") in findings
    assert "'Country' has 75 missing values (25.0%)." in findings
    assert report.to_frame().set_index("column").loc["Which features do you use? - Reports", "missing"] == 0


def test_a_file_with_a_response_row_but_no_surveymonkey_columns_stays() -> None:
    rows = ["id,Spend,Note", "1,10,Response", "2,20,x", "3,30,y"]
    assert read_table("\n".join(rows).encode(), "x.csv").frame.shape[0] == 3


def test_a_checkbox_question_in_one_cell_shows_each_answers_share() -> None:
    """Found from outside (a Google Forms export: a checkbox question's answers joined in one cell, "Reports,
    Dashboards"): the segments' mixes showed the five most common combinations, and most answers were in none of
    them. Each answer's share of a segment is shown, and the data check says so; "Berlin, Germany" is no such column."""
    from core import segment_new
    from core.insight import summary_profile

    rng = np.random.default_rng(8)
    rows = 600
    options = ["Reports", "Dashboards", "Alerts", "Exports", "API"]
    heavy = rng.random(rows) < 0.5
    ticked = [", ".join(o for j, o in enumerate(options) if rng.random() < (0.7 if h else 0.2) + 0.05 * j) or ""
              for h in heavy]
    frame = pd.DataFrame({"Logins": np.where(heavy, rng.poisson(40, rows), rng.poisson(5, rows)).astype(str),
                          "Which features do you use?": ticked,
                          "City": [f"{c}, {'Germany' if c in ('Berlin', 'Hamburg') else 'France'}" for c in
                                   rng.choice(["Berlin", "Hamburg", "Paris", "Lyon", "Nice", "Lille"], rows)]})
    report = check_quality(frame)
    assert report.column("Which features do you use?").choices == tuple(sorted(options))
    assert report.column("City").choices == ()
    assert ("'Which features do you use?' holds one or several answers in a cell (API, Alerts, Dashboards, Exports "
            "...): each answer's share is shown per segment (a blank cell: none of them ticked, not a missing "
            "value).") in report.problems()
    # found from outside: the blank cells, none ticked, were said to be missing values too
    assert "" in ticked and report.column("Which features do you use?").missing == 0
    assert not any(f.startswith("'Which features do you use?' has") for f in report.problems())
    seg = segment_new(frame, ["Logins"], 2, seed=0)
    profile = summary_profile(seg, frame, ["Which features do you use?", "City"])
    shown = profile.mix("Which features do you use?")
    assert sorted(shown.columns) == sorted(options)  # each answer, not combinations
    heavy_segment = int(np.argmax(seg.summary()["Logins"].to_numpy()))
    reports = np.array([("Reports" in t.split(", ")) for t in ticked])
    members = seg.labels == heavy_segment
    assert shown.iloc[heavy_segment]["Reports"] == pytest.approx(reports[members].mean())
