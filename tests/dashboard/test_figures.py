"""The figures' pure helpers: which customers a box or lasso holds, drawn or not; the per-segment
distributions drawn so each segment can be read (issue 12, item 7); the segment colours."""

from __future__ import annotations

import re

import numpy as np
import pytest
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
        figure, *_ = scatter_figure(seg, "Age", "Income")
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


def test_a_feature_the_model_takes_the_log_of_is_drawn_on_the_log_scale_in_its_own_units():
    """Found from outside (a 50,000-customer CRM export and a shop export): skewed spend, which the model takes the
    log of, was drawn on a linear axis: nine customers in ten in the first of 30 bars, the rest invisible. It is
    binned on the log scale now, its axis ticked in the feature's units; whole numbers (orders) still get bars of
    whole numbers; an amount with refunds (a signed log) is ticked on both sides of zero."""
    rng = np.random.default_rng(5)
    rows = 40_000
    spend = rng.lognormal(4, 1.4, rows).round(2)
    frame = pd.DataFrame({"Spend": spend.astype(str), "Orders": rng.geometric(0.15, rows).astype(str),
                          "Net": np.where(rng.random(rows) < 0.05, -spend / 3, spend).round(2).astype(str)})
    seg = segment_new(frame, ["Spend", "Orders", "Net"], 3, seed=0,
                      transforms={"Spend": "log", "Orders": "log", "Net": "signed_log"})
    figure = histogram_figure(seg, "Spend")
    bars = _bars(figure)
    shares = np.vstack([np.asarray(b.y) for b in bars])
    assert shares.max() < 25, shares.max(axis=1)  # on a linear axis the first bar held about 90%
    counts = sum(np.asarray(b.customdata)[:, 0] for b in bars)
    assert counts.sum() == rows
    axis = figure.layout[f"xaxis{seg.k}"]
    assert axis.title.text == "Spend (log scale)"
    assert list(axis.ticktext) == ["1", "10", "100", "1,000", "10,000"] or "1,000" in axis.ticktext
    assert np.allclose(axis.tickvals, np.log1p([float(t.replace(",", "")) for t in axis.ticktext]))
    low, high = np.asarray(bars[0].customdata)[:, 1], np.asarray(bars[0].customdata)[:, 2]
    assert np.allclose(np.log1p(low), np.asarray(bars[0].x) - np.asarray(bars[0].width) / 2)  # the range in units
    assert np.all(high > low) and "Spend %{customdata[1]:.4g} to %{customdata[2]:.4g}" in bars[0].hovertemplate

    orders = _bars(histogram_figure(seg, "Orders"))
    edges = np.expm1(np.asarray(orders[0].x) - np.asarray(orders[0].width) / 2)
    assert np.allclose(edges, np.round(edges - 0.5) + 0.5)  # every bar starts half-way between two whole numbers
    assert np.all(np.diff(np.asarray(orders[0].customdata)[:, 1]) > 1 - 1e-9)  # so each holds whole numbers of orders

    net_axis = histogram_figure(seg, "Net").layout[f"xaxis{seg.k}"]
    assert "0" in net_axis.ticktext and any(t.startswith("-") for t in net_axis.ticktext)
    assert histogram_figure(seg, "Spend", selected=np.arange(rows) % 2 == 0).data  # a selection draws too


def test_the_scatter_draws_log_features_on_their_scale_and_selects_what_is_drawn():
    """Found from outside (a 20,000-customer shop export, orders and spend both taken the log of): on linear axes
    the low segment and its centroid sat in the bottom corner under the high one's cloud. Such a feature is drawn
    on the log scale, as the model sees it, ticked in its own units, the hover giving the customer's values; a box
    drawn on that scale selects the customers inside it; the report's scatter does the same."""
    from dashboard.figures import scatter_coordinates

    rng = np.random.default_rng(9)
    rows = 6_000
    orders = rng.geometric(0.2, rows)
    spend = (orders * rng.lognormal(3, 0.6, rows)).round(2)
    frame = pd.DataFrame({"Orders": orders.astype(str), "Spend": spend.astype(str),
                          "Age": rng.integers(18, 80, rows).astype(str)})
    seg = segment_new(frame, ["Orders", "Spend", "Age"], 2, seed=0, transforms={"Orders": "log", "Spend": "log"})
    xs, ys, cx, cy, _ = scatter_coordinates(seg, "Orders", "Spend")
    assert np.allclose(xs, np.log1p(orders)) and np.allclose(ys, np.log1p(spend))
    # each centroid sits inside its segment's cloud on the drawn scale (on linear axes both were at its low edge)
    for label in range(2):
        mine = seg.labels[seg.scored] == label
        assert np.quantile(ys[mine], 0.2) < cy[label] < np.quantile(ys[mine], 0.8)
    figure, *_ = scatter_figure(seg, "Orders", "Spend")
    assert figure.layout.xaxis.title.text == "Orders (log scale)" and figure.layout.yaxis.title.text == "Spend (log scale)"
    assert np.allclose(figure.layout.yaxis.tickvals, np.log1p([float(t.replace(",", "")) for t in figure.layout.yaxis.ticktext]))
    first = figure.data[0]
    assert first.hovertemplate.endswith("%{text}<extra></extra>") and first.text[0].startswith("Orders=")
    assert float(first.text[0].split("<br>")[1].split("=")[1]) == pytest.approx(np.expm1(first.y[0]), rel=1e-5)
    age, *_ = scatter_figure(seg, "Age", "Spend")
    assert age.layout.xaxis.title.text == "Age" and age.layout.xaxis.tickvals is None  # a linear feature stays linear

    box = {"range": {"x": [float(np.log1p(3)), float(np.log1p(8))], "y": [float(np.log1p(50)), float(np.log1p(200))]}}
    inside = inside_selection(xs, ys, box)
    expected = (orders >= 3) & (orders <= 8) & (spend >= 50) & (spend <= 200)
    assert inside.sum() > 0 and np.array_equal(inside, expected[seg.scored])

    page = render_report("shop.csv", frame, seg)
    start = page.index("Customers on")
    chart = page[start:page.index("</svg>", start)]
    assert sorted(re.findall(r'class="label"[^>]*>([^<]*)<', chart)) == ["Orders (log scale)", "Spend (log scale)"]
    ticks = re.findall(r'class="tick"[^>]*>([^<]*)<', chart)
    assert {"1", "10", "100", "1,000"} <= set(ticks), ticks  # in the features' own units



def test_an_axis_of_a_feature_written_as_percentages_is_ticked_in_percent():
    """Found from outside: open rates written 24.4% were ticked 0.2, 0.4 on the scatter and the histograms."""
    import numpy as np
    import pandas as pd

    from core.segmentation import segment_new
    from dashboard.figures import PERCENT_TICKS, histogram_figure, scatter_figure

    rng = np.random.default_rng(3)
    rows = 300
    frame = pd.DataFrame({"Open Rate": [f"{v:.1f}%" for v in rng.uniform(10, 60, rows)],
                          "Spend": rng.gamma(2, 40, rows).round(2).astype(str),
                          "Visits": rng.poisson(6, rows).astype(str)})
    seg = segment_new(frame, ["Open Rate", "Spend", "Visits"], 3, seed=0, transforms=["none", "none", "none"])
    assert seg.percent_features == ("Open Rate",)
    figure, *_ = scatter_figure(seg, "Open Rate", "Visits")
    assert figure.layout.xaxis.tickformat == PERCENT_TICKS and figure.layout.yaxis.tickformat is None
    figure, *_ = scatter_figure(seg, "Spend", "Open Rate")
    assert figure.layout.yaxis.tickformat == PERCENT_TICKS and figure.layout.xaxis.tickformat is None
    bottom = f"xaxis{seg.k}"
    assert histogram_figure(seg, "Open Rate").layout[bottom].tickformat == PERCENT_TICKS
    assert histogram_figure(seg, "Visits").layout[bottom].tickformat is None


def test_an_axis_of_a_feature_written_as_durations_says_seconds():
    """Durations written 00:03:25 are read as seconds: the scatter's and the histograms' axes say so."""
    rng = np.random.default_rng(3)
    seconds = rng.integers(5, 3_000, 300)
    frame = pd.DataFrame({"Avg. Session Duration": [f"00:{s // 60:02d}:{s % 60:02d}" for s in seconds],
                          "Visits": rng.poisson(6, 300).astype(str)})
    seg = segment_new(frame, ["Avg. Session Duration", "Visits"], 2, seed=0, transforms=["log", "none"])
    figure, *_ = scatter_figure(seg, "Avg. Session Duration", "Visits")
    assert figure.layout.xaxis.title.text == "Avg. Session Duration (seconds, log scale)"
    assert figure.layout.yaxis.title.text == "Visits"
    assert histogram_figure(seg, "Avg. Session Duration").layout[f"xaxis{seg.k}"].title.text == \
        "Avg. Session Duration (seconds, log scale)"


def test_answers_on_a_scale_are_spread_around_their_values_so_that_every_customer_shows():
    """Found from outside: a survey's 4,000 respondents, answers of 1 to 5 and 0 to 10, were drawn as 40 dots, each
    hiding up to 300 customers. An axis of a few whole numbers is spread (seeded: the same figure every time), each
    point within SPREAD_WIDTH of its value; the hover, the centroids and the selection keep the true values; a
    measured axis is not moved."""
    from core.stats import SPREAD_WIDTH
    from dashboard.figures import scatter_coordinates
    from pages.clusters._scatter import scatter_note

    rng = np.random.default_rng(4)
    rows = 4_000
    group = rng.integers(0, 3, rows)
    frame = pd.DataFrame({"Support rating": np.array([1, 3, 5])[group] + 0 * rows,
                          "NPS": np.clip(np.array([2, 6, 9])[group] + rng.integers(-2, 3, rows), 0, 10),
                          "Spend": rng.lognormal(3, 0.5, rows).round(2)}).astype(str)
    seg = segment_new(frame, ["Support rating", "NPS", "Spend"], 3, seed=0, transforms={"Spend": "none"})
    _, _, cx, cy, _ = scatter_coordinates(seg, "NPS", "Support rating")
    figure, drawn, spread = scatter_figure(seg, "NPS", "Support rating", seed=0)
    assert spread == ("x", "y") and drawn == rows
    points = [trace for trace in figure.data if trace.name != "Centroids"]
    shown_x = np.concatenate([np.asarray(t.x, dtype=float) for t in points])
    rows_drawn = np.concatenate([np.asarray(t.customdata) for t in points])
    true_x = np.asarray(frame["NPS"], dtype=float)[rows_drawn]
    assert 0 < np.abs(shown_x - true_x).max() <= SPREAD_WIDTH  # moved, never to the next value
    assert len(np.unique(np.round(shown_x, 6))) > 1_000  # (40 dots before)
    hover = points[0].text[0]  # the true values
    assert hover == f"NPS={true_x[0]:.6g}<br>Support rating={float(frame['Support rating'][rows_drawn[0]]):.6g}"
    centroids = next(t for t in figure.data if t.name == "Centroids")
    assert np.allclose(centroids.x, cx) and np.allclose(centroids.y, cy)
    assert figure.layout.xaxis.dtick == 1 and figure.layout.yaxis.dtick == 2
    again, *_ = scatter_figure(seg, "NPS", "Support rating", seed=0)
    assert np.array_equal(np.asarray(again.data[0].x), np.asarray(points[0].x))  # the same figure every time
    measured, _, moved = scatter_figure(seg, "Spend", "Support rating", seed=0)
    assert moved == ("y",)
    spend = np.concatenate([np.asarray(t.x, dtype=float) for t in measured.data if t.name != "Centroids"])
    assert np.allclose(np.sort(spend), np.sort(np.asarray(frame["Spend"], dtype=float)))  # measured: not moved
    assert "spread up and down" in scatter_note(seg, drawn, 0, moved)
    # the report's scatter (on the two features that separate the segments most) spreads them too
    page = render_report("survey.csv", frame, seg)
    start = page.index("Customers on")
    chart = page[start:page.index("</svg>", start)]
    labels = re.findall(r'class="label"[^>]*>([^<]*)<', chart)
    assert any(label.endswith("(spread for visibility)") for label in labels), labels
    assert len(set(re.findall(r'<circle cx="([\d.]+)"', chart))) > 100


def test_the_scatter_note_counts_one_customer_as_one():
    """Found from outside (the bank churners export, its description row left out of the model): the note read
    "1 customers with missing values are not in the model"."""
    from pages.clusters._scatter import scatter_note

    frame = pd.DataFrame({"Spend": ["12.5", "", "40", "41", "12", "13", "39", "11"],
                          "Visits": ["1", "2", "9", "8", "2", "1", "9", "2"]})
    seg = segment_new(frame, ["Spend", "Visits"], 2, seed=0, transforms=["none", "none"])
    note = scatter_note(seg, 7, 1)
    assert "1 customer with missing values is not in the model." in note
    assert "1 customer sits near a segment border" in note
    assert "3 customers sit near" in scatter_note(seg, 7, 3)


def test_answers_written_as_words_tick_the_charts_axes_with_the_words():
    """Found from outside (a survey export written in answer text, seen in Chromium): the scatter and the
    histograms ticked "How often do you order?" 1 to 5 with no word for them; they now tick each answer found at
    its number ("Never" at 1 ... "Always" at 5), as the data check reads them."""
    from tests.core.test_scale_words import OFTEN, survey

    frame = survey()
    questions = ["The app is easy to use", "How satisfied are you with the delivery?", "How often do you order?"]
    seg = segment_new(frame, questions, 2, seed=0, missing="drop")
    assert seg.scale_ticks("How often do you order?") == tuple((i + 1.0, w) for i, w in enumerate(OFTEN))
    figure = scatter_figure(seg, "How often do you order?", "How satisfied are you with the delivery?").figure
    assert list(figure.layout.xaxis.ticktext) == OFTEN and list(figure.layout.xaxis.tickvals) == [1, 2, 3, 4, 5]
    assert list(figure.layout.yaxis.ticktext)[0] == "Very dissatisfied"  # (across, two lines: "Very<br>dissatisfied")
    easy = scatter_figure(seg, "The app is easy to use", "How often do you order?").figure.layout.xaxis
    assert "Neither agree<br>nor disagree" in easy.ticktext and easy.tickangle == 0
    histogram = histogram_figure(seg, "How often do you order?")
    assert list(histogram.layout[f"xaxis{seg.k}"].ticktext) == OFTEN
    plain = segment_new(frame.assign(Score=[str(i % 5 + 1) for i in range(len(frame))]), ["Score", questions[0]], 2,
                        seed=0, missing="drop")
    assert plain.scale_ticks("Score") == () and scatter_figure(plain, "Score", questions[0]).figure.layout.xaxis.ticktext \
        is None


def test_a_feature_written_with_a_unit_says_it_on_the_axes():
    """A column read from "3 years" says "(years)" on the scatter's and the histograms' axes."""
    from tests.core.test_units import crm

    seg = segment_new(crm(), ["Tenure", "Spend"], 3, seed=0)
    assert scatter_figure(seg, "Tenure", "Spend").figure.layout.xaxis.title.text == "Tenure (years)"
    assert histogram_figure(seg, "Tenure").layout[f"xaxis{seg.k}"].title.text == "Tenure (years)"
