"""The Clusters page's cross-table of RFM groups by K-Means segment (for customer tables built from orders).

A customer table made by :func:`core.build_customers` (in the dashboard or with ``segments rfm``) has an
``rfm_group`` column: the named group marketers know (Champions, At risk...). Beside the K-Means
segments, this card shows which RFM groups each segment holds: customers per segment and group, and
each cell's share of its segment (groups as rows, segments as columns). For any other table it shows
nothing.

Kept apart from pages/clusters.py (which calls :func:`rfm_groups_card` once) so the page stays small.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from core import Segmentation, display_cluster
from core.rfm import GROUP_COLUMN, group_crosstab

from . import ids, service
from .figures import cluster_color

__all__ = ["rfm_groups_card"]


def rfm_groups_card(dataset: service.Dataset, seg: Segmentation) -> dbc.Card | None:
    """The cross-table card, or None when the dataset has no RFM group column."""
    if GROUP_COLUMN not in dataset.frame.columns:
        return None
    names = seg.segment_names
    cells = group_crosstab(dataset.frame[GROUP_COLUMN].where(dataset.frame[GROUP_COLUMN].str.strip() != ""),
                           seg.labels, names)
    totals = cells.sum(axis=1)
    # groups as rows and segments as columns: eleven groups fit down the page, a few segments across it
    head = html.Thead(html.Tr([html.Th("RFM group")] + [
        html.Th([html.Span(display_cluster(label), className="segments-swatch text-white small text-center me-1",
                           style={"background": cluster_color(label), "width": "1.6rem"}), name])
        for label, name in enumerate(cells.index)]))
    rows = [html.Tr([html.Td(str(group))] + [
        html.Td([f"{int(n):,} ", html.Small(f"({n / totals.iloc[label]:.0%})", className="text-muted")]
                if n else html.Span("–", className="text-muted"))
        for label, n in enumerate(cells[group])]) for group in cells.columns]
    rows.append(html.Tr([html.Th("Customers")] + [html.Th(f"{int(t):,}") for t in totals]))
    return dbc.Card(dbc.CardBody([
        html.H5("RFM groups in each segment", className="card-title"),
        html.P("The named RFM groups (from the recency and frequency scores) of each segment's customers: "
               "how many, and their share of the segment.", className="small text-muted"),
        dbc.Table([head, html.Tbody(rows)], id=ids.RfmGroups.TABLE, bordered=False, hover=True, responsive=True,
                  size="sm", striped=True, className="segments-table segments-rfm-groups"),
    ]), id=ids.RfmGroups.CARD, className="mb-3")
