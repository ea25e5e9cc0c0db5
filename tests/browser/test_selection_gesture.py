"""The scatter's box and lasso gestures, made with the mouse in the browser, select the customers inside.

The demo data (500 customers, so the scatter is SVG, not WebGL) is shown with income across and
spending up. A box and an L-shaped lasso are drawn between data values (half-way between the demo's
whole numbers, so no customer sits on an edge) at the pixels the plot's own axes give for them; the
customers inside are counted independently from the demo CSV with pandas.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from core import DEMO_PATH
from dashboard import ids

from .flow import MODEL_INCOME, MODEL_SPENDING, customers_per_cluster, download, open_demo, read_csv_text, summary_rows
from .scatter import GRAPH, Callbacks, draw_box, draw_lasso, wait_for_steady_plot
from .scatter import gesture as _gesture

K = 5
#: The box, in data values: income from 60.5 to 95.5 (k$), spending from 35.5 to 90.5.
BOX = ((60.5, 35.5), (95.5, 90.5))
#: An L-shaped lasso: the low incomes at every spending level, and the low spenders at higher incomes.
LASSO = [(10.5, 95.5), (10.5, 5.5), (100.5, 5.5), (100.5, 30.5), (40.5, 30.5), (40.5, 95.5)]


# --- the demo data, counted without the app ------------------------------------------------------------


def _demo() -> pd.DataFrame:
    return pd.read_csv(DEMO_PATH)


def _in_box(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    (x0, y0), (x1, y1) = BOX
    return frame[frame[x].between(x0, x1) & frame[y].between(y0, y1)]


def _in_lasso(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Inside the L of ``LASSO`` (the union of its two rectangles)."""
    column = frame[x].between(10.5, 40.5) & frame[y].between(5.5, 95.5)
    foot = frame[x].between(40.5, 100.5) & frame[y].between(5.5, 30.5)
    return frame[column | foot]


# --- the scatter in the page ----------------------------------------------------------------------------


def _open_scatter(page: Page) -> tuple[Callbacks, str, str]:
    """The demo's Clusters page (k=5) with income across and spending up, drawn and settled.

    Returns the page's callback watcher and the scatter's axis titles (columns of the demo CSV).
    """
    token = open_demo(page)
    callbacks = Callbacks(page)
    page.goto("/clusters?" + urlencode({"ds": token, "k": K, "x": MODEL_INCOME, "y": MODEL_SPENDING}))
    expect(page.locator(".segments-summary tbody tr")).to_have_count(K)
    wait_for_steady_plot(page, callbacks)
    axes = page.evaluate("""(sel) => {
        const gd = document.querySelector(sel), layout = gd._fullLayout;
        return {types: gd._fullData.map(t => t.type), dragmode: layout.dragmode,
                x: layout.xaxis.title.text, y: layout.yaxis.title.text};
    }""", GRAPH)
    # SVG points, not WebGL (headless Chromium runs without a GPU); a drag selects.
    assert set(axes["types"]) == {"scatter"}, axes
    assert axes["dragmode"] == "select", axes
    assert (axes["x"], axes["y"]) == (MODEL_INCOME, MODEL_SPENDING), axes
    return callbacks, axes["x"], axes["y"]


def _draw_box(page: Page) -> None:
    draw_box(page, BOX)


def _draw_lasso(page: Page) -> None:
    draw_lasso(page, LASSO)


def _customers(page: Page, points: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """The selected customers' points with their demo rows, by the figure's own per-point row numbers
    (``customdata`` of each customer trace, as Plotly decoded it); the centroids, no customers, are left out."""
    traces = page.evaluate("""(sel) => document.querySelector(sel)._fullData.map(
        t => ({name: t.name, rows: t.customdata ? Array.from(t.customdata) : null}))""", GRAPH)
    customers = []
    for point in points:
        trace = traces[point["curveNumber"]]
        if trace["rows"] is None:
            assert trace["name"] == "Centroids", trace["name"]
            continue
        customers.append((point, int(trace["rows"][point["pointNumber"]])))
    return customers


def _check_points(page: Page, points: list[dict[str, Any]], expected: pd.DataFrame, x: str, y: str) -> None:
    """The gesture selected exactly the expected customers, each drawn at its own values."""
    frame = _demo()
    customers = _customers(page, points)
    rows = [row for _, row in customers]
    assert sorted(rows) == sorted(expected.index), (
        f"selected {len(rows)} customers, expected {len(expected)}: "
        f"{sorted(set(rows) ^ set(expected.index))[:20]} differ")
    assert all((p["x"], p["y"]) == (frame.at[row, x], frame.at[row, y]) for p, row in customers)


# --- the tests ------------------------------------------------------------------------------------------


def test_box_and_lasso_gestures_select_exactly_the_customers_inside(page: Page) -> None:
    """The mouse gestures reach Plotly and Dash: the selectedData sent to the server holds the customers
    inside the box (then the lasso), no more, no fewer."""
    callbacks, x, y = _open_scatter(page)
    frame = _demo()

    expected = _in_box(frame, x, y)
    assert 50 < len(expected) < 200, len(expected)  # a real part of the customers, not all or none
    points, _ = _gesture(page, _draw_box)
    _check_points(page, points, expected, x, y)

    wait_for_steady_plot(page, callbacks)
    expected = _in_lasso(frame, x, y)
    assert 50 < len(expected) < 300 and not set(expected.index) <= set(_in_box(frame, x, y).index), len(expected)
    points, _ = _gesture(page, _draw_lasso)
    _check_points(page, points, expected, x, y)


def test_box_and_lasso_gestures_drive_the_linked_selection(page: Page) -> None:
    """Box-select in the scatter: the page says how many customers are selected, the profile counts them,
    the selection downloads as exactly them; clearing restores everyone. Then the same with a lasso."""
    callbacks, x, y = _open_scatter(page)
    frame = _demo()
    everyone = customers_per_cluster(summary_rows(page))
    assert sum(everyone) == len(frame)

    for draw, expected in ((_draw_box, _in_box(frame, x, y)), (_draw_lasso, _in_lasso(frame, x, y))):
        wait_for_steady_plot(page, callbacks)
        points, store = _gesture(page, draw)
        customers = _customers(page, points)
        assert all("customdata" in p for p, _ in customers), (
            f"selectedData points carry no customdata (row numbers): {[p for p, _ in customers[:2]]}")
        assert sorted(row for _, row in customers) == sorted(expected.index)
        assert all(p["customdata"] == row for p, row in customers)
        assert store is not None and store["count"] == len(expected), store

        count = len(expected)
        info = page.locator(".segments-selection")
        expect(info).to_contain_text(f"{count:,} customers selected")
        callbacks.settle(page)  # the selection stays once the page has followed it
        expect(info).to_contain_text(f"{count:,} customers selected", timeout=1)
        expect(page.locator(f"#{ids.Clusters.PROFILE}")).to_contain_text("Profile of the selected customers")
        assert sum(customers_per_cluster(summary_rows(page))) == count

        name, data = download(page, f"#{ids.Clusters.SELECTION_DOWNLOAD}")
        assert name.endswith("-selection.csv"), name
        chosen = read_csv_text(data)
        original = read_csv_text(DEMO_PATH.read_bytes())
        assert len(chosen) == count
        assert sorted(chosen["CustomerID"]) == sorted(original.loc[expected.index, "CustomerID"])
        pd.testing.assert_frame_equal(chosen[original.columns].sort_values("CustomerID").reset_index(drop=True),
                                      original.loc[expected.index].sort_values("CustomerID").reset_index(drop=True))

        outline = page.locator(f"#{ids.Clusters.SCATTER} .selectionlayer path")
        assert outline.count() > 0  # the box or lasso is on the chart while it selects
        page.click(f"#{ids.Clusters.CLEAR_SELECTION}")
        expect(outline).to_have_count(0)  # and taken off with the selection
        expect(page.locator(".segments-selection")).to_have_count(0)
        expect(page.locator(f"#{ids.Clusters.SELECTION_BOX}")).to_be_hidden()
        expect(page.locator(f"#{ids.Clusters.PROFILE}")).not_to_contain_text("Profile of the selected customers")
        assert customers_per_cluster(summary_rows(page)) == everyone
