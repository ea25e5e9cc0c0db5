"""The controls folded into the view state (and the link): features, mode, k, seed, mapping, transforms."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback

from dashboard import ids
from dashboard.state import K_MAX, K_MIN, MODES, ViewState

from ._features import kept_transforms
from ._shared import PAGE, mode_styles, sweep_key_of, train_label


def control_dependencies(kind: type[Input] | type[State]) -> list[Any]:
    """The model controls as ``kind`` (Input or State) dependencies, then the ids of the repeated ones:
    :func:`update_state` follows them into the link, :func:`fit_model` reads them when Train is pressed."""
    return [kind(ids.Model.FEATURES, "value"), kind(ids.Model.MODE, "value"), kind(ids.Model.K, "value"),
            kind(ids.Model.SEED, "value"), kind({"type": ids.Model.MAP, "feature": ALL}, "value"),
            kind(ids.Model.BUNDLE_TOKEN, "data"), kind({"type": ids.Model.TRANSFORM, "feature": ALL}, "value"),
            State({"type": ids.Model.MAP, "feature": ALL}, "id"),
            State({"type": ids.Model.TRANSFORM, "feature": ALL}, "id")]


def folded_state(state: ViewState, features: list[str] | None, mode: str | None, k: int | None, seed: int | None,
            map_values: list[str | None], model_token: str | None, transform_values: list[str | None],
            map_ids: list[dict[str, str]], transform_ids: list[dict[str, str]]) -> ViewState:
    """``state`` with the controls' values (invalid ones leave the state's own)."""
    mapping = tuple((value, item["feature"]) for value, item in zip(map_values or [], map_ids or [])
                    if value and value != item["feature"])
    chosen = {item["feature"]: value for value, item in zip(transform_values or [], transform_ids or []) if value}
    transforms = kept_transforms(state.with_(features=tuple(features or ()),
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
    *control_dependencies(Input),
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
    state = folded_state(ViewState.from_search(query), features, mode, k, seed, map_values, model_token,
                    transform_values, map_ids, transform_ids)
    new_key = sweep_key_of(state)
    new_query = state.query() if state.query() != query else dash.no_update
    return (new_query, state.href("/clusters"), *mode_styles(state), train_label(state),
            new_key if new_key != sweep_key and not state.applies_model else dash.no_update)
