"""The scatter's box and lasso gestures, made with the mouse in the browser, select the customers inside.

The demo data (500 customers, so the scatter is SVG, not WebGL) is shown with income across and
spending up. A box and an L-shaped lasso are drawn between data values (half-way between the demo's
whole numbers, so no customer sits on an edge) at the pixels the plot's own axes give for them; the
customers inside are counted independently from the demo CSV with pandas.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import pytest
from playwright.sync_api import Page, Request, expect

from core import DEMO_PATH
from dashboard import ids

from .flow import MODEL_INCOME, MODEL_SPENDING, customers_per_cluster, download, open_demo, read_csv_text, summary_rows
from .watch import JOB_TIMEOUT_MS

GRAPH = "#clusters-scatter .js-plotly-plot"
SELECTED_DATA = "clusters-scatter.selectedData"
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


class Callbacks:
    """Dash callback requests of a page, to wait until a chain of callbacks has run its course."""

    def __init__(self, page: Page) -> None:
        self._pending: set[Request] = set()
        self._last = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        if "/_dash-update-component" in request.url:
            self._pending.add(request)
            self._last = time.monotonic()

    def _ended(self, request: Request) -> None:
        if request in self._pending:
            self._pending.discard(request)
            self._last = time.monotonic()

    def settle(self, page: Page, quiet_s: float = 1.0) -> None:
        """Wait until no callback has been running for ``quiet_s`` seconds."""
        deadline = time.monotonic() + JOB_TIMEOUT_MS / 1000
        while self._pending or time.monotonic() - self._last < quiet_s:
            assert time.monotonic() < deadline, f"callbacks still running: {[r.post_data for r in self._pending]}"
            page.wait_for_timeout(100)


def _open_scatter(page: Page) -> tuple[Callbacks, str, str]:
    """The demo's Clusters page (k=5) with income across and spending up, drawn and settled.

    Returns the page's callback watcher and the scatter's axis titles (columns of the demo CSV).
    """
    token = open_demo(page)
    callbacks = Callbacks(page)
    page.goto("/clusters?" + urlencode({"ds": token, "k": K, "x": MODEL_INCOME, "y": MODEL_SPENDING}))
    expect(page.locator(".segments-summary tbody tr")).to_have_count(K)
    _wait_for_steady_plot(page, callbacks)
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


def _wait_for_steady_plot(page: Page, callbacks: Callbacks) -> None:
    """The page's callbacks have run and the scatter is drawn and has kept its place and axes for 0.5 s."""
    callbacks.settle(page)
    page.locator(GRAPH).evaluate("gd => gd.scrollIntoView({block: 'center'})")  # the whole plot on screen
    page.wait_for_function("""(sel) => {
        const gd = document.querySelector(sel);
        const drag = gd && gd.querySelector('.nsewdrag');
        if (!drag || !gd._fullLayout || !gd._fullLayout.xaxis || !gd._fullLayout.xaxis._length || !gd.calcdata) {
            return false;
        }
        const r = drag.getBoundingClientRect(), layout = gd._fullLayout;
        const key = JSON.stringify([r.x, r.y, r.width, r.height, layout.xaxis.range, layout.yaxis.range,
                                    gd.data.length]);
        const now = performance.now();
        if (window.__steadyPlot === undefined || window.__steadyPlot.key !== key || window.__steadyPlot.gd !== gd) {
            window.__steadyPlot = {key, gd, since: now};
            return false;
        }
        return now - window.__steadyPlot.since >= 500;
    }""", arg=GRAPH, polling=100)


def _pixels(page: Page, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where data values are in the viewport: the plot's axes (data -> pixel in the plot area) plus the
    place of its drag layer (the plot area itself, offset by the axes' ``_offset`` in the graph)."""
    pixels = page.evaluate("""([sel, points]) => {
        const gd = document.querySelector(sel);
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const graph = gd.getBoundingClientRect();
        if (Math.abs(graph.left + xa._offset - area.left) > 1 || Math.abs(graph.top + ya._offset - area.top) > 1) {
            throw new Error('the drag layer is not where the axes put the plot area');
        }
        return points.map(([x, y]) => [area.left + xa.l2p(xa.d2l(x)), area.top + ya.l2p(ya.d2l(y))]);
    }""", [GRAPH, points])
    area = page.locator(f"{GRAPH} .nsewdrag").bounding_box()
    viewport = page.viewport_size
    for x, y in pixels:  # inside the plot area, and on screen (the mouse reaches only the viewport)
        assert area["x"] < x < area["x"] + area["width"] and area["y"] < y < area["y"] + area["height"], (x, y, area)
        assert 0 <= x < viewport["width"] and 0 <= y < viewport["height"], (x, y, viewport)
    return [(x, y) for x, y in pixels]


def _drag(page: Page, path: list[tuple[float, float]]) -> None:
    """Press the mouse at the path's first point, move through the others in small steps, release."""
    (x, y), *rest = path
    page.mouse.move(x, y)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(x, y, steps=10)
    page.mouse.up()


def _draw_box(page: Page) -> None:
    (x0, y0), (x1, y1) = _pixels(page, list(BOX))
    _drag(page, [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x1, y1)])


def _draw_lasso(page: Page) -> None:
    page.locator("#clusters-scatter .modebar-btn[data-val='lasso']").click()
    page.wait_for_function("(sel) => document.querySelector(sel)._fullLayout.dragmode === 'lasso'", arg=GRAPH)
    corners = _pixels(page, LASSO)
    _drag(page, [*corners, corners[0]])


def _is_selection_request(request: Request) -> bool:
    if "/_dash-update-component" not in request.url or not request.post_data:
        return False
    return SELECTED_DATA in json.loads(request.post_data).get("changedPropIds", [])


def _gesture(page: Page, draw: Callable[[Page], None]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Make a gesture; returns the points of the ``selectedData`` it sent to the server and the selection
    the server answered (the page's selection store: token and count, or None)."""
    with page.expect_response(lambda response: _is_selection_request(response.request)) as answer:
        draw(page)
    request = json.loads(answer.value.request.post_data)
    selected = next(item["value"] for item in request["inputs"]
                    if isinstance(item, dict) and f"{item['id']}.{item['property']}" == SELECTED_DATA)
    store = answer.value.json()["response"]["clusters-selection"]["data"]
    return (selected or {}).get("points") or [], store


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

    _wait_for_steady_plot(page, callbacks)
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
        _wait_for_steady_plot(page, callbacks)
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
        expect(page.locator("#clusters-profile")).to_contain_text("Profile of the selected customers")
        assert sum(customers_per_cluster(summary_rows(page))) == count

        name, data = download(page, "#clusters-selection-download")
        assert name.endswith("-selection.csv"), name
        chosen = read_csv_text(data)
        original = read_csv_text(DEMO_PATH.read_bytes())
        assert len(chosen) == count
        assert sorted(chosen["CustomerID"]) == sorted(original.loc[expected.index, "CustomerID"])
        pd.testing.assert_frame_equal(chosen[original.columns].sort_values("CustomerID").reset_index(drop=True),
                                      original.loc[expected.index].sort_values("CustomerID").reset_index(drop=True))

        outline = page.locator(f"#{ids.Clusters.SCATTER} .selectionlayer path")
        assert outline.count() > 0  # the box or lasso is on the chart while it selects
        page.click("#clusters-clear-selection")
        expect(outline).to_have_count(0)  # and taken off with the selection
        expect(page.locator(".segments-selection")).to_have_count(0)
        expect(page.locator("#clusters-selection-box")).to_be_hidden()
        expect(page.locator("#clusters-profile")).not_to_contain_text("Profile of the selected customers")
        assert customers_per_cluster(summary_rows(page)) == everyone
