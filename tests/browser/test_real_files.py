"""Acceptance tests on generated customer files of 10^4 and 10^5 customers, not only the 500-customer demo.

Above 5,000 customers the scatter is drawn with WebGL, whose shaders the strict Content-Security-Policy
used to block ("WebGL is not supported by your browser", and no box or lasso). Here: the WebGL scatter
is drawn under the strict policy (the ``browser_errors`` fixture fails a test on any CSP violation or
console error), box and lasso select every customer inside them (also those a sampled chart does not
draw), the axes are two different features after any sequence of feature changes, and the progress
bars of the background jobs go away when the jobs end.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
import pytest
import requests
from playwright.sync_api import Page, expect

from dashboard import ids

from tests.support import Server

from .flow import (MODEL_INCOME, MODEL_SPENDING, choose, csv_bytes, customers_frame, expect_fit, map_id, query,
                   train, wait_for_query)
from .scatter import GRAPH, Callbacks, draw_box, draw_lasso, gesture, wait_for_steady_plot
from .watch import JOB_TIMEOUT_MS

pytestmark = pytest.mark.slow

SIZES = [10_000, 100_000]
K = 5
#: A box and an L-shaped lasso in data values, half-way between whole numbers (no customer on an edge).
BOX = ((60.5, 35.5), (95.5, 90.5))
LASSO = [(10.5, 95.5), (10.5, 5.5), (100.5, 5.5), (100.5, 30.5), (40.5, 30.5), (40.5, 95.5)]
_FILES: dict[tuple[Any, ...], tuple[str, pd.DataFrame]] = {}


def _dataset(server: Server, rows: int, **columns: str) -> tuple[str, pd.DataFrame]:
    """A generated customer file of ``rows`` customers on the server (uploaded once per test session):
    its dataset token and the frame, numbers as numbers."""
    key = (server.url, rows, *sorted(columns.items()))
    if key not in _FILES:
        frame = customers_frame(rows, seed=11, **columns)
        answer = requests.post(f"{server.url}/api/upload", files={"file": (f"customers-{rows}.csv", csv_bytes(frame))},
                               timeout=JOB_TIMEOUT_MS / 1000)
        assert answer.status_code == 200, answer.text
        numbers = frame.copy()
        for column in frame.columns[2:]:  # Age, income, spending
            numbers[column] = pd.to_numeric(frame[column])
        _FILES[key] = answer.json()["token"], numbers
    return _FILES[key]


def _clusters(page: Page, token: str, **settings: Any) -> Callbacks:
    callbacks = Callbacks(page)
    page.goto("/clusters?" + urlencode({"ds": token, "k": K, "x": MODEL_INCOME, "y": MODEL_SPENDING, **settings}))
    expect(page.locator(".segments-summary tbody tr")).to_have_count(K, timeout=JOB_TIMEOUT_MS)
    wait_for_steady_plot(page, callbacks)
    return callbacks


def _axis_titles(page: Page) -> tuple[str, str]:
    titles = page.evaluate("""(sel) => { const layout = document.querySelector(sel)._fullLayout;
        return [layout.xaxis.title.text, layout.yaxis.title.text]; }""", GRAPH)
    return titles[0], titles[1]


@pytest.mark.parametrize("rows", SIZES)
def test_the_scatter_is_drawn_with_webgl_under_the_strict_policy(page: Page, app_server: Server, rows: int) -> None:
    token, _ = _dataset(app_server, rows)
    _clusters(page, token)
    drawn = page.evaluate("""(sel) => { const gd = document.querySelector(sel), scene = gd._fullLayout._plots.xy._scene;
        return {types: [...new Set(gd._fullData.map(t => t.type))].sort(), regl: !!(scene && scene.scatter2d),
                canvases: gd.querySelectorAll('canvas.gl-canvas').length}; }""", GRAPH)
    # every trace WebGL, the centroids too: an SVG trace is drawn under the WebGL canvas, hidden by the customers
    assert drawn == {"types": ["scattergl"], "regl": True, "canvases": 3}, drawn
    expect(page.get_by_text("WebGL is not supported", exact=False)).to_have_count(0)
    shown = min(rows, 20_000)
    expect(page.locator(f"#{ids.Clusters.SCATTER_NOTE}")).to_contain_text(f"Showing {shown:,} of {rows:,} segmented customers")
    response = page.request.get(page.url)
    policy = response.headers["content-security-policy"]
    assert "'unsafe-eval'" not in policy and "script-src 'self' 'sha256-" in policy, policy


def _inside_box(frame: pd.DataFrame) -> pd.Index:
    (x0, y0), (x1, y1) = BOX
    return frame.index[frame[MODEL_INCOME].between(x0, x1) & frame[MODEL_SPENDING].between(y0, y1)]


def _inside_lasso(frame: pd.DataFrame) -> pd.Index:
    x, y = frame[MODEL_INCOME], frame[MODEL_SPENDING]
    column = x.between(10.5, 40.5) & y.between(5.5, 95.5)
    foot = x.between(40.5, 100.5) & y.between(5.5, 30.5)
    return frame.index[column | foot]


@pytest.mark.parametrize("rows", SIZES)
def test_box_and_lasso_select_the_customers_inside_on_the_webgl_scatter(page: Page, app_server: Server,
                                                                        rows: int) -> None:
    """Every customer inside the shape is selected, also those a sampled chart (10^5 customers, 20,000
    drawn) leaves out; at 10^4 every customer is drawn and the points the chart reports are exactly them."""
    token, frame = _dataset(app_server, rows)
    callbacks = _clusters(page, token)
    for draw, expected in ((lambda p: draw_box(p, BOX, steps=2), _inside_box(frame)),
                           (lambda p: draw_lasso(p, LASSO, steps=2), _inside_lasso(frame))):
        assert 0.05 * rows < len(expected) < 0.7 * rows, len(expected)
        wait_for_steady_plot(page, callbacks)
        points, store = gesture(page, draw)
        assert store is not None and store.get("count") == len(expected), (store, len(expected))
        reported = {int(p["customdata"]) for p in points if "customdata" in p}
        assert reported <= set(expected)
        if rows <= 20_000:
            assert reported == set(expected)
        else:
            assert len(reported) < len(expected)  # the chart drew a sample; the server took everyone inside
        expect(page.locator(".segments-selection")).to_contain_text(f"{len(expected):,} customers selected")
        callbacks.settle(page)
    page.click(f"#{ids.Clusters.CLEAR_SELECTION}")
    expect(page.locator(".segments-selection")).to_have_count(0)


def _features(page: Page) -> list[str]:
    return query(page).get("feature", [])


def _toggle(page: Page, feature: str) -> None:
    """Tick or untick a feature, and wait until the address bar says so."""
    box = page.locator(f"#{ids.Model.FEATURES}").get_by_label(feature, exact=True)
    ticked = box.is_checked()
    box.click()
    page.wait_for_function("([f, ticked]) => new URLSearchParams(location.search).getAll('feature').includes(f) "
                           "!== ticked", arg=[feature, ticked])


def test_the_axes_are_two_different_features_after_any_feature_changes(page: Page, app_server: Server) -> None:
    """Tick Age, income and spending, untick Age: the scatter showed income against income."""
    token, _ = _dataset(app_server, 10_000)
    page.goto(f"/model?ds={token}")
    expect(page.locator(f"#{ids.Model.FEATURES}")).to_be_visible()
    age = "Age"
    for change, wanted in (([age], {MODEL_INCOME, MODEL_SPENDING}),
                           ([age, MODEL_SPENDING], {age, MODEL_INCOME}),
                           ([MODEL_INCOME, MODEL_SPENDING], {age, MODEL_SPENDING})):
        for feature in change:
            _toggle(page, feature)
        assert set(_features(page)) == wanted
        callbacks = Callbacks(page)
        page.click(f"#{ids.Model.NEXT}")
        expect(page.locator(".segments-summary tbody tr").first).to_be_visible(timeout=JOB_TIMEOUT_MS)
        wait_for_steady_plot(page, callbacks)
        x, y = _axis_titles(page)
        assert x != y and {x, y} == wanted, (x, y, wanted)
        # picking for the vertical axis the horizontal one's feature swaps them, the dropdowns follow
        page.locator(f"#{ids.Clusters.Y}").click()
        page.get_by_role("option", name=x, exact=True).click()
        wait_for_query(page, x=y, y=x)
        expect(page.locator(f"#{ids.Clusters.X}")).to_contain_text(y)
        expect(page.locator(f"#{ids.Clusters.Y}")).to_contain_text(x)
        wait_for_steady_plot(page, callbacks)
        assert _axis_titles(page) == (y, x)
        page.locator(f"#{ids.Shell.NAV}").get_by_role("link", name="Model").click()
        expect(page.locator(f"#{ids.Model.FEATURES}")).to_be_visible()


def test_progress_bars_and_cancel_buttons_go_away_when_the_jobs_end(page: Page, app_server: Server) -> None:
    token, _ = _dataset(app_server, 10_000)
    page.goto(f"/model?ds={token}")
    train(page)
    expect(page.locator(f"#{ids.Model.USE_K}")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.locator(".segments-fit-result")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    for job in (f"#{ids.Model.SWEEP_STATUS}", f"#{ids.Model.FIT_STATUS}"):
        expect(page.locator(job)).to_be_hidden()
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)  # none on screen
    page.click(f"#{ids.Model.NEXT}")
    expect(page.locator(".segments-stability-verdict")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Clusters.STABILITY_STATUS}")).to_be_hidden()


def test_a_pretrained_model_with_a_column_mapping(page: Page, app_server: Server) -> None:
    """A file whose columns are named differently from the model's features: the obvious matches are
    proposed, one column is mapped by hand, nothing is red before the user applies, the ticked features
    change nothing, and the segments are drawn on two different axes."""
    token, frame = _dataset(app_server, 10_000, income="AnnualIncome", spending="Score")
    page.goto(f"/model?ds={token}")
    page.get_by_label("Apply the pre-trained model").check()
    wait_for_query(page, mode="pretrained")
    expect(page.locator(map_id(MODEL_INCOME))).to_contain_text("AnnualIncome")  # proposed
    expect(page.locator(map_id(MODEL_SPENDING))).not_to_contain_text("Score")  # not the same name: not guessed
    expect(page.locator(".segments-error")).to_have_count(0)
    expect(page.locator(f"#{ids.Model.SWEEP_CARD}")).to_be_hidden()
    choose(page, map_id(MODEL_SPENDING), "Score")
    wait_for_query(page, map=[f"AnnualIncome={MODEL_INCOME}", f"Score={MODEL_SPENDING}"])
    expect_fit(page, f"Pre-trained model applied: {len(frame):,} customers segmented on AnnualIncome, Score.")
    callbacks = Callbacks(page)
    page.click(f"#{ids.Model.NEXT}")
    expect(page.locator(".segments-summary tbody tr")).to_have_count(5, timeout=JOB_TIMEOUT_MS)
    wait_for_steady_plot(page, callbacks)
    x, y = _axis_titles(page)
    assert {x, y} == {"AnnualIncome", "Score"}


def test_training_starts_from_the_train_button_only(page: Page, app_server: Server) -> None:
    """Issue 12: a k=4 model was fitted before the recommendation appeared, and every checkbox click
    started a fit over all rows. Now: the recommendation is proposed on the slider, clicks fit nothing,
    one press of Train fits once."""
    token, _ = _dataset(app_server, 10_000)
    fits: list[str] = []
    # a fit job starts with a request to the callback (then its progress is polled with ?cacheKey=...&job=...)
    page.on("request", lambda r: fits.append(r.post_data or "") if "/_dash-update-component" in r.url
            and "cacheKey=" not in r.url
            and ids.Model.FIT_RESULT in (r.post_data or "") else None)
    page.goto(f"/model?ds={token}")
    for feature in ("Age", "Age", MODEL_SPENDING, MODEL_SPENDING):
        _toggle(page, feature)
    expect(page.locator(f"#{ids.Model.K_NOTE}")).to_contain_text("is the recommendation", timeout=JOB_TIMEOUT_MS)
    recommended = page.locator(f"#{ids.Model.USE_K}").inner_text().split("=")[1]
    expect(page.locator(f"#{ids.Model.K} [role=slider]")).to_have_attribute("aria-valuenow", recommended)
    expect(page.locator(f"#{ids.Model.TRAIN_HINT}")).to_contain_text("nothing is fitted until then")
    assert fits == [] and page.locator(".segments-fit-result").count() == 0
    expect_fit(page, f"New model with k={recommended}, seed 0: 10,000 customers")
    assert len(fits) == 1
    expect(page.locator(f"#{ids.Model.TRAIN_HINT}")).to_have_text("")
