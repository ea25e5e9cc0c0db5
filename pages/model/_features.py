"""The feature choice's transforms: one per chosen feature (the data check's proposal, with its reason),
kept in the link as the user changes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from core import SegmentsError
from dashboard import ids, service
from core.quality import QualityReport
from core.text import percent, short_label
from core.transform import date_source
from dashboard.components import column_label, error_alert
from dashboard.state import ViewState

from ._shared import PAGE


TRANSFORM_OPTIONS = [{"label": "none", "value": "none"}, {"label": "log", "value": "log"},
                     {"label": "signed log", "value": "signed_log"}]


#: Why a numeric column is not offered, where its role (:attr:`core.quality.ColumnReport.role`: ID-like,
#: constant, profile) does not say it in a word.
_NOT_OFFERED = {"profile": "an RFM score or purchase date: a profile column"}


def feature_options(dataset: service.Dataset, chosen: Sequence[str] = (), zero: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The Model page's features to tick, with why those not proposed are not; ``chosen`` (the link's features)
    adds a date's derivation the link names that the data check no longer offers (a link from before dates of
    birth were offered as ages names "Date of Birth (days since)"). ``zero``: columns whose blanks count as 0
    (the Upload page's choice), offered as columns without gaps."""
    report = dataset.report.with_zero_blanks(zero)

    def option(name: str, note: str = "", **more: Any) -> dict[str, Any]:
        return {"label": column_label(name, note), "value": name, **more}  # a long name shortened, in a tip

    proposed = report.default_features
    # (a proposed date's days since, the recency, is no column of its own)
    options: list[dict[str, Any]] = [option(name, " (blanks counted as 0)" if name not in report.derived_features
                                            and report.column(name).zeroed else "") for name in proposed]
    options += [option(name, " (a code: shown as a profile column unless chosen)")
                for name in report.coded_columns if name not in proposed]
    options += [option(name) for name in report.derived_features if name not in proposed]  # "Joined (days since)"
    options += [option(name) for name in chosen
                if name not in report.derived_features and date_source(name) in report.date_columns]
    options += [option(name, f" (moves with {short_label(other)}: not proposed)")
                for name, other in report.redundant_columns.items() if name not in proposed]
    options += [option(name, " (another model's output: not proposed)")
                for name in report.model_output_columns]
    options += [option(name, " (a map position: not proposed)") for name in report.location_columns]
    options += [option(name, " (the survey's timing: not proposed)") for name in report.survey_timing_columns]
    options += [option(name, " (grows with time: not proposed)") for name in report.growing_columns]
    options += [option(name, f" (empty in {percent(report.column(name).missing_share, short=True)} of rows: "
                             "not proposed" + ("; the Upload page can count its blanks as 0)"
                                               if name in report.zero_blank_proposed else ")"))
                for name in report.gappy_columns]
    for column in report.column_reports:
        if column.kind == "numeric" and not column.is_feature_candidate:
            options.append(option(column.name, f" ({_NOT_OFFERED.get(column.role, column.role)}, not offered)", disabled=True))
    return options


#: Up to this many chosen features, each transform is in sight; beyond, the features with none proposed or chosen
#: are folded into one line that opens to their dropdowns (a survey of 30 questions put 30 dropdowns, each "none",
#: down the Model page, the four guides 5,100 px below).
OPEN_TRANSFORMS = 6


def transform_rows(dataset: service.Dataset, state: ViewState) -> list[Any]:
    """One row per chosen feature: its transform (the proposal unless the link says otherwise) and why; beyond
    :data:`OPEN_TRANSFORMS` features, those with no transform proposed or chosen folded into one line."""
    chosen = service.transforms_for(state)
    report = service.report_for(dataset, state)
    proposed = report.proposed_transforms_for(state.features, keep_codes=state.codes == "keep")
    rows = [_transform_row(report, feature, chosen, proposed) for feature in state.features]
    if len(rows) <= OPEN_TRANSFORMS:
        return rows
    plain = [chosen.get(f, "none") == "none" and proposed.get(f, "none") == "none" for f in state.features]
    if sum(plain) < 2:
        return rows
    folded = [row for row, quiet in zip(rows, plain) if quiet]
    in_sight = [row for row, quiet in zip(rows, plain) if not quiet]
    return in_sight + [html.Details([
        html.Summary(f"{len(folded)}{' more' if in_sight else ''} features: no transform proposed (open to change "
                     "one)", className="small text-muted mb-2"),
        *folded,
    ], className="segments-folded-transforms")]


def _transform_row(report: QualityReport, feature: str, chosen: dict[str, str], proposed: dict[str, str]) -> Any:
    """One feature's transform choice: its name, the dropdown and why the proposal is what it is."""
    try:
        column = report.column(feature)
        why = f"Proposed: {proposed[feature].replace('_', ' ')} \u2014 {column.transform_reason}."
    except KeyError:
        why = "Days from each date to the file's latest date."
    # the name on its own line: beside the dropdown, the narrow card broke snake_case names mid-word
    return dbc.Row([
        dbc.Col(html.Span(column_label(feature), className="small fw-semibold"), width=12),
        dbc.Col(dcc.Dropdown(id={"type": ids.Model.TRANSFORM, "feature": feature}, options=TRANSFORM_OPTIONS,
                             value=chosen.get(feature, "none"), clearable=False, searchable=False), width=7),
        dbc.Col(html.Small(why, className="text-muted"), width=12),
    ], className="g-1 mb-2")


def kept_transforms(state: ViewState) -> tuple[tuple[str, str], ...]:
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
    return transform_rows(dataset, state.with_(transforms=service.resolve_transforms(dataset, state, state.features)))
