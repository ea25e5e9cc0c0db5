"""Applying a saved model: the bundle upload (JSON numbers only, pickles refused), the model's description
and the mapping of the file's columns onto its features."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from core import SegmentsError
from core.segmentation import propose_mapping
from core.persist import ModelInfo
from dashboard import ids, service
from dashboard.components import column_options, error_alert
from dashboard.state import MODES, ViewState

from ._shared import PAGE


def _mapping_rows(dataset: service.Dataset, state: ViewState, info: ModelInfo) -> list[Any]:
    # a feature derived from a date column ("Last order (days since)") is fed by a date column
    numeric = list(dataset.report.numeric_columns) + list(dataset.report.date_columns)
    # the obvious matches proposed ("AnnualIncome" for "Annual Income (k$)"), the link's mapping on top
    chosen = {f: c for f, c in propose_mapping(numeric, list(info.features)).items()}
    chosen.update({feature: column for column, feature in state.mapping if column in numeric})
    return [
        dbc.Row([
            dbc.Col(html.Strong(feature), md=5),
            dbc.Col(dcc.Dropdown(id={"type": ids.Model.MAP, "feature": feature},
                                 options=column_options(list(numeric)),
                                 value=chosen.get(feature), placeholder="choose a column of your file",
                                 clearable=True), md=7),
        ], className="mb-2 align-items-center")
        for feature in info.features
    ]


def apply_panel(dataset: service.Dataset, state: ViewState) -> list[Any]:
    """What applying a saved model needs: the bundle upload (saved mode), the model's description, the mapping."""
    parts: list[Any] = []
    if state.mode == "saved":
        parts.append(dcc.Upload(
            dbc.Button("Upload a model bundle (.json)", color="secondary", outline=True, size="sm"),
            # No `accept` filter: a file it filtered out would be dropped without a word; every file gets a message.
            id=ids.Model.BUNDLE_UPLOAD, max_size=-1, className="mb-2"))
    try:
        info = service.applied_model(state).info
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
    return apply_panel(dataset, state)


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
