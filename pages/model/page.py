"""Model: ``/model?ds=<token>&feature=A&feature=B&mode=new|pretrained&k=4&seed=0&map=FILECOL=MODELCOL``.

Pick the numeric features (ID-like and constant columns are not offered; coded columns and dates are
offered but not chosen by default) and each feature's transform before scaling (the data check's
proposal, with its reason: a log for strongly right-skewed spend or counts), then either train a new
StandardScaler + K-Means model with k segments and a seed, or apply the shipped pre-trained model,
mapping the file's columns onto its features. The k sweep (Elbow and Silhouette) and the chosen
model's fit run as background jobs with progress and a cancel button.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from core.rfm import order_lines_warning
from dashboard import ids, service
from dashboard.components import job_status, load_or_panel, next_button, page_header, page_query_store, retry_alert
from dashboard.terms import term
from dashboard.titles import page_description, page_title
from dashboard.state import K_MAX, K_MIN, ViewState

# The page's parts; importing them registers their callbacks with the page (and names them here).
from ._apply import apply_panel, receive_bundle, render_apply_panel
from ._features import feature_options, render_transforms, transform_rows
from ._fit import fit_model, fitted_summary, hint_training, use_split_k, watch_fit
from ._shared import HIDE, PAGE, SHOW, mode_styles, sweep_key_of, train_label
from ._state import update_state
from ._sweep import note_k_choice, propose_k, run_sweep, use_recommended_k, watch_sweep

__all__ = ["layout", "update_state", "render_transforms", "run_sweep", "propose_k", "note_k_choice",
           "use_recommended_k", "watch_sweep", "fit_model", "hint_training", "watch_fit", "use_split_k", "render_apply_panel",
           "receive_bundle"]


dash.register_page(__name__, path="/model", name="Model", order=2, title=page_title("Model"),
                   description=page_description("Choose the features and the number of segments."))


def _new_panel(state: ViewState) -> html.Div:
    return html.Div([
        dbc.Label("Number of segments (k)", html_for=ids.Model.K),
        # every k a link may carry (dashboard.state.K_MIN..K_MAX), so a shared k is shown as it is
        dcc.Slider(id=ids.Model.K, min=K_MIN, max=K_MAX, step=1, value=state.k,
                   marks={k: str(k) for k in range(K_MIN, K_MAX + 1)}),
        html.Small(id=ids.Model.K_NOTE, className="text-muted segments-k-note"),
        dbc.Row([
            dbc.Col(dbc.Label("Random seed", html_for=ids.Model.SEED, className="mt-2"), width="auto"),
            dbc.Col(dbc.Input(id=ids.Model.SEED, type="number", min=0, step=1, value=state.seed, debounce=True,
                              style={"maxWidth": "9rem"}), width="auto"),
            dbc.Col(html.Small("The same file, features, k and seed always give the same segments.",
                               className="text-muted"), className="mt-2"),
        ], className="g-2 mt-1"),
    ], id=ids.Model.NEW_PANEL, style=SHOW if state.mode == "new" else HIDE)


def _order_lines_alert(dataset: service.Dataset, state: ViewState) -> dbc.Alert | None:
    """Found from outside: a file of order lines (the Upload page's offer passed by, or a link to this page shared)
    had its lines' amounts proposed as features, and its lines segmented as customers. Said, with the way back."""
    if dataset.table.file_format == service.CUSTOMER_TABLE_FORMAT:
        return None
    said = order_lines_warning(dataset.frame, dataset.name)
    if said is None:
        return None
    return dbc.Alert([f"{said} on the Upload page: one row per customer, with recency, frequency and monetary value. ",
                      dcc.Link("Build the customer table", href=ViewState(ds=state.ds, missing=state.missing).href("/upload"),
                               className="alert-link")],
                     color="warning", className="segments-order-lines-alert")


def layout(**query: Any) -> html.Div:
    """Feature choice, model choice and the k guidance for the open dataset."""
    state = ViewState.from_query(query)
    dataset, panel = load_or_panel(state)
    header = page_header("Choose the model", "Pick the columns that describe your customers, then how many "
                                             "segments to find, guided by four charts.")
    if dataset is None:
        return html.Div([page_query_store(PAGE, state), header, panel])
    state = service.resolve_state(state, dataset)
    features_style, features_note_style, new_style, apply_style, sweep_style = mode_styles(state)
    # A model fitted already for these settings (the user comes back, or opens a link) is shown; nothing
    # else is fitted before the user presses Train.
    fitted = fitted_summary(state)
    mode_choice = dbc.RadioItems(
        id=ids.Model.MODE, value=state.mode, inline=True, className="mb-3",
        options=[{"label": "Train a new model", "value": "new"},
                 {"label": "Apply the pre-trained model", "value": "pretrained"},
                 {"label": "Apply a saved model", "value": "saved"}])
    progress = job_status(ids.Model.SWEEP_STATUS, ids.Model.SWEEP_PROGRESS, ids.Model.SWEEP_CANCEL)
    fit_progress = job_status(ids.Model.FIT_STATUS, ids.Model.FIT_PROGRESS, ids.Model.FIT_CANCEL, "Fitting…")
    return html.Div([
        page_query_store(PAGE, state),
        # no k sweep for an applied model (it has its own k); a k in the link is the user's choice, kept
        dcc.Store(id=ids.Model.SWEEP_KEY, data=None if state.applies_model else sweep_key_of(state)),
        dcc.Store(id=ids.Model.K_CHOSEN, data="k" in query),
        dcc.Store(id=ids.Model.SWEEP_BEST),
        dcc.Store(id=ids.Model.BUNDLE_TOKEN, data=state.model),
        # what the last fit answered (None: none yet, so a fit job that dies unanswered offers a retry)
        dcc.Store(id=ids.Model.FIT_DONE, data={"query": state.query(), "shown": True} if fitted else None),
        dcc.Store(id=ids.Model.SWEEP_DONE),
        dcc.Store(id=ids.Model.SWEEP_RETRIED),  # the sweep key started once more by itself (or cancelled)
        header,
        _order_lines_alert(dataset, state),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H5("1. Features", className="card-title"),
                html.P("A model you apply brings its own features: choose, beside it, the column of your file "
                       "that holds each.", id=ids.Model.FEATURES_NOTE, className="small text-muted",
                       style=features_note_style),
                html.Div([
                    dbc.Checklist(id=ids.Model.FEATURES, options=feature_options(dataset, state.features, state.zero),
                                  value=list(state.features)),
                    html.H6("Transform before scaling", className="mt-3"),
                    html.Div(transform_rows(dataset, state), id=ids.Model.TRANSFORMS),
                    html.P("A log keeps a few very large spenders from deciding the segments. Chosen columns are "
                           "then standardised with StandardScaler (mean 0, standard deviation 1) so each counts "
                           "equally, whatever its unit. Profiles and charts stay in the original units.",
                           className="small text-muted mt-2 mb-0"),
                ], id=ids.Model.FEATURES_PANEL, style=features_style),
            ])), md=4, className="mb-3"),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H5("2. Model", className="card-title"),
                mode_choice,
                _new_panel(state),
                html.Div(apply_panel(dataset, state), id=ids.Model.APPLY_PANEL, style=apply_style),
                html.Div(id=ids.Model.BUNDLE_STATUS),
                # Training is one clear action: changing the controls never starts a fit by itself.
                html.Div([dbc.Button(train_label(state), id=ids.Model.TRAIN, color="primary"),
                          html.Span(id=ids.Model.TRAIN_HINT, className="small text-muted")],
                         className="d-flex flex-wrap align-items-center gap-2 mt-3"),
                html.Hr(),
                fit_progress,
                retry_alert(ids.Model.FIT_WATCH, ids.Model.FIT_RETRY, "The model"),
                html.Div(fitted, id=ids.Model.FIT_RESULT),
            ])), md=8, className="mb-3"),
        ]),
        dbc.Card(dbc.CardBody([
            html.H5("How many segments? Four guides", className="card-title"),
            html.P(["For each number of segments k: the ", *term("WCSS", "model-guide-wcss"), " (the elbow, where "
                    "it stops falling fast), the ", *term("silhouette", "model-guide-silhouette"), ", the ",
                    *term("Calinski-Harabasz", "model-guide-calinski"), " and the ",
                    *term("Davies-Bouldin", "model-guide-davies"), "."], className="small text-muted"),
            progress,
            retry_alert(ids.Model.SWEEP_WATCH, ids.Model.SWEEP_RETRY, "The k sweep"),
            html.Div(id=ids.Model.SWEEP_GRAPHS),
        ]), className="mb-3", id=ids.Model.SWEEP_CARD, style=sweep_style),
        next_button("See the clusters →", state.href("/clusters"), ids.Model.NEXT),
    ])
