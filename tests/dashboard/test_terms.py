"""Technical terms read as plain words, the term in a tooltip (issue 12, item 7): the helper, and what the
model and clusters pages actually show on the demo data."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pytest
from dash import dcc

from dashboard import service
from dashboard.state import ViewState
from dashboard.terms import TERMS, in_words, term

from tests.fixtures import demo_bytes, upload

#: The words a marketing analyst should not meet bare (as the pages spell them, any case).
TECHNICAL = ["η²", "adjusted rand", "jaccard", "calinski", "davies", "wcss", "training sd", "silhouette"]


def visible_text(component: Any) -> str:
    """The text a sighted user reads without hovering: tooltips, screen-reader-only text and charts aside."""
    if isinstance(component, (str, int, float)):
        return str(component)
    if component is None or isinstance(component, (dbc.Tooltip, dcc.Graph, dcc.Store)):
        return ""
    if isinstance(component, (list, tuple)):
        return "".join(visible_text(c) for c in component)
    if "visually-hidden" in (getattr(component, "className", None) or ""):
        return ""
    return visible_text(getattr(component, "children", None))


def test_a_term_is_its_plain_word_with_the_term_in_a_keyboard_tooltip():
    span, tooltip = term("WCSS", "x")
    assert visible_text(span) == TERMS["WCSS"][0] and span.tabIndex == "0"
    assert isinstance(tooltip, dbc.Tooltip) and tooltip.target == span.id and "WCSS" in tooltip.children
    assert "WCSS" in span.children[1].children  # read by screen readers after the word


def test_terms_in_sentences_from_core_become_plain_words_with_unique_tooltips():
    text = ("k=10: the silhouette, Calinski-Harabasz and Davies-Bouldin point to it; A and B largely agree "
            "(adjusted Rand 0.98). Silhouette 0.2.")
    parts = in_words(text, "advice")
    tooltips = [p for p in parts if isinstance(p, dbc.Tooltip)]
    assert len(tooltips) == 5 and len({t.target for t in tooltips}) == 5
    shown = visible_text(parts)
    assert not any(word in shown.lower() for word in TECHNICAL), shown
    assert shown.startswith("k=10: the separation score, distinctness and ") and "Separation score 0.2." in shown
    assert in_words("no terms here", "x") == ["no terms here"]


@pytest.fixture()
def demo(client, request_context) -> str:
    return upload(client, demo_bytes()).get_json()["token"]


def test_the_model_page_shows_no_bare_technical_term(demo):
    from pages.model import _fit
    from pages.model import page as model_page

    state = ViewState(ds=demo, k=4)
    sweep, *_ = model_page.run_sweep(lambda *_: None, model_page.sweep_key_of(state))
    page = model_page.layout(ds=demo, k="4")
    seg = service.get_segmentation(state)
    summary = _fit._fit_summary(state, seg)
    comparison = _fit._comparison(state, seg)
    for part in (sweep, page, summary, comparison):
        shown = visible_text(part).lower()
        assert not [w for w in TECHNICAL if w in shown], shown


def test_the_clusters_page_shows_no_bare_technical_term(demo):
    from pages.clusters import page as clusters_page

    stability = clusters_page.check_stability(lambda *_: None, clusters_page.stability_key_of(ViewState(ds=demo, k=5)))
    page = clusters_page.layout(ds=demo, k="5")
    for part in (stability, page):
        shown = visible_text(part).lower()
        assert not [w for w in TECHNICAL if w in shown], shown
