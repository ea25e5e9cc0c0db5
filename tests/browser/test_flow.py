"""The whole flow in a real browser: upload (or demo) -> model -> clusters -> downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import DEMO_PATH
from dashboard import ids

from .flow import (DEMO_FEATURES, MODEL_INCOME, MODEL_SPENDING, check_clustered, check_summary, choose, csv_bytes,
                   customers_frame, customers_per_cluster, download, expect_clusters, expect_dataset, expect_fit,
                   expect_sweep_graphs, fit_result, map_id, open_demo, query, read_csv_text, set_k, upload,
                   upload_raw, wait_for_query)

pytestmark = pytest.mark.browser
#: Screenshots for a person to look at (gitignored).
ARTEFACTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots"


def test_whole_flow_on_the_demo_data(page: Page) -> None:
    token = open_demo(page)
    expect(page.locator(".segments-missing-ok")).to_be_visible()
    expect(page.locator(".segments-preview tbody tr")).to_have_count(10)

    page.click(f"#{ids.Upload.NEXT}")
    expect(page).to_have_title(re.compile(r"Model · Customer Segments$"))
    # the k sweep's recommendation (k=5 on the demo) is proposed, and trained when the user presses Train
    expect_fit(page, "New model with k=5, seed 0: 500 customers segmented on Age, Annual Income (k$), "
                     "Spending Score (1-100)")
    expect_sweep_graphs(page)
    assert query(page)["ds"] == [token]
    assert query(page)["feature"] == DEMO_FEATURES
    # The ID column is shown but cannot be chosen.
    expect(page.locator(f"#{ids.Model.FEATURES} input[value=CustomerID]")).to_be_disabled()

    set_k(page, 5)
    wait_for_query(page, k="5")
    expect_fit(page, "New model with k=5")

    page.click(f"#{ids.Model.NEXT}")
    expect(page).to_have_title(re.compile(r"Clusters · Customer Segments$"))
    assert query(page)["k"] == ["5"]
    sizes = customers_per_cluster(expect_clusters(page, 5, DEMO_FEATURES))
    assert sum(sizes) == 500
    expect(page.locator(f"#{ids.Clusters.SCATTER_NOTE}")).to_contain_text("Showing 500 of 500 segmented customers")

    # The scatter opens on the strongest feature across and, up, the next that keeps the segments apart.
    wait_for_query(page, x=MODEL_SPENDING, y=MODEL_INCOME)
    expect(page.locator(f"#{ids.Clusters.SCATTER} .xtitle")).to_have_text(MODEL_SPENDING)
    # Another axis redraws the scatter and lands in the address bar.
    choose(page, f"#{ids.Clusters.X}", "Age")
    wait_for_query(page, x="Age", y=MODEL_INCOME)
    expect(page.locator(f"#{ids.Clusters.SCATTER} .xtitle")).to_have_text("Age")

    # The step links in the navigation bar carry the new axes too.
    expect(page.locator(f"#{ids.Shell.NAV} a[href^='/downloads']")).to_have_attribute(
        "href", re.compile(r"[?&]x=Age(&|$)"))

    page.click(f"#{ids.Clusters.NEXT}")
    expect(page).to_have_title(re.compile(r"Downloads · Customer Segments$"))
    assert query(page)["k"] == ["5"] and query(page)["x"] == ["Age"]
    name, clustered = download(page, f"#{ids.Downloads.CLUSTERED}")
    assert name == "demo_customers-segments.csv"
    original = read_csv_text(DEMO_PATH.read_bytes())
    check_clustered(clustered, original, 5)
    name, summary = download(page, f"#{ids.Downloads.SUMMARY}")
    assert name == "demo_customers-summary.csv"
    table = check_summary(summary, 5, DEMO_FEATURES, 500)
    assert table["customers"].tolist() == sizes  # the page and the file agree


def test_whole_flow_on_an_uploaded_file_with_gaps_filled(page: Page) -> None:
    blanks = (3, 40, 41, 150, 299)
    original = customers_frame(300, blank_ages=blanks)
    page.goto("/upload")
    upload_raw(page, "shop customers.csv", csv_bytes(original))
    expect_dataset(page, "shop customers.csv")
    expect(page.locator(".segments-file-name + p")).to_contain_text("300 rows × 5 columns")
    alert = page.locator(".segments-missing-alert")
    expect(alert).to_contain_text("Age: 5 missing")
    expect(page.locator(f"#{ids.Upload.MISSING} input[value=drop]")).to_be_checked()

    page.get_by_label("Fill each gap with the column's mean").check()
    wait_for_query(page, missing="mean")
    expect(page.locator(f"#{ids.Upload.NEXT}")).to_have_attribute("href", f"/model?ds={query(page)['ds'][0]}&missing=mean")

    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "300 customers segmented on Age, Annual Income (k$), Spending Score (1-100)")
    assert query(page)["missing"] == ["mean"]
    set_k(page, 4)
    expect_fit(page, "New model with k=4")

    page.click(f"#{ids.Model.NEXT}")
    expect_clusters(page, 4, DEMO_FEATURES)
    expect(page.locator(f"#{ids.Clusters.SCATTER_NOTE}")).to_contain_text("Showing 300 of 300 segmented customers.")

    page.click(f"#{ids.Clusters.NEXT}")
    name, clustered = download(page, f"#{ids.Downloads.CLUSTERED}")
    assert name == "shop_customers-segments.csv"
    table = check_clustered(clustered, original, 4)
    assert (table.loc[list(blanks), "Age"] == "").all()  # filled for the model, unchanged in the file
    _, summary = download(page, f"#{ids.Downloads.SUMMARY}")
    check_summary(summary, 4, DEMO_FEATURES, 300)


def test_an_age_of_999_is_read_as_unknown_unless_the_user_keeps_it(page: Page) -> None:
    """Found from outside: a CRM export's Age held 999 for "unknown" and the default segments made those customers
    a segment of mean age 999. The Upload page offers the reading (on: missing); turned off, the link carries
    codes=keep and every customer is segmented, 999 and all."""
    coded = (5, 17, 60, 61, 200, 250)
    original = customers_frame(300)
    original.loc[list(coded), "Age"] = "999"
    page.goto("/upload")
    upload_raw(page, "crm.csv", csv_bytes(original))
    expect_dataset(page, "crm.csv")
    alert = page.locator(".segments-missing-alert")
    expect(alert).to_contain_text("Age: 6 hold 999, a code for unknown (2.0%)")
    switch = page.locator(f"#{ids.Upload.CODES}")
    expect(switch).to_be_checked()
    page.screenshot(path=str(ARTEFACTS / "upload-unknown-codes.png"), full_page=True)
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "294 customers segmented on Age, Annual Income (k$), Spending Score (1-100)")

    page.go_back()
    expect_dataset(page, "crm.csv")
    page.locator(f"#{ids.Upload.CODES}").uncheck()
    wait_for_query(page, codes="keep")
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "300 customers segmented on Age, Annual Income (k$), Spending Score (1-100)")
    assert query(page)["codes"] == ["keep"]


def test_blanks_in_a_total_are_counted_as_zero_when_the_user_ticks_it(page: Page) -> None:
    """Found from outside: a HubSpot export leaves "Total Revenue" empty for the 88% of contacts who never bought.
    The Upload page offers to count those blanks as 0 (unticked); ticked, the link carries it, the Model page
    proposes the revenue as a feature, and every contact is segmented, the non-buyers in a segment of their own."""
    from tests.core.test_blank_zero import REVENUE, hubspot

    page.goto("/upload")
    upload_raw(page, "contacts.csv", csv_bytes(hubspot(600)))
    expect_dataset(page, "contacts.csv")
    choice = page.locator(f"#{ids.Upload.ZERO}")
    expect(choice).to_contain_text("Total Revenue (88% blank; no 0 in it: a blank likely means none)")
    box = choice.get_by_role("checkbox", name=re.compile("^Total Revenue"))
    expect(box).not_to_be_checked()
    box.check()
    wait_for_query(page, zero=REVENUE)
    page.screenshot(path=str(ARTEFACTS / "upload-blanks-as-zero.png"), full_page=True)
    page.click(f"#{ids.Upload.NEXT}")
    expect(page.locator(f"#{ids.Model.FEATURES}")).to_contain_text("Total Revenue (blanks counted as 0)")
    expect_fit(page, "600 customers segmented on Age, Total Revenue (log)")
    page.screenshot(path=str(ARTEFACTS / "model-blanks-as-zero.png"), full_page=True)
    assert query(page)["zero"] == [REVENUE]


def test_one_click_counts_the_blanks_of_every_proposed_column_as_zero(page: Page) -> None:
    """A loyalty export with spend in 12 categories, blank for those who never bought in each: the link beside the
    question ticks the 12 proposed columns, and the link carries them."""
    from tests.core.test_blank_zero import loyalty

    page.goto("/upload")
    upload_raw(page, "loyalty.csv", csv_bytes(loyalty()))
    expect_dataset(page, "loyalty.csv")
    page.get_by_role("button", name="Tick the 12 proposed").click()
    choice = page.locator(f"#{ids.Upload.ZERO}")
    expect(choice.get_by_role("checkbox", checked=True)).to_have_count(12)
    expect(page).to_have_url(re.compile(r"(zero=Spend\+cat\+\d\d.*){12}"))
    page.screenshot(path=str(ARTEFACTS / "upload-blanks-as-zero-wide.png"), full_page=True)
    assert len(query(page)["zero"]) == 12


def test_a_file_named_in_any_script_is_sent_as_itself_and_keeps_its_name(page: Page) -> None:
    name = "Kunden März 2026 – ünïcødé 顧客 (v2) 📈.csv"
    page.goto("/upload")
    upload_raw(page, name, csv_bytes(customers_frame(120)), via=f"#{ids.Upload.DROPZONE}")
    expect_dataset(page, name)
    expect(page.locator(".segments-file-name + p")).to_contain_text("120 rows × 5 columns")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "upload-unicode-name.png"), full_page=True)


def test_pretrained_model_with_a_column_mapping(page: Page) -> None:
    blanks = (0, 77, 123)
    original = customers_frame(240, seed=3, blank_spending=blanks, income="AnnualIncome", spending="SpendingScore")
    page.goto("/upload")
    upload(page, "crm-export.csv", csv_bytes(original), via=f"#{ids.Upload.DROPZONE}")
    expect_dataset(page, "crm-export.csv")
    expect(page.locator(".segments-missing-alert")).to_contain_text("SpendingScore: 3 missing")
    expect(page.locator(f"#{ids.Upload.MISSING} input[value=drop]")).to_be_checked()  # leave them out

    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "New model with k=")
    page.get_by_label("Apply the pre-trained model").check()
    wait_for_query(page, mode="pretrained")
    # The file's names differ from the model's only by spaces and units: the page proposes those columns,
    # and shows no error before the user applied anything; the new-model controls and the k sweep go.
    expect(page.locator(map_id(MODEL_INCOME))).to_contain_text("AnnualIncome")
    expect(page.locator(map_id(MODEL_SPENDING))).to_contain_text("SpendingScore")
    expect(page.locator(f"#{ids.Model.NEW_PANEL}")).to_be_hidden()
    expect(page.locator(f"#{ids.Model.SWEEP_CARD}")).to_be_hidden()
    expect(page.locator(f"#{ids.Model.FEATURES_PANEL}")).to_be_hidden()
    expect(page.locator(".segments-error")).to_have_count(0)
    expect_fit(page, "Pre-trained model applied: 237 customers segmented on AnnualIncome, SpendingScore.")
    expect(fit_result(page)).to_contain_text(f"'AnnualIncome' is used as '{MODEL_INCOME}'; "
                                             f"'SpendingScore' is used as '{MODEL_SPENDING}'")
    expect(fit_result(page)).to_contain_text("3 of 240 rows have a missing value")

    page.click(f"#{ids.Model.NEXT}")
    expect_clusters(page, 5, ["AnnualIncome", "SpendingScore"])
    expect(page.locator(f"#{ids.Clusters.SCATTER_NOTE}")).to_contain_text(
        "3 customers with missing values are not in the model")

    page.click(f"#{ids.Clusters.NEXT}")
    _, clustered = download(page, f"#{ids.Downloads.CLUSTERED}")
    check_clustered(clustered, original, 5, left_out=set(blanks))
    _, summary = download(page, f"#{ids.Downloads.SUMMARY}")
    check_summary(summary, 5, ["AnnualIncome", "SpendingScore"], 237)


def test_a_survey_written_in_answer_text_is_segmented_on_its_answers(page: Page) -> None:
    """Found from outside: a survey export written in answer text ("Somewhat agree", as SurveyMonkey and Qualtrics
    write it) had no numeric column, and nothing could be segmented. The Upload page reads its questions as
    "scale words" and says their numbers; the Model page proposes them; the Clusters page ticks the charts with the
    answers."""
    from tests.core.test_scale_words import survey

    page.goto("/upload")
    upload_raw(page, "survey.csv", csv_bytes(survey(800)))
    expect_dataset(page, "survey.csv")
    expect(page.locator(".segments-quality")).to_contain_text("scale words")
    expect(page.locator(".segments-findings")).to_contain_text(
        "'How often do you order?' holds answers written as words of a scale: they are read as numbers on it "
        "('Never' = 1, 'Rarely' = 2, 'Sometimes' = 3, 'Often' = 4, 'Always' = 5).")
    page.screenshot(path=str(ARTEFACTS / "upload-survey-words.png"), full_page=True)
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "customers segmented on The app is easy to use, How satisfied are you with the delivery?, "
                     "How often do you order?")
    page.click(f"#{ids.Model.NEXT}")
    scatter = page.locator(f"#{ids.Clusters.SCATTER}")
    expect(scatter.locator(".xtick").first).to_be_visible(timeout=60_000)
    expect(scatter.locator(".xaxislayer-above")).to_contain_text("Verysatisfied")  # (on two lines: "Very", "satisfied")
    expect(page.locator(f"#{ids.Clusters.HISTOGRAMS}")).to_contain_text("Sometimes")
    page.screenshot(path=str(ARTEFACTS / "clusters-survey-words.png"), full_page=True)
