"""The figures' pure helpers: which customers a box or lasso holds, drawn or not; the per-segment
distributions drawn so each segment can be read (issue 12, item 7); the segment colours."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.report import render_report
from core.segmentation import segment_new
from dashboard.figures import SVG_POINTS, cluster_color, histogram_figure, inside_selection, scatter_figure


def _points(n: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.uniform(0, 100, n), rng.uniform(0, 100, n)


def test_a_box_holds_every_customer_inside_it_in_either_drawing_direction():
    xs, ys = _points()
    expected = (xs >= 20) & (xs <= 45) & (ys >= 60) & (ys <= 90)
    assert np.array_equal(inside_selection(xs, ys, {"range": {"x": [20, 45], "y": [60, 90]}}), expected)
    assert np.array_equal(inside_selection(xs, ys, {"range": {"x": [45, 20], "y": [90, 60]}}), expected)


def test_a_lasso_holds_the_customers_inside_its_outline():
    """An L-shaped lasso is the union of two rectangles; a customer is inside exactly when in one of them."""
    xs, ys = _points()
    lasso = {"x": [10, 10, 90, 90, 40, 40], "y": [95, 5, 5, 30, 30, 95]}
    expected = ((xs > 10) & (xs < 40) & (ys > 5) & (ys < 95)) | ((xs > 40) & (xs < 90) & (ys > 5) & (ys < 30))
    inside = inside_selection(xs, ys, {"lassoPoints": lasso})
    # customers exactly on the outline may go either way; none of the random ones are
    assert np.array_equal(inside, expected)
    assert 0.3 < inside.mean() < 0.5


def test_a_selection_without_a_shape_is_left_to_its_points():
    xs, ys = _points(10)
    assert inside_selection(xs, ys, {"points": []}) is None
    assert inside_selection(xs, ys, {"range": {"x": [1, "a"], "y": [0, 1]}}) is None
    assert inside_selection(xs, ys, {"lassoPoints": {"x": [1, 2], "y": [1, 2]}}) is None
    # crafted requests: no shape, never an error
    for crafted in ({"range": [1, 2]}, {"range": {"x": [1, None], "y": [0, 1]}}, {"range": {"x": [0, float("nan")],
                    "y": [0, 1]}}, {"lassoPoints": {"x": ["a", 1, 2], "y": [1, 2, 3]}},
                    {"lassoPoints": {"x": [1, 2, 3], "y": [1, 2]}}, {"lassoPoints": {"x": [0] * 10 ** 5,
                                                                                   "y": [0] * 10 ** 5}}):
        assert inside_selection(xs, ys, crafted) is None, crafted


def _segmentation(k: int = 4, rows: int = 10_000):
    """k overlapping groups of 10^4 customers over two features (overlap is what made the old chart blend)."""
    rng = np.random.default_rng(5)
    group = rng.integers(0, k, rows)
    frame = pd.DataFrame({"Age": (30 + 6 * group + rng.normal(0, 8, rows)).round(1).astype(str),
                          "Income": (40 + 10 * group + rng.normal(0, 12, rows)).round(1).astype(str)})
    return segment_new(frame, ["Age", "Income"], k, seed=0).renamed({0: "Loyal big spenders <b>", 2: "Young"})


def _bars(figure):
    return [trace for trace in figure.data if trace.type == "bar"]


def test_the_centroids_are_drawn_above_the_customers_at_any_size():
    """Plotly draws WebGL traces on a canvas above the SVG ones: beyond SVG_POINTS customers (drawn with
    WebGL) the centroids' SVG crosses sat under them, hidden in a dense segment (seen on the telco export
    of 7,043 customers). The centroids are drawn like the customers, and last: on top."""
    for rows in (SVG_POINTS // 2, 2 * SVG_POINTS):
        seg = _segmentation(rows=rows)
        figure, _ = scatter_figure(seg, "Age", "Income")
        customers = {trace.type for trace in figure.data[:-1]}
        assert len(customers) == 1 and figure.data[-1].name == "Centroids"
        assert figure.data[-1].type in customers
        assert figure.data[-1].type == ("scatter" if rows <= SVG_POINTS else "scattergl")
        assert len(figure.data[-1].x) == seg.k and figure.data[-1].marker.symbol == "x"


def test_the_distribution_of_a_feature_has_one_panel_per_segment_in_its_colour():
    seg = _segmentation()
    figure = histogram_figure(seg, "Income")
    bars = _bars(figure)
    assert len(bars) == seg.k
    # small multiples: no two segments share a panel, so no bars are drawn over each other
    assert len({trace.yaxis for trace in bars}) == seg.k
    assert figure.layout.barmode != "overlay"
    assert [trace.marker.color for trace in bars] == [cluster_color(label) for label in range(seg.k)]
    assert all((trace.opacity is None or trace.opacity == 1) for trace in bars)
    # every panel shares the horizontal axis: the bins line up from one segment to the next
    assert len({tuple(trace.x) for trace in bars}) == 1


def test_each_panel_names_its_segment_beside_its_colour():
    seg = _segmentation()
    figure = histogram_figure(seg, "Age")
    labels = [a for a in figure.layout.annotations if "Loyal" in a.text or "Young" in a.text or "·" in a.text]
    assert len(labels) == seg.k
    for label, (annotation, name) in enumerate(zip(labels, seg.segment_names)):
        assert f"{label + 1} · " in annotation.text
        assert name.replace("<", "&lt;").replace(">", "&gt;") in annotation.text  # user text stays inert
        assert cluster_color(label) in annotation.text  # a swatch of the scatter's colour
        # the size as the scatter's legend gives it, "(2,349)": with " customers" a 40-character name ran
        # past a phone's chart
        assert re.search(r"\(\d[\d,]*\)</span>$", annotation.text), annotation.text


def test_panels_show_shares_of_each_segment_so_small_segments_can_be_read():
    seg = _segmentation()
    figure = histogram_figure(seg, "Income")
    for trace in _bars(figure):
        assert abs(sum(trace.y) - 100) < 1e-6  # % of the segment's customers


def test_a_selection_without_some_segments_still_draws_a_panel_for_each():
    seg = _segmentation()
    scored_labels = seg.labels[seg.scored]
    selected = scored_labels == 1
    figure = histogram_figure(seg, "Income", selected)
    bars = _bars(figure)
    assert len(bars) == seg.k
    assert sum(bars[1].y) > 0 and all(sum(trace.y) == 0 for i, trace in enumerate(bars) if i != 1)
    assert any("no customers" in a.text for a in figure.layout.annotations)

def test_the_dashboard_and_the_report_colour_segments_1_to_15_alike():
    """Issue 14, item 3: the report had 10 colours and the dashboard 15, so segment 11 was blue in the report
    and navy on the page. One palette (core.palette) for both; checked on a report of 15 segments."""
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 100, size=(15, 2))
    X = np.vstack([rng.normal(c, 0.5, size=(20, 2)) for c in centres])
    frame = pd.DataFrame(X, columns=["a", "b"])
    seg = segment_new(frame, ["a", "b"], k=15, seed=0)
    page = render_report("many.csv", frame, seg)
    colours = [cluster_color(label) for label in range(15)]
    assert len(set(colours)) == 15
    for label, colour in enumerate(colours):
        assert f"background:{colour}" in page, f"segment {label + 1}"


def test_each_panels_name_has_room_above_its_bars_and_the_title_two_lines():
    for k in (2, 3, 5, 8):
        figure = histogram_figure(_segmentation(k=k, rows=3_000), "Income")
        plot_height = figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
        domains = sorted(tuple(axis["domain"]) for name, axis in figure.layout.to_plotly_json().items()
                         if name.startswith("yaxis"))
        gaps = [(upper[0] - lower[1]) * plot_height for lower, upper in zip(domains, domains[1:])]
        assert min(gaps) >= 20, (k, gaps)  # a 12 px name fits between two panels
    # the feature, with what the bars show on a line of its own (one line was cut off on a phone)
    assert figure.layout.title.text == "Income"
    assert figure.layout.title.subtitle.text == "share of each segment's customers"


def test_whole_number_features_are_binned_on_whole_numbers_so_no_bar_rises_by_the_binning_alone():
    """Found from outside (a 300,000-customer shop export, Age 18-79 drawn evenly): 30 bins of width 2.03 gave
    the first and last bars three ages each and the others two, so the youngest and oldest customers looked a
    third more common than the rest. A 0-10 score showed 30 bars with gaps between the 11 values. Whole
    numbers now get bins of a whole number of values, centred on them."""
    rng = np.random.default_rng(3)
    rows = 60_000
    frame = pd.DataFrame({"Age": rng.integers(18, 80, rows).astype(str),
                          "NPS": rng.integers(0, 11, rows).astype(str),
                          "Spend": rng.gamma(2.0, 50.0, rows).round(2).astype(str)})
    seg = segment_new(frame, ["Age", "NPS", "Spend"], 2, seed=0)
    for feature, values in (("Age", range(18, 80)), ("NPS", range(11))):
        bars = _bars(histogram_figure(seg, feature))
        width = bars[0].width
        assert width == int(width) and width >= 1
        centres = np.asarray(bars[0].x)
        # each bar covers the same whole number of values, none split between two bars
        assert np.allclose(centres - width / 2 + 0.5, np.round(centres - width / 2 + 0.5))
        assert centres[0] - width / 2 < values[0] and centres[-1] + width / 2 > values[-1]
        counts = sum(np.asarray(trace.customdata) for trace in bars)
        full = counts[:-1] if (values[-1] - values[0] + 1) % width else counts
        assert full.max() / full.min() < 1.15, (feature, counts)
    nps = _bars(histogram_figure(seg, "NPS"))
    assert nps[0].width == 1 and list(nps[0].x) == list(range(11))  # one bar per score
    spend = _bars(histogram_figure(seg, "Spend"))
    assert len(spend[0].x) == 30  # amounts keep 30 bins
