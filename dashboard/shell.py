"""The shell around every page: the navigation bar, the page container and the cross-page plumbing.

Each page keeps its whole view state as a query string in its own Store (``ids.page_query``). The
shell reads whichever is on screen to

* point every navigation link at the same view state (so moving between steps keeps the settings);
* rewrite the address bar in place (``history.replaceState``) so it is always a link a colleague can
  open. ``replaceState`` changes the URL without telling Dash's router, so the page is not rebuilt
  on every slider move.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html

from . import ids, service
from .state import ViewState

__all__ = ["layout", "STEPS"]

#: The steps of the flow, in order: (path, label).
STEPS: list[tuple[str, str]] = [
    ("/upload", "1 · Upload"),
    ("/model", "2 · Model"),
    ("/clusters", "3 · Clusters"),
    ("/downloads", "4 · Downloads"),
]


def sign_out() -> html.Form:
    """A "Sign out" link in the navbar: a form posting to ``/logout`` (which ends the session on the server
    and shows the sign-in page); a POST, so that no link or prefetch can sign anyone out."""
    return html.Form(html.Button("Sign out", type="submit", className="nav-link btn btn-link"),
                     action="/logout", method="POST", id=ids.Shell.SIGN_OUT, className="d-flex")


def menu_button() -> html.Button:
    """The phone's menu button: Bootstrap's navbar toggler, as ``dbc.NavbarToggler`` draws it, but a plain
    button so that it can say to a screen reader what it controls and whether the menu is open
    (``aria-controls``, ``aria-expanded``: dbc's toggler takes no aria props and never updates them)."""
    return html.Button(html.Span(className="navbar-toggler-icon"), id=ids.Shell.NAV_TOGGLER, type="button",
                       className="navbar-toggler", n_clicks=0,
                       **{"aria-label": "Menu", "aria-controls": ids.Shell.NAV_COLLAPSE, "aria-expanded": "false"})


def layout() -> html.Div:
    """The app's layout: navigation bar above the current page."""
    links = [
        dbc.NavItem(dbc.NavLink(label, id={"type": ids.Shell.NAV_LINK, "path": path}, href=path))
        for path, label in STEPS
    ] + [dbc.NavItem(dbc.NavLink("Library", id=ids.Shell.LIBRARY, href="/library", active="partial"))]
    if service.settings().password:
        links.append(dbc.NavItem(sign_out()))
    # Below the md breakpoint the links fold behind the menu button, so a phone's navbar is one row (five
    # stacked links made it about 256 px tall); from md up Bootstrap hides the button and shows the links.
    navbar = dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Customer Segments", href="/", id=ids.Shell.BRAND),
            menu_button(),
            dbc.Collapse(dbc.Nav(links, navbar=True, pills=True, className="ms-auto", id=ids.Shell.NAV),
                         id=ids.Shell.NAV_COLLAPSE, is_open=False, navbar=True),
        ], fluid="lg"),
        color="dark", dark=True, className="mb-3", expand="md",
    )
    return html.Div([
        dcc.Location(id=ids.Shell.REDIRECT, refresh="callback-nav"),
        html.Div(id=ids.Shell.URL_SYNC, hidden=True),
        html.Div(id=ids.Shell.EXPORT_SINK, hidden=True),
        navbar,
        dbc.Container(dash.page_container, fluid="lg", className="pb-5"),
    ])


@callback(
    Output({"type": ids.Shell.NAV_LINK, "path": ALL}, "href"),
    Output({"type": ids.Shell.NAV_LINK, "path": ALL}, "active"),
    Input(ids.page_query(ALL), "data"),
    Input(ids.Shell.PAGES_LOCATION, "pathname"),
)
def update_nav(queries: list[str | None], pathname: str | None) -> tuple[list[str], list[bool]]:
    """Point the step links at the current view state and highlight the current step."""
    query = next((q for q in queries if q is not None), "")
    state = ViewState.from_search(query)
    return [state.href(path) for path, _ in STEPS], [pathname == path for path, _ in STEPS]


clientside_callback(
    """
    function(clicks, pathname, stepClicks, libraryClicks, open) {
        // the menu button unfolds or folds the links; a link (the current page's too, whose address does
        // not change) or moving to another page folds them away
        const toggled = window.dash_clientside.callback_context.triggered.some(t => t.prop_id === "%s.n_clicks");
        const now = toggled ? !open : false;
        return [now, String(now)];
    }
    """ % ids.Shell.NAV_TOGGLER,
    Output(ids.Shell.NAV_COLLAPSE, "is_open"),
    Output(ids.Shell.NAV_TOGGLER, "aria-expanded"),
    Input(ids.Shell.NAV_TOGGLER, "n_clicks"),
    Input(ids.Shell.PAGES_LOCATION, "pathname"),
    Input({"type": ids.Shell.NAV_LINK, "path": ALL}, "n_clicks"),
    Input(ids.Shell.LIBRARY, "n_clicks"),
    State(ids.Shell.NAV_COLLAPSE, "is_open"),
    prevent_initial_call=True,
)


clientside_callback(
    """
    function(queries) {
        const query = (queries || []).find(q => q !== null && q !== undefined);
        if (query === undefined) { return window.dash_clientside.no_update; }
        const target = window.location.pathname + query;
        if (target !== window.location.pathname + window.location.search) {
            window.history.replaceState(window.history.state, "", target);
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(ids.Shell.URL_SYNC, "children"),
    Input(ids.page_query(ALL), "data"),
)


clientside_callback(
    """
    function(clicks) {
        const trigger = window.dash_clientside.callback_context.triggered_id;
        if (!trigger || !clicks.some(Boolean)) { return window.dash_clientside.no_update; }
        const graph = document.getElementById(trigger.graph);
        const plot = graph && graph.querySelector(".js-plotly-plot");
        if (plot && window.Plotly) {
            window.Plotly.downloadImage(plot, {format: trigger.format, filename: trigger.graph, scale: 2});
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(ids.Shell.EXPORT_SINK, "children"),
    Input({"type": ids.Shell.CHART_EXPORT, "graph": ALL, "format": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
