"""The scatter of customers coloured by segment: new axes, renamed segments and a cleared selection redraw it."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback

from core import Segmentation, SegmentsError, display_cluster
from dashboard import ids, service
from dashboard.figures import scatter_figure
from dashboard.state import ViewState, distinct_axes

from . import _shared
from ._shared import PAGE, axis_options


def scatter_note(seg: Segmentation, drawn: int, borderline: int, spread: tuple[str, ...] = ()) -> str:
    """What the scatter shows: how many customers, those near a border and left out, the axes spread around
    their values (``spread``: "x", "y"), and how to select."""
    total = int(seg.scored.sum())
    left_out = int(seg.labels.size - total)
    parts = [f"Showing {drawn:,} of {total:,} segmented customers"
             + (" (a random sample keeps the chart fast; the tables, and a box or lasso, take everyone)."
                 if drawn < total else ".")]
    if borderline:
        parts.append(f"{borderline:,} customer{'s sit' if borderline != 1 else ' sits'} near a segment border "
                     "(open circles).")
    if left_out:
        parts.append(f"{left_out:,} customer{'s' if left_out != 1 else ''} with missing values "
                     f"{'are' if left_out != 1 else 'is'} not in the model.")
    if spread:
        across = {("x",): "across", ("y",): "up and down"}.get(tuple(spread), "a little each way")
        parts.append(f"The customers on each whole value are spread {across} around it so that all of them show; "
                     "hovering gives each one's true values.")
    parts.append("Lasso or box-select customers to study them.")
    return " ".join(parts)


@callback(
    Output(ids.Clusters.SCATTER, "figure"),
    Output(ids.Clusters.SCATTER_NOTE, "children"),
    Output(ids.page_query(PAGE), "data"),
    Output(ids.Clusters.RENAME_STATUS, "children"),
    Output(ids.Clusters.NEXT, "href"),
    Output(ids.Clusters.X, "value"),
    Output(ids.Clusters.Y, "value"),
    Input(ids.Clusters.X, "value"),
    Input(ids.Clusters.Y, "value"),
    Input({"type": ids.Clusters.RENAME, "cluster": ALL}, "value"),
    Input(ids.Clusters.CLEAR_SELECTION, "n_clicks"),
    State({"type": ids.Clusters.RENAME, "cluster": ALL}, "id"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def update_view(x: str | None, y: str | None, names: list[str | None], _clear: int | None,
                name_ids: list[dict[str, int]], query: str | None) -> tuple[Any, ...]:
    """Redraw the scatter for new axes or segment names (the segmentation comes from the cache), and to
    take a box or lasso off the chart when the selection is cleared.

    Nothing is sent when nothing changed: the profile table is drawn again with every selection, which
    recreates the rename inputs and runs this callback; a redrawn chart would drop the box or lasso the
    user just drew, and with it the selection.

    The axes are always two different features (or the projection): picking for one axis the feature the
    other shows swaps them, and the dropdowns follow."""
    state = ViewState.from_search(query)
    unchanged = (dash.no_update,) * 7
    try:
        base = service.get_segmentation(state.with_(names=()))
        borderline = service.get_confidence(state)["borderline"].to_numpy(dtype=bool, na_value=False)[base.scored]
    except SegmentsError as exc:
        return (dash.no_update, str(exc), *unchanged[2:])
    status: Any = None
    renames = {int(item["cluster"]): (name or "") for item, name in zip(name_ids, names)}
    try:
        seg = base.renamed(renames) if renames else base
    except SegmentsError as exc:
        seg = service.get_segmentation(state)
        status = dbc.Alert(str(exc), color="warning", className="py-1 small")
    automatic = base.segment_names
    chosen = tuple((display_cluster(label), name) for label, name in enumerate(seg.segment_names)
                   if name != automatic[label])
    asked = (x, y)
    x, y = distinct_axes([option["value"] for option in axis_options(seg)], x, y, previous=(state.x, state.y))
    state = state.with_(x=x, y=y, names=chosen if status is None else state.names)
    if status is None and state.query() == query and _shared.trigger() != ids.Clusters.CLEAR_SELECTION:
        return unchanged
    figure, drawn, spread = scatter_figure(seg, x, y, borderline, seed=state.seed)
    return (figure, scatter_note(seg, drawn, int(borderline.sum()), spread), state.query(), status,
            state.href("/downloads"), x if x != asked[0] else dash.no_update, y if y != asked[1] else dash.no_update)
