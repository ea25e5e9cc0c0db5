"""Clusters: ``/clusters?ds=<token>&...&x=<feature|pca>&y=<feature|pca>&name=N:NAME`` (plus the model's parameters).

The segments, named and renamable: a profile table (size, share, mean and index of each feature,
the mix of text columns such as Gender) and the features that separate them most; the customers in a
scatter coloured by segment with the centroids, customers near a border drawn as open circles (axes
chosen among the features, or the 2-D PCA projection of all of them, drawn with the model's own labels
and centroids); the stability of the segmentation (a background job); the distribution of every
feature per segment; and the clustered data set in a paged, sortable table fed from the server.

Lasso or box-select customers in the scatter, or pick a segment in the profile table, and the
profile, histograms and table follow the selection; the selection downloads as CSV.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from core import Segmentation
from core.insight import Profile, scatter_features
from core.model import scaled_centers
from dashboard import ids, service
from dashboard.components import (SegmentedView, chart, job_status, next_button, page_header, page_query_store,
                                  segmented_view_or_page)
from dashboard.figures import scatter_figure
from dashboard.rfm_groups import rfm_groups_card
from dashboard.state import ViewState, distinct_axes
from dashboard.titles import page_description, page_title

# The page's parts; importing them registers their callbacks with the page (and names them here).
from ._profile import drivers_line, histograms, profile_table, segment_profile
from ._scatter import scatter_note, update_view
from ._shared import HIDE, PAGE, axis_options, segments_and_borderline, shown_view_of, stability_key_of
from ._selection import follow_selection, select_customers, show_every_histogram
from ._stability import check_stability, rename_stability
from ._table import GRID_EMPTY, GRID_LOADING, answer_rows, customer_grid, grid_caption, serve_rows

__all__ = ["layout", "update_view", "select_customers", "follow_selection", "show_every_histogram", "check_stability",
           "rename_stability", "answer_rows", "serve_rows", "GRID_LOADING", "GRID_EMPTY", "stability_key_of"]


dash.register_page(__name__, path="/clusters", name="Clusters", order=3, title=page_title("Clusters"),
                   description=page_description("See the customer segments."))


def strongest_axes(prof: Profile, seg: Segmentation) -> tuple[str, str]:
    """The scatter's default axes: the strongest feature across and, up, the one that keeps the segments
    furthest apart beside it (:func:`core.insight.scatter_features`), as the report draws them (a one-feature
    model: that feature on both)."""
    chosen = scatter_features([str(f) for f in prof.drivers["feature"]], seg.features, scaled_centers(seg.pipeline))
    return distinct_axes([option["value"] for option in axis_options(seg)], chosen[0], chosen[-1])


def layout(**query: Any) -> html.Div:
    """The segmentation of the view state, drawn."""
    state = ViewState.from_query(query)
    header = page_header("Your customer segments", "Each colour is a segment; crosses mark the centroids. "
                                                  "Segment 1 is the largest.")
    view = segmented_view_or_page(PAGE, state, header, segments_and_borderline, "No segments to show yet")
    if not isinstance(view, SegmentedView):
        return view
    dataset, state, (seg, borderline) = view
    prof = segment_profile(dataset, seg)
    options = axis_options(seg)
    if not (state.x or state.y):  # the link names no axes: the two that set the segments furthest apart
        x, y = strongest_axes(prof, seg)
        state = state.with_(x=x, y=y)
    figure, drawn, spread = scatter_figure(seg, state.x, state.y, borderline, seed=state.seed)
    stability_status = job_status(ids.Clusters.STABILITY_STATUS, ids.Clusters.STABILITY_PROGRESS,
                                  ids.Clusters.STABILITY_CANCEL)
    return html.Div([
        page_query_store(PAGE, state),
        dcc.Store(id=ids.Clusters.SELECTION),
        dcc.Store(id=ids.Clusters.EVERY_HISTOGRAM, data=False),
        dcc.Store(id=ids.Clusters.SHOWN_VIEW, data=shown_view_of(state)),
        dcc.Store(id=ids.Clusters.STABILITY_KEY, data=stability_key_of(state)),
        header,
        html.Div([html.P(n, className="small text-muted mb-1") for n in service.segmentation_notes(state, seg)],
                 id=ids.Clusters.MESSAGE),
        dbc.Card(dbc.CardBody([
            html.H5("Segment profiles", className="card-title"),
            html.Div(id=ids.Clusters.RENAME_STATUS),
            html.Div(profile_table(prof, False), id=ids.Clusters.PROFILE),
            html.Div(drivers_line(prof), id=ids.Clusters.DRIVERS),
        ]), className="mb-3"),
        rfm_groups_card(dataset, seg),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col([dbc.Label("Horizontal axis", html_for=ids.Clusters.X),
                         dcc.Dropdown(id=ids.Clusters.X, options=options, value=state.x, clearable=False)], md=6),
                dbc.Col([dbc.Label("Vertical axis", html_for=ids.Clusters.Y),
                         dcc.Dropdown(id=ids.Clusters.Y, options=options, value=state.y, clearable=False)], md=6),
            ], className="mb-2"),
            chart(ids.Clusters.SCATTER, figure),
            html.P(scatter_note(seg, drawn, int(borderline.sum()), spread), id=ids.Clusters.SCATTER_NOTE,
                   className="small text-muted"),
            html.Div([
                html.Div(id=ids.Clusters.SELECTION_INFO),
                dbc.Button("Clear the selection", id=ids.Clusters.CLEAR_SELECTION, color="secondary", size="sm",
                           outline=True),
            ], id=ids.Clusters.SELECTION_BOX, style=HIDE),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([
            html.H5("How stable are these segments?", className="card-title"),
            stability_status,
            html.Div(id=ids.Clusters.STABILITY),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("Distribution of each feature by segment", className="card-title"),
                               dbc.Row(histograms(seg, None), id=ids.Clusters.HISTOGRAMS)]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("The clustered customers", className="card-title"),
                               html.P(grid_caption(dataset), className="small text-muted"),
                               html.Div(customer_grid(dataset, seg.segment_names), id=ids.Clusters.GRID_BOX,
                                        className="segments-grid-box")]), className="mb-3"),
        next_button("Next: download the results →", state.href("/downloads"), ids.Clusters.NEXT),
    ])
