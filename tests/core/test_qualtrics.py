"""A Qualtrics survey export, found from outside: under its header (Q1, Q2, StartDate...) it writes each question's
text, then each column's import id (``{"ImportId":"QID1"}``). The two rows stayed in the table as respondents, so
the answers ("Agree"), the dates and even the numbers were read as text (a date column needs nine in ten of its
first cells to be dates, and a question's text is none), and the map position was proposed as a feature."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

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
    assert table.frame.shape[0] == 300 and table.frame.iloc[0]["Q1"] in AGREE
    assert ("The 2 rows under the header are a Qualtrics export's question texts and import ids (such as 'The "
            "checkout is easy', 'The prices are fair', 'How likely are you to recommend us?'), not respondents; they "
            "were left out.") in table.warnings
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.column("Q1").scale_words and report.column("StartDate").kind == "date"
    assert report.location_columns == ["LocationLatitude", "LocationLongitude"]
    assert {"Q1", "Q2", "Q3"} <= set(report.default_features) and not report.description_row


def test_a_second_row_of_other_text_stays() -> None:
    """Only a whole row of import ids marks the export: one cell of JSON is a customer's value."""
    rows = ["id,Spend,Note", "1,10,x", '2,20,"{""ImportId"":""a""}"', "3,30,y", "4,40,z"]
    table = read_table("\n".join(rows).encode(), "x.csv")
    assert table.frame.shape[0] == 4 and not any("Qualtrics" in w for w in table.warnings)
