"""What each segment is like: the profile table (sizes, means and indices as a heat map, text-column mixes),
the features that separate the segments, and each feature's distribution per segment. The profile is
computed once per render."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import html

from core import Segmentation, display_cluster
from core.insight import Profile, profile
from core.segmentation import MAX_NAME_LENGTH
from core.stats import year_like
from core.text import duration_text, mean_text, percent
from dashboard import ids, service
from dashboard.components import chart, column_label
from dashboard.figures import cluster_color, histogram_figure
from dashboard.terms import term


def segment_profile(dataset: service.Dataset, seg: Segmentation) -> Profile:
    """The profile of ``seg``'s customers (sizes, means, indices, text-column mixes, drivers): computed once
    per render, for the table and the drivers alike."""
    # A coded column (a region as 1, 2, 3) describes segments by its mix unless it is chosen as a feature.
    describing = [c for c in dataset.report.describing_columns if c not in seg.features]
    return profile(seg, dataset.frame, describing, seg.segment_names)


def profile_table(prof: Profile, selecting: bool) -> html.Div:
    """Segments as rows: name (editable, wide enough for a whole name), size, share, then each feature's
    mean and index, the feature that separates the segments most first and every cell shaded by its
    index (a heat map); the mix of text columns in a table of its own below.

    With the features in the model's order and the mixes beside them, six or more features made the
    table scroll sideways, hid the strongest driver and cut the names in their boxes (issue 12).

    Below the md breakpoint (a phone) assets/app.css stacks each row into a block: the header row is hidden
    and every cell shows its column's name beside its value (:func:`_labelled`), the segment's text-column
    mixes included (cells shown only there; the mix table below is hidden there). On a phone the table's
    columns were off the side, under a header row that looked blank.
    """
    strength = dict(zip(prof.drivers["feature"].astype(str), prof.drivers["eta_squared"]))
    shown = set(prof.telling_mixes[0])  # a phone shows these columns' mix in each segment's block
    features = [str(f) for f in prof.drivers.sort_values("rank")["feature"]] if len(strength) else prof.features
    head = html.Thead(html.Tr(
        [html.Th("Segment"), html.Th("Customers"), html.Th("Share")]
        + [html.Th([column_label(f), html.Br(), html.Small(f"strength {strength[f]:.2f}" if f in strength else "",
                                             className="text-muted fw-normal")], className="segments-feature")
           for f in features]))
    years = pd.Series(year_like(prof.overall.to_numpy(), prof.spread.to_numpy()), index=prof.overall.index)
    rows = []
    for label, row in prof.sizes.iterrows():
        label = int(label)
        rows.append(html.Tr(
            [html.Td(html.Div([
                html.Span(f"{display_cluster(label)}", className="segments-swatch text-white small text-center",
                          style={"background": cluster_color(label), "width": "1.6rem"}),
                dbc.Input(id={"type": ids.Clusters.RENAME, "cluster": label}, value=row["segment"], debounce=True,
                          size="sm", maxLength=MAX_NAME_LENGTH, className="segments-rename",
                          placeholder=f"Name of segment {display_cluster(label)}"),
                dbc.Button("Select", id={"type": ids.Clusters.SELECT_SEGMENT, "cluster": label},
                           size="sm", color="secondary", outline=True, title="Select this segment's customers",
                           className="ms-auto"),
            ], className="d-flex align-items-center gap-1"))]
            + [_labelled("Customers", f"{int(row['customers']):,}"), _labelled("Share", percent(row['share']))]
            + [_index_cell(column_label(f), prof.means.at[label, f], prof.indices.at[label, f],
                           prof.overall[f], prof.spread[f], bool(years[f]), bool(prof.percents[f]),
                           bool(prof.durations[f])) for f in features]
            + [_labelled(column_label(str(column), f": {value}"), share, className="segments-phone-only")
               for (column, value), share in zip(prof.mixes.columns, _mix_shares(prof, label)) if column in shown]))
    caption = ("Profile of the selected customers. " if selecting else "") + \
        "Each cell: the segment's mean, and its index against the average customer (average = 100), shaded " \
        "blue above the average and orange below. The features that separate the segments most come first." + \
        (" A feature whose segments can average below zero (a balance) has no index: its cells say how far " \
         "the segment is from the average instead." if prof.indices.isna().all().any() else "")
    return html.Div([
        dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True, size="sm",
                  className="segments-table segments-summary segments-profile align-middle"),
        html.P(caption + " Rename a segment by typing in its name; the name follows into every chart, "
               "link and download.", className="small text-muted"),
        _mix_table(prof),
    ])


def _labelled(label: Any, value: Any, className: str = "", style: dict[str, str] | None = None) -> html.Td:
    """A profile cell: its column's name (shown, and read out, only where the rows are stacked into blocks
    on a phone, the header row hidden) and its value."""
    return html.Td([html.Span(label, className="segments-cell-label"),
                    html.Span(value, className="segments-cell-value")],
                   **({"className": className} if className else {}), **({"style": style} if style else {}))


def _index_cell(label: Any, mean: float, index: float, overall: float, spread: float, year: bool = False,
                percentage: bool = False, duration: bool = False) -> html.Td:
    """A feature's mean in a segment over its index, shaded by how far the index is from 100: blue above,
    orange below, stronger the further (twice or half the average is the strongest). A feature without an
    index (a segment averaging below zero: a balance) says how far the mean is from the average instead, shaded by that
    distance in standard deviations (one is the strongest). The shades stay light, so the dark text keeps
    its contrast."""
    if pd.isna(mean):
        return _labelled(label, "", "segments-index")
    text: list[Any] = [mean_text(mean, year, percentage, duration)]
    strength = 0.0
    if not pd.isna(index):
        text += [html.Br(), html.Small(f"index {index:.0f}")]
        strength = _log_ratio(index, 100)
    elif np.isfinite(overall):
        gap = (f"{(mean - overall) * 100:+,.2f} points" if percentage
               else duration_text(mean - overall, sign=True) if duration else f"{mean - overall:+,.2f}")
        text += [html.Br(), html.Small(f"{gap} vs average")]
        if spread > 0:
            strength = float(np.clip((mean - overall) / spread, -1, 1))
    return _labelled(label, text, "segments-index", _shade(strength))


def _shade(strength: float) -> dict[str, str] | None:
    """A cell's background for ``strength`` in -1..1: blue above the average, orange below, stronger the
    further; light enough for the dark text to keep its contrast. None at 0."""
    if not strength:
        return None
    rgb = "13, 110, 253" if strength > 0 else "253, 126, 20"
    return {"backgroundColor": f"rgba({rgb}, {0.32 * abs(strength):.3f})"}


def _share_text(share: float) -> str:
    """A share as the mix shows it: decimals below 10% ("0.3%", not a "0%" shaded as if it differed)."""
    return "" if pd.isna(share) else percent(share, short=True)


def _mix_shares(prof: Profile, label: Any) -> list[str]:
    """Segment ``label``'s share of each text column's values (the columns of ``prof.mixes``), as shown."""
    return [_share_text(share) for share in prof.mixes.loc[label]]


def _mix_table(prof: Profile) -> Any:
    """The mix of each text column (Gender, Region...) per segment, the segments as columns (as in the
    report): a group of rows per text column, the one whose mix differs most between the segments first
    with its strength (Cramér's V), then a row per value: the share of all customers with it, then of each
    segment's customers, shaded blue where a segment has more of it than all customers and orange where
    it has fewer (twice or half as many is the strongest).

    Found from outside: with the values as columns, two text columns of nine values ran off a laptop's
    table, and a wide export's telling column (Churn, the 45th) came last. The columns whose mix hardly
    differs (:attr:`Profile.telling_mixes`) are folded below the table: a CRM export's 25 text and flag
    columns made 125 rows of "20% 20% 20%" between the profile and the scatter.
    """
    if prof.mixes.shape[1] == 0:
        return None
    shown, folded = prof.telling_mixes
    folded_part = None
    if folded:
        folded_part = html.Details([
            html.Summary(prof.folded_mixes_note(), className="small text-muted"),
            _mix_box(prof, folded, "Table: the other columns' mix in each segment"),
        ], className="segments-mix-folded mb-2")
    return html.Div([  # a phone shows each segment's mix in its block of the profile table instead
        html.H6("Who is in each segment", className="mt-2"),
        html.P(["The share of each segment's customers with each value, beside all customers' share: blue where "
                "a segment has more of them, orange where it has fewer. The columns whose mix differs most "
                "between the segments come first, with their ", *term("Cramér's V", "clusters-cramers-v"),
                " from 0 to 1."], className="small text-muted mb-1"),
        _mix_box(prof, shown, "Table: who is in each segment"),
        folded_part,
    ], className="d-none d-md-block")


def _mix_box(prof: Profile, columns: list[str], label: str) -> html.Div:
    """A table of the mixes of ``columns``, in a box a narrow screen scrolls sideways (focusable, so a keyboard
    can scroll it too)."""
    head = html.Thead(html.Tr(
        [html.Td(""), html.Th("All customers", className="segments-mix-all", scope="col")]
        + [html.Th([html.Span(f"{display_cluster(int(label))}", className="segments-swatch text-white small "
                              "text-center", style={"background": cluster_color(int(label)), "width": "1.6rem"}),
                    str(name)], className="segments-mix-name", scope="col")
           for label, name in prof.sizes["segment"].items()]))
    groups = []
    for column in columns:
        strength = prof.mix_strength.get(column, np.nan)
        rows = [html.Tr(html.Th([column_label(column), " ", html.Small(
            "" if pd.isna(strength) else f"strength {strength:.2f}", className="text-muted fw-normal")],
            colSpan=prof.sizes.shape[0] + 2, scope="colgroup"), className="segments-mix-column")]
        for value, shares in prof.mix(column).items():
            overall = float(prof.mix_overall[(column, value)])
            rows.append(html.Tr([html.Th(str(value), scope="row", className="fw-normal"),
                                 html.Td(_share_text(overall), className="segments-mix-all")]
                                + [html.Td(_share_text(share), style=_shade(_log_ratio(share, overall)))
                                   for share in shares]))
        groups.append(html.Tbody(rows))
    return html.Div(dbc.Table([head, *groups], hover=True, size="sm", className="segments-table segments-mix align-middle"),
                    className="table-responsive", tabIndex="0", role="region", **{"aria-label": label})


def _log_ratio(value: float, reference: float) -> float:
    """How far ``value`` is above or below ``reference``, -1..1 for :func:`_shade`: log2 of their ratio,
    clipped (twice the reference is 1, half of it or less -1); 0 where either is unknown or the reference
    is not above 0."""
    if pd.isna(value) or pd.isna(reference) or reference <= 0:
        return 0.0
    return float(np.clip(np.log2(max(float(value), 1e-9) / reference), -1, 1))


#: The drivers line names at most this many features; the rest are counted, with the strongest of them.
DRIVERS_NAMED = 8


def drivers_line(prof: Profile) -> html.P:
    """What separates the segments most: the :data:`DRIVERS_NAMED` strongest features with their η², the rest
    counted (found from outside: a 60-feature CRM export listed 59 features at 0.00 in bold)."""
    # "Annual Income (k$): 0.81", never "Annual Income (k$) (0.81)"; a long name shortened, whole in a tooltip
    parts: list[Any] = []
    for _, row in prof.drivers.head(DRIVERS_NAMED).iterrows():
        parts += [", " if parts else "", column_label(str(row["feature"]), f": {row['eta_squared']:.2f}")]
    rest = prof.drivers.iloc[DRIVERS_NAMED:]
    more = (f" and {len(rest)} more, each at most {rest['eta_squared'].max():.2f}" if len(rest) else "")
    return html.P(["What separates the segments most, strongest first, with its ", *term("η²", "clusters-eta-squared"),
                   " from 0 to 1: ", html.Strong(parts), more], className="mb-0 segments-drivers")


#: Distribution charts drawn at first. Found from outside: a CRM export's 60 features made 60 charts, 4 s of the
#: server's time on every change of the page (a rename, an axis) and about 20 s in the browser; the others come
#: with a button (:data:`ids.Clusters.MORE_HISTOGRAMS`).
HISTOGRAMS_SHOWN = 12


def histograms(seg: Segmentation, rows: np.ndarray | None, every: bool = False) -> list[Any]:
    """The distribution of each feature by segment (of the selected ``rows`` only, when given): the first
    :data:`HISTOGRAMS_SHOWN` features, then a button for the others, or all of them with ``every``."""
    selected = None
    if rows is not None:
        chosen = np.zeros(seg.labels.size, dtype=bool)
        chosen[rows] = True
        selected = chosen[seg.scored]
    features = list(seg.features)
    shown = features if every or len(features) <= HISTOGRAMS_SHOWN else features[:HISTOGRAMS_SHOWN]
    charts: list[Any] = [dbc.Col(chart(ids.Clusters.histogram(i), histogram_figure(seg, f, selected)), md=6)
                         for i, f in enumerate(shown)]
    if len(shown) < len(features):
        rest = len(features) - len(shown)
        charts.append(dbc.Col(dbc.Button(f"Show the distributions of the other {rest} features", size="sm",
                                         id=ids.Clusters.MORE_HISTOGRAMS, color="secondary", outline=True),
                              width=12, className="mt-2"))
    return charts
