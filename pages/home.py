"""Home: ``/``. What the product does, in two sentences, and the four steps."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.components import page_query_store
from dashboard.shell import STEPS
from dashboard.state import ViewState

dash.register_page(__name__, path="/", name="Home", order=0, title="Customer Segments",
                   description="Turn a customer file into segments a marketing team can act on.")

PAGE = "home"
_STEP_TEXT = {
    "/upload": "Bring a CSV or Excel export, or open the demo data. See missing values and other problems.",
    "/model": "Pick the columns, then the number of segments, guided by four charts.",
    "/clusters": "See each segment in a scatter, its distributions, and a summary of its averages.",
    "/downloads": "Take the customers with their segment, and the summary, to your campaign tool.",
}


def layout(**query: Any) -> html.Div:
    """Two sentences and four step cards."""
    state = ViewState.from_query(query)
    cards = [
        dbc.Col(dbc.Card(dbc.CardBody([
            html.H5(label, className="card-title"),
            html.P(_STEP_TEXT[path], className="card-text"),
            dbc.Button("Open", href=state.href(path), color="primary", outline=True, size="sm"),
        ]), className="segments-step-card"), md=3, className="mb-3")
        for path, label in STEPS
    ]
    return html.Div([
        page_query_store(PAGE, state),
        html.H1("Customer Segments", className="h2 mt-2"),
        html.P("Upload a customer file and get groups of similar customers, found with K-Means on the columns you "
               "choose. See what sets each segment apart and download every customer with their segment.",
               className="lead"),
        dbc.Row(cards, className="mt-4"),
        dbc.Button("Start with the demo data", href="/upload", color="primary", className="mt-2"),
    ])
