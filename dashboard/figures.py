"""Pure functions from core results to Plotly figures (no callbacks, no cache).

Figures stay light at any size: the scatter draws a seeded sample of at most
:data:`SCATTER_POINTS` customers with WebGL, and histograms are binned here on the server over
every customer, so only bar heights travel to the browser.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import Segmentation, SweepResult, display_cluster
from core.palette import segment_color as cluster_color  # one palette with the report: core/palette.py
from core.stats import spread_around
from core.projection import project_2d
from core.text import short_label
from core.transform_kinds import LOG_SCALES, apply_transform, invert_transform, log_axis_ticks

from .state import PCA
from .terms import plain

__all__ = ["cluster_color", "elbow_figure", "silhouette_figure", "index_figure", "scatter_figure", "histogram_figure",
           "SCATTER_POINTS", "axis_label", "sankey_figure", "trend_figure", "scatter_coordinates",
           "inside_selection", "axis_scale", "ScatterFigure"]

#: At most this many customers are drawn in the scatter (the summary always uses every row).
SCATTER_POINTS = 20_000
#: Up to this many points the scatter is drawn as SVG, beyond with WebGL.
SVG_POINTS = 5_000
_LAYOUT = dict(template="plotly_white", margin=dict(l=50, r=20, t=40, b=45), font=dict(size=13))
#: ... for a figure with a two-line title (a plain name, then a smaller line on how to read it).
_TITLED = {**_LAYOUT, "margin": dict(l=50, r=20, t=66, b=45)}


#: The longest feature name an axis title shows whole: it is centred under a phone's narrow plot.
AXIS_TITLE_CHARS = 30


#: Plotly's tick format of an axis whose feature the file writes as percentages (its values are fractions).
PERCENT_TICKS = ".0%"


def axis_label(axis: str, explained: tuple[float, float] | None = None, index: int = 0) -> str:
    """How an axis is titled: the feature (a long name shortened: :func:`core.text.short_label`), or the
    principal component and its variance share."""
    if axis != PCA:
        return short_label(axis, AXIS_TITLE_CHARS)
    share = f" ({explained[index]:.0%} of variance)" if explained else ""
    return f"Component {index + 1}{share}"


def elbow_figure(sweep: SweepResult, chosen_k: int | None = None) -> go.Figure:
    """WCSS against k, with the elbow marked (and the chosen k, if different); titled in plain words (the
    term is in the page's tooltip and in the hover text)."""
    table = sweep.shown()
    spread = plain("WCSS")
    fig = go.Figure(go.Scatter(x=table["k"], y=table["wcss"], mode="lines+markers", name=spread,
                               hovertemplate="k=%{x}<br>" + spread + " (WCSS)=%{y:,.1f}<extra></extra>"))
    elbow = table[table["k"] == sweep.elbow]
    fig.add_trace(go.Scatter(x=elbow["k"], y=elbow["wcss"], mode="markers+text", name="Elbow",
                             marker=dict(size=16, color="#d62728", symbol="circle-open", line=dict(width=3)),
                             text=[f"elbow k={sweep.elbow}"], textposition="top right"))
    if chosen_k is not None and chosen_k != sweep.elbow:
        fig.add_vline(x=chosen_k, line_dash="dot", line_color="#888",
                      annotation_text=f"chosen k={chosen_k}", annotation_position="top")
    fig.update_layout(title=f"Elbow: {spread}<br><sup>lower is tighter; the bend is the elbow</sup>", xaxis_title="k (number of segments)",
                      yaxis_title=spread, showlegend=False, height=320, **_TITLED)
    fig.update_xaxes(dtick=1)
    return fig


def silhouette_figure(sweep: SweepResult, chosen_k: int | None = None) -> go.Figure:
    """Silhouette against k, with the best k marked (titled in plain words)."""
    table = sweep.shown()
    score = plain("silhouette")
    best = sweep.best_silhouette
    colors = ["#2ca02c" if k == best else "#9ecae1" for k in table["k"]]
    fig = go.Figure(go.Bar(x=table["k"], y=table["silhouette"], marker_color=colors,
                           hovertemplate="k=%{x}<br>" + score + " (silhouette)=%{y:.3f}<extra></extra>"))
    if chosen_k is not None:
        fig.add_vline(x=chosen_k, line_dash="dot", line_color="#888",
                      annotation_text=f"chosen k={chosen_k}", annotation_position="top")
    fig.update_layout(title=f"{score.capitalize()}<br><sup>higher is better separated; best k={best}</sup>",
                      xaxis_title="k (number of segments)", yaxis_title=score, height=320, **_TITLED)
    fig.update_xaxes(dtick=1)
    return fig


def index_figure(sweep: SweepResult, column: str, term: str, higher_is_better: bool) -> go.Figure:
    """One cluster-validity index (``term``: Calinski-Harabasz or Davies-Bouldin) against k, its best k
    marked, titled with the index's plain word (the term is in the hover text)."""
    title = plain(term)
    table = sweep.full_table()
    table = table[(table["k"] >= sweep.k_min) & table[column].notna()]
    best = int(table.loc[table[column].idxmax() if higher_is_better else table[column].idxmin(), "k"])
    colors = ["#2ca02c" if k == best else "#c7c7e2" for k in table["k"]]
    fig = go.Figure(go.Bar(x=table["k"], y=table[column], marker_color=colors,
                           hovertemplate="k=%{x}<br>" + f"{title} ({term})" + "=%{y:.3f}<extra></extra>"))
    direction = "higher" if higher_is_better else "lower"
    fig.update_layout(title=f"{title.capitalize()}<br><sup>{direction} is better; best k={best}</sup>",
                      xaxis_title="k (number of segments)", yaxis_title=title, height=300, **_TITLED)
    # a long plain name ("similarity to the nearest segment") runs past the plot's height into the title
    fig.update_yaxes(title_font_size=11 if len(title) > 24 else None)
    fig.update_xaxes(dtick=1)
    return fig


def scatter_coordinates(seg: Segmentation, x: str, y: str,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[float, float] | None]:
    """Where every scored customer and every centroid sits on the scatter's axes.

    Returns ``(xs, ys, centroid xs, centroid ys, explained)``: one value per scored customer (in the
    order of ``seg.matrix.X``) and per centroid; ``explained`` is the projection's variance shares when
    an axis is ``"pca"`` (first component across, second up), else None. A feature the model takes the
    log of (:func:`axis_scale`) is placed on that scale, as the model sees it: on a linear axis a shop's
    skewed spend and orders put most customers, and a segment's centroid, in one corner.
    """
    projection = project_2d(seg, seed) if PCA in (x, y) else None
    centroids = seg.centroids()

    def coordinates(axis: str, component: int) -> tuple[np.ndarray, np.ndarray]:
        if axis == PCA and projection is not None:
            return projection.points[:, component], projection.centers[:, component]
        scale = axis_scale(seg, axis)
        return (apply_transform(scale, seg.matrix.X[:, seg.features.index(axis)]),
                apply_transform(scale, centroids[axis].to_numpy()))

    xs, cx = coordinates(x, 0)
    ys, cy = coordinates(y, 1)
    return xs, ys, cx, cy, (projection.explained if projection else None)


def axis_scale(seg: Segmentation, axis: str) -> str:
    """The scale a feature is drawn on: its transform when the model takes its log (``log``, ``signed_log``),
    else ``none`` (a principal component, or a feature the model takes as it is)."""
    if axis not in seg.features:
        return "none"
    transform = seg.transforms[seg.features.index(axis)]
    return transform if transform in LOG_SCALES else "none"


def _log_axis(low: float, high: float, scale: str) -> dict[str, Any]:
    """An axis drawn on ``scale`` from ``low`` to ``high`` (positions on it), ticked in the feature's own units."""
    ticks = log_axis_ticks(low, high, scale)
    return {"tickvals": [at for at, _ in ticks], "ticktext": [label for _, label in ticks]}


def _span(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


class ScatterFigure(NamedTuple):
    """:func:`scatter_figure`'s answer."""

    figure: go.Figure
    #: customers drawn (a seeded sample beyond :data:`SCATTER_POINTS`)
    drawn: int
    #: the axes ("x", "y") whose points are spread around their whole-number values
    spread: tuple[str, ...]


def scatter_figure(seg: Segmentation, x: str, y: str, borderline: np.ndarray | None = None,
                   seed: int = 0) -> ScatterFigure:
    """Customers coloured by segment, centroids as crosses. Returns the figure, the points drawn and the axes
    spread (an axis of a few whole numbers, such as a rating of 1 to 5: each point moved by up to
    :data:`core.stats.SPREAD_WIDTH` of a step, seeded, so that the customers on one value show; the hover, the centroids and
    a box or lasso keep the true values).

    ``x`` and ``y`` are features, or ``"pca"`` for the first (x) or second (y) principal component.
    ``borderline`` (one flag per scored customer) draws customers near a segment border as open,
    fainter circles, in a trace of their own beside their segment's: the legend shows each segment's
    solid marker (Plotly draws a trace's legend marker like its first point, and an open first point
    read as another category). Each point carries its input row number (``customdata``) for linked
    selection.
    """
    xs, ys, cx, cy, explained = scatter_coordinates(seg, x, y, seed)
    labels = seg.labels[seg.scored]
    shown = _sample(labels.size, SCATTER_POINTS, seed)
    total = np.bincount(labels, minlength=seg.k)  # each segment's customers, drawn or not (the legend)
    x_scale, y_scale = axis_scale(seg, x), axis_scale(seg, y)
    # a log axis is ticked over every customer, drawn or not
    spans = [_span(values) if scale != "none" else None for values, scale in ((xs, x_scale), (ys, y_scale))]
    # from here on, the drawn customers only
    rows = np.flatnonzero(seg.scored)[shown]
    edge = np.zeros(shown.size, dtype=bool) if borderline is None else np.asarray(borderline, dtype=bool)[shown]
    xs, ys, labels = xs[shown], ys[shown], labels[shown]
    names = seg.segment_names
    true_xs, true_ys = xs, ys
    rng = np.random.default_rng(seed)
    spread: list[tuple[str, float]] = []  # (axis, the step between its values)
    for axis, scale in (("x", x_scale), ("y", y_scale)):
        if scale != "none":
            continue
        moved, step = spread_around(xs if axis == "x" else ys, rng)
        if step is not None:
            xs, ys = (moved, ys) if axis == "x" else (xs, moved)
            spread.append((axis, step))
    logs = (x_scale, y_scale) != ("none", "none") or bool(spread)  # (the hover then gives the true values)
    # SVG draws a few thousand points crisply (and exports as true vectors); WebGL keeps more light.
    trace = go.Scatter if shown.size <= SVG_POINTS else go.Scattergl
    fig = go.Figure()
    for label in range(seg.k):
        name = f"{display_cluster(label)} · {names[label]}"
        in_segment = np.flatnonzero(labels == label)
        hover = f"{_plain(name)}<br>" + ("%{text}" if logs else f"{_plain(x)}=%{{x}}<br>{_plain(y)}=%{{y}}")
        for near_border in (False, True):
            members = in_segment[edge[in_segment] == near_border]
            if near_border and members.size == 0:
                continue
            fig.add_trace(trace(
                x=xs[members], y=ys[members], mode="markers",
                # on a log scale the hover text gives the customer's values in the feature's own units
                **({"text": [f"{_plain(x)}={a:.6g}<br>{_plain(y)}={b:.6g}" for a, b in
                             zip(invert_transform(x_scale, true_xs[members]),
                                 invert_transform(y_scale, true_ys[members]))]}
                   if logs else {}),
                name=_plain(f"{name} ({int(total[label]):,})"),
                showlegend=not near_border, legendgroup=str(label),
                # row numbers as a plain list: dcc.Graph reads each selected point's customdata from the
                # figure as sent, and a numpy array is sent as {dtype, bdata}, which it cannot index
                customdata=rows[members].tolist(),
                marker=dict(color=cluster_color(label), size=9 if near_border else 7,
                            opacity=0.75, symbol="circle-open" if near_border else "circle",
                            line=dict(width=1.5 if near_border else 0)),
                hovertemplate=hover + ("<br>near a segment border" if near_border else "") + "<extra></extra>"))
    # The centroids drawn like the customers, and last: WebGL traces are drawn on a canvas above every SVG
    # trace, so SVG crosses would sit under a dense WebGL segment.
    fig.add_trace(trace(
        x=cx, y=cy, mode="markers", name="Centroids",
        marker=dict(symbol="x", size=16, color=[cluster_color(i) for i in range(seg.k)],
                    line=dict(width=2, color="#222")),
        hovertemplate="centroid of cluster %{text}<extra></extra>",
        text=[str(display_cluster(i)) for i in range(seg.k)]))
    # Dragging selects customers (box; lasso and zoom are in the toolbar): the page follows the selection.
    # The legend sits under the plot: to its right it took most of a phone's width and left a strip of plot.
    # It has no title: "1 · name (size)" says what it lists, and a title beside the entries took a phone's
    # width from them (Plotly indents the entries by the title's width even with the title above), cutting
    # long names off.
    fig.update_layout(xaxis_title=_axis_title(seg, x, axis_label(x, explained, 0), x_scale != "none"),
                      yaxis_title=_axis_title(seg, y, axis_label(y, explained, 1), y_scale != "none"),
                      legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0), height=560,
                      dragmode="select", **_LAYOUT)
    if x_scale != "none":
        fig.update_xaxes(**_log_axis(*spans[0], x_scale))
    elif x in seg.percent_features:  # written 24.4% in the file: ticked "20%", not "0.2"
        fig.update_xaxes(tickformat=PERCENT_TICKS)
    if y_scale != "none":
        fig.update_yaxes(**_log_axis(*spans[1], y_scale))
    elif y in seg.percent_features:
        fig.update_yaxes(tickformat=PERCENT_TICKS)
    for axis, step in spread:  # a tick on each value, not between two of them
        (fig.update_xaxes if axis == "x" else fig.update_yaxes)(dtick=step)
    # answers written as words: ticked "Agree", not 4
    fig.update_xaxes(**_scale_axis(seg, x, across=True))
    fig.update_yaxes(**_scale_axis(seg, y))
    return ScatterFigure(fig, int(shown.size), tuple(axis for axis, _ in spread))


def _scale_axis(seg: Segmentation, feature: str, across: bool = False) -> dict[str, Any]:
    """An axis's ticks for a feature the file writes as words of a scale (:meth:`Segmentation.scale_ticks`): each
    answer at its number ("Agree" at 4), where a reader saw 1 to 5 with no word for them; nothing for another.
    ``across``: a horizontal axis, its long answers on two lines ("Neither agree / nor disagree"), level (Plotly
    turned them aslant, over the panels above, and squeezed a half-width chart)."""
    ticks = seg.scale_ticks(feature)
    if not ticks:
        return {}
    texts = [_two_lines(word) if across else _plain(word) for _, word in ticks]
    return {"tickmode": "array", "tickvals": [at for at, _ in ticks], "ticktext": texts,
            **({"tickangle": 0} if across else {})}


def _two_lines(text: str, longest: int = 12) -> str:
    """``text`` made inert (:func:`_plain`), on two lines at the space nearest its middle when it is longer than
    ``longest`` characters."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if len(text) <= longest or not spaces:
        return _plain(text)
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return _plain(text[:cut]) + "<br>" + _plain(text[cut + 1:])


def _axis_title(seg: Segmentation, feature: str | None, label: str, log: bool) -> str:
    """An axis's title: the feature's label, then in brackets what its numbers are when the file wrote them
    otherwise (seconds, for a feature written as durations: 00:03:25; years, for one written "3 years") and whether
    the axis is on a log scale."""
    unit = dict(seg.unit_features).get(feature) if feature is not None else None
    notes = (["seconds"] if feature in seg.duration_features else []) + ([unit] if unit else []) + (
        ["log scale"] if log else [])
    return _plain(label) + (f" ({', '.join(notes)})" if notes else "")


def inside_selection(xs: np.ndarray, ys: np.ndarray, selected: dict[str, Any]) -> np.ndarray | None:
    """Which customers lie inside the box or lasso of a scatter's ``selectedData``, drawn or not.

    The scatter draws a sample beyond :data:`SCATTER_POINTS` customers; the shape the user drew is
    what they meant, so every customer inside it counts. ``xs``/``ys`` are every scored customer's
    coordinates (:func:`scatter_coordinates`). Returns one flag per customer, or None when the selection
    carries no shape (a click, or several shapes Plotly reports only as points).
    """
    box, lasso = selected.get("range"), selected.get("lassoPoints")
    if isinstance(box, dict) and _numbers(box.get("x"), 2) and _numbers(box.get("y"), 2):
        (x0, x1), (y0, y1) = sorted(map(float, box["x"])), sorted(map(float, box["y"]))
        return (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
    if isinstance(lasso, dict) and _numbers(lasso.get("x")) and _numbers(lasso.get("y")) \
            and len(lasso["x"]) == len(lasso["y"]) >= 3:
        return _in_polygon(xs, ys, np.asarray(lasso["x"], dtype=float), np.asarray(lasso["y"], dtype=float))
    return None


#: A lasso outline has a point per mouse move: a few hundred. More is not a gesture (and costs a pass each).
_MAX_OUTLINE = 5_000


def _numbers(value: Any, count: int | None = None) -> bool:
    """A list of finite numbers (of ``count`` items, or 3 to :data:`_MAX_OUTLINE`) as selectedData sends."""
    if not isinstance(value, list) or not (len(value) == count if count else 3 <= len(value) <= _MAX_OUTLINE):
        return False
    return all(type(v) in (int, float) and np.isfinite(v) for v in value)


def _in_polygon(xs: np.ndarray, ys: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Even-odd rule (a ray to the right crosses the outline an odd number of times), vectorised over
    the customers: one pass per polygon edge, so a lasso of a few hundred points over 10^6 customers
    stays well under a second."""
    inside = np.zeros(xs.shape, dtype=bool)
    # only the customers in the lasso's bounding box can be inside it
    candidates = np.flatnonzero((xs >= px.min()) & (xs <= px.max()) & (ys >= py.min()) & (ys <= py.max()))
    cx, cy = xs[candidates], ys[candidates]
    odd = np.zeros(candidates.size, dtype=bool)
    x1, y1 = px[-1], py[-1]
    for x2, y2 in zip(px, py):
        if y1 != y2:
            crosses = (y1 > cy) != (y2 > cy)
            at = x1 + (cy - y1) * (x2 - x1) / (y2 - y1)
            odd ^= crosses & (cx < at)
        x1, y1 = x2, y2
    inside[candidates] = odd
    return inside


def _plain(text: str) -> str:
    """User text made inert for Plotly, whose labels read a few HTML tags and templates read %{...}."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "% {")


def _sample(n: int, limit: int, seed: int) -> np.ndarray:
    """Indices of at most ``limit`` of ``n`` rows, seeded and sorted."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


#: Pixels between two segments' panels of a distribution chart (each panel's name sits in the gap above it).
HISTOGRAM_GAP_PX = 22
#: (the top holds the title, its subtitle and the first panel's name, one under the other)
_HISTOGRAM_MARGIN = dict(l=50, r=20, t=92, b=45)


def histogram_figure(seg: Segmentation, feature: str, selected: np.ndarray | None = None,
                     bins: int = 30) -> go.Figure:
    """The distribution of one feature in each segment, as small multiples: one panel per segment.

    Bins are computed here over every customer, the same bins in every panel (one shared horizontal
    axis), and each panel shows the share of its segment's customers per bin, so a small segment's shape
    reads as well as a large one's. Each panel is named, beside a swatch of the segment's colour (the
    scatter's), above its bars: overlaid translucent bars blended into colours no segment has, with no
    legend to tell them apart (issue 12).

    ``selected`` (one flag per scored customer) restricts the bars to a selection; a segment with none
    of the selected customers keeps its (empty) panel, and says so.

    A feature the model takes the log of is binned and drawn on the log scale, its axis ticked in the
    feature's own units (0, 10, 100, 1,000) and each bar's range in them in its hover text.
    """
    j = seg.features.index(feature)
    values = seg.matrix.X[:, j]
    labels = seg.labels[seg.scored]
    if selected is not None:
        values, labels = values[selected], labels[selected]
    names = seg.segment_names
    # a feature the model takes the log of (skewed spend) is binned and drawn on that scale, its axis in the
    # feature's own units: on a linear axis nine customers in ten were in the first of 30 bars
    transform = seg.transforms[j] if j < len(seg.transforms) else "none"
    scaled = apply_transform(transform, values) if transform in LOG_SCALES else values
    edges = _log_bin_edges(values, bins, transform) if transform in LOG_SCALES else _bin_edges(values, bins)
    bins = edges.size - 1
    centers = (edges[:-1] + edges[1:]) / 2
    # Every segment's counts in one pass (np.histogram per segment sorts its values: 2 s at 10^7 rows):
    # bin i holds edges[i] <= v < edges[i + 1], the last bin its right edge too, as np.histogram does.
    index = np.clip(np.searchsorted(edges, scaled, side="right") - 1, 0, bins - 1)
    by_segment = np.bincount(labels * bins + index, minlength=seg.k * bins).reshape(seg.k, bins)
    totals = by_segment.sum(axis=1)
    shares = np.divide(100.0 * by_segment, totals[:, None], out=np.zeros(by_segment.shape), where=totals[:, None] > 0)
    top = float(shares.max()) if shares.size and shares.max() > 0 else 1.0
    height = 122 + 70 * seg.k
    # A fixed gap in pixels between panels, room for the next panel's name above its bars (a share of the
    # height left 12 px at k=3, and the name ran over the panel above's "0%").
    gap = HISTOGRAM_GAP_PX / (height - _HISTOGRAM_MARGIN["t"] - _HISTOGRAM_MARGIN["b"])
    fig = make_subplots(rows=seg.k, cols=1, shared_xaxes=True, vertical_spacing=min(gap, 0.5 / seg.k))
    feature_text = _plain(feature)  # whole in the hover text; shortened in the titles
    title_text = _plain(short_label(feature))
    for label in range(seg.k):
        name = _plain(f"{display_cluster(label)} · {names[label]}")
        if transform in LOG_SCALES:  # the bar's range in the feature's units (its position is on the log scale)
            low, high = invert_transform(transform, edges[:-1]), invert_transform(transform, edges[1:])
            custom = np.column_stack([by_segment[label], low, high])
            where = f"{feature_text} %{{customdata[1]:.4g}} to %{{customdata[2]:.4g}}"
        else:
            custom, where = by_segment[label], f"{feature_text} ≈ %{{x:.4g}}"
        count_of = "%{customdata[0]:,}" if transform in LOG_SCALES else "%{customdata:,}"
        fig.add_trace(go.Bar(x=centers, y=shares[label], customdata=custom, name=name,
                             width=np.diff(edges) if transform in LOG_SCALES else float(edges[1] - edges[0]),
                             marker=dict(color=cluster_color(label), line_width=0),
                             showlegend=False,
                             hovertemplate=f"{name}<br>{where}<br>{count_of} customers "
                                           "(%{y:.1f}% of the segment)<extra></extra>"),
                      row=label + 1, col=1)
        count = int(totals[label])
        size = f"{count:,}" if count else "no customers in the selection"  # as the scatter's legend: "(2,349)"
        # the panel's name, above its bars, beside a swatch of its colour (text in dark grey: yellow or
        # light-blue text on white would be hard to read)
        fig.add_annotation(text=f"<span style='color:{cluster_color(label)}'>■</span> {name} "
                                f"<span style='color:#6c757d'>({size})</span>",
                           xref=f"x{label + 1 if label else ''} domain", yref=f"y{label + 1 if label else ''} domain",
                           x=0, y=1, xanchor="left", yanchor="bottom", showarrow=False, align="left",
                           font=dict(size=12, color="#212529"))
    fig.update_yaxes(range=[0, top * 1.1], nticks=3, ticksuffix="%", showgrid=True)
    fig.update_xaxes(showticklabels=True, row=seg.k, col=1)
    fig.update_xaxes(title_text=_axis_title(seg, feature, axis_label(feature), transform in LOG_SCALES), row=seg.k, col=1)
    if transform in LOG_SCALES:
        fig.update_xaxes(**_log_axis(float(edges[0]), float(edges[-1]), transform))
    elif feature in seg.percent_features:  # written 24.4% in the file: ticked "20%", not "0.2"
        fig.update_xaxes(tickformat=PERCENT_TICKS)
    fig.update_xaxes(**_scale_axis(seg, feature, across=True))
    # the feature, and what the bars are on a line below it (on one line a phone cut it off)
    fig.update_layout(title=dict(text=title_text, font=dict(size=14), y=1, yref="container", yanchor="top",
                                 pad=dict(t=10), subtitle=dict(text="share of each segment's customers",
                                                               font=dict(size=12))),
                      bargap=0.05, height=height, **{**_LAYOUT, "margin": _HISTOGRAM_MARGIN})
    return fig


def _log_bin_edges(values: np.ndarray, bins: int, transform: str) -> np.ndarray:
    """At most ``bins`` equal bins on the scale of ``transform`` (edges on that scale). Whole numbers (orders,
    visits) get edges half-way between them, so no bar holds part of a number: with equal bins on the log
    scale, bars between 10 and 11 held no whole number and the counts showed gaps."""
    scaled = apply_transform(transform, values)
    low, high = (float(scaled.min()), float(scaled.max())) if scaled.size else (0.0, 1.0)
    if low == high:
        low, high = low - 0.5, high + 0.5
    edges = np.histogram_bin_edges(scaled, bins=bins, range=(low, high))
    if values.size and np.array_equal(values, np.round(values)) and np.abs(values).max() < 2 ** 52:
        whole = np.unique(np.round(invert_transform(transform, edges) - 0.5) + 0.5)
        whole = np.unique(np.concatenate([[values.min() - 0.5], whole[(whole > values.min()) & (whole < values.max())],
                                          [values.max() + 0.5]]))
        edges = apply_transform(transform, whole)
    return edges


def _bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """At most ``bins`` equal bins over ``values``. Whole numbers (ages, counts, 0-10 scores) get bins of a
    whole number of values, edges half-way between them: 30 bins of width 2.03 over ages 18-79 gave the end
    bars three ages and the others two, so the youngest and oldest looked a third more common than they are;
    an 11-point score gets one bar per score instead of 30 bars with gaps."""
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    if values.size and np.array_equal(values, np.round(values)) and high - low < 2 ** 52:
        values_covered = high - low + 1
        width = float(np.ceil(values_covered / bins))
        return low - 0.5 + width * np.arange(int(np.ceil(values_covered / width)) + 1)
    if low == high:
        high = low + 1.0
    return np.histogram_bin_edges(values, bins=bins, range=(low, high))


def sankey_figure(counts: pd.DataFrame, names: list[str], first: str, second: str) -> go.Figure:
    """How customers flowed from one snapshot's segments (left) to the next one's (right).

    ``counts`` has ``from``, ``to``, ``customers`` (clusters as text, empty for new / gone customers, as
    :meth:`core.migration.Migration.counts` gives them); ``names`` are the segment names, cluster 1 first.
    """
    def label(cluster: str, empty: str) -> str:
        if cluster == "":
            return empty
        number = int(cluster)
        return f"{number} · {names[number - 1]}" if 1 <= number <= len(names) else cluster

    def colour(cluster: str) -> str:
        return cluster_color(int(cluster) - 1) if cluster != "" else "#adb5bd"

    lefts = sorted(set(counts["from"]), key=lambda c: (c == "", int(c) if c else 0))
    rights = sorted(set(counts["to"]), key=lambda c: (c == "", int(c) if c else 0))
    nodes = [label(c, "new / not scored") for c in lefts] + [label(c, "gone / not scored") for c in rights]
    left_at = {c: i for i, c in enumerate(lefts)}
    right_at = {c: len(lefts) + i for i, c in enumerate(rights)}
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=nodes, pad=14, thickness=16, color=[colour(c) for c in lefts] + [colour(c) for c in rights]),
        link=dict(source=[left_at[f] for f in counts["from"]], target=[right_at[t] for t in counts["to"]],
                  value=[int(v) for v in counts["customers"]],
                  color=["rgba(120,120,120,0.25)" if f == t else "rgba(214,39,40,0.25)"
                         for f, t in zip(counts["from"], counts["to"])]),
    ))
    figure.update_layout(**{**_LAYOUT, "margin": dict(l=20, r=20, t=50, b=20)},
                         title=f"From {first} (left) to {second} (right)")
    return figure


def trend_figure(labels: list[str], sizes: list[list[int]], names: list[str]) -> go.Figure:
    """Customers per segment in each snapshot, oldest first: one line per segment."""
    figure = go.Figure()
    for j, name in enumerate(names):
        figure.add_trace(go.Scatter(x=labels, y=[row[j] if j < len(row) else 0 for row in sizes],
                                    mode="lines+markers", name=f"{j + 1} · {name}",
                                    line=dict(color=cluster_color(j))))
    figure.update_layout(**_LAYOUT, title="Segment sizes across snapshots", xaxis_title="snapshot",
                         yaxis_title="customers", hovermode="x unified")
    figure.update_xaxes(type="category")
    return figure
