"""Wording shared by the command line, the report and the dashboard (numbers as people read them).

Imports nothing heavy: ``segments --help`` and the data check use it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["percent", "join_words"]


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


def join_words(words: Sequence[str]) -> str:
    """Items as a sentence lists them: ``a``, ``a and b``, ``a, b and c`` (an empty list gives ``""``)."""
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
