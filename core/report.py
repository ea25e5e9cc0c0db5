"""A one-page, self-contained HTML report of a segmentation, to attach to an email.

::

    html = render_report("customers.csv", table.frame, seg, report=quality, missing="drop",
                         sweep=sweep, stability=stab, text_columns=quality.text_columns)
    Path("report.html").write_text(html, encoding="utf-8")

The page makes **no outside request**: no CDN, no external style sheet, script, font or image. Its
CSS is inline, its charts are inline SVG drawn by the small helpers below (plotly is not a core
dependency), it has no ``<script>`` at all, and a Content-Security-Policy ``<meta>`` tells the browser
to fetch nothing (``default-src 'none'``). Every text that comes from the user's data (file name,
column names, segment names, cell values) is HTML-escaped.

Sections (each an ``<section id=...>``): ``data`` (the file, rows left out and why), ``settings``
(features, k, seed, missing values, model), ``choosing-k`` (the recommendation, a WCSS elbow chart and
a silhouette bar chart when a sweep is given), ``profiles`` (:func:`core.insight.summary_profile`:
sizes, shares, means, indices, text-column mixes), ``charts`` (a scatter of at most
:data:`SCATTER_MAX_POINTS` sampled customers on the two features that separate the segments most,
with the centroids, and the segment sizes), ``drivers`` (features ranked by how much of their
variation the segments explain) and ``stability``.

Segment colours follow :data:`core.palette.PALETTE` in cluster order (Cluster 1 is the first colour), as in
the dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .insight import Profile, Recommendation, Stability, recommend_k, summary_profile
from .model import display_cluster
from .palette import PALETTE, segment_color
from .text import percent
from .selection import SweepResult

if TYPE_CHECKING:
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


def _e(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes)."""
    return escape(str(value), quote=True)


def _num(value: float | int | None) -> str:
    """A number for people: thousands separators, sensible decimals, an en dash when missing."""
    if value is None:
        return "–"
    v = float(value)
    if not math.isfinite(v):
        return "–" if math.isnan(v) else ("∞" if v > 0 else "-∞")
    if v != 0 and abs(v) < 1:
        return f"{v:.3g}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:,.2f}"


# --------------------------------------------------------------------------------------------------
# Small SVG plotting helpers
# --------------------------------------------------------------------------------------------------


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


def _tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-6:
        decimals += 1
    return f"{value:,.{decimals}f}"


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

    def open(self, title: str) -> list[str]:
        return [f'<svg class="chart" viewBox="0 0 {self.width} {self.height}" role="img" '
                f'aria-label="{_e(title)}" style="max-width:{self.width}px">', f"<title>{_e(title)}</title>"]

    def axes(self, x_label: str, y_label: str, x_ticks: Sequence[tuple[float, str]] | None = None,
             y_grid: bool = True) -> list[str]:
        parts: list[str] = []
        bottom, left = self.height - self.bottom, self.left
        right = self.width - self.right
        y_ticks, y_step = _ticks(self.y0, self.y1)
        for value in y_ticks:
            if not (self.y0 - 1e-9 <= value <= self.y1 + 1e-9):
                continue
            y = self.y(value)
            if y_grid:
                parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"/>')
            parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                         f'{_e(_tick_text(value, y_step))}</text>')
        if x_ticks is None:
            values, step = _ticks(self.x0, self.x1)
            x_ticks = [(v, _tick_text(v, step)) for v in values if self.x0 - 1e-9 <= v <= self.x1 + 1e-9]
        for value, text in x_ticks:
            x = self.x(value)
            parts.append(f'<line class="axis" x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}"/>')
            parts.append(f'<text class="tick" x="{x:.1f}" y="{bottom + 17}" text-anchor="middle">{_e(text)}</text>')
        parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>')
        parts.append(f'<line class="axis" x1="{left}" y1="{self.top}" x2="{left}" y2="{bottom}"/>')
        parts.append(f'<text class="label" x="{(left + right) / 2:.1f}" y="{self.height - 8}" '
                     f'text-anchor="middle">{_e(x_label)}</text>')
        middle = (self.top + bottom) / 2
        parts.append(f'<text class="label" x="14" y="{middle:.1f}" text-anchor="middle" '
                     f'transform="rotate(-90 14 {middle:.1f})">{_e(y_label)}</text>')
        return parts


def _padded(values: np.ndarray, share: float = 0.05) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * share if hi > lo else max(abs(lo) * 0.1, 0.5)
    return lo - pad, hi + pad


def _elbow_chart(sweep: SweepResult, chosen: int | None, recommended: int | None) -> str:
    table = sweep.table
    ks = table["k"].to_numpy(dtype=float)
    wcss = table["wcss"].to_numpy(dtype=float)
    low, high = _padded(wcss, 0.08)
    plot = _Plot((float(ks.min()) - 0.5, float(ks.max()) + 0.5), (max(0.0, low), high), height=320)
    parts = plot.open("WCSS by number of segments (the elbow)")
    parts += plot.axes("number of segments (k)", "WCSS",
                       x_ticks=[(k, str(int(k))) for k in ks])
    if recommended is not None and recommended in ks:
        x = plot.x(recommended)
        parts.append(f'<line class="marker" x1="{x:.1f}" y1="{plot.top}" x2="{x:.1f}" '
                     f'y2="{plot.height - plot.bottom}"/>')
        parts.append(f'<text class="note" x="{x + 5:.1f}" y="{plot.top + 12}">recommended k={recommended}</text>')
    points = " ".join(f"{plot.x(k):.1f},{plot.y(w):.1f}" for k, w in zip(ks, wcss) if math.isfinite(w))
    parts.append(f'<polyline class="line" points="{points}"/>')
    for k, w in zip(ks, wcss):
        if not math.isfinite(w):
            continue
        cls = "dot elbow" if int(k) == sweep.elbow else "dot"
        parts.append(f'<circle class="{cls}" cx="{plot.x(k):.1f}" cy="{plot.y(w):.1f}" '
                     f'r="{6 if int(k) == sweep.elbow else 4}"><title>k={int(k)}: WCSS {_e(_num(w))}'
                     f'</title></circle>')
    ey = wcss[ks == sweep.elbow]
    if ey.size and math.isfinite(ey[0]):
        parts.append(f'<text class="note" x="{plot.x(sweep.elbow) + 9:.1f}" y="{plot.y(ey[0]) - 9:.1f}">'
                     f'elbow k={sweep.elbow}</text>')
    if chosen is not None and chosen != recommended and chosen in ks:
        cy = wcss[ks == chosen][0]
        if math.isfinite(cy):
            parts.append(f'<circle class="dot chosen" cx="{plot.x(chosen):.1f}" cy="{plot.y(cy):.1f}" r="7"/>')
            parts.append(f'<text class="note" x="{plot.x(chosen) + 9:.1f}" y="{plot.y(cy) + 18:.1f}">'
                         f'chosen k={chosen}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _silhouette_chart(sweep: SweepResult, recommended: int | None) -> str:
    shown = sweep.shown()
    ks = shown["k"].to_numpy(dtype=int)
    sil = shown["silhouette"].to_numpy(dtype=float)
    finite = sil[np.isfinite(sil)]
    top = max(0.0, float(finite.max()) if finite.size else 1.0)
    bottom = min(0.0, float(finite.min()) if finite.size else 0.0)
    top = top + (top - bottom) * 0.12 or 1.0
    plot = _Plot((float(ks.min()) - 0.6, float(ks.max()) + 0.6), (bottom, top), height=300)
    parts = plot.open("Silhouette by number of segments")
    parts += plot.axes("number of segments (k)", "silhouette",
                       x_ticks=[(k, str(k)) for k in ks])
    width = max(4.0, (plot.x(1) - plot.x(0)) * 0.62)
    zero = plot.y(0.0)
    for k, value in zip(ks, sil):
        if not math.isfinite(value):
            continue
        y = plot.y(value)
        cls = "bar best" if recommended is not None and k == recommended else "bar"
        parts.append(f'<rect class="{cls}" x="{plot.x(k) - width / 2:.1f}" y="{min(y, zero):.1f}" '
                     f'width="{width:.1f}" height="{abs(zero - y):.1f}"><title>k={k}: silhouette '
                     f'{value:.3f}</title></rect>')
        parts.append(f'<text class="value" x="{plot.x(k):.1f}" y="{min(y, zero) - 5:.1f}" '
                     f'text-anchor="middle">{value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _sizes_chart(names: Sequence[str], sizes: np.ndarray, total: int) -> str:
    row, width, left, right = 44, 640, 8, 90
    height = 12 + row * len(names)
    biggest = float(max(1, int(sizes.max()) if sizes.size else 1))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="Customers per segment" '
             f'style="max-width:{width}px">', "<title>Customers per segment</title>"]
    for i, (name, size) in enumerate(zip(names, sizes)):
        y = 8 + i * row
        span = (width - left - right) * float(size) / biggest
        share = size / total if total else 0.0
        parts.append(f'<text class="label" x="{left}" y="{y + 12}">{display_cluster(i)}. {_e(name)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 18}" width="{max(span, 1.5):.1f}" height="16" rx="2" '
                     f'fill="{segment_color(i)}"><title>{_e(name)}: {int(size):,} customers</title></rect>')
        parts.append(f'<text class="value" x="{left + max(span, 1.5) + 6:.1f}" y="{y + 30}">'
                     f'{int(size):,} ({percent(share)})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _scatter_chart(seg: Segmentation, features: Sequence[str], names: Sequence[str]) -> tuple[str, int]:
    """The scatter SVG of sampled customers on ``features`` (one or two), and how many were drawn."""
    labels_used = np.asarray(seg.labels)[np.asarray(seg.matrix.used)]
    keep = labels_used >= 0
    X = np.asarray(seg.matrix.X, dtype=float)[keep]
    labels = labels_used[keep].astype(int)
    columns = [list(seg.features).index(f) for f in features]
    rng = np.random.default_rng(0)
    count = X.shape[0]
    pick = rng.choice(count, size=SCATTER_MAX_POINTS, replace=False) if count > SCATTER_MAX_POINTS \
        else rng.permutation(count)
    xs = X[pick, columns[0]]
    one = len(columns) == 1
    ys = rng.uniform(-1, 1, size=pick.size) if one else X[pick, columns[1]]
    centroids = seg.centroids()
    cx = centroids[list(seg.features)[columns[0]]].to_numpy(dtype=float)
    cy = np.zeros(cx.size) if one else centroids[list(seg.features)[columns[1]]].to_numpy(dtype=float)
    x_range = _padded(np.concatenate([xs, cx]))
    y_range = (-1.3, 1.3) if one else _padded(np.concatenate([ys, cy]))
    plot = _Plot(x_range, y_range, height=260 if one else 440)
    title = f"Customers on {features[0]}" + ("" if one else f" and {features[1]}")
    parts = plot.open(title)
    parts += plot.axes(features[0], "(spread for visibility)" if one else features[1], y_grid=not one)
    for x, y, label in zip(xs, ys, labels[pick]):
        parts.append(f'<circle cx="{plot.x(x):.1f}" cy="{plot.y(y):.1f}" r="2.6" fill="{segment_color(label)}" '
                     f'fill-opacity="0.65"/>')
    for i in range(seg.k):
        if not (math.isfinite(cx[i]) and math.isfinite(cy[i])):
            continue
        px, py = plot.x(cx[i]), plot.y(cy[i])
        parts.append(f'<g class="centroid"><circle cx="{px:.1f}" cy="{py:.1f}" r="11" fill="{segment_color(i)}"/>'
                     f'<text x="{px:.1f}" y="{py + 4:.1f}" text-anchor="middle">{display_cluster(i)}</text>'
                     f'<title>Centre of {_e(names[i])}</title></g>')
    parts.append("</svg>")
    return "".join(parts), int(pick.size)


# --------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------


def _swatch(cluster: int) -> str:
    return f'<span class="sw" style="background:{segment_color(cluster)}"></span>'


def _legend(names: Sequence[str]) -> str:
    items = "".join(f"<li>{_swatch(i)}{display_cluster(i)}. {_e(n)}</li>" for i, n in enumerate(names))
    return f'<ul class="legend">{items}</ul>'


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="facts">{body}</table>'


def _data_section(name: str, frame: pd.DataFrame, seg: Segmentation, report: QualityReport | None) -> str:
    rows = report.rows if report is not None else int(frame.shape[0])
    columns = report.columns if report is not None else int(frame.shape[1])
    scored = int(np.count_nonzero(np.asarray(seg.labels) >= 0))
    left_out = int(np.asarray(seg.labels).size) - scored
    facts = [("File", _e(name)), ("Rows", f"{rows:,}"), ("Columns", f"{columns:,}"),
             ("Customers segmented", f"{scored:,}"),
             ("Rows left out", f"{left_out:,}" + ("" if left_out else " (every row was segmented)"))]
    why: list[str] = []
    gaps = getattr(seg.matrix, "gaps", {}) or {}
    if left_out and gaps and report is None:
        listed = ", ".join(f"{_e(f)} ({n:,})" for f, n in gaps.items())
        why.append(f"Missing or non-numeric values in the features: {listed}.")
    why += [_e(note) for note in seg.notes]
    if report is not None:
        try:
            found = report.problems(list(seg.features))
        except Exception:  # the report may describe columns the segmentation does not use
            found = []
        why += [_e(p) for p in found if _e(p) not in why]
        if report.duplicate_rows:
            why.append(f"{report.duplicate_rows:,} row{'s repeat' if report.duplicate_rows != 1 else ' repeats'} "
                       "an earlier row exactly; they are kept.")
    notes = "".join(f"<li>{w}</li>" for w in why)
    return ('<section id="data"><h2>Data</h2>' + _facts(facts)
            + (f'<h3>What was done with the data</h3><ul class="notes">{notes}</ul>' if notes else "")
            + "</section>")


def _settings_section(seg: Segmentation, missing: str, model: str | None) -> str:
    if seg.source == "pretrained":
        source = "Pre-trained model" + (f": {_e(model)}" if model else "")
        seed = "–" if seg.seed is None else f"{seg.seed} (when the model was trained)"
    else:
        source = "New K-Means model trained on this file" + (f" ({_e(model)})" if model else "")
        seed = "–" if seg.seed is None else str(seg.seed)
    features = "".join(f"<li>{_e(f)}</li>" for f in seg.feature_labels)  # "Spend (log)": the transform shows
    mapped = [(m, f) for m, f in zip(seg.model_features, seg.features) if m != f]
    facts = [("Features", f'<ul class="plain">{features}</ul>'),
             ("Segments (k)", str(seg.k)), ("Random seed", seed),
             ("Missing values", _e(_MISSING_WORDS.get(missing, missing))),
             ("Model", source)]
    if mapped:
        facts.append(("Column mapping", "; ".join(f"{_e(f)} used as {_e(m)}" for m, f in mapped)))
    facts.append(("Scaling", "features standardised (mean 0, standard deviation 1) before K-Means"))
    if seg.silhouette is not None:
        facts.append(("Silhouette", f"{seg.silhouette:.3f} (from -1 to 1; above 0.5 is a clear separation, "
                                    "below 0.25 a weak one)"))
    return '<section id="settings"><h2>Settings</h2>' + _facts(facts) + "</section>"


def _k_section(seg: Segmentation, sweep: SweepResult | None, rec: Recommendation | None) -> str:
    parts = ['<section id="choosing-k"><h2>Choosing the number of segments</h2>']
    if sweep is None or rec is None:
        if seg.source == "pretrained":
            parts.append(f"<p>The pre-trained model fixes the number of segments at k={seg.k}; no other k "
                         "was compared.</p>")
        else:
            parts.append(f"<p>k={seg.k} was chosen directly; no range of k was compared for this report.</p>")
        return "".join(parts) + "</section>"
    verdict = ("matches the recommendation" if rec.k == seg.k
               else f"differs from the recommended k={rec.k}")
    parts.append(f'<p class="lead"><strong>Recommended: k={rec.k}.</strong> {_e(rec.reason)}</p>')
    if seg.source != "pretrained":
        parts.append(f"<p>This report uses k={seg.k}, which {verdict}.</p>")
    if rec.warnings:
        parts.append('<ul class="warnings">' + "".join(f"<li>{_e(w)}</li>" for w in rec.warnings) + "</ul>")
    sample = (f" The comparison ran on a seeded sample of {sweep.sample_rows:,} customers."
              if sweep.sample_rows else "")
    parts.append('<div class="grid2"><figure>' + _elbow_chart(sweep, seg.k, rec.k)
                 + "<figcaption>Within-cluster sum of squares (WCSS) for each k: where the curve bends "
                 "(the elbow), adding segments stops paying off.</figcaption></figure><figure>"
                 + _silhouette_chart(sweep, rec.k)
                 + "<figcaption>Silhouette for each k: how much closer customers are to their own segment "
                 f"than to the next one.{sample}</figcaption></figure></div>")
    return "".join(parts) + "</section>"


def _index_cell(value: float) -> str:
    if value is None or not math.isfinite(float(value)):
        return ""
    cls = "hi" if value >= _HIGH_INDEX else ("lo" if value <= _LOW_INDEX else "")
    return f' <span class="idx {cls}">{value:.0f}</span>'


def _profile_section(prof: Profile) -> str:
    k = len(prof.sizes)
    head = "".join(f'<th scope="col">{_swatch(i)}<span class="num">{display_cluster(i)}</span> '
                   f'{_e(name)}</th>' for i, name in enumerate(prof.names))
    rows = ['<tr><th scope="row">Customers</th>'
            + "".join(f"<td>{int(v):,}</td>" for v in prof.sizes["customers"]) + "</tr>",
            '<tr><th scope="row">Share</th>' + "".join(f"<td>{percent(v)}</td>" for v in prof.sizes["share"])
            + "</tr>",
            f'<tr class="group"><th colspan="{k + 1}">Averages <span class="muted">(index: 100 = all '
            f'customers)</span></th></tr>']
    for feature in prof.features:
        rows.append(f'<tr><th scope="row">{_e(feature)}</th>'
                    + "".join(f"<td>{_num(m)}{_index_cell(i)}</td>"
                              for m, i in zip(prof.means[feature], prof.indices[feature])) + "</tr>")
    for column in prof.described:
        rows.append(f'<tr class="group"><th colspan="{k + 1}">{_e(column)} <span class="muted">'
                    f'(share of the segment)</span></th></tr>')
        for value, shares in prof.mix(column).items():
            rows.append(f'<tr><th scope="row">{_e(value)}</th>' + "".join(f"<td>{percent(v)}</td>" for v in shares)
                        + "</tr>")
    return ('<section id="profiles"><h2>Segment profiles</h2>'
            f"<p>Each segment's size and average customer. The index compares the segment with all customers: "
            f'<span class="idx hi">{_HIGH_INDEX}</span> means 20% above average, <span class="idx lo">'
            f"{_LOW_INDEX}</span> 20% below.</p>"
            f'<div class="scroll"><table class="profile"><thead><tr><th></th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _charts_section(seg: Segmentation, drivers: pd.DataFrame, names: Sequence[str]) -> str:
    ranked = [str(f) for f in drivers["feature"]] if len(drivers) else [str(f) for f in seg.features]
    chosen = ranked[:2]
    scored = int(np.count_nonzero(np.asarray(seg.labels) >= 0))
    parts = ['<section id="charts"><h2>Key charts</h2>']
    if scored and chosen:
        scatter, drawn = _scatter_chart(seg, chosen, names)
        which = (f"the two features that separate the segments most, {_e(chosen[0])} and {_e(chosen[1])}"
                 if len(chosen) == 2 else f"the only feature, {_e(chosen[0])}")
        sample = f"a random sample of {drawn:,} of the {scored:,} customers" if drawn < scored \
            else f"all {scored:,} customers"
        parts.append(f"<figure>{scatter}<figcaption>Customers on {which}: {sample}, coloured by segment; the "
                     "numbered circles are the segment centres.</figcaption></figure>")
    parts.append(_legend(names))
    sizes = np.asarray(seg.sizes())
    parts.append(f"<figure>{_sizes_chart(names, sizes, int(sizes.sum()))}<figcaption>Customers per segment."
                 "</figcaption></figure></section>")
    return "".join(parts)


def _drivers_section(drivers: pd.DataFrame) -> str:
    rows = []
    for row in drivers.itertuples(index=False):
        eta = float(row.eta_squared)
        width = 0.0 if not math.isfinite(eta) else max(0.0, min(1.0, eta)) * 100
        rows.append(f'<tr><td class="rank">{int(row.rank)}</td><th scope="row">{_e(row.feature)}</th>'
                    f'<td class="barcell"><span class="hbar"><span style="width:{width:.1f}%"></span></span>'
                    f'{percent(eta)}</td><td>{_num(row.F)}</td></tr>')
    return ('<section id="drivers"><h2>What sets the segments apart</h2>'
            "<p>Features ranked by how strongly they separate the segments: the share of each feature's "
            "variation that the segments explain (η², from one-way analysis of variance).</p>"
            '<table class="drivers"><thead><tr><th>Rank</th><th>Feature</th><th>Explained by the segments'
            f'</th><th>F statistic</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _stability_section(stab: Stability | None, names: Sequence[str]) -> str:
    parts = ['<section id="stability"><h2>Stability</h2>']
    if stab is None:
        parts.append("<p>The stability check was not run for this report.</p></section>")
        return "".join(parts)
    level = "good" if stab.overall >= 0.75 else ("fair" if stab.overall >= 0.6 else "poor")
    parts.append(f'<p class="lead verdict {level}">{_e(stab.verdict)}</p>')
    parts.append(f"<p>Mean adjusted Rand index {stab.overall:.2f} (1 = identical segments, 0 = no better than "
                 f"chance) over {stab.runs:,} re-fit{'s' if stab.runs != 1 else ''}: {_e(stab.sample_note)}.</p>")
    rows = []
    for i, value in enumerate(stab.per_segment["jaccard"].to_numpy(dtype=float)):
        name = names[i] if i < len(names) else f"Cluster {display_cluster(i)}"
        width = 0.0 if not math.isfinite(value) else max(0.0, min(1.0, value)) * 100
        text = "–" if not math.isfinite(value) else f"{value:.2f}"
        rows.append(f"<tr><th scope=\"row\">{_swatch(i)}{display_cluster(i)}. {_e(name)}</th>"
                    f'<td class="barcell"><span class="hbar"><span style="width:{width:.1f}%;'
                    f'background:{segment_color(i)}"></span></span>'
                    f"{text}</td></tr>")
    parts.append('<table class="drivers"><thead><tr><th>Segment</th><th>Kept its customers across re-fits '
                 f'(mean Jaccard overlap)</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')
    return "".join(parts)


_CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--soft:#f5f7fa;--accent:#1f77b4}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:980px;margin:0 auto;padding:0 20px 40px}
header.top{background:#fff;border-bottom:4px solid var(--accent);padding:28px 20px 20px;margin-bottom:20px}
header.top .inner{max-width:940px;margin:0 auto}
header.top h1{margin:0 0 4px;font-size:26px;letter-spacing:-.01em}
header.top .sub{color:var(--muted);margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0 0}
.card{flex:1 1 150px;background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card b{display:block;font-size:22px}
.card span{color:var(--muted);font-size:13px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 24px;margin:0 0 18px;
break-inside:avoid}
h2{font-size:19px;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:16px 0 6px}
p{margin:6px 0 10px}
.lead{font-size:16px}
.muted{color:var(--muted);font-weight:normal}
table{border-collapse:collapse;font-size:14px}
.facts th{text-align:left;color:var(--muted);font-weight:600;padding:4px 18px 4px 0;vertical-align:top;
white-space:nowrap}
.facts td{padding:4px 0;vertical-align:top}
ul.plain{margin:0;padding:0;list-style:none}
ul.notes,ul.warnings{margin:4px 0 8px;padding-left:20px}
ul.warnings li{color:#8a4b00}
.scroll{overflow-x:auto}
.profile{width:100%}
.profile th,.profile td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;
vertical-align:top}
.profile thead th{vertical-align:bottom;font-size:13px;text-align:right;min-width:110px}
.profile tbody th{text-align:left;font-weight:500;white-space:nowrap}
.profile tr.group th{text-align:left;background:var(--soft);font-weight:600;font-size:13px}
.num{font-weight:700;margin-right:2px}
.idx{display:inline-block;min-width:34px;text-align:center;font-size:12px;border-radius:10px;padding:0 6px;
background:#eef0f3;color:var(--muted)}
.idx.hi{background:#dcf2e3;color:#17663a}
.idx.lo{background:#fde4dc;color:#9b2c12}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend{list-style:none;padding:0;margin:6px 0 14px;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:14px}
.drivers th,.drivers td{padding:6px 12px 6px 0;border-bottom:1px solid var(--line);text-align:left}
.drivers td.rank{color:var(--muted);width:40px}
.barcell{white-space:nowrap;min-width:240px}
.hbar{display:inline-block;width:160px;height:10px;background:#eef0f3;border-radius:5px;margin-right:8px;
overflow:hidden;vertical-align:0}
.hbar span{display:block;height:100%;background:var(--accent)}
.verdict{border-left:4px solid;padding:4px 10px}
.verdict.good{border-color:#2ca02c}.verdict.fair{border-color:#ff7f0e}.verdict.poor{border-color:#d62728}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px}
figure{margin:10px 0}
figcaption{color:var(--muted);font-size:13px;margin-top:4px}
svg.chart{width:100%;height:auto;display:block}
svg text{font-family:inherit;font-size:12px;fill:#3e4c59}
svg text.label{font-size:13px;fill:#1f2933}
svg text.note{font-size:12px;fill:#8a4b00}
svg .grid{stroke:#eef0f3}
svg .axis{stroke:#9aa5b1}
svg .line{fill:none;stroke:var(--accent);stroke-width:2}
svg .dot{fill:var(--accent)}
svg .dot.elbow{fill:#ff7f0e}
svg .dot.chosen{fill:none;stroke:#1f2933;stroke-width:2}
svg .marker{stroke:#ff7f0e;stroke-dasharray:4 4}
svg .bar{fill:#bcd3ea}
svg .bar.best{fill:var(--accent)}
svg .centroid circle{stroke:#fff;stroke-width:2.5}
svg .centroid text{fill:#fff;font-weight:700;font-size:11px}
footer{color:var(--muted);font-size:13px;text-align:center;margin-top:8px}
@media print{body{background:#fff}section{border:none;padding:8px 0}header.top{padding-top:0}}
"""


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
    drivers = prof.drivers
    scored = int(np.count_nonzero(np.asarray(seg.labels) >= 0))
    rec = recommend_k(sweep, rows=scored) if sweep is not None else None
    when = (generated or datetime.now()).strftime("%d %B %Y, %H:%M").lstrip("0")
    cards = [(f"{scored:,}", "customers segmented"), (str(seg.k), "segments"),
             ("–" if seg.silhouette is None else f"{seg.silhouette:.2f}", "silhouette (-1 to 1)")]
    if stability is not None:
        cards.append((f"{stability.overall:.2f}", "stability (adjusted Rand, 0 to 1)"))
    if rec is not None:
        cards.append((f"k={rec.k}", "recommended"))
    card_html = "".join(f'<div class="card"><b>{value}</b><span>{label}</span></div>' for value, label in cards)
    top_warnings = "".join(f"<li>{_e(w)}</li>" for w in warnings)
    body = [
        '<header class="top"><div class="inner">',
        f"<h1>Customer segments: {_e(name)}</h1>",
        f'<p class="sub">{seg.k} segments of {scored:,} customers on {len(seg.features)} '
        f'feature{"s" if len(seg.features) != 1 else ""} · report of {_e(when)}</p>',
        f'<div class="cards">{card_html}</div>',
        _legend(names),
        "</div></header><main>",
        f'<section id="warnings"><h2>Warnings</h2><ul class="warnings">{top_warnings}</ul></section>'
        if top_warnings else "",
        _data_section(name, frame, seg, report),
        _settings_section(seg, missing, model),
        _k_section(seg, sweep, rec),
        _profile_section(prof),
        _charts_section(seg, drivers, names),
        _drivers_section(drivers),
        _stability_section(stability, names),
        "<footer>Made with Customer Segments (K-Means on standardised features). This file is self-contained: "
        "it loads nothing from the internet.</footer></main>",
    ]
    head = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Customer segments: {_e(name)}</title><style>{_CSS}</style></head><body>")
    return head + "".join(body) + "</body></html>\n"
