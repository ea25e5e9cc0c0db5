"""The page for any unknown address."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

dash.register_page(__name__, path="/404", name="Not found", title="Page not found · Customer Segments")


def layout(**_query: Any) -> html.Div:
    """A friendly not-found message with a way back."""
    return html.Div([
        html.H1("Page not found", className="h3"),
        html.P("There is no page at this address. It may have been mistyped."),
        dbc.Button("Go to the start", href="/", color="primary"),
    ], className="segments-not-found")
