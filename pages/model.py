"""Model: ``/model?ds=<token>&feature=A&feature=B&mode=new|pretrained&k=4&seed=0&map=FILECOL=MODELCOL``.

Pick the numeric features (ID-like and constant columns are not offered; coded columns and dates are
offered but not chosen by default) and each feature's transform before scaling (the data check's
proposal, with its reason: a log for strongly right-skewed spend or counts), then either train a new
StandardScaler + K-Means model with k segments and a seed, or apply the shipped pre-trained model,
mapping the file's columns onto its features. The k sweep (Elbow and Silhouette) and the chosen
model's fit run as background jobs with progress and a cancel button.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html

from core import SegmentsError, display_cluster
from core.segmentation import propose_mapping
from core.insight import compare_labels, out_of_range, recommend_k
from core.persist import ModelInfo
from dashboard import ids, service
from dashboard.components import (chart, error_alert, frame_table, job_options, job_status, load_or_panel,
                                  next_button, page_header, page_query_store, retry_alert, retry_reason,
                                  retry_style)
from dashboard.jobs import time_limit
from dashboard.figures import elbow_figure, index_figure, silhouette_figure
from dashboard.terms import in_words, plain, term
from dashboard.titles import page_description, page_title
from dashboard.state import K_MAX, K_MIN, MODES, ViewState

dash.register_page(__name__, path="/model", name="Model", order=2, title=page_title("Model"),
                   description=page_description("Choose the features and the number of segments."))

PAGE = "model"
_SHOW, _HIDE = {"display": "block"}, {"display": "none"}


TRANSFORM_OPTIONS = [{"label": "none", "value": "none"}, {"label": "log", "value": "log"},
                     {"label": "signed log", "value": "signed_log"}]


def _feature_options(dataset: service.Dataset) -> list[dict[str, Any]]:
    report = dataset.report
    options: list[dict[str, Any]] = [{"label": name, "value": name} for name in report.default_features]
    options += [{"label": f"{name} (a code: shown as a profile column unless chosen)", "value": name}
                for name in report.coded_columns if name not in report.default_features]
    options += [{"label": name, "value": name} for name in report.derived_features]  # "Joined (days since)"
    options += [{"label": f"{name} (moves with {other}: not proposed)", "value": name}
                for name, other in report.redundant_columns.items() if name not in report.default_features]
    for column in report.column_reports:
        if column.kind == "numeric" and not column.is_feature_candidate:
            why = "ID-like" if column.id_like else "constant"
            options.append({"label": f"{column.name} ({why}, not offered)", "value": column.name, "disabled": True})
    return options


def _transform_rows(dataset: service.Dataset, state: ViewState) -> list[Any]:
    """One row per chosen feature: its transform (the proposal unless the link says otherwise) and why."""
    chosen = service.transforms_for(state)
    proposed = dataset.report.proposed_transforms_for(state.features)
    rows: list[Any] = []
    for feature in state.features:
        try:
            column = dataset.report.column(feature)
            why = f"Proposed: {proposed[feature].replace('_', ' ')} ({column.transform_reason})."
        except KeyError:
            why = "Days from each date to the file's latest date."
        rows.append(dbc.Row([
            dbc.Col(html.Span(feature, className="small"), width=5),
            dbc.Col(dcc.Dropdown(id={"type": ids.Model.TRANSFORM, "feature": feature}, options=TRANSFORM_OPTIONS,
                                 value=chosen.get(feature, "none"), clearable=False, searchable=False), width=7),
            dbc.Col(html.Small(why, className="text-muted"), width=12),
        ], className="g-1 mb-2 align-items-center"))
    return rows


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
    ], id=ids.Model.NEW_PANEL, style=_SHOW if state.mode == "new" else _HIDE)


def _mapping_rows(dataset: service.Dataset, state: ViewState, info: ModelInfo) -> list[Any]:
    numeric = list(dataset.report.numeric_columns)
    # the obvious matches proposed ("AnnualIncome" for "Annual Income (k$)"), the link's mapping on top
    chosen = {f: c for f, c in propose_mapping(numeric, list(info.features)).items()}
    chosen.update({feature: column for column, feature in state.mapping if column in numeric})
    return [
        dbc.Row([
            dbc.Col(html.Strong(feature), md=5),
            dbc.Col(dcc.Dropdown(id={"type": ids.Model.MAP, "feature": feature},
                                 options=[{"label": c, "value": c} for c in numeric],
                                 value=chosen.get(feature), placeholder="choose a column of your file",
                                 clearable=True), md=7),
        ], className="mb-2 align-items-center")
        for feature in info.features
    ]


def _apply_panel(dataset: service.Dataset, state: ViewState) -> list[Any]:
    """What applying a saved model needs: the bundle upload (saved mode), the model's description, the mapping."""
    parts: list[Any] = []
    if state.mode == "saved":
        parts.append(dcc.Upload(
            dbc.Button("Upload a model bundle (.json)", color="secondary", outline=True, size="sm"),
            # No `accept` filter: a file it filtered out would be dropped without a word; every file gets a message.
            id=ids.Model.BUNDLE_UPLOAD, max_size=-1, className="mb-2"))
    try:
        _, info = service.applied_model(state)
    except SegmentsError as exc:
        if state.mode == "saved" and not state.model:
            parts.append(html.P("Upload a model saved from Customer Segments (Downloads page) to score this file "
                                "with the same segments. Pickle and joblib files are refused: they can run code "
                                "when opened.", className="small text-muted"))
        else:
            parts.append(error_alert(exc, "No model to apply"))
        return parts
    which = "The shipped model" if state.mode == "pretrained" else "This saved model"
    parts += [
        html.P([f"{which} has {info.k} segments and expects {len(info.features)} features. ",
                html.Span(f"Trained on: {info.trained_on}", className="text-muted")]),
        html.P("Which column of your file holds each feature?", className="mb-2"),
        *_mapping_rows(dataset, state, info),
    ]
    return parts


def _job_seconds() -> int:
    return service.settings().job_timeout


def _sweep_key(state: ViewState) -> str:
    return state.with_(k=0, mode="new", mapping=(), x=None, y=None).query()


def _train_label(state: ViewState) -> str:
    return "Apply the model" if state.applies_model else "Train the model"


def _mode_styles(state: ViewState) -> tuple[dict[str, str], ...]:
    """Styles of the parts that belong to one way of getting a model: the feature choice, the note that an
    applied model brings its own features, the new-model panel, the apply panel and the k guidance. An
    applied model ignores the ticked features and has its own k: their controls and the k sweep go away."""
    applied = state.applies_model
    return (_HIDE if applied else _SHOW, _SHOW if applied else _HIDE, _HIDE if applied else _SHOW,
            _SHOW if applied else _HIDE, _HIDE if applied else _SHOW)


def layout(**query: Any) -> html.Div:
    """Feature choice, model choice and the k guidance for the open dataset."""
    state = ViewState.from_query(query)
    dataset, panel = load_or_panel(state)
    header = page_header("Choose the model", "Pick the columns that describe your customers, then how many "
                                             "segments to find, guided by four charts.")
    if dataset is None:
        return html.Div([page_query_store(PAGE, state), header, panel])
    state = service.resolve_state(state, dataset)
    features_style, features_note_style, new_style, apply_style, sweep_style = _mode_styles(state)
    # A model fitted already for these settings (the user comes back, or opens a link) is shown; nothing
    # else is fitted before the user presses Train.
    fitted = _fitted_summary(state)
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
        dcc.Store(id=ids.Model.SWEEP_KEY, data=None if state.applies_model else _sweep_key(state)),
        dcc.Store(id=ids.Model.K_CHOSEN, data="k" in query),
        dcc.Store(id=ids.Model.SWEEP_BEST),
        dcc.Store(id=ids.Model.BUNDLE_TOKEN, data=state.model),
        # what the last fit answered (None: none yet, so a fit job that dies unanswered offers a retry)
        dcc.Store(id=ids.Model.FIT_DONE, data={"query": state.query(), "shown": True} if fitted else None),
        dcc.Store(id=ids.Model.SWEEP_DONE),
        header,
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H5("1. Features", className="card-title"),
                html.P("A model you apply brings its own features: choose, beside it, the column of your file "
                       "that holds each.", id=ids.Model.FEATURES_NOTE, className="small text-muted",
                       style=features_note_style),
                html.Div([
                    dbc.Checklist(id=ids.Model.FEATURES, options=_feature_options(dataset),
                                  value=list(state.features)),
                    html.H6("Transform before scaling", className="mt-3"),
                    html.Div(_transform_rows(dataset, state), id=ids.Model.TRANSFORMS),
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
                html.Div(_apply_panel(dataset, state), id=ids.Model.APPLY_PANEL, style=apply_style),
                html.Div(id=ids.Model.BUNDLE_STATUS),
                # Training is one clear action: changing the controls never starts a fit by itself.
                html.Div([dbc.Button(_train_label(state), id=ids.Model.TRAIN, color="primary"),
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


def _controls(kind: type[Input] | type[State]) -> list[Any]:
    """The model controls as ``kind`` (Input or State) dependencies, then the ids of the repeated ones:
    :func:`update_state` follows them into the link, :func:`fit_model` reads them when Train is pressed."""
    return [kind(ids.Model.FEATURES, "value"), kind(ids.Model.MODE, "value"), kind(ids.Model.K, "value"),
            kind(ids.Model.SEED, "value"), kind({"type": ids.Model.MAP, "feature": ALL}, "value"),
            kind(ids.Model.BUNDLE_TOKEN, "data"), kind({"type": ids.Model.TRANSFORM, "feature": ALL}, "value"),
            State({"type": ids.Model.MAP, "feature": ALL}, "id"),
            State({"type": ids.Model.TRANSFORM, "feature": ALL}, "id")]


def _folded(state: ViewState, features: list[str] | None, mode: str | None, k: int | None, seed: int | None,
            map_values: list[str | None], model_token: str | None, transform_values: list[str | None],
            map_ids: list[dict[str, str]], transform_ids: list[dict[str, str]]) -> ViewState:
    """``state`` with the controls' values (invalid ones leave the state's own)."""
    mapping = tuple((value, item["feature"]) for value, item in zip(map_values or [], map_ids or [])
                    if value and value != item["feature"])
    chosen = {item["feature"]: value for value, item in zip(transform_values or [], transform_ids or []) if value}
    transforms = _kept_transforms(state.with_(features=tuple(features or ()),
                                              transforms=tuple({**state.transform_dict, **chosen}.items())))
    return state.with_(
        features=tuple(features or ()),
        mode=mode if mode in MODES else "new",
        model=model_token,
        k=min(max(int(k), K_MIN), K_MAX) if isinstance(k, (int, float)) else state.k,
        seed=max(int(seed), 0) if isinstance(seed, (int, float)) else state.seed,
        mapping=mapping,
        transforms=transforms,
    )


@callback(
    Output(ids.page_query(PAGE), "data"),
    Output(ids.Model.NEXT, "href"),
    Output(ids.Model.FEATURES_PANEL, "style"),
    Output(ids.Model.FEATURES_NOTE, "style"),
    Output(ids.Model.NEW_PANEL, "style"),
    Output(ids.Model.APPLY_PANEL, "style"),
    Output(ids.Model.SWEEP_CARD, "style"),
    Output(ids.Model.TRAIN, "children"),
    Output(ids.Model.SWEEP_KEY, "data"),
    *_controls(Input),
    State(ids.page_query(PAGE), "data"),
    State(ids.Model.SWEEP_KEY, "data"),
    prevent_initial_call=True,
)
def update_state(features: list[str] | None, mode: str | None, k: int | None, seed: int | None,
                 map_values: list[str | None], model_token: str | None, transform_values: list[str | None],
                 map_ids: list[dict[str, str]], transform_ids: list[dict[str, str]],
                 query: str | None, sweep_key: str | None) -> tuple[Any, ...]:
    """Fold the controls into the view state (and the URL); show the panels of the chosen mode.

    Nothing is trained here (see :func:`fit_model`); only the k sweep follows the features, and not for
    an applied model."""
    state = _folded(ViewState.from_search(query), features, mode, k, seed, map_values, model_token,
                    transform_values, map_ids, transform_ids)
    new_key = _sweep_key(state)
    new_query = state.query() if state.query() != query else dash.no_update
    return (new_query, state.href("/clusters"), *_mode_styles(state), _train_label(state),
            new_key if new_key != sweep_key and not state.applies_model else dash.no_update)


def _kept_transforms(state: ViewState) -> tuple[tuple[str, str], ...]:
    """The state's transforms as a link keeps them (see :func:`dashboard.service.resolve_transforms`)."""
    try:
        dataset = service.get_dataset(state.ds)
    except SegmentsError:
        return state.transforms
    return service.resolve_transforms(dataset, state, state.features)


@callback(
    Output(ids.Model.TRANSFORMS, "children"),
    Input(ids.Model.FEATURES, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def render_transforms(features: list[str] | None, query: str | None) -> Any:
    """One transform choice per chosen feature (kept choices, else the data check's proposal)."""
    state = ViewState.from_search(query)
    try:
        dataset = service.get_dataset(state.ds)
    except SegmentsError as exc:
        return error_alert(exc)
    state = state.with_(features=tuple(features or ()))
    return _transform_rows(dataset, state.with_(transforms=service.resolve_transforms(dataset, state, state.features)))


def _k_table(sweep: Any, recommended: int) -> Any:
    """Per k: stability under resampling, smallest and largest segment's share, silhouette."""
    full = sweep.full_table()
    shown = full[(full["k"] >= sweep.k_min) & (full["k"] <= sweep.k_max)][
        ["k", "stability", "smallest_share", "largest_share", "silhouette"]].copy()
    shown["k"] = [f"{k} ✓" if k == recommended else str(k) for k in shown["k"]]
    score = plain("silhouette")
    shown.columns = ["k", "stability", "smallest", "largest", score]
    return html.Div([
        frame_table(shown.reset_index(drop=True), "segments-k-table",
                    {"stability": ".2f", "smallest": ".1%", "largest": ".1%", score: ".3f"}),
        html.P("Stability: how alike the segments stay when the customers are resampled (1 = identical; below "
               "0.75 a k is set aside while a stable one exists). Smallest / largest: the share of customers "
               "in the smallest and largest segment.", className="small text-muted"),
    ], id=ids.Model.K_TABLE)


@callback(
    Output(ids.Model.SWEEP_GRAPHS, "children"),
    Output(ids.Model.SWEEP_BEST, "data"),
    Output(ids.Model.SWEEP_DONE, "data"),
    Input(ids.Model.SWEEP_KEY, "data"),
    Input(ids.Model.SWEEP_RETRY, "n_clicks"),
    **job_options(ids.Model.SWEEP_STATUS, ids.Model.SWEEP_CANCEL, ids.Model.SWEEP_PROGRESS),
)
def run_sweep(set_progress: Any, sweep_key: str | None, _retry: int | None = None) -> tuple[Any, Any, Any]:
    """The four guides for each k of the sweep's range and the recommended k (a background job with progress)."""
    state = ViewState.from_search(sweep_key)
    if not state.ds:
        return None, None, sweep_key
    try:
        with time_limit(_job_seconds()):
            sweep = service.get_sweep(state, lambda done, total: set_progress((done, total)))
    except SegmentsError as exc:
        return error_alert(exc, "The k sweep could not run"), None, sweep_key
    advice = recommend_k(sweep, sweep.rows)  # the customers the model uses, as the command line counts them
    sample = (f" The sweep ran on a seeded sample of {sweep.sample_rows:,} customers." if sweep.sample_rows else "")
    return html.Div([
        html.P([html.Strong(f"Recommended: k={advice.k}. "), *in_words(advice.reason, "model-advice"), sample, " ",
                dbc.Button(f"Use k={advice.k}", id=ids.Model.USE_K, size="sm", color="success", outline=True)],
               className="segments-advice"),
        *[dbc.Alert(in_words(w, f"model-warning-{i}"), color="warning", className="py-1 small mb-1")
          for i, w in enumerate(advice.warnings)],
        dbc.Row([
            dbc.Col(dbc.Row([
                dbc.Col(chart(ids.Model.ELBOW_GRAPH, elbow_figure(sweep)), md=6),
                dbc.Col(chart(ids.Model.SILHOUETTE_GRAPH, silhouette_figure(sweep)), md=6),
                dbc.Col(chart(ids.Model.CALINSKI_GRAPH, index_figure(sweep, "calinski_harabasz", "Calinski-Harabasz",
                                                                   higher_is_better=True)), md=6),
                dbc.Col(chart(ids.Model.DAVIES_GRAPH, index_figure(sweep, "davies_bouldin", "Davies-Bouldin",
                                                                 higher_is_better=False)), md=6),
            ]), lg=8),
            dbc.Col(_k_table(sweep, advice.k), lg=4),
        ]),
    ]), advice.k, sweep_key


def _k_note(k: int | None, best: int) -> str:
    if k == best:
        return f"k={best} is the recommendation (see below)."
    return f"Your choice: k={k}. The recommendation is k={best} (see below)."


@callback(
    Output(ids.Model.K, "value", allow_duplicate=True),
    Output(ids.Model.K_NOTE, "children", allow_duplicate=True),
    Output(ids.page_query(PAGE), "data", allow_duplicate=True),
    Output(ids.Model.NEXT, "href", allow_duplicate=True),
    Input(ids.Model.SWEEP_BEST, "data"),
    State(ids.Model.K_CHOSEN, "data"),
    State(ids.Model.K, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def propose_k(best: int | None, chosen: bool | None, k: int | None, query: str | None) -> tuple[Any, ...]:
    """The recommended k becomes the proposed value once known, unless the user chose a k already (or
    the link carried one). A moved slider gets its note from :func:`note_k_choice`.

    The link takes the proposed k here too: Dash (4.4) did not always run :func:`update_state` for a
    slider value set by another callback, and the link then kept the old k."""
    if not isinstance(best, int):
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    proposed = min(max(best, K_MIN), K_MAX)
    if not chosen and proposed != k:
        state = ViewState.from_search(query).with_(k=proposed)
        return proposed, dash.no_update, state.query(), state.href("/clusters")
    return dash.no_update, _k_note(k, best), dash.no_update, dash.no_update


@callback(
    Output(ids.Model.K_NOTE, "children"),
    Output(ids.Model.K_CHOSEN, "data"),
    Input(ids.Model.K, "value"),
    State(ids.Model.SWEEP_BEST, "data"),
    prevent_initial_call=True,
)
def note_k_choice(k: int | None, best: int | None) -> tuple[Any, Any]:
    """Say how the slider's k relates to the recommendation; a k other than it is the user's own from then
    on (later sweeps no longer move the slider)."""
    if not isinstance(best, int):
        return "", True
    return _k_note(k, best), (True if k != best else dash.no_update)


@callback(
    Output(ids.Model.K, "value"),
    Output(ids.Model.MODE, "value"),
    Input(ids.Model.USE_K, "n_clicks"),
    State(ids.Model.SWEEP_BEST, "data"),
    prevent_initial_call=True,
)
def use_recommended_k(n_clicks: int | None, best: int | None) -> tuple[Any, Any]:
    """Set the slider to the recommended k (and switch to a new model)."""
    if not n_clicks or not best:
        return dash.no_update, dash.no_update
    return int(best), "new"


@callback(
    Output(ids.Model.FIT_RESULT, "children"),
    Output(ids.Model.FIT_DONE, "data"),
    Input(ids.Model.TRAIN, "n_clicks"),
    Input(ids.Model.FIT_RETRY, "n_clicks"),
    State(ids.page_query(PAGE), "data"),
    *_controls(State),
    prevent_initial_call=True,
    **job_options(ids.Model.FIT_STATUS, ids.Model.FIT_CANCEL),
)
def fit_model(train: int | None, retry: int | None, query: str | None, *controls: Any) -> tuple[Any, Any]:
    """Fit (or apply) the chosen model when the user presses Train (or Apply), and say how good it is
    (a background job).

    Also returns ``{"query": the settings it answered, "shown": whether a result is shown}``, so
    :func:`watch_fit` can tell a job that never finished and :func:`hint_training` what is out of date.
    The controls are read as they are when Train is pressed (``controls``, as for :func:`update_state`),
    not from the link, which may not have caught up with the last change yet.
    """
    state = ViewState.from_search(query)
    if controls and controls[1] is not None:  # the mode is always set on the page
        state = _folded(state, *controls)
        query = state.query()
    if not state.ds or not (train or retry):
        return None, {"query": query, "shown": False}
    try:
        with time_limit(_job_seconds()):
            seg = service.get_segmentation(state)
    except SegmentsError as exc:
        title = "The model cannot be applied" if state.applies_model else "The model could not be trained"
        return error_alert(exc, title), {"query": query, "shown": False}
    return _fit_summary(state, seg), {"query": query, "shown": True}


@callback(
    Output(ids.Model.TRAIN_HINT, "children"),
    Input(ids.page_query(PAGE), "data"),
    Input(ids.Model.FIT_DONE, "data"),
)
def hint_training(query: str | None, done: dict[str, Any] | None) -> str:
    """Say when pressing Train is what the page waits for: nothing trained yet, or the settings changed."""
    state = ViewState.from_search(query)
    verb = "Apply" if state.applies_model else "Train"
    if not isinstance(done, dict) or not done.get("shown"):
        return (f"Press {verb} when the settings suit you: nothing is fitted until then." if state.applies_model
                else f"Press {verb} when the features and k suit you: nothing is fitted until then.")
    if done.get("query") != query:
        return f"The settings changed since the result below: press {verb} again to see their segments."
    return ""


def _watch(status: dict[str, str] | None, done: str | None, expected: str | None, what: str) -> tuple[Any, Any]:
    """The retry alert's style, and why the job stopped when it is shown (the data store's trouble if any)."""
    style = retry_style(status, done, expected)
    return style, (retry_reason(what) if style.get("display") != "none" else dash.no_update)


@callback(
    Output(ids.Model.FIT_WATCH, "style"),
    Output(ids.retry_reason(ids.Model.FIT_WATCH), "children"),
    Input(ids.Model.FIT_STATUS, "style"),
    State(ids.Model.FIT_DONE, "data"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def watch_fit(status: dict[str, str] | None, done: dict[str, Any] | None, query: str | None) -> tuple[Any, Any]:
    """When a fit stops without an answer (cancelled, its process died, the data store failed), say why
    and offer to try again."""
    return _watch(status, done.get("query") if isinstance(done, dict) else None, query, "The model")


@callback(
    Output(ids.Model.SWEEP_WATCH, "style"),
    Output(ids.retry_reason(ids.Model.SWEEP_WATCH), "children"),
    Input(ids.Model.SWEEP_STATUS, "style"),
    State(ids.Model.SWEEP_DONE, "data"),
    State(ids.Model.SWEEP_KEY, "data"),
    prevent_initial_call=True,
)
def watch_sweep(status: dict[str, str] | None, done: str | None, key: str | None) -> tuple[Any, Any]:
    """When the k sweep stops without an answer, say why and offer to try again."""
    return _watch(status, done, key, "The k sweep")


def _fitted_summary(state: ViewState) -> html.Div | None:
    """The summary of the state's model when it was fitted already (its comparison only if that is
    fitted too: a page opens without fitting anything), else None."""
    if not service.has_segmentation(state):
        return None
    try:
        return _fit_summary(state, service.get_segmentation(state), compare_only_fitted=True)
    except SegmentsError:
        return None


def _fit_summary(state: ViewState, seg: Any, compare_only_fitted: bool = False) -> html.Div:
    """What the fitted (or applied) model is and how good it is."""
    sizes = seg.sizes()
    quality = "n/a" if seg.silhouette is None else f"{seg.silhouette:.3f}"
    extra: list[Any] = []
    if seg.source == "pretrained":
        extra.append(_range_check(state, seg))
    extra.append(_comparison(state, seg, compare_only_fitted))
    what = {"pretrained": "Pre-trained model applied", "saved": "Saved model applied"}.get(
        state.mode if seg.source == "pretrained" else "new", f"New model with k={seg.k}, seed {seg.seed}")
    return html.Div([
        html.P([html.Strong(what), f": {int(sizes.sum()):,} customers segmented on {', '.join(seg.feature_labels)}."]),
        html.P([*term("silhouette", "model-fit-silhouette", "Separation score"), " of this model: ",
                html.Strong(quality, className="segments-model-silhouette"),
                " (from -1 to 1; above 0.5 is a clear structure, below 0.25 a weak one)."]),
        html.P("Segments: " + ", ".join(f"{display_cluster(i)} · {name} ({int(n):,})"
                                        for i, (name, n) in enumerate(zip(seg.segment_names, sizes))),
               className="small text-muted"),
        *[html.P(note, className="small text-muted mb-1") for note in seg.notes],
        *extra,
    ], className="segments-fit-result")


def _range_check(state: ViewState, seg: Any) -> Any:
    """How the file's customers compare with the applied model's training customers."""
    try:
        _, info = service.applied_model(state)
    except SegmentsError:
        return None
    check = out_of_range(seg.matrix.X, info, list(seg.model_features))
    shift = f"mean shift (in {plain('training SDs')})"
    table = check.table[["feature", "outside", "shift_sd"]].rename(
        columns={"outside": "outside training range", "shift_sd": shift})
    return html.Div([
        dbc.Alert(check.warning, color="warning", className="py-2 small") if check.warning else
        html.P("This file's customers look like the model's training customers.", className="small text-success"),
        frame_table(table, "segments-range", {"outside training range": ".1%", shift: "+.2f"}),
        html.P(["Mean shift: how far this file's average is from the training customers', in ",
                *term("training SDs", "model-range-sd"), "."], className="small text-muted"),
    ], className="segments-range-check")


def _comparison(state: ViewState, seg: Any, only_fitted: bool = False) -> Any:
    """A cross-table of this segmentation against another: pre-trained vs new, or k vs k+1 (``only_fitted``:
    only when that other one is fitted already)."""
    try:
        if state.applies_model:
            # the same columns as the applied model, never the features ticked for a new model
            other_state = state.with_(mode="new", features=tuple(seg.features), k=seg.k, mapping=(), model=None,
                                      transforms=())
            names = ("Applied model", f"New model, k={seg.k}")
            same_features = None
        else:
            other_state = state.with_(k=min(seg.k + 1, K_MAX))
            names = (f"k={seg.k}", f"k={other_state.k}")
            same_features = seg.matrix  # only k differs: the customers' columns are parsed once for both
        if only_fitted and not service.has_segmentation(other_state):
            return None
        other = service.get_segmentation(other_state, matrix=same_features)
        comparison = compare_labels(seg.labels, other.labels, *names)
    except SegmentsError:
        return None
    table = comparison.table.copy()
    table.insert(0, f"{names[0]} (rows) · {names[1]} (columns)", table.index.astype(str))
    return html.Details([
        html.Summary(f"Compare with {names[1].lower()}: {plain('adjusted Rand index')} {comparison.adjusted_rand:.2f}"),
        # (the term's tooltip is outside the summary: a focusable element inside it would be nested in a control)
        html.P([*term("adjusted Rand index", "model-compare-rand", "Agreement"), " 1 = the same segments, 0 = no "
                "more alike than chance. ", *in_words(comparison.summary, "model-compare-summary")],
               className="small text-muted mb-1"),
        frame_table(table.reset_index(drop=True), "segments-compare"),
    ], className="mt-2 segments-comparison")


@callback(
    Output(ids.Model.APPLY_PANEL, "children"),
    Input(ids.Model.MODE, "value"),
    Input(ids.Model.BUNDLE_TOKEN, "data"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def render_apply_panel(mode: str | None, model_token: str | None, query: str | None) -> Any:
    """Show what the chosen way of applying a model needs (its upload, description and column mapping)."""
    state = ViewState.from_search(query).with_(mode=mode if mode in MODES else "new", model=model_token)
    try:
        dataset = service.get_dataset(state.ds)
    except SegmentsError as exc:
        return error_alert(exc)
    return _apply_panel(dataset, state)


@callback(
    Output(ids.Model.BUNDLE_TOKEN, "data"),
    Output(ids.Model.BUNDLE_STATUS, "children"),
    Input(ids.Model.BUNDLE_UPLOAD, "contents"),
    State(ids.Model.BUNDLE_UPLOAD, "filename"),
    prevent_initial_call=True,
)
def receive_bundle(contents: str | None, filename: str | None) -> tuple[Any, Any]:
    """Check an uploaded model bundle (JSON numbers only; pickles refused) and keep it on the server."""
    if not contents:
        return dash.no_update, dash.no_update
    try:
        raw = base64.b64decode(contents.split(",", 1)[-1], validate=False)
        token, info = service.store_bundle(raw)
    except (ValueError, binascii.Error):
        return dash.no_update, error_alert("The file could not be read.", "Not a model bundle")
    except SegmentsError as exc:
        return dash.no_update, error_alert(exc, f"{filename or 'This file'} was not loaded")
    return token, dbc.Alert(f"Loaded {filename}: {info.k} segments on {', '.join(info.features)}.",
                            color="success", className="segments-bundle-ok")
