"""Segment names from how each segment's centroid differs from the average customer ("High income · Low spending").

See the rules in :mod:`core.insight`. Works on a segmentation's parts (:func:`automatic_names`) so that
:mod:`core.segmentation` can name a segmentation while it builds it; nothing here imports it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from sklearn.pipeline import Pipeline

from ..model import model_space_stats, original_centers, transform_of
from ..quality import CURRENCY_MARKS, is_question_name, is_rating_name, name_words
from ..stats import FeatureStats
from ..transform import date_source

if TYPE_CHECKING:  # for the type checker only: never imported at run time (core.segmentation imports this)
    from ..segmentation import Segmentation

__all__ = ["short_feature_name", "name_segments", "automatic_names", "segment_names", "segment_z_scores",
           "segment_indices", "GENERIC_WORDS", "WORD_FORMS", "MAX_NAME_CHARS", "HIGH_Z", "VERY_HIGH_Z",
           "MAX_NAME_FEATURES", "WEAK_Z", "AVERAGE_NAME", "TIME_UNITS", "CURRENCY_WORDS", "WINDOW_WORDS", "none_of", "negative_only",
           "OUTGOING_WORDS",
           "NONE_SHARE", "QUESTION_WORDS"]

#: Words dropped from feature names when naming segments (when something else remains).
GENERIC_WORDS: frozenset[str] = frozenset({
    "annual", "yearly", "monthly", "weekly", "daily", "total", "avg", "average", "mean", "score",
    "amount", "count", "number", "num", "nr", "of", "the", "per", "in", "mnt", "amt", "cnt", "ct", "qty",
    # a moment's unit or kind ("last_seen_ms", "created_ts", a Unix time's: read as days since, core.transform)
    "ms", "ts", "epoch", "unix", "utc",
    # whose: every column of a customer file is the customer's ("Customer_Age" is the age)
    "customer", "customers", "client", "clients",
    # so far: a Klaviyo export's "Historic Number Of Orders" is the orders (its "Predicted Number Of Orders" beside
    # it keeps its own word)
    "historic", "historical",
    # the same words in the German, French and Spanish exports tried ("Anzahl Bestellungen" is the orders)
    "anzahl", "summe", "gesamt", "betrag", "durchschnitt", "durchschnittlich", "durchschnittliche",
    "durchschnittlicher", "kunde", "kunden", "nombre", "montant", "moyenne", "cantidad", "importe", "promedio",
})
#: Currency codes ("usd" of "total_spend_usd", "EUR" of "Revenue EUR"): a feature's unit, like "($)", dropped
#: when another word remains. Not "try" (Turkey's lira), an English word ("Retry", "Try outs").
CURRENCY_WORDS: frozenset[str] = frozenset(
    mark.lower() for mark in CURRENCY_MARKS if len(mark) == 3 and mark.isalpha() and mark.isupper()) - {"try"}
#: Units of time: a rate or a window over one ("per year", "in months", "12 mon") says when, not what, and is
#: dropped like "annual" ("Returns per year" -> "returns").
TIME_UNITS: frozenset[str] = frozenset({
    "hour", "hours", "hr", "day", "days", "week", "weeks", "wk", "month", "months", "mon", "mo", "mth",
    "quarter", "quarters", "qtr", "year", "years", "yr", "yrs", "annum",
    "tag", "tage", "woche", "wochen", "monat", "monate", "quartal", "jahr", "jahre", "jour", "jours", "semaine",
    "semaines", "mois", "année", "années", "día", "días", "semana", "semanas", "mes", "meses", "año", "años",
})
#: A time window written as one word: "12m", "90d", "3yr", "L12M" (last 12 months), "T3M" (trailing), "P30D" (past),
#: "FY24" (a fiscal year), and the to-date and trailing abbreviations (:data:`WINDOW_WORDS`). Found from outside: a
#: loyalty export's "Spend Meat 12m" named a segment "High spend meat 12m"; "Spend_L12M", "Revenue YTD" the same.
_WINDOW_TOKEN = re.compile(r"[lpt]?\d+(?:h|hr|hrs|d|w|wk|wks|m|mo|mos|mth|mths|q|y|yr|yrs)|fy\d{2}(?:\d{2})?")
WINDOW_WORDS: frozenset[str] = frozenset({"ytd", "mtd", "qtd", "wtd", "ltm", "ttm", "ntm", "lifetodate"})
#: Words that say a window is the recent one ("last 12 months", "past 90d", "trailing 3 months"): dropped with it.
_RECENT_WORDS: frozenset[str] = frozenset({"last", "past", "previous", "prior", "trailing", "rolling", "letzte",
                                           "letzten", "derniers", "dernières", "últimos", "últimas"})


def _is_window(word: str) -> bool:
    """Whether one word is a time window (:data:`_WINDOW_TOKEN`, :data:`WINDOW_WORDS`)."""
    return word in WINDOW_WORDS or bool(_WINDOW_TOKEN.fullmatch(word))


#: Words that join two parts of a name ("Revenue per visit", "Spend in store", "Value of orders"): kept
#: between two kept words, so the name stays grammatical; dropped at either end.
_JOINING_WORDS: frozenset[str] = frozenset({"per", "in", "of", "on", "by", "from", "at", "with",
                                            "pro", "je", "von", "de", "du", "des", "par", "del", "en"})
#: Words replaced when naming segments, so names read as people write them ("High spending", never
#: "High spent"): verbs and past participles become the noun, abbreviations are spelled out.
WORD_FORMS: dict[str, str] = {
    "spent": "spending", "bought": "purchases", "purchased": "purchases",
    "paid": "payments", "ordered": "orders", "visited": "visits", "trans": "transactions",
    "txn": "transactions", "txns": "transactions", "bal": "balance", "util": "utilisation",
    "prods": "products", "prod": "product",
    "monetary": "spending",  # an RFM table's monetary value ("No monetary" said nothing to a marketer)
}
#: What is left of a name read as a whole: an RFM table's "Monetary Value" is the spending (not "spending value"),
#: and a CRM's "Total Won Amount" the deals won (found from outside, a Salesforce accounts report: "High won").
_WHOLE_FORMS: dict[tuple[str, ...], str] = {("monetary", "value"): "spending", ("won",): "deals won",
                                            ("lost",): "deals lost"}
#: An RFM table's order count as ``segments rfm`` names it (``frequency``, ``frequency_12m``): its orders. Only
#: that name: another file's "Purchase frequency" keeps its own words.
_RFM_FREQUENCY = re.compile(r"frequency(?:_\d+m)?")
#: Longest automatic name (before a " (n)" number that tells two equal names apart): never cut later.
MAX_NAME_CHARS = 40
#: |z| (in overall standard deviations) from which a feature counts as High / Low.
HIGH_Z = 0.5
#: |z| from which a feature counts as Very high / Very low.
VERY_HIGH_Z = 1.5
#: Features named in a segment's name (more only to tell two segments apart).
MAX_NAME_FEATURES = 2
#: |z| from which a trait tells apart segments whose names would otherwise clash ("Average customers (1)" and
#: "(2)"), said as a comparative: "Higher wines", "Slightly older".
WEAK_Z = 0.25
#: Name of a segment with no distinctive feature.
AVERAGE_NAME = "Average customers"
#: Words used instead of High / Low for some features: ``(low, high)``, the whole of the name's part.
_DIRECTION_WORDS: dict[str, tuple[str, str]] = {name: ("younger", "older") for name in ("age", "alter", "âge", "edad")}
#: ... for a year the customer joined in ("Member since", "Customer since": an earlier year, a longer-standing one).
_SINCE_WORDS = ("longer-standing", "newer")
#: ... for the days since a date (a feature the data check derives from a date column, "Last order (days
#: since)"): a low value is a recent date. Said before the date's name: "Recent last order".
_DAYS_SINCE_WORDS = ("recent", "long-ago")
#: ... for the days since a date whose name says what was done ("Signed up", "Last seen", "Joined", "created_at"):
#: said after it, "Signed up recently", "Last seen long ago" (found from outside: an Intercom export's segments were
#: named "Recent signed up" and "Long-ago last seen").
_DONE_WORDS = ("recently", "long ago")
#: Their weaker forms, to tell clashing names apart.
_DONE_WEAKER = {"recently": "more recently", "long ago": "longer ago"}
#: The last words of a past participle or an adjective that read as what was done, besides those ending in -ed.
_DONE = frozenset({"seen", "up", "in", "active", "made", "sent", "paid", "bought", "done", "heard", "online"})


#: The last word of a joining year's name ("Member since", "Kunde seit", "Client depuis", "Cliente desde").
_SINCE = frozenset({"since", "seit", "depuis", "desde", "dal"})
#: A feature that dates a customer's birth ("Birth year", "Year of birth", "Geburtsjahr").
_BIRTH = re.compile(r"birth|geburt")


#: Abbreviations said in capitals in a segment name whatever their case in the header ("nps" -> "High NPS").
ABBREVIATIONS: frozenset[str] = frozenset({
    "nps", "csat", "ces", "mrr", "arr", "arpu", "arpa", "acv", "ltv", "clv", "cltv", "aov", "gmv", "rfm", "roi",
    "kpi", "vip", "sms", "sku", "b2b", "b2c", "crm", "usd", "eur", "gbp",
    # a contact centre's and an ad platform's (found from outside: a call-centre export's "AHT" named "Low aht")
    "aht", "acw", "asa", "fcr", "sla", "ivr", "ctr", "cpc", "cpa", "cpm", "roas", "cac", "dau", "mau"})
#: An abbreviation as a header writes it: two to five capitals or digits from a capital, not the start of a
#: capitalised word ("MRR ($)", "Customer LTV", "Q1 revenue"; not the "N" of "NumWebVisits").
_CAPITALS = re.compile(r"[A-Z][A-Z0-9]{1,4}(?![a-z])")


def _in_capitals(noun: str, feature: str) -> str:
    """``noun`` (lower case) with the words ``feature``'s header writes as an abbreviation, and the
    :data:`ABBREVIATIONS`, in capitals. Found from outside: a SaaS export's "MRR ($)" named segments "High mrr".
    A header written all in capitals ("MEMBER_RATING") has no abbreviations of its own."""
    header = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(feature))
    written = ({w.lower() for w in _CAPITALS.findall(header)} if any(c.islower() for c in header) else set())
    return " ".join(w.upper() if w in ABBREVIATIONS or w in written else w for w in noun.split(" "))


class _Reading(NamedTuple):
    """How a feature reads in a name: ``low`` or ``high`` (lower case), before ``noun`` when there is one
    ("High income", "Recent last order") or alone ("Older", "Newer"); ``after`` it when the noun says what was
    done ("Signed up recently")."""

    low: str
    high: str
    noun: str | None
    after: bool = False


def _says_done(noun: str) -> bool:
    """Whether a date's name says what was done ("signed up", "last seen", "joined", "last opened email"), not a
    thing ("last order", "last login")."""
    return any(w.endswith("ed") or w in _DONE for w in noun.split(" "))


def _reading(feature: str, short: str) -> _Reading:
    """How ``feature`` (its short name ``short``) reads in a segment name.

    Found from outside: a customer file's "Last order" date, offered by the data check as "Last order (days
    since)", named a segment "High last order" (a last order long ago) and a "Member since" year "Low member
    since" (members since long ago). The days since a date read "Recent ..." / "Long-ago ..." (a birth date's
    "Younger" / "Older"), a joining year "Longer-standing" / "Newer", a year of birth "Older" / "Younger" (a
    "High birth year" is a younger customer)."""
    source = date_source(str(feature))
    if source is not None:
        noun = short_feature_name(source)
        if _BIRTH.search(noun):  # the days since a birth date: an age
            return _Reading(*_DIRECTION_WORDS["age"], None)
        noun = re.sub(r" (date|day|time)$", "", noun) if noun not in ("date", "day", "time") else noun
        done = re.sub(r"^(date|day|time) ", "", noun)  # "Date joined": joined
        if _says_done(done):
            return _Reading(*_DONE_WORDS, done, after=True)
        return _Reading(*_DAYS_SINCE_WORDS, noun)
    if short == "recency":  # days since the last purchase (an RFM table's recency_days): high is long ago
        return _Reading(*_DAYS_SINCE_WORDS, "purchase")
    if _RFM_FREQUENCY.fullmatch(str(feature)):  # "No orders", not "No frequency"
        return _Reading("low", "high", "orders")
    if short.startswith("days since ") and len(short) > len("days since "):  # "Days since last order"
        return _Reading(*_DAYS_SINCE_WORDS, short[len("days since "):])
    if short.rsplit(" ", 1)[-1] in _SINCE:
        return _Reading(*_SINCE_WORDS, None)
    if _BIRTH.search(short):  # a year of birth: a later year, a younger customer
        older, younger = _DIRECTION_WORDS["age"][1], _DIRECTION_WORDS["age"][0]
        return _Reading(older, younger, None)
    if short in _DIRECTION_WORDS:
        return _Reading(*_DIRECTION_WORDS[short], None)
    return _Reading("low", "high", short)


def _words(name: str) -> list[str]:
    """A feature name's words (:func:`core.quality.name_words`) without its parenthesised parts ("(k$)")."""
    return name_words(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(name)))


#: Words of a survey question that ask rather than say what is rated ("How likely are you to recommend us to a
#: friend?" is the recommendation): dropped from a question's name (:func:`_question_words`).
QUESTION_WORDS: frozenset[str] = frozenset({
    "how", "what", "which", "who", "why", "when", "would", "will", "could", "should", "can", "do", "does", "did",
    "are", "is", "was", "were", "be", "been", "you", "your", "yours", "we", "our", "us", "i", "me", "my", "it", "its",
    "they", "their", "to", "a", "an", "the", "with", "of", "on", "in", "at", "for", "about", "this", "that", "these",
    "please", "rate", "overall", "scale", "from", "very", "much", "so", "far", "today", "recently", "likely",
    "likelihood", "friend", "friends", "colleague", "colleagues", "family", "or", "and", "there", "have", "has",
})
#: A question's word read as the noun it asks about, and said after what it rates ("delivery speed satisfaction").
_QUESTION_FORMS: dict[str, str] = {"satisfied": "satisfaction", "satisfy": "satisfaction",
                                   "recommend": "recommendation"}
#: A survey question's number ("Q1", "q12b"): dropped when the question has other words.
_QUESTION_NUMBER = re.compile(r"q\d+[a-z]?")


#: A matrix question's row as survey tools name its column: "<question> - <row>" ("Rate the following - Price").
_MATRIX_ITEM = re.compile(r"^(?P<question>.+?)\s+-\s+(?P<item>[^-]+)$")


#: A counting question's verb read as what it counts ("How often do you visit our store?" counts store visits).
_COUNTED: dict[str, str] = {"order": "orders", "visit": "visits", "buy": "purchases", "purchase": "purchases",
                            "shop": "shopping trips", "call": "calls", "contact": "contacts", "use": "uses",
                            "login": "logins", "travel": "trips", "fly": "flights", "dine": "meals out",
                            "attend": "visits", "book": "bookings", "return": "returns"}
#: Words that end the noun of a "how many" question ("How many products did you buy?" counts the products).
_AUXILIARIES: frozenset[str] = frozenset({"do", "does", "did", "have", "has", "had", "will", "would", "are", "is",
                                          "were", "was", "can", "could", "should"})


def _counted_words(words: list[str]) -> list[str] | None:
    """What a counting question counts, or None when it does not count. Found from outside: a survey's "How many
    times did you order from us in the last 12 months?" named its segments "High many times order".

    "How many times" and "how often" count an action: its verb read as the noun (:data:`_COUNTED`), said after
    its object ("store visits"). "How many products did you buy?" counts the words before the auxiliary, and
    without one the word after "how many". "How long have you been a customer?" measures the tenure."""
    if words[:2] == ["how", "often"] or words[:3] == ["how", "many", "times"]:
        rest = _question_words(words[2 if words[1] == "often" else 3:])
        if rest and rest[0] in _COUNTED:
            return rest[1:] + [_COUNTED[rest[0]]]
        return rest or None
    if words[:5] == ["how", "long", "have", "you", "been"]:  # "How long have you been a customer?": the tenure
        return ["tenure"]
    if words[:2] == ["how", "many"]:
        noun = []
        for word in words[2:]:
            if word in _AUXILIARIES:
                return noun or None
            noun.append(word)
        return noun[:1] or None  # no auxiliary: "How many people live in your household?" counts the people
    return None


def _question_words(words: list[str]) -> list[str]:
    """A survey question's words that say what it rates: its number, the :data:`QUESTION_WORDS` and bare numbers
    (a scale's "1 5") dropped, "satisfied" read as "satisfaction" and said last; a counting question's what it
    counts (:func:`_counted_words`)."""
    counted = _counted_words(words[1:] if words and _QUESTION_NUMBER.fullmatch(words[0]) else words)
    if counted:
        return counted
    kept = [_QUESTION_FORMS.get(w, w) for w in words
            if w not in QUESTION_WORDS and not _QUESTION_NUMBER.fullmatch(w) and not w.isdigit()]
    nouns = [w for w in kept if w in _QUESTION_FORMS.values()]
    return [w for w in kept if w not in nouns] + nouns


def short_feature_name(name: str) -> str:
    """A short lower-case name for a feature, for segment names.

    Rule: drop parenthesised (and bracketed) parts, split camelCase and punctuation into words,
    lower-case, and drop the :data:`GENERIC_WORDS` ("annual", "score", "total", "avg", "amount",
    "count", ...), a rate or window in time ("per year", "in months", "12 mon"), bare numbers and
    one-letter units when another word remains; a joining word ("per", "in", "of") stays between two
    kept words. "Annual Income (k$)" -> "income", "Spending Score (1-100)" -> "spending", "Returns per
    year" -> "returns", "Revenue per visit" -> "revenue per visit", "Age" -> "age". A name with no words
    left is only lower-cased. A survey question keeps what it asks about (:func:`_question_words`): "How
    satisfied are you with the delivery speed?" -> "delivery speed satisfaction"; a question's id alone stays as
    written ("Q5_1": found from outside, a Qualtrics export's matrix questions Q5_1 and Q5_2 named segments "High 1");
    a matrix question's row is what it rates ("Rate the following - Price" -> "price rating": found from outside,
    "Low rate following price").
    """
    words = _words(name)
    if not words:
        return str(name).strip().lower() or str(name)
    if all(_QUESTION_NUMBER.fullmatch(w) or w.isdigit() for w in words) and _QUESTION_NUMBER.fullmatch(words[0]):
        return str(name).strip()  # a survey question's id alone, "Q5_1" of a matrix question: as written
    matrix = _MATRIX_ITEM.match(str(name))
    if matrix is not None:  # a matrix question's row, "Rate the following - Price": the price rating
        asked = _words(matrix["question"])
        if is_question_name(matrix["question"]) or asked[:1] in (["rate"], ["please"]):
            item = short_feature_name(matrix["item"])
            said = "rating" if {"rate", "rating"} & set(asked) else (
                "satisfaction" if any(w.startswith("satisf") for w in asked) else "")
            return f"{item} {said}" if said else item
    if is_question_name(name):  # a survey's "How satisfied are you with the delivery speed?"
        words = _question_words(words) or words
    elif len(words) > 1 and _QUESTION_NUMBER.fullmatch(words[0]):  # a survey's "Q4_support" is the support
        words = words[1:]
    kept = _meaning_words(words) or words
    if kept is not words and _COUNT_WORDS & set(words):  # "Payment Count" counts payments, not one payment's size
        kept = [*kept[:-1], _plural(kept[-1])]
    return _WHOLE_FORMS.get(tuple(kept)) or " ".join(WORD_FORMS.get(w, w) for w in kept)


#: Nouns whose plural is themselves, or that a count's name leaves as they are.
_UNCOUNTED = frozenset({"staff", "data", "media", "sheep", "fish", "feedback", "spend", "revenue", "income",
                        "money", "traffic", "time", "info", "equipment", "stock", "inventory", "usage"})
#: Words that make a feature a count of what the other words name ("Payment Count", "visit_cnt").
_COUNT_WORDS = frozenset({"count", "cnt", "ct", "number", "num", "nr"})


def _plural(noun: str) -> str:
    """An English noun's plural, for a count's name (found from outside: a Stripe export's "Payment Count" named
    segments "High payment", which reads as the size of a payment): as written when it ends in s or is no word."""
    if noun.endswith(("s", "ren", "men", "people")) or noun in _UNCOUNTED or not noun.isalpha() or len(noun) < 3:
        return noun
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("x", "z", "ch", "sh")) else "s")


def _meaning_words(words: list[str]) -> list[str]:
    """The words that say what a feature measures, in order, joined grammatically.

    Dropped: a time window or rate ("per year", "in months", "a month", "12 mon", "monthly", "last 12 months",
    "12m", "L12M", "YTD"), the
    :data:`GENERIC_WORDS`, bare numbers, currency codes (:data:`CURRENCY_WORDS`) and one-letter units ("k" of
    "k$"). A joining word ("per",
    "in", "of", ...) is kept only between two kept words: "Revenue per visit" -> "revenue per visit",
    "Number of purchases" -> "purchases", "Returns per year" -> "returns" (never "returns year").
    """
    kept: list[str] = []
    i = 0
    before_kept = False  # whether the word just before this one was kept
    while i < len(words):
        word = words[i]
        after = words[i + 1] if i + 1 < len(words) else None
        third = words[i + 2] if i + 2 < len(words) else None
        if word in _RECENT_WORDS and after is not None and after.isdigit() and third in TIME_UNITS:
            i += 3  # "last 12 months", "past 3 months": when, not what
            before_kept = False
            continue
        if (after in TIME_UNITS and (word in _JOINING_WORDS or word in {"a", "each", "every"} | _RECENT_WORDS
                                     or word.isdigit())) or (word in _RECENT_WORDS and after is not None
                                                            and _is_window(after)):
            i += 2  # "per year", "in months", "a month", "12 mon", "last 90d": when, not what
            before_kept = False
            continue
        if _is_window(word):
            i += 1  # "12m", "L12M", "YTD"
            before_kept = False
            continue
        size = len(kept)
        if word in TIME_UNITS and not kept:
            kept.append(word)  # "Months on book", "Days since purchase": the time is what is measured
        elif word in _JOINING_WORDS:
            if before_kept:  # "Revenue per visit"; not the "of" of "Historic Number Of Orders" once "number" is gone
                kept.append(word)  # for now: kept only if a kept word follows (below)
        elif (word not in GENERIC_WORDS and word not in TIME_UNITS and word not in CURRENCY_WORDS
              and not word.isdigit() and len(word) > 1):
            kept.append(word)
        before_kept = len(kept) > size
        i += 1
    # a joining word stands between two kept words only
    joined = [w for j, w in enumerate(kept)
              if w not in _JOINING_WORDS or (0 < j < len(kept) - 1 and kept[j - 1] not in _JOINING_WORDS
                                             and kept[j + 1] not in _JOINING_WORDS)]
    return joined


def _short_names(features: Sequence[str]) -> list[str]:
    """Short names, falling back to fuller forms where two features would read the same."""
    short = [short_feature_name(f) for f in features]
    fuller = [" ".join(_words(f)) or str(f).lower() for f in features]
    for fallback in (fuller, [str(f) for f in features]):
        clash = [short.count(name) > 1 for name in short]
        short = [fallback[i] if clash[i] else short[i] for i in range(len(short))]
    return short


def _phrase(z: float, reading: _Reading, none: bool = False) -> tuple[str, str]:
    """A trait of a segment's name as its level and the noun that follows it (``("Very high", "orders")``), or as
    a whole with no noun to share (``("Older", "")``, ``("Signed up recently", "")``)."""
    if none and reading.noun is not None and reading.low == "low":  # "No orders", not "Low orders"
        return "No", reading.noun
    very = abs(z) >= VERY_HIGH_Z
    word = reading.high if z > 0 else reading.low
    weak = abs(z) < HIGH_Z  # a weaker trait, named only to tell clashing names apart (WEAK_Z)
    if reading.after and reading.noun is not None:  # "Signed up very recently", "Last seen longer ago"
        said = _DONE_WEAKER[word] if weak else ("very " + word) if very else word
        return f"{reading.noun[:1].upper()}{reading.noun[1:]} {said}", ""
    if reading.noun is None:
        return ("Much " + word) if very else ("Slightly " + word) if weak else word.capitalize(), ""
    if weak:
        level = {"low": "Lower", "high": "Higher"}.get(word, "More " + word)
    else:
        level = ("Very " + word) if very else word.capitalize()
    return level, reading.noun


def _part(z: float, reading: _Reading, none: bool = False) -> str:
    """A trait of a segment's name: "High income", "No orders", "Older"."""
    level, noun = _phrase(z, reading, none)
    return f"{level} {noun}" if noun else level


def _listed(words: list[str]) -> str:
    """``a & b``, ``a, b & c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " & " + words[-1]


def _shared_nouns(nouns: list[str]) -> str | None:
    """Nouns that share their last words ("web purchases", "store purchases": "web & store purchases") or their
    first ("toys spend", "toys visits": "toys spend & visits") said once, else None."""
    words = [noun.split(" ") for noun in nouns]
    shortest = min(len(w) for w in words)
    for take in range(shortest - 1, 0, -1):  # the most words shared, each noun keeping one of its own
        if all(w[-take:] == words[0][-take:] for w in words):
            rests = [" ".join(w[:-take]) for w in words]
            if len(set(rests)) == len(rests):
                return f"{_listed(rests)} {' '.join(words[0][-take:])}"
        if all(w[:take] == words[0][:take] for w in words):
            rests = [" ".join(w[take:]) for w in words]
            if len(set(rests)) == len(rests):
                return f"{' '.join(words[0][:take])} {_listed(rests)}"
    return None


def _said(phrases: list[tuple[str, str]]) -> str:
    """Traits joined into a name, " · " between them; traits side by side at the same level whose nouns share a
    word say the level and that word once (found from outside: a marketing file's segments were "High web
    purchases · High store purchases", cut to "High web purchases" to stay short, and a loyalty export's "High
    spend toys · High visits toys"). Any name is at most as long as its traits joined."""
    groups: list[tuple[str, list[str], str]] = []  # a level, its nouns, and how they are said together
    for level, noun in phrases:
        if noun and groups and groups[-1][0] == level and groups[-1][1]:
            shared = _shared_nouns([*groups[-1][1], noun])
            if shared is not None:
                groups[-1] = (level, [*groups[-1][1], noun], shared)
                continue
        groups.append((level, [noun] if noun else [], noun))
    return " · ".join(f"{level} {said}" if said else level for level, _, said in groups)


def name_segments(centers_z: np.ndarray, features: Sequence[str], indices: np.ndarray | None = None,
                  none: np.ndarray | None = None) -> list[str]:
    """Human-readable segment names from how each centroid differs from the overall mean.

    Parameters
    ----------
    centers_z : numpy.ndarray
        ``(k, features)``: (centroid - overall mean) / overall standard deviation (in the space the model
        measures in: after the feature's transform, if any). NaN counts as 0 (not distinctive). A feature
        is named only from :data:`HIGH_Z` and reads "Very ..." from :data:`VERY_HIGH_Z`.
    features : sequence of str
        Feature names, one per column.
    indices : numpy.ndarray, optional
        ``(k, features)``: segment mean / overall mean * 100 in original units (NaN where undefined).
        When given, the distinctive features are ranked by ``|index - 100|`` (strongest first, in either
        direction; ``50 * |z|`` where the index is undefined), else by ``|z|``.
    none : numpy.ndarray, optional
        ``(k, features)`` booleans: (nearly) every customer of the segment has zero of the feature, which other
        customers have (:func:`none_of`). Such a trait reads "No orders" rather than "Low orders" (a feature
        read as "Recent ..." or "Older" keeps its words).

    Returns
    -------
    list[str]
        One unique name per segment, e.g. ``"High income · Low spending"``, ``"Older · Very high
        income"`` or ``"Average customers"``, at most :data:`MAX_NAME_CHARS` characters (plus a " (n)"
        number when two segments would still read the same).
    """
    z = np.nan_to_num(np.asarray(centers_z, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    if z.ndim != 2 or z.shape[1] != len(features):
        raise ValueError(f"centers_z must be (segments, {len(features)}); got shape {z.shape}.")
    strength = np.abs(z)
    if indices is not None:
        index = np.asarray(indices, dtype=float)
        if index.shape != z.shape:
            raise ValueError(f"indices must be (segments, {len(features)}); got shape {index.shape}.")
        strength = np.where(np.isfinite(index), np.abs(index - 100.0), 50.0 * np.abs(z))
    short = [_reading(feature, name) for feature, name in zip(features, _short_names(features))]
    short = [r if r.noun is None else r._replace(noun=_in_capitals(r.noun, str(f))) for r, f in zip(short, features)]
    nothing = np.zeros(z.shape, dtype=bool) if none is None else np.asarray(none, dtype=bool)
    if nothing.shape != z.shape:
        raise ValueError(f"none must be (segments, {len(features)}); got shape {nothing.shape}.")
    # a rating of 0 is a low score, not the absence of one ("Very low nps", never "No nps")
    nothing = nothing & ~np.array([is_rating_name(str(f)) for f in features], dtype=bool)

    ranked: list[list[int]] = []
    weaker: list[list[int]] = []  # traits from WEAK_Z: only to tell clashing names apart
    for i, row in enumerate(z):
        order = sorted(range(row.size), key=lambda j: (-strength[i, j], j))
        # none at all is a trait from WEAK_Z (found from outside: where 87% of a CRM's contacts never bought, the
        # two segments of non-buyers were "Older" and "Younger", their 0 revenue only 0.4 standard deviations
        # below the average, which the buyers lift)
        named = [abs(row[j]) >= HIGH_Z or (nothing[i, j] and abs(row[j]) >= WEAK_Z) for j in range(row.size)]
        ranked.append([j for j in order if named[j]])
        weaker.append([j for j in order if WEAK_Z <= abs(row[j]) and not named[j]])

    def part(i: int, j: int) -> str:
        return _part(z[i, j], short[j], bool(nothing[i, j]))

    def said(i: int, traits: list[int]) -> str:
        return _said([_phrase(z[i, j], short[j], bool(nothing[i, j])) for j in traits])

    #: segment -> the features its name says, strongest first (two at first; more to tell clashing names apart)
    chosen = [r[:MAX_NAME_FEATURES] for r in ranked]
    #: segment -> the order its first traits read in, shared with the segments whose names it clashed with
    lead: dict[int, list[int]] = {}
    tried = [set(c) for c in chosen]

    def traits(i: int) -> list[int]:
        first = [j for j in lead.get(i, []) if j in chosen[i]]
        return first + [j for j in chosen[i] if j not in first]

    def shown(i: int) -> list[int]:
        """The traits segment ``i``'s name says: the weaker go first while the name is too long."""
        kept = traits(i)
        while len(kept) > 1 and len(said(i, kept)) > MAX_NAME_CHARS:
            kept = kept[:-1]  # a name never needs cutting
        return kept

    def build(i: int) -> str:
        name = said(i, shown(i)) or AVERAGE_NAME
        return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS].rsplit(" ", 1)[0]

    def clashes() -> list[list[int]]:
        """Segments whose names say the same traits, in any order ("High orders · High spending" and "High
        spending · High orders" tell nothing apart)."""
        groups: dict[frozenset[str], list[int]] = {}
        for i in range(z.shape[0]):
            groups.setdefault(frozenset(part(i, j) for j in shown(i)), []).append(i)
        return [members for members in groups.values() if len(members) > 1]

    def says(i: int, j: int) -> str | None:
        return part(i, j) if j in ranked[i] or j in weaker[i] else None

    def grow(i: int, members: list[int]) -> bool:
        """One more trait in segment ``i``'s name, which clashes with the other ``members``' names: the strongest
        that tells it from one of them (else the next strongest, which may tell it apart from others later).
        When the name would grow too long, the traits it shares with them make room, the weakest first."""
        left = [j for j in ranked[i] if j not in tried[i]]
        if not left:  # nothing stronger: the weaker traits, to tell apart what would read alike
            left = [j for j in weaker[i] if j not in tried[i]]
        telling = [j for j in left if any(says(m, j) != part(i, j) for m in members if m != i)]
        if not chosen[i] and left:  # an average segment (no stronger trait): as many traits as any name has
            chosen[i] = (telling or left)[:MAX_NAME_FEATURES]
            tried[i].update(chosen[i])
            return True
        for j in telling or left[:1]:
            tried[i].add(j)
            names = [*traits(i), j]
            while len(said(i, names)) > MAX_NAME_CHARS:
                shared = [t for t in names[1:-1] if t in lead[i]]
                if not shared:
                    break
                names.remove(shared[-1])
            if len(said(i, names)) <= MAX_NAME_CHARS:
                chosen[i] = names
                return True
        return False

    while True:
        grown = False
        for members in clashes():
            shared = traits(members[0])  # the shared traits read in one order in all of them
            for i in members:
                lead[i] = shared
            for i in members:
                grown = grow(i, members) or grown
        if not grown:
            break
    names = [build(i) for i in range(z.shape[0])]
    final = list(names)
    for name in set(names):
        members = [i for i, n in enumerate(names) if n == name]
        if len(members) > 1:
            for number, i in enumerate(members, start=1):
                final[i] = f"{name} ({number})"
    return final


def segment_z_scores(seg: Segmentation) -> np.ndarray:
    """``(k, features)``: each segment's mean minus the overall mean, in overall standard deviations.

    Means and standard deviations are over the scored customers (filled values included), in the space
    the model measures in: the original units, or the transformed values for a feature the model
    transforms (a log of spend: a handful of extreme buyers do not make everyone else "average"). A
    segment with no customers uses the model's centroid instead; a feature that does not vary gives 0.
    """
    return _z_of(seg.pipeline, seg.model_stats)


def _z_scores(pipeline: Pipeline, X: np.ndarray, labels: np.ndarray, stats: FeatureStats) -> np.ndarray:
    """:func:`segment_z_scores` of the scored customers ``X`` (original units) labelled ``labels``, whose
    statistics in original units are ``stats``."""
    return _z_of(pipeline, model_space_stats(pipeline, X, labels, stats))


def _z_of(pipeline: Pipeline, stats: FeatureStats) -> np.ndarray:
    """:func:`segment_z_scores` from the scored customers' statistics in the space the model measures in."""
    k = int(stats.sizes.size)
    step = transform_of(pipeline)
    if stats.customers == 0:
        return np.zeros((k, stats.means.shape[1]))
    means = stats.means.copy()
    empty = stats.sizes == 0
    if empty.any():
        centres = original_centers(pipeline)[empty]
        means[empty] = step.transform(centres) if step is not None else centres
    spread = stats.spread
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(spread > 0, (means - stats.overall) / np.where(spread > 0, spread, 1.0), 0.0)
    return z


def segment_indices(seg: Segmentation) -> np.ndarray:
    """``(k, features)``: each segment's mean / the overall mean * 100, in original units (NaN when the
    overall mean is 0 or the segment is empty), the indices the profile shows."""
    return seg.feature_stats.indices()


def segment_names(seg: Segmentation) -> list[str]:
    """:func:`name_segments` for a segmentation: levels from :func:`segment_z_scores`, traits ranked by
    :func:`segment_indices` (``|index - 100|``, strongest first)."""
    X, labels = seg.scored_matrix()
    return automatic_names(seg.pipeline, X, labels, seg.feature_stats, seg.features)


def automatic_names(pipeline: Pipeline, X: np.ndarray, labels: np.ndarray, stats: FeatureStats,
                    features: Sequence[str], model_stats: FeatureStats | None = None) -> list[str]:
    """The names :func:`segment_names` gives, from the parts a segmentation is made of (so that
    :mod:`core.segmentation` names a segmentation while it builds it).

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        The fitted model.
    X, labels : numpy.ndarray
        The scored customers' feature values in original units and their internal labels.
    stats : FeatureStats
        ``FeatureStats.of(X, labels, k)``.
    features : sequence of str
        The feature names, one per column of ``X``.
    model_stats : FeatureStats, optional
        ``core.model.model_space_stats(pipeline, X, labels, stats)`` when the caller has it (computed here
        otherwise).
    """
    negative = negative_only(X, stats, features)
    z = _z_of(pipeline, model_stats) if model_stats is not None else _z_scores(pipeline, X, labels, stats)
    z[:, negative] *= -1  # refunds written as negatives: named by their size ("High refunds")
    return name_segments(z, list(features), stats.indices(), none_of(X, labels, stats, negative))


def negative_only(X: np.ndarray, stats: FeatureStats, features: Sequence[str] | None = None) -> np.ndarray:
    """Per feature, whether no customer has more than zero of it and some have less, and (with ``features``) its
    name says money going back (:data:`OUTGOING_WORDS`: refunds, returns or discounts written as negative amounts):
    such a feature is named by its size, the largest refunds "Very high refunds" (found from outside: a shop's
    segment of its largest refunds read "Very low refunds"). A balance below zero is named by its value (found from
    outside: a Stripe export's customers holding a credit read "Very high account balance"). Only the columns whose
    overall mean is below zero are looked at (one pass over each)."""
    found = np.zeros(stats.overall.shape, dtype=bool)
    for j in np.flatnonzero(np.nan_to_num(stats.overall, nan=0.0) < 0):
        if features is not None and OUTGOING_WORDS.isdisjoint(name_words(features[j])):
            continue
        found[j] = bool(np.nanmax(X[:, j]) <= 0) if X.shape[0] else False
    return found


#: Words of a feature's name that say money going back to customers, which exports often write as negative amounts.
OUTGOING_WORDS = frozenset({"refund", "refunds", "refunded", "return", "returns", "returned", "discount",
                            "discounts", "chargeback", "chargebacks", "rebate", "rebates", "reversal", "reversals",
                            "cancellation", "cancellations", "cancelled", "canceled", "credit", "credits", "writeoff",
                            "writeoffs", "loss", "losses", "erstattung", "retoure", "retouren", "rabatt",
                            "remboursement", "devolucion", "devoluciones", "descuento"})


#: A segment "has none" of a feature when at least this share of its customers has exactly zero of it.
NONE_SHARE = 0.99


def none_of(X: np.ndarray, labels: np.ndarray, stats: FeatureStats,
            negative: np.ndarray | None = None) -> np.ndarray:
    """``(k, features)``: True where (nearly: :data:`NONE_SHARE`) every customer of a segment has exactly zero of a
    feature that other customers have (a segment of customers who never ordered, one of whom bought once), for
    :func:`name_segments`' "No ..." names. Only a feature whose segment mean is within a hundredth of its largest
    value (what such a segment's mean can be) is counted (one pass over its column); with ``negative``
    (:func:`negative_only`), a feature written as negative amounts counts by its size (no refunds)."""
    k, width = stats.means.shape
    found = np.zeros((k, width), dtype=bool)
    size = stats.means if negative is None else np.where(negative, -stats.means, stats.means)
    low = (size >= 0) & (size <= (1 - NONE_SHARE) * stats.largest) & (stats.sizes[:, None] > 0)
    for j in np.flatnonzero(low.any(axis=0)):
        nonzero = np.bincount(labels, weights=(X[:, j] != 0), minlength=k)
        if not nonzero.any():
            continue  # zero for everyone: nothing sets a segment apart
        found[:, j] = (nonzero <= (1 - NONE_SHARE) * stats.sizes) & (stats.sizes > 0)
    return found
