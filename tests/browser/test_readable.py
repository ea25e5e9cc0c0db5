"""Charts and tables people can read (issue 12, item 7), on 10,000 generated customers in Chromium.

The per-segment distributions as small multiples named in the scatter's colours; the customer table
saying it is loading until its rows arrive; the profile of 8 features fitting a laptop screen with whole
segment names; the technical terms behind plain words, in tooltips a keyboard reaches. Screenshots go to
``bench-results/screenshots/readable/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError, Locator, Page, Route, expect

from dashboard import ids
from tests.support import id_selector

from .flow import DEMO_FEATURES, csv_bytes, customers_frame, expect_dataset, sideways_overflow, upload
from .watch import JOB_TIMEOUT_MS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "readable"
DESKTOP = {"width": 1400, "height": 900}
#: Eight features, as a CRM export has them (long names included: they head the profile's columns).
WIDE_FEATURES = ["Age", "Annual income (k$)", "Spending score (1-100)", "Visits per month", "Basket value",
                 "Tenure in months", "Returns per year", "Newsletter clicks"]
LONG_NAME = "Affluent weekend shoppers with big baskets"  # 42 characters


def _frame_with_eight_features(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    group = rng.integers(0, 5, rows)
    columns = {"CustomerID": [str(i) for i in range(1, rows + 1)]}
    for j, feature in enumerate(WIDE_FEATURES):
        centre = rng.uniform(10, 90, 5)
        columns[feature] = [f"{v:.1f}" for v in centre[group] + rng.normal(0, 6 + j, rows)]
    return pd.DataFrame(columns)


def _open(browser, base_url: str, name: str, frame: pd.DataFrame) -> str:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/upload")
    upload(page, name, csv_bytes(frame))
    token = expect_dataset(page, name)
    context.close()
    return token


@pytest.fixture(scope="module")
def ten_thousand(browser, base_url) -> str:
    """10,000 customers of the demo's shape, uploaded through the page; the dataset token."""
    return _open(browser, base_url, "readable.csv", customers_frame(10_000, seed=17))


@pytest.fixture(scope="module")
def eight_features(browser, base_url) -> str:
    """10,000 customers with eight numeric features; the dataset token."""
    return _open(browser, base_url, "wide.csv", _frame_with_eight_features(10_000))


def _shot(page: Page, name: str, locator: str | None = None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if locator:
        # A callback may still be drawing the element again (a rename redraws the whole profile table, after
        # the page's address has changed): Playwright then finds it detached mid-screenshot (seen once in CI).
        # The element is taken again once it is back.
        for attempt in range(3):
            try:
                page.locator(locator).screenshot(path=str(SCREENSHOTS / f"{name}.png"))
                return
            except PlaywrightError as exc:
                if "not attached" not in str(exc) or attempt == 2:
                    raise
                expect(page.locator(locator)).to_be_visible()
    else:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_each_feature_is_drawn_per_segment_in_panels_named_in_the_scatters_colours(
        new_context, base_url, ten_thousand) -> None:
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(f"/clusters?ds={ten_thousand}&k=5")
    histograms = page.locator(f"#{ids.Clusters.HISTOGRAMS} .js-plotly-plot")
    expect(histograms).to_have_count(len(DEMO_FEATURES), timeout=JOB_TIMEOUT_MS)
    # the scatter's legend: each segment's name and colour (the centroids' entry aside)
    expect(page.locator(f"#{ids.Clusters.SCATTER} .legend .traces")).to_have_count(6, timeout=JOB_TIMEOUT_MS)
    legend = page.locator(f"#{ids.Clusters.SCATTER} .legend .traces").evaluate_all("""traces => traces.map(t => [
        t.querySelector('.legendtext').textContent,
        getComputedStyle(t.querySelector('.legendpoints path')).fill]).filter(([text]) => text !== 'Centroids')""")
    assert len(legend) == 5
    for chart in range(len(DEMO_FEATURES)):
        figure = histograms.nth(chart)
        expect(figure.locator(".cartesianlayer .subplot")).to_have_count(5)  # one panel per segment
        panels = figure.locator(".annotation-text").evaluate_all("""labels => labels.map(label => [
            label.textContent,
            getComputedStyle([...label.querySelectorAll('tspan')].find(s => s.textContent.includes('■'))).fill])""")
        assert len(panels) == 5
        for (name, colour), (text, swatch) in zip(legend, panels):
            # the panel names the segment as the scatter does, beside a swatch of the scatter's colour
            assert re.sub(r" \([\d,]+\)$", "", name) in text, (name, text)
            assert swatch == colour, (name, swatch, colour)
    _shot(page, "distributions-desktop", f"#{ids.Clusters.HISTOGRAMS}")


def test_the_customer_table_says_it_is_loading_until_its_rows_arrive(new_context, base_url, ten_thousand) -> None:
    page = new_context(viewport=DESKTOP).new_page()
    held: list[Route] = []

    def hold_rows(route: Route) -> None:  # the table's first page is held back until the note was seen
        if "getRowsRequest" in (route.request.post_data or "") and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/_dash-update-component"), hold_rows)
    page.goto(f"/clusters?ds={ten_thousand}&k=5")
    deadline = time.monotonic() + JOB_TIMEOUT_MS / 1000
    while not held and time.monotonic() < deadline:  # (the route handler runs while Playwright waits)
        page.wait_for_timeout(50)
    assert held, "the table never asked for its rows"
    status = page.get_by_role("status").filter(has_text="Loading customers…")
    expect(status).to_be_visible()
    page.locator(f"#{ids.Clusters.GRID}").scroll_into_view_if_needed()
    _shot(page, "table-loading", f"#{ids.Clusters.GRID_BOX}")
    held[0].continue_()
    expect(page.locator(f"#{ids.Clusters.GRID} .ag-row[row-index='0'] [col-id='segment']").first).not_to_be_empty(
        timeout=JOB_TIMEOUT_MS)
    expect(status).to_be_hidden()
    # a new selection draws a new table: the note is back until its rows come, then gone again
    page.locator(id_selector({"type": ids.Clusters.SELECT_SEGMENT, "cluster": 0})).click()
    expect(page.locator(".segments-selection")).to_contain_text("customers selected", timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Clusters.GRID} .ag-row[row-index='0'] [col-id='cluster']").first).to_have_text(
        "1", timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Clusters.GRID_STATUS}")).to_be_hidden()
    _shot(page, "table-loaded", f"#{ids.Clusters.GRID_BOX}")


def test_the_profile_of_eight_features_fits_a_laptop_screen_with_whole_names(
        new_context, base_url, eight_features) -> None:
    page = new_context(viewport=DESKTOP).new_page()
    features = "&".join(f"feature={quote(f)}" for f in WIDE_FEATURES)
    page.goto(f"/clusters?ds={eight_features}&k=6&{features}")
    summary = page.locator(".segments-summary")
    expect(summary).to_be_visible(timeout=JOB_TIMEOUT_MS)
    box = page.locator(id_selector({"type": ids.Clusters.RENAME, "cluster": 0}))
    box.fill(LONG_NAME)
    box.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('name') !== null", timeout=JOB_TIMEOUT_MS)
    expect(box).to_have_value(LONG_NAME)
    # no part of the profile is hidden to the side: neither its box nor the page scrolls sideways
    overflow = sideways_overflow(summary)
    page.locator(".segments-summary").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "profile-eight-features-page.png"))
    assert overflow <= 1, f"the profile scrolls sideways by {overflow}px"
    for feature in WIDE_FEATURES:
        expect(summary).to_contain_text(feature)
    # the feature that separates the segments most comes first, then the others by strength
    headers = summary.locator("thead th.segments-feature").all_inner_texts()
    strengths = [float(re.search(r"strength (\d\.\d+)", h).group(1)) for h in headers]
    assert len(strengths) == 8 and strengths == sorted(strengths, reverse=True), headers
    strongest = page.locator(".segments-drivers strong").inner_text().split(": ")[0]
    assert headers[0].startswith(strongest), (headers[0], strongest)
    # every rename box shows its whole name
    cut = page.locator(".segments-rename").evaluate_all("boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1)"
                                                        ".map(b => b.value)")
    assert not cut, f"names cut in their boxes: {cut}"
    _shot(page, "profile-eight-features", ".segments-summary")


def test_the_customer_table_shows_each_segments_whole_name(new_context, base_url, eight_features) -> None:
    """Found from outside: a shop's two buyer segments, "High orders · High spending · Older" and "... · Younger",
    both read "High orders · High spending…" in the customer table's segment column (220 px wide): the word that
    told them apart was cut. The column is as wide as the longest name, a user's long name included."""
    page = new_context(viewport=DESKTOP).new_page()
    features = "&".join(f"feature={quote(f)}" for f in WIDE_FEATURES)
    page.goto(f"/clusters?ds={eight_features}&k=6&{features}&name={quote('1:' + LONG_NAME)}")
    cells = page.locator(f"#{ids.Clusters.GRID} .ag-row [col-id='segment']")
    expect(cells.first).not_to_be_empty(timeout=JOB_TIMEOUT_MS)
    expect(cells.filter(has_text=LONG_NAME).first).to_be_attached()
    names = cells.evaluate_all("cells => cells.map(c => [c.textContent, c.scrollWidth <= c.clientWidth + 1])")
    assert len({name for name, _ in names}) >= 3, names  # (several segments on the first page)
    cut = sorted({name for name, whole in names if not whole})
    assert not cut, f"segment names cut in the customer table: {cut}"
    _shot(page, "table-whole-names", f"#{ids.Clusters.GRID_BOX}")


@pytest.mark.parametrize("where, term", [
    ("clusters", "η²"), ("clusters", "Cramér's V"), ("clusters", "adjusted Rand index"), ("clusters", "Jaccard"),
    ("model", "Calinski-Harabasz"), ("model", "Davies-Bouldin"), ("model", "WCSS"),
])
def test_technical_terms_are_behind_plain_words_in_a_keyboard_tooltip(new_context, base_url, ten_thousand,
                                                                        where: str, term: str) -> None:
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(f"/{where}?ds={ten_thousand}&k=5")
    plain = page.locator(f'.segments-term[data-term="{term}"]').first
    expect(plain).to_be_visible(timeout=JOB_TIMEOUT_MS)
    word = plain.locator(".segments-term-label").inner_text()
    assert word and term not in word  # the plain word is what is read
    expect(plain).to_contain_text(term)  # (a screen reader reads the term after it)
    plain.focus()  # a keyboard reaches it, and the tooltip names the term
    expect(page.get_by_role("tooltip")).to_contain_text(re.compile(re.escape(term), re.IGNORECASE),
                                                        timeout=JOB_TIMEOUT_MS)
    page.keyboard.press("Tab")
    if term == "WCSS":  # the four guides, titled in plain words: for a person to look at
        expect(page.locator(f"#{ids.Model.DAVIES_GRAPH} .main-svg").first).to_be_visible(timeout=JOB_TIMEOUT_MS)
        _shot(page, "model-guides", f"#{ids.Model.SWEEP_CARD}")


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_each_segment_is_a_block_read_without_scrolling_sideways(new_context, base_url,
                                                                              ten_thousand) -> None:
    """Before: at 390 px the profile table put its feature columns off to the right, under a header row that
    looked blank (its feature headers scrolled away with them): no numbers without scrolling sideways. Below
    the md breakpoint each segment is now a block (name, size and share, each feature's mean and index, the
    text-column mix), every value under its label; the desktop keeps the table and its header row."""
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"/clusters?ds={ten_thousand}&k=5")
    summary = page.locator(".segments-summary")
    expect(summary).to_be_visible(timeout=JOB_TIMEOUT_MS)
    select = page.locator(id_selector({"type": ids.Clusters.SELECT_SEGMENT, "cluster": 0}))
    block = summary.locator("tbody tr").filter(has=select)  # segment 1
    values = block.locator("td.segments-index")
    expect(values).to_have_count(len(DEMO_FEATURES))
    block.scroll_into_view_if_needed()
    for cell in [*values.all(), select]:
        expect(cell).to_be_visible()
        expect(cell).to_be_in_viewport()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], \
            f"{cell.inner_text()!r} lies outside the phone's {PHONE['width']} px: {box}"
    for cell in values.all():
        expect(cell.locator(".segments-cell-value")).to_contain_text(re.compile(r"\d+\.\d\d\s*index \d+"))
    # each value under its label, shown and read out (a screen reader reads the label before the number)
    for label in ["Customers", "Share", *DEMO_FEATURES, "Gender: Female"]:
        cell = block.get_by_role("cell").filter(has=page.locator(".segments-cell-label", has_text=label))
        expect(cell).to_have_count(1)
        expect(cell.locator(".segments-cell-label")).to_be_visible()
        expect(cell).to_contain_text(re.compile(r"\d"))
        assert cell.evaluate("cell => cell.getBoundingClientRect().right") <= PHONE["width"], label
    overflow = sideways_overflow(summary)
    assert overflow <= 1, f"the profile scrolls sideways by {overflow}px on a phone"
    _shot(page, "profile-phone", f"#{ids.Clusters.PROFILE}")
    page.locator(".segments-summary").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "profile-phone-screen.png"))  # what the phone's screen shows
    # picking a segment still selects its customers on the phone
    select.click()
    expect(page.locator(".segments-selection")).to_contain_text("customers selected", timeout=JOB_TIMEOUT_MS)
    expect(summary.locator("tbody tr").filter(has=select).locator(".segments-cell-label").first).to_be_visible()
    # the desktop keeps the table: a header row with the features, no labels in the cells, the mix in its own table
    page.set_viewport_size(DESKTOP)
    for feature in DEMO_FEATURES:
        expect(summary.locator("thead th.segments-feature", has_text=feature)).to_be_visible()
    expect(summary.locator(".segments-cell-label").first).to_be_hidden()
    expect(page.locator(".segments-mix")).to_be_visible()
    expect(summary.locator("tbody tr").filter(has=select).locator("td:visible")).to_have_count(3 + len(DEMO_FEATURES))
    _shot(page, "profile-desktop-after-phone", f"#{ids.Clusters.PROFILE}")


@pytest.mark.parametrize("width", [1024, 1280, 1366, 1600])
def test_the_per_k_table_fits_beside_the_guides_on_laptop_screens(new_context, base_url, ten_thousand,
                                                                   width: int) -> None:
    """Found from outside at 1,366 px, the most common laptop width: the per-k table beside the four guides
    scrolled sideways, its last header cut to "separatio" (the phone's fix did not reach the desktop's
    narrow column; the suite looked at 1,400 px only)."""
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"/model?ds={ten_thousand}&k=5")
    table = page.locator(f"#{ids.Model.K_TABLE} table")
    expect(table).to_be_visible(timeout=JOB_TIMEOUT_MS)
    box = table.locator("xpath=..")  # the table's own sideways-scrolling box (.table-responsive)
    overflow = box.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 1, f"the per-k table scrolls sideways by {overflow}px at {width} px"
    page_overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert page_overflow <= 0, f"the page scrolls sideways by {page_overflow}px at {width} px"
    for header in table.locator("th").all():
        clipped = header.evaluate("th => th.scrollWidth - th.clientWidth")
        assert clipped <= 1, f"{header.inner_text()!r} is cut by {clipped}px at {width} px"
    _shot(page, f"model-k-table-{width}", f"#{ids.Model.K_TABLE}")
