"""Plain words for technical terms, with the term and its meaning in a tooltip (issue 12).

The pages and the figures show a marketing analyst's word ("spread within segments"); the statistician's
term ("WCSS") and what it means are one hover or one Tab away.
"""

from __future__ import annotations

import re
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from . import ids

__all__ = ["TERMS", "plain", "term", "in_words"]

#: Plain words for the technical terms the pages show: ``{term: (plain word, what it means)}``. The plain
#: word is what a marketing analyst reads; the term and its meaning are in a tooltip (:func:`term`).
TERMS: dict[str, tuple[str, str]] = {
    "η²": ("strength", "η² (eta squared): the share of a feature's variation that the segments explain, "
                         "from 0 (the segments do not differ) to 1 (each segment has a single value)."),
    "adjusted Rand index": ("agreement", "Adjusted Rand index: how alike two segmentations of the same customers "
                                         "are, 1 = identical, 0 = no more alike than chance."),
    "Jaccard": ("overlap", "Jaccard index: the customers two segments share, over the customers in either "
                           "(1 = always the same customers)."),
    "Calinski-Harabasz": ("distinctness", "Calinski-Harabasz index: the spread between segments against the "
                                          "spread within them; higher is better."),
    "Davies-Bouldin": ("similarity to the nearest segment", "Davies-Bouldin index: how close each segment is to its "
                                                  "most similar one, against their sizes; lower is better."),
    "WCSS": ("spread within segments", "WCSS (within-cluster sum of squares): the squared distances of the "
                                       "customers to their segment's centre, added up; lower is tighter."),
    "silhouette": ("separation score", "Silhouette score: how much closer customers are to their own segment "
                                       "than to the next one, from -1 to 1 (above 0.5 is a clear structure)."),
    "training SDs": ("typical spreads", "Training SDs: standard deviations of the model's training customers. "
                                        "A shift of 1 is as far as a typical training customer is from their "
                                        "average."),
}


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


#: How the terms appear in sentences written by ``core`` (the recommendation, warnings, comparisons).
_IN_TEXT = re.compile(r"(?P<the>the )?(?P<term>silhouette|Silhouette|Calinski-Harabasz|Davies-Bouldin|adjusted Rand"
                      r"|Adjusted Rand|WCSS|Jaccard|η²)(?: index| overlap| score)?")
_CANONICAL = {"silhouette": "silhouette", "calinski-harabasz": "Calinski-Harabasz", "davies-bouldin": "Davies-Bouldin",
              "adjusted rand": "adjusted Rand index", "wcss": "WCSS", "jaccard": "Jaccard", "η²": "η²"}


def in_words(text: str, key: str) -> list[Any]:
    """A sentence from ``core`` with each technical term in it as its plain word and tooltip (:func:`term`);
    ``key`` makes the tooltips' ids unique on the page (one per occurrence)."""
    parts: list[Any] = []
    at = 0
    for number, match in enumerate(_IN_TEXT.finditer(text)):
        parts.append(text[at:match.start()] + (match.group("the") or ""))
        technical = _CANONICAL[match.group("term").lower()]
        word = TERMS[technical][0]
        starts_sentence = match.group("term")[0].isupper() and technical in ("silhouette", "adjusted Rand index") \
            and not match.group("the")
        parts.extend(term(technical, f"{key}-{number}", word.capitalize() if starts_sentence else None))
        at = match.end()
    parts.append(text[at:])
    return [part for part in parts if part != ""]
