"""Driving a Plotly scatter with the mouse in the browser (shared by the selection tests)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, Request

from dashboard import ids

from .watch import JOB_TIMEOUT_MS

#: The Clusters page's scatter (the Plotly graph div inside dcc.Graph).
GRAPH = f"#{ids.Clusters.SCATTER} .js-plotly-plot"
SELECTED_DATA = f"{ids.Clusters.SCATTER}.selectedData"
#: True when Dash's renderer has no callback waiting, running or being watched (see ``dash.testing``).
DASH_IDLE = """() => {
    const callbacks = window.store && window.store.getState().callbacks;
    return !!callbacks && ["blocked", "executed", "executing", "prioritized", "requested", "watched"]
        .every(stage => !callbacks[stage] || callbacks[stage].length === 0);
}"""


class Callbacks:
    """Dash callback requests of a page, to wait until a chain of callbacks has run its course."""

    def __init__(self, page: Page) -> None:
        self._pending: set[Request] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        if "/_dash-update-component" in request.url:
            self._pending.add(request)

    def _ended(self, request: Request) -> None:
        if request in self._pending:
            self._pending.discard(request)

    def settle(self, page: Page) -> None:
        """Wait until the page's callback chain has run its course: Dash's own record of callbacks
        (requested, running, watched background jobs...) is empty, the way ``dash.testing`` waits for
        callbacks, on three polls in a row (so the gap between a callback's answer and the one it triggers
        is not taken for the end of the chain). A request the renderer no longer waits for (a callback
        made obsolete by a newer one, or by leaving the page) does not hold the test; the requests still
        open are named if the chain never ends."""
        deadline = time.monotonic() + JOB_TIMEOUT_MS / 1000
        idle_polls = 0
        while idle_polls < 3:
            assert time.monotonic() < deadline, f"callbacks still running: {[r.post_data for r in self._pending]}"
            idle_polls = idle_polls + 1 if page.evaluate(DASH_IDLE) else 0
            page.wait_for_timeout(100)


def wait_for_steady_plot(page: Page, callbacks: Callbacks) -> None:
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


def pixels(page: Page, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
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


def drag(page: Page, path: list[tuple[float, float]], steps: int = 10) -> None:
    """Press the mouse at the path's first point, move through the others in small steps, release.

    Each step redraws the selection; on a WebGL chart of 20,000 points in Chromium's software renderer
    (no GPU here) a step takes about half a second, so WebGL tests take fewer steps."""
    (x, y), *rest = path
    page.mouse.move(x, y)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()


def draw_box(page: Page, box: tuple[tuple[float, float], tuple[float, float]], steps: int = 10) -> None:
    """Drag a box between two corners given in data values (the chart's default drag mode selects)."""
    (x0, y0), (x1, y1) = pixels(page, list(box))
    drag(page, [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x1, y1)], steps)


def draw_lasso(page: Page, corners: list[tuple[float, float]], steps: int = 10) -> None:
    """Pick the lasso in the chart's toolbar and draw a closed outline through corners in data values."""
    page.locator(f"#{ids.Clusters.SCATTER} .modebar-btn[data-val='lasso']").click()
    page.wait_for_function("(sel) => document.querySelector(sel)._fullLayout.dragmode === 'lasso'", arg=GRAPH)
    at = pixels(page, corners)
    drag(page, [*at, at[0]], steps)


def _is_selection_request(request: Request) -> bool:
    if "/_dash-update-component" not in request.url or not request.post_data:
        return False
    return SELECTED_DATA in json.loads(request.post_data).get("changedPropIds", [])


def gesture(page: Page, draw: Callable[[Page], None]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Make a gesture; returns the points of the ``selectedData`` it sent to the server and the selection
    the server answered (the page's selection store: token and count, or None)."""
    with page.expect_response(lambda response: _is_selection_request(response.request),
                              timeout=2 * JOB_TIMEOUT_MS) as answer:
        draw(page)
    request = json.loads(answer.value.request.post_data)
    selected = next(item["value"] for item in request["inputs"]
                    if isinstance(item, dict) and f"{item['id']}.{item['property']}" == SELECTED_DATA)
    store = answer.value.json()["response"][ids.Clusters.SELECTION]["data"]
    return (selected or {}).get("points") or [], store
