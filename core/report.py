"""A one-page, self-contained HTML report of a segmentation, to attach to an email.

::

    html = render_report("customers.csv", table.frame, seg, report=quality, missing="drop",
                         sweep=sweep, stability=stab, text_columns=quality.text_columns)
    Path("report.html").write_text(html, encoding="utf-8")

The page is a Jinja2 template (``core/templates/report.html``, its CSS ``report.css`` inlined) rendered
with **autoescape**: this module computes the numbers, words and chart geometry, and every text that
reaches the page (file name, column names, segment names, cell values) is escaped by Jinja2, in text and in
attributes alike; nothing here writes HTML. The charts are inline SVG: the helpers below describe their
elements (:class:`_El`), which the template's ``element`` macro writes.

The page makes **no outside request**: no CDN, no external style sheet, script, font or image. Its
CSS is inline, its charts are inline SVG (plotly is not a core dependency), it has no ``<script>`` at
all, and a Content-Security-Policy ``<meta>`` tells the browser to fetch nothing (``default-src 'none'``).

Sections (each an ``<section id=...>``): ``data`` (the file, rows left out and why), ``settings``
(features, k, seed, missing values, model), ``choosing-k`` (the recommendation, a WCSS elbow chart and
a silhouette bar chart when a sweep is given), ``profiles`` (:func:`core.insight.summary_profile`:
sizes, shares, means, indices, text-column mixes), ``charts`` (a scatter of at most
:data:`SCATTER_MAX_POINTS` sampled customers on the two features that set the segments furthest apart
(:func:`core.insight.scatter_features`), with the centroids, and the segment sizes), ``drivers`` (features
ranked by how much of their variation the segments explain) and ``stability``.

Segment colours follow :data:`core.palette.PALETTE` in cluster order (Cluster 1 is the first colour), as in
the dashboard.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .insight import Profile, Recommendation, Stability, recommend_k, scatter_features, summary_profile
from .transform_kinds import LOG_SCALES, apply_transform, log_axis_ticks
from .model import display_cluster, scaled_centers
from .palette import PALETTE, segment_color
from .selection import SweepResult
from .stats import spread_around, year_like
from .text import TERMS, clip, duration_text, percent, split_terms

if TYPE_CHECKING:
    import jinja2

    from .quality import QualityReport
    from .segmentation import Segmentation

__all__ = ["render_report", "PALETTE", "SCATTER_MAX_POINTS", "segment_color"]

#: Most customers drawn in the scatter chart (a seeded random sample above this).
SCATTER_MAX_POINTS = 2_000
#: Indices at or above this are highlighted as high, at or below :data:`_LOW_INDEX` as low.
_HIGH_INDEX = 120
_LOW_INDEX = 80

_MISSING_WORDS = {
    "drop": "drop: rows with a missing or non-numeric value in a feature are left out of the model "
            "(they keep an empty segment in the downloads)",
    "mean": "mean: gaps in a feature are filled with the column's mean",
    "median": "median: gaps in a feature are filled with the column's median",
    "error": "error: stop when a feature has gaps",
}


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The templates shipped in ``core/templates``, every value escaped (Jinja2 is imported on first use)."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("core", "templates"),
                                     autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.globals["term"] = _term
    environment.filters["in_words"] = _in_words
    return environment


def _term(technical: str, capital: bool = False) -> Any:
    """A technical term as its plain word (:data:`core.text.TERMS`), the term and its meaning in a tip shown
    on hover and keyboard focus (CSS only: the report runs no script); screen readers read the tip inline."""
    from markupsafe import Markup, escape

    word, meaning = TERMS[technical]
    word = word.capitalize() if capital else word
    return Markup(f'<span class="term" tabindex="0">{escape(word)}<span class="tip" role="tooltip">'
                  f'{escape(meaning)}</span></span>')


def _in_words(text: str) -> Any:
    """A sentence (the recommendation, a warning) with each technical term in it as :func:`_term`."""
    from markupsafe import Markup, escape

    return Markup("").join(escape(piece) if technical is None else _term(technical, capital)
                           for piece, technical, capital in split_terms(str(text)))


def _num(value: float | int | None, year: bool = False, percentage: bool = False, duration: bool = False) -> str:
    """A number for people: thousands separators, sensible decimals, an en dash when missing; a year's mean
    (:func:`core.stats.year_like`) to one decimal without a separator ("1987.8"); a feature written as a
    percentage (:func:`core.stats.written_as_percent`) as one ("30.8%"), one written as durations as one
    ("2:54", :func:`core.text.duration_text`)."""
    if value is None:
        return "–"
    v = float(value)
    if not math.isfinite(v):
        return "–" if math.isnan(v) else ("∞" if v > 0 else "-∞")
    if percentage:
        return f"{v * 100:,.1f}%"
    if duration:
        return duration_text(v)
    if year:
        return f"{v:.1f}"
    if v != 0 and abs(v) < 1:
        return f"{v:.3g}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:,.2f}"


# --------------------------------------------------------------------------------------------------
# Small SVG plotting helpers: they describe elements; the template writes (and escapes) them
# --------------------------------------------------------------------------------------------------


@dataclass
class _El:
    """One SVG element: its tag, attributes (written in this order), text and children."""

    tag: str
    attrs: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    children: list["_El"] = field(default_factory=list)


def _el(tag: str, text: str | None = None, *children: _El, **attrs: Any) -> _El:
    """``_el("text", "a label", x="3.0", text_anchor="end")``: underscores in names are written as hyphens
    (``class_`` as ``class``)."""
    return _El(tag, {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}, text, list(children))


def _ticks(lo: float, hi: float, count: int = 5) -> tuple[list[float], float]:
    """Round tick values covering ``lo..hi`` and their step."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if (hi - lo) / step <= count:
            break
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return ticks, step


def _tick_text(value: float, step: float, year: bool = False, percentage: bool = False) -> str:
    """A tick's text: the step's decimals, thousands separators unless the axis holds years ("1980"); an axis
    of a feature written as percentages (its values fractions) in percent ("20%")."""
    if percentage:
        return _tick_text(value * 100, step * 100) + "%"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-6:
        decimals += 1
    return f"{value:.{decimals}f}" if year else f"{value:,.{decimals}f}"


class _Plot:
    """A rectangle of data coordinates mapped onto an SVG canvas, with axes drawn on request."""

    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float], width: int = 640,
                 height: int = 360, left: int = 64, right: int = 20, top: int = 20, bottom: int = 52) -> None:
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        if self.x1 <= self.x0:
            self.x0, self.x1 = self.x0 - 0.5, self.x1 + 0.5
        if self.y1 <= self.y0:
            self.y0, self.y1 = self.y0 - 0.5, self.y1 + 0.5

    def x(self, value: float) -> float:
        span = self.width - self.left - self.right
        return self.left + (float(value) - self.x0) / (self.x1 - self.x0) * span

    def y(self, value: float) -> float:
        span = self.height - self.top - self.bottom
        return self.height - self.bottom - (float(value) - self.y0) / (self.y1 - self.y0) * span

    def open(self, title: str) -> _El:
        return _svg(title, self.width, self.height)

    def axes(self, x_label: str, y_label: str, x_ticks: Sequence[tuple[float, str]] | None = None,
             y_grid: bool = True, y_ticks: Sequence[tuple[float, str]] | None = None,
             years: tuple[bool, bool] = (False, False), percents: tuple[bool, bool] = (False, False)) -> list[_El]:
        """The axes, their labels and ticks (``x_ticks``/``y_ticks``, else round values; ``years``: an axis
        of years, :func:`core.stats.year_like`, is ticked without thousands separators; ``percents``: an axis of
        a feature written as percentages, in percent)."""
        parts: list[_El] = []
        bottom, left = self.height - self.bottom, self.left
        right = self.width - self.right
        if y_ticks is None:
            values, y_step = _ticks(self.y0, self.y1)
            y_ticks = [(v, _tick_text(v, y_step, years[1], percents[1])) for v in values]
        for value, text in y_ticks:
            if not (self.y0 - 1e-9 <= value <= self.y1 + 1e-9):
                continue
            y = self.y(value)
            if y_grid:
                parts.append(_el("line", class_="grid", x1=left, y1=f"{y:.1f}", x2=right, y2=f"{y:.1f}"))
            parts.append(_el("text", text, class_="tick", x=left - 6, y=f"{y + 4:.1f}", text_anchor="end"))
        if x_ticks is None:
            values, step = _ticks(self.x0, self.x1)
            x_ticks = [(v, _tick_text(v, step, years[0], percents[0])) for v in values
                       if self.x0 - 1e-9 <= v <= self.x1 + 1e-9]
        for value, text in x_ticks:
            x = self.x(value)
            parts.append(_el("line", class_="axis", x1=f"{x:.1f}", y1=bottom, x2=f"{x:.1f}", y2=bottom + 4))
            parts.append(_el("text", text, class_="tick", x=f"{x:.1f}", y=bottom + 17, text_anchor="middle"))
        parts.append(_el("line", class_="axis", x1=left, y1=bottom, x2=right, y2=bottom))
        parts.append(_el("line", class_="axis", x1=left, y1=self.top, x2=left, y2=bottom))
        parts.append(_el("text", x_label, class_="label", x=f"{(left + right) / 2:.1f}", y=self.height - 8,
                         text_anchor="middle"))
        middle = (self.top + bottom) / 2
        parts.append(_el("text", y_label, class_="label", x=14, y=f"{middle:.1f}", text_anchor="middle",
                         transform=f"rotate(-90 14 {middle:.1f})"))
        return parts


def _svg(title: str, width: int, height: int) -> _El:
    return _el("svg", None, _el("title", title), class_="chart", viewBox=f"0 0 {width} {height}", role="img",
               aria_label=title, style=f"max-width:{width}px")


def _padded(values: np.ndarray, share: float = 0.05) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * share if hi > lo else max(abs(lo) * 0.1, 0.5)
    return lo - pad, hi + pad


def _elbow_chart(sweep: SweepResult, chosen: int | None, recommended: int | None) -> _El:
    table = sweep.table
    ks = table["k"].to_numpy(dtype=float)
    wcss = table["wcss"].to_numpy(dtype=float)
    low, high = _padded(wcss, 0.08)
    plot = _Plot((float(ks.min()) - 0.5, float(ks.max()) + 0.5), (max(0.0, low), high), height=320)
    svg = plot.open(f"{TERMS['WCSS'][0].capitalize()} by number of segments (the elbow)")
    parts = svg.children
    parts += plot.axes("number of segments (k)", TERMS["WCSS"][0], x_ticks=[(k, str(int(k))) for k in ks])
    if recommended is not None and recommended in ks:
        x = plot.x(recommended)
        parts.append(_el("line", class_="marker", x1=f"{x:.1f}", y1=plot.top, x2=f"{x:.1f}",
                         y2=plot.height - plot.bottom))
        parts.append(_el("text", f"recommended k={recommended}", class_="note", x=f"{x + 5:.1f}", y=plot.top + 12))
    points = " ".join(f"{plot.x(k):.1f},{plot.y(w):.1f}" for k, w in zip(ks, wcss) if math.isfinite(w))
    parts.append(_el("polyline", class_="line", points=points))
    for k, w in zip(ks, wcss):
        if not math.isfinite(w):
            continue
        elbow = int(k) == sweep.elbow
        parts.append(_el("circle", None, _el("title", f"k={int(k)}: WCSS {_num(w)}"),
                         class_="dot elbow" if elbow else "dot", cx=f"{plot.x(k):.1f}", cy=f"{plot.y(w):.1f}",
                         r=6 if elbow else 4))
    ey = wcss[ks == sweep.elbow]
    if ey.size and math.isfinite(ey[0]):
        parts.append(_el("text", f"elbow k={sweep.elbow}", class_="note", x=f"{plot.x(sweep.elbow) + 9:.1f}",
                         y=f"{plot.y(ey[0]) - 9:.1f}"))
    if chosen is not None and chosen != recommended and chosen in ks:
        cy = wcss[ks == chosen][0]
        if math.isfinite(cy):
            parts.append(_el("circle", class_="dot chosen", cx=f"{plot.x(chosen):.1f}", cy=f"{plot.y(cy):.1f}", r=7))
            parts.append(_el("text", f"chosen k={chosen}", class_="note", x=f"{plot.x(chosen) + 9:.1f}",
                             y=f"{plot.y(cy) + 18:.1f}"))
    return svg


def _silhouette_chart(sweep: SweepResult, recommended: int | None) -> _El:
    shown = sweep.shown()
    ks = shown["k"].to_numpy(dtype=int)
    sil = shown["silhouette"].to_numpy(dtype=float)
    finite = sil[np.isfinite(sil)]
    top = max(0.0, float(finite.max()) if finite.size else 1.0)
    bottom = min(0.0, float(finite.min()) if finite.size else 0.0)
    top = top + (top - bottom) * 0.12 or 1.0
    plot = _Plot((float(ks.min()) - 0.6, float(ks.max()) + 0.6), (bottom, top), height=300)
    svg = plot.open(f"{TERMS['silhouette'][0].capitalize()} by number of segments")
    parts = svg.children
    parts += plot.axes("number of segments (k)", TERMS["silhouette"][0], x_ticks=[(k, str(k)) for k in ks])
    width = max(4.0, (plot.x(1) - plot.x(0)) * 0.62)
    zero = plot.y(0.0)
    for k, value in zip(ks, sil):
        if not math.isfinite(value):
            continue
        y = plot.y(value)
        best = recommended is not None and k == recommended
        parts.append(_el("rect", None, _el("title", f"k={k}: silhouette {value:.3f}"),
                         class_="bar best" if best else "bar", x=f"{plot.x(k) - width / 2:.1f}",
                         y=f"{min(y, zero):.1f}", width=f"{width:.1f}", height=f"{abs(zero - y):.1f}"))
        parts.append(_el("text", f"{value:.2f}", class_="value", x=f"{plot.x(k):.1f}", y=f"{min(y, zero) - 5:.1f}",
                         text_anchor="middle"))
    return svg


def _sizes_chart(names: Sequence[str], sizes: np.ndarray, total: int) -> _El:
    row, width, left, right = 44, 640, 8, 90
    svg = _svg("Customers per segment", width, 12 + row * len(names))
    biggest = float(max(1, int(sizes.max()) if sizes.size else 1))
    for i, (name, size) in enumerate(zip(names, sizes)):
        y = 8 + i * row
        span = max((width - left - right) * float(size) / biggest, 1.5)
        share = size / total if total else 0.0
        svg.children += [
            _el("text", f"{display_cluster(i)}. {name}", class_="label", x=left, y=y + 12),
            _el("rect", None, _el("title", f"{name}: {int(size):,} customers"), x=left, y=y + 18,
                width=f"{span:.1f}", height=16, rx=2, fill=segment_color(i)),
            _el("text", f"{int(size):,} ({percent(share)})", class_="value", x=f"{left + span + 6:.1f}", y=y + 30),
        ]
    return svg


#: The scatter's left margin, in pixels, when its vertical axis is ticked with answers written as words, and the
#: characters of an answer shown there.
_WORDED_MARGIN = 150
_WORDED_CHARS = 17


def _scatter_chart(seg: Segmentation, features: Sequence[str], names: Sequence[str]) -> tuple[_El, int]:
    """The scatter of sampled customers on ``features`` (one or two), and how many were drawn."""
    labels_used = np.asarray(seg.labels)[np.asarray(seg.matrix.used)]
    keep = labels_used >= 0
    X = np.asarray(seg.matrix.X, dtype=float)[keep]
    labels = labels_used[keep].astype(int)
    columns = [list(seg.features).index(f) for f in features]
    stats = seg.feature_stats
    years = year_like(stats.overall[columns], stats.spread[columns])
    rng = np.random.default_rng(0)
    count = X.shape[0]
    pick = rng.choice(count, size=SCATTER_MAX_POINTS, replace=False) if count > SCATTER_MAX_POINTS \
        else rng.permutation(count)
    # a feature the model takes the log of is drawn on that scale, ticked in its own units (as the dashboard)
    transforms = seg.transforms
    scales = [transforms[c] if transforms[c] in LOG_SCALES else "none" for c in columns]
    xs = apply_transform(scales[0], X[pick, columns[0]])
    one = len(columns) == 1
    ys = rng.uniform(-1, 1, size=pick.size) if one else apply_transform(scales[1], X[pick, columns[1]])
    # a few whole numbers (a rating of 1 to 5) spread around each value, as the dashboard draws them
    spread = [False, False]
    for axis, scale in enumerate(scales):
        if scale == "none":
            moved, step = spread_around(xs if axis == 0 else ys, rng)
            xs, ys = (moved, ys) if axis == 0 else (xs, moved)
            spread[axis] = step is not None
    centroids = seg.centroids()
    cx = apply_transform(scales[0], centroids.iloc[:, 1 + columns[0]].to_numpy(dtype=float))
    cy = np.zeros(cx.size) if one else apply_transform(scales[1], centroids.iloc[:, 1 + columns[1]].to_numpy(dtype=float))
    x_range = _padded(np.concatenate([xs, cx]))
    y_range = (-1.3, 1.3) if one else _padded(np.concatenate([ys, cy]))
    # answers written as words up the side need a wider margin than numbers
    worded = not one and scales[1] == "none" and bool(seg.scale_ticks(features[-1]))
    plot = _Plot(x_range, y_range, height=260 if one else 440, left=_WORDED_MARGIN if worded else 64)
    svg = plot.open(f"Customers on {features[0]}" + ("" if one else f" and {features[1]}"))
    parts = svg.children

    def log_axis(scale: str, low: float, high: float, feature: str, across: bool) -> list[tuple[float, str]] | None:
        """A log axis's ticks in the feature's units; a feature written as words of a scale, its answers ("Agree"
        at 4; up the side, cut to fit the margin); else None (round numbers)."""
        if scale != "none":
            return log_axis_ticks(low, high, scale)
        answers = seg.scale_ticks(feature)
        return [(at, word if across else clip(word, _WORDED_CHARS)) for at, word in answers] if answers else None

    def titled(feature: str, scale: str, spread_out: bool) -> str:
        return feature + (" (log scale)" if scale != "none" else " (spread for visibility)" if spread_out else "")

    parts += plot.axes(titled(features[0], scales[0], spread[0]),
                       "(spread for visibility)" if one else titled(features[1], scales[1], spread[1]),
                       x_ticks=log_axis(scales[0], *x_range, features[0], True), y_grid=not one,
                       y_ticks=None if one else log_axis(scales[1], *y_range, features[-1], False),
                       years=(bool(years[0]), not one and bool(years[-1])),
                       percents=(features[0] in seg.percent_features, not one and features[-1] in seg.percent_features))
    for x, y, label in zip(xs, ys, labels[pick]):
        parts.append(_el("circle", cx=f"{plot.x(x):.1f}", cy=f"{plot.y(y):.1f}", r="2.6", fill=segment_color(label),
                         fill_opacity="0.65"))
    for i in range(seg.k):
        if not (math.isfinite(cx[i]) and math.isfinite(cy[i])):
            continue
        px, py = plot.x(cx[i]), plot.y(cy[i])
        parts.append(_el("g", None,
                         _el("circle", cx=f"{px:.1f}", cy=f"{py:.1f}", r=11, fill=segment_color(i)),
                         _el("text", str(display_cluster(i)), x=f"{px:.1f}", y=f"{py + 4:.1f}", text_anchor="middle"),
                         _el("title", f"Centre of {names[i]}"), class_="centroid"))
    return svg, int(pick.size)


# --------------------------------------------------------------------------------------------------
# Sections: what each one says, as plain values for the template
# --------------------------------------------------------------------------------------------------


def _data_section(name: str, frame: pd.DataFrame, seg: Segmentation, report: QualityReport | None) -> dict[str, Any]:
    rows = report.rows if report is not None else int(frame.shape[0])
    columns = report.columns if report is not None else int(frame.shape[1])
    scored = int(np.count_nonzero(np.asarray(seg.labels) >= 0))
    left_out = int(np.asarray(seg.labels).size) - scored
    facts = [("File", name), ("Rows", f"{rows:,}"), ("Columns", f"{columns:,}"),
             ("Customers segmented", f"{scored:,}"),
             ("Rows left out", f"{left_out:,}" + ("" if left_out else " (every row was segmented)"))]
    why: list[str] = []
    gaps = getattr(seg.matrix, "gaps", {}) or {}
    if left_out and gaps and report is None:
        listed = ", ".join(f"{f} ({n:,})" for f, n in gaps.items())
        why.append(f"Missing or non-numeric values in the features: {listed}.")
    why += list(seg.notes)
    if report is not None:
        try:
            found = report.problems(list(seg.features))
        except Exception:  # the report may describe columns the segmentation does not use
            found = []
        why += [p for p in found if p not in why]
        if report.duplicate_rows:
            why.append(f"{report.duplicate_rows:,} row{'s repeat' if report.duplicate_rows != 1 else ' repeats'} "
                       "an earlier row exactly; they are kept.")
    return {"facts": facts, "notes": why}


#: How the report names an applied model, by :attr:`Segmentation.source`.
_APPLIED = {"pretrained": "pre-trained", "saved": "saved"}


def _settings_section(seg: Segmentation, missing: str, model: str | None) -> dict[str, Any]:
    if seg.source != "new":
        source = _APPLIED[seg.source].capitalize() + " model" + (f": {model}" if model else "")
        seed = "–" if seg.seed is None else f"{seg.seed} (when the model was trained)"
    else:
        source = "New K-Means model trained on this file" + (f" ({model})" if model else "")
        seed = "–" if seg.seed is None else str(seg.seed)
    facts = [("Segments (k)", str(seg.k)), ("Random seed", seed),
             ("Missing values", _MISSING_WORDS.get(missing, missing)), ("Model", source)]
    if seg.matrix.zero:  # (a CRM's revenue, empty for those who never bought)
        facts.append(("Blanks counted as 0", ", ".join(seg.matrix.zero) + " (as chosen: a blank total or count is none)"))
    mapped = [(f, m) for m, f in zip(seg.model_features, seg.features) if m != f]
    if mapped:
        facts.append(("Column mapping", "; ".join(f"{f} used as {m}" for f, m in mapped)))
    facts.append(("Scaling", "features standardised (mean 0, standard deviation 1) before K-Means"))
    if seg.silhouette is not None:
        facts.append((TERMS["silhouette"][0].capitalize(), f"{seg.silhouette:.3f} (from -1 to 1; above 0.5 is a clear separation, "
                                    "below 0.25 a weak one)"))
    # "Spend (log)": the transform shows with the feature
    return {"features": list(seg.feature_labels), "facts": facts}


def _k_section(seg: Segmentation, sweep: SweepResult | None, rec: Recommendation | None) -> dict[str, Any]:
    if sweep is None or rec is None:
        return {"rec": None, "applied": _APPLIED.get(seg.source), "k": seg.k}
    return {"rec": rec, "applied": _APPLIED.get(seg.source), "k": seg.k,
            "verdict": ("matches the recommendation" if rec.k == seg.k else f"differs from the recommended k={rec.k}"),
            "sample": (f" The comparison ran on a seeded sample of {sweep.sample_rows:,} customers."
                       if sweep.sample_rows else ""),
            "elbow": _elbow_chart(sweep, seg.k, rec.k), "silhouette": _silhouette_chart(sweep, rec.k)}


def _index_class(value: float) -> str | None:
    """The index badge's class, or None when there is no index."""
    if value is None or not math.isfinite(float(value)):
        return None
    return "hi" if value >= _HIGH_INDEX else ("lo" if value <= _LOW_INDEX else "")


def _profile_section(prof: Profile) -> dict[str, Any]:
    years = year_like(prof.overall[prof.features].to_numpy(), prof.spread[prof.features].to_numpy())
    averages = [(feature, [(_num(m, year, bool(prof.percents[feature]), bool(prof.durations[feature])),
                            f"{i:.0f}" if _index_class(i) is not None else None, _index_class(i))
                           for m, i in zip(prof.means[feature], prof.indices[feature])])
                for feature, year in zip(prof.features, years)]
    # the column whose mix differs most between the segments first, as the dashboard's table; those whose mix
    # hardly differs are named below the table, not shown (a wide export's 25 columns of "20% 20% 20%")
    shown = prof.telling_mixes[0]
    mixes = [(column, _strength_text(prof.mix_strength.get(column)),
              [(str(value), [percent(v) for v in shares]) for value, shares in prof.mix(column).items()])
             for column in shown]
    return {"names": prof.names, "customers": [f"{int(v):,}" for v in prof.sizes["customers"]],
            "shares": [percent(v) for v in prof.sizes["share"]], "averages": averages, "mixes": mixes,
            "folded": prof.folded_mixes_note(), "high": _HIGH_INDEX, "low": _LOW_INDEX}


def _strength_text(strength: float | None) -> str:
    return "" if strength is None or not math.isfinite(float(strength)) else f"{strength:.2f}"


def _charts_section(seg: Segmentation, drivers: pd.DataFrame, names: Sequence[str]) -> dict[str, Any]:
    chosen = scatter_features([str(f) for f in drivers["feature"]], seg.features, scaled_centers(seg.pipeline))
    scored = int(np.count_nonzero(np.asarray(seg.labels) >= 0))
    out: dict[str, Any] = {"scatter": None}
    if scored and chosen:
        scatter, drawn = _scatter_chart(seg, chosen, names)
        which = (f"the two features that set the segments furthest apart, {chosen[0]} and {chosen[1]}"
                 if len(chosen) == 2 else f"the only feature, {chosen[0]}")
        sample = f"a random sample of {drawn:,} of the {scored:,} customers" if drawn < scored \
            else f"all {scored:,} customers"
        out["scatter"] = scatter
        out["caption"] = (f"Customers on {which}: {sample}, coloured by segment; the numbered circles are the "
                          "segment centres.")
    sizes = np.asarray(seg.sizes())
    out["sizes"] = _sizes_chart(names, sizes, int(sizes.sum()))
    return out


def _drivers_section(drivers: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for row in drivers.itertuples(index=False):
        eta = float(row.eta_squared)
        width = 0.0 if not math.isfinite(eta) else max(0.0, min(1.0, eta)) * 100
        rows.append({"rank": int(row.rank), "feature": str(row.feature), "width": f"{width:.1f}",
                     "share": percent(eta), "F": _num(row.F)})
    return rows


def _stability_section(stab: Stability | None, names: Sequence[str]) -> dict[str, Any] | None:
    if stab is None:
        return None
    rows = []
    for i, value in enumerate(stab.per_segment["jaccard"].to_numpy(dtype=float)):
        width = 0.0 if not math.isfinite(value) else max(0.0, min(1.0, value)) * 100
        rows.append({"label": i, "number": display_cluster(i),
                     "name": names[i] if i < len(names) else f"Cluster {display_cluster(i)}",
                     "width": f"{width:.1f}", "text": "–" if not math.isfinite(value) else f"{value:.2f}"})
    return {"level": "good" if stab.overall >= 0.75 else ("fair" if stab.overall >= 0.6 else "poor"),
            "verdict": stab.verdict, "overall": f"{stab.overall:.2f}", "runs": stab.runs, "note": stab.sample_note,
            "rows": rows}


def render_report(
    name: str,
    frame: pd.DataFrame,
    seg: Segmentation,
    *,
    report: QualityReport | None = None,
    missing: str | None = None,
    sweep: SweepResult | None = None,
    stability: Stability | None = None,
    text_columns: Sequence[str] = (),
    model: str | None = None,
    warnings: Sequence[str] = (),
    generated: datetime | None = None,
) -> str:
    """The one-page HTML report of a segmentation, as one self-contained string.

    Parameters
    ----------
    name : str
        The data set's name as people know it (usually the file name); shown, escaped.
    frame : pandas.DataFrame
        The table that was segmented (same rows, same order as ``seg``).
    seg : Segmentation
        The segmentation (its :attr:`~core.segmentation.Segmentation.segment_names` name the segments).
    report : QualityReport, optional
        The data check of ``frame``, for the row and column counts and the findings about the features.
    missing : str, optional
        The missing-value strategy used (default: the one recorded in ``seg.matrix``).
    sweep : SweepResult, optional
        A k sweep of the same features: adds the recommendation (:func:`core.insight.recommend_k`), the
        WCSS elbow chart and the silhouette bar chart.
    stability : Stability, optional
        From :func:`core.insight.stability`; without it the section says the check was not run.
    text_columns : sequence of str
        Columns to describe the segments by (e.g. ``report.text_columns``); see
        :func:`core.insight.summary_profile`.
    model : str, optional
        A description of the model (for a pre-trained one: its file and what it was trained on).
    warnings : sequence of str
        Warnings to show at the top (e.g. :func:`core.insight.out_of_range`'s).
    generated : datetime, optional
        The time shown as the report's date (default: now).

    Returns
    -------
    str
        A complete HTML document (UTF-8 text; write it with ``encoding="utf-8"``).
    """
    missing = missing or getattr(seg.matrix, "missing", "drop")
    names = list(seg.segment_names)
    prof = summary_profile(seg, frame, text_columns)
    scored = int(np.count_nonzero(np.asarray(seg.labels) >= 0))
    rec = recommend_k(sweep, rows=scored) if sweep is not None else None
    cards = [(f"{scored:,}", "customers segmented"), (str(seg.k), "segments"),
             ("–" if seg.silhouette is None else f"{seg.silhouette:.2f}", f"{TERMS['silhouette'][0]} (-1 to 1)")]
    if stability is not None:
        cards.append((f"{stability.overall:.2f}", "stability (0 to 1)"))
    if rec is not None:
        cards.append((f"k={rec.k}", "recommended"))
    page = _environment().get_template("report.html").render(
        name=name, k=seg.k, scored=f"{scored:,}", features=len(seg.features),
        when=(generated or datetime.now()).strftime("%d %B %Y, %H:%M").lstrip("0"), cards=cards,
        segments=[(display_cluster(i), segment_color(i), n) for i, n in enumerate(names)], warnings=list(warnings),
        data=_data_section(name, frame, seg, report), settings=_settings_section(seg, missing, model),
        choosing=_k_section(seg, sweep, rec), profile=_profile_section(prof),
        colors=[segment_color(i) for i in range(seg.k)], charts=_charts_section(seg, prof.drivers, names),
        drivers=_drivers_section(prof.drivers), stability=_stability_section(stability, names))
    return page.rstrip("\n") + "\n"
