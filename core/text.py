"""Wording shared by the command line, the report and the dashboard (numbers as people read them).

Imports nothing heavy: ``segments --help`` and the data check use it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

__all__ = ["counted", "percent", "mean_text", "duration_text", "join_words", "TERMS", "split_terms", "short_label", "clip", "LABEL_CHARS"]

#: The longest column name a label, legend, axis or heading shows whole (a CRM export's 130-character
#: "Naive_Bayes_Classifier_..._1" ran out of its box): longer names are shortened by :func:`short_label`.
LABEL_CHARS = 40


def counted(count: int, one: str, many: str | None = None) -> str:
    """``count`` things, with the thousands marked: ``counted(1, "customer")`` is ``"1 customer"``,
    ``counted(2000, "customer")`` ``"2,000 customers"``, ``counted(3, "person", "people")`` ``"3 people"``."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def percent(share: float | None, decimals: int = 1, short: bool = False) -> str:
    """A share (0..1) as a percentage that never reads as a false 0% or 100%.

    ``percent(0.235)`` is ``"23.5%"``; a share above zero that would round to zero reads ``"<0.1%"`` (one
    customer of 2,000 is not "0.0%"), and one below 1 that would round to 100 reads ``">99.9%"``; exactly 0
    and 1 read ``"0%"`` and ``"100%"``; None or NaN reads ``"–"``.

    Parameters
    ----------
    share : float or None
        The share, 0 to 1.
    decimals : int
        Decimals shown (default 1).
    short : bool
        Sentence style: decimals only below 10% and without trailing zeros (``"1.5%"``, ``"2%"``, ``"23%"``).
    """
    if share is None or not math.isfinite(float(share)):
        return "–"
    value = 100 * float(share)
    if value == 0 or value == 100:
        return f"{value:.0f}%"
    places = (decimals if value < 9.95 else 0) if short else decimals
    text = f"{value:.{places}f}"
    if float(text) == 0:
        return f"<{10 ** -places:.{places}f}%"
    if float(text) >= 100:
        return f">{100 - 10 ** -places:.{places}f}%"
    if short and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def mean_text(value: float, year: bool = False, percentage: bool = False, duration: bool = False) -> str:
    """A segment's mean for tables: two decimals with thousands separators ("62,899.53"), a year's without
    them ("1987.78", :func:`core.stats.year_like`), a feature written as a percentage as one ("30.75%" for
    0.3075, :func:`core.stats.written_as_percent`), one written as durations as one ("2:54" for 174.4 seconds,
    :func:`duration_text`)."""
    if percentage:
        return f"{round(value * 100, 2) + 0.0:,.2f}%"
    if duration:
        return duration_text(value)
    value = round(value, 2) + 0.0  # (a mean of -0.004 is "0.00", not "-0.00": found from outside, a balance's)
    return f"{value:.2f}" if year else f"{value:,.2f}"


def duration_text(seconds: float, sign: bool = False) -> str:
    """Seconds as a duration is written: "m:ss" under an hour ("2:54"), "h:mm:ss" from one ("1:02:33"), to the
    nearest second; with ``sign``, a "+" before a positive one (a difference: "+0:41")."""
    if not math.isfinite(seconds):
        return ""
    whole = int(round(abs(seconds)))
    hours, rest = divmod(whole, 3600)
    text = f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
    return ("-" if seconds < 0 and whole else "+" if sign else "") + text


def clip(text: str, limit: int) -> str:
    """A text as a cell or a quote shows it: whole up to ``limit`` characters, else its start and an ellipsis
    (``limit`` characters in all). For a name, whose end may tell it apart, see :func:`short_label`."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def short_label(name: str, limit: int = LABEL_CHARS) -> str:
    """A column name as a label shows it: whole up to ``limit`` characters, else its start and its end around
    an ellipsis (the end tells apart names that differ only there: ``..._1`` and ``..._2``). Only for
    display: the data, the files and the links keep the whole name (shown in a tooltip where it is cut)."""
    text = str(name)
    if len(text) <= limit:
        return text
    tail = max(limit // 3, 1)
    return text[:limit - tail - 1].rstrip() + "\u2026" + text[-tail:].lstrip()


def join_words(words: Sequence[str]) -> str:
    """Items as a sentence lists them: ``a``, ``a and b``, ``a, b and c`` (an empty list gives ``""``)."""
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


#: Plain words for the technical terms shown to people: ``{term: (plain word, what it means)}``. The plain
#: word is what a marketing analyst reads; the term and its meaning are one hover or Tab away (the
#: dashboard's tooltips, the report's).
TERMS: dict[str, tuple[str, str]] = {
    "η²": ("strength", "η² (eta squared): the share of a feature's variation that the segments explain, "
                         "from 0 (the segments do not differ) to 1 (each segment has a single value); of its "
                         "log for a feature the model takes the log of, as the model compares customers."),
    "Cramér's V": ("strength", "Cramér's V: how much a column's mix differs between the segments, from 0 (every "
                               "segment has the same mix) to 1 (each value belongs to one segment)."),
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

#: How the terms appear in sentences (the recommendation, warnings, comparisons).
_IN_TEXT = re.compile(r"(?P<the>the )?(?P<term>silhouette|Silhouette|Calinski-Harabasz|Davies-Bouldin|adjusted Rand"
                      r"|Adjusted Rand|WCSS|Jaccard|η²)(?: index| overlap| score)?")
_CANONICAL = {"silhouette": "silhouette", "calinski-harabasz": "Calinski-Harabasz", "davies-bouldin": "Davies-Bouldin",
              "adjusted rand": "adjusted Rand index", "wcss": "WCSS", "jaccard": "Jaccard", "η²": "η²"}


def split_terms(text: str) -> list[tuple[str, str | None, bool]]:
    """``text`` cut at its technical terms: ``(piece, None, False)`` for plain text, ``(matched words, term,
    capital)`` for a term (a key of :data:`TERMS`), ``capital`` when its plain word starts a sentence."""
    parts: list[tuple[str, str | None, bool]] = []
    at = 0
    for match in _IN_TEXT.finditer(text):
        before = text[at:match.start()] + (match.group("the") or "")
        if before:
            parts.append((before, None, False))
        technical = _CANONICAL[match.group("term").lower()]
        capital = match.group("term")[0].isupper() and technical in ("silhouette", "adjusted Rand index") \
            and not match.group("the")
        parts.append((match.group(0)[len(match.group("the") or ""):], technical, capital))
        at = match.end()
    if at < len(text):
        parts.append((text[at:], None, False))
    return parts
