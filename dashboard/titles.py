"""Page titles and link previews that say what a link shows ("customers.csv · 5 segments · Clusters").

Dash calls a page's ``title`` and ``description`` with no arguments, both when it serves the HTML
of a URL (the link preview a chat app fetches: ``<title>``, ``og:title``, ``og:description``) and
when its router swaps pages in the browser. The view state is read from the request either way:
the query string of the page's URL, or the ``search`` the router posts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_request_context, request

from core import SegmentsError

from . import ids, service
from .state import ViewState

__all__ = ["page_title", "page_description", "APP_NAME"]

APP_NAME = "Customer Segments"


def _state_from_request() -> ViewState | None:
    if not has_request_context():
        return None
    if request.method == "GET":
        return ViewState.from_query(request.args.to_dict(flat=False))
    body: Any = request.get_json(silent=True) or {}
    for item in body.get("inputs", []) if isinstance(body, dict) else []:
        if isinstance(item, dict) and item.get("id") == ids.Shell.PAGES_LOCATION and item.get("property") == "search":
            return ViewState.from_search(str(item.get("value") or ""))
    return None


def _segmentation_words(state: ViewState) -> str | None:
    """'demo.csv · 5 segments' for the state's dataset, or None when there is none (or it is gone)."""
    if state.ds is None:
        return None
    try:
        dataset = service.get_dataset(state.ds)
    except SegmentsError:
        return None
    if not state.applies_model:
        return f"{dataset.name} · {state.k} segments"
    # An applied model has its own k: the link's k (the default 4 unless set) says nothing about it.
    try:
        k = service.applied_model(state).info.k
    except SegmentsError:  # the saved bundle expired: the page says so; the title names only the data set
        return dataset.name
    if state.mode == "pretrained":
        return f"{dataset.name} · pre-trained model ({k} segments)"
    return f"{dataset.name} · {k} segments"


def page_title(page: str) -> Callable[[], str]:
    """A title callable for ``register_page``: '<data set> · <k> segments · <page> · Customer Segments'."""

    def title() -> str:
        state = _state_from_request()
        words = _segmentation_words(state) if state else None
        return " · ".join(part for part in (words, page, APP_NAME) if part)

    return title


def page_description(text: str) -> Callable[[], str]:
    """A description callable: the page's text, preceded by what the link shows."""

    def description() -> str:
        state = _state_from_request()
        words = _segmentation_words(state) if state else None
        return f"{words}: {text}" if words else text

    return description
