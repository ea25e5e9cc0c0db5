"""What the Clusters page's parts share: the page's name, the axis choices, the selection kept on the
server, which input fired a callback, the stability job's key, and the segmentation with its borderline
customers."""

from __future__ import annotations

from typing import Any

import numpy as np
from dash import ctx

from core import Segmentation, SegmentsError
from dashboard import service
from dashboard.components import column_options
from dashboard.state import PCA, ViewState

PAGE = "clusters"
HIDE = {"display": "none"}


def axis_options(seg: Segmentation) -> list[dict[str, str]]:
    options: list[dict[str, str]] = column_options(list(seg.features))
    if len(seg.features) > 2:
        options.append({"label": "2-D projection of all features (PCA)", "value": PCA})
    return options


def selected_rows(selection: dict[str, Any] | None) -> np.ndarray | None:
    """The input rows of the current selection (kept on the server), or None when nothing is selected."""
    if not selection or not selection.get("token"):
        return None
    try:
        return service.get_selection(selection["token"])
    except SegmentsError:
        return None


def trigger() -> Any:
    """The id of the input that fired the running callback (tests replace it: the parts call it through this
    module, ``_shared.trigger()``)."""
    return ctx.triggered_id


def shown_view_of(state: ViewState) -> str:
    """What the profile, the histograms and the customer table show: the view state but for the scatter's axes
    (an axis change re-drew them all: 0.43 s of a second request at 10^6 customers, for nothing)."""
    return state.with_(x=None, y=None).query()


def triggers() -> list[Any]:
    """The ids of every input that fired the running callback: Dash fires a callback once for inputs changed
    together (clearing a selection changes the selection and the page's address at once). Outside a callback
    (the tests), :func:`trigger`'s."""
    try:
        return list(ctx.triggered_prop_ids.values())
    except Exception:  # no callback running
        return [trigger()]


def stability_key_of(state: ViewState) -> str:
    return state.with_(x=None, y=None, names=()).query()


def segments_and_borderline(state: ViewState) -> tuple[Segmentation, np.ndarray]:
    """The (resolved) state's segmentation, named, and which of its scored customers are borderline."""
    seg = service.get_segmentation(state)
    borderline = service.get_confidence(state)["borderline"].to_numpy(dtype=bool, na_value=False)[seg.scored]
    return seg, borderline
