"""Plain words for technical terms, with the term and its meaning in a tooltip (issue 12).

The pages and the figures show a marketing analyst's word ("spread within segments"); the statistician's
term ("WCSS") and what it means are one hover or one Tab away.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from core.text import TERMS, split_terms

from . import ids

__all__ = ["TERMS", "plain", "term", "in_words"]


def plain(technical: str) -> str:
    """The plain word for a technical term (for chart titles, where no tooltip can go)."""
    return TERMS[technical][0]


def term(technical: str, key: str, plain: str | None = None) -> list[Any]:
    """A plain word for a technical term (see :data:`TERMS`), dotted-underlined, with the term and its
    meaning in a tooltip that shows on hover and on keyboard focus. Screen readers read the term too.

    ``key`` makes the element's id unique on its page (a term may appear more than once); ``plain``
    replaces the usual plain word (to start a sentence with a capital, say).
    """
    word, meaning = TERMS[technical]
    element_id = ids.term(key)
    return [
        html.Span([html.Span(plain or word, className="segments-term-label"),
                   html.Span(f" ({technical})", className="visually-hidden")],
                  id=element_id, tabIndex="0", className="segments-term", **{"data-term": technical}),
        dbc.Tooltip(meaning, target=element_id, placement="top"),
    ]



def in_words(text: str, key: str) -> list[Any]:
    """A sentence from ``core`` with each technical term in it as its plain word and tooltip (:func:`term`);
    ``key`` makes the tooltips' ids unique on the page (one per occurrence)."""
    parts: list[Any] = []
    for number, (piece, technical, capital) in enumerate(split_terms(text)):
        if technical is None:
            parts.append(piece)
        else:
            parts.extend(term(technical, f"{key}-{number}", TERMS[technical][0].capitalize() if capital else None))
    return parts
