"""Per-column transforms applied before StandardScaler, and features derived from dates.

Why: spend, order counts and balances are strongly right-skewed (the largest customers hold 30 to 100
times the median). Standardised as they are, K-Means spends its segments on a handful of extreme
customers and puts everyone else in one group. Analysts take the logarithm of such columns first; the
data check proposes it (:func:`propose_transform`) and the model applies it as the first step of its
pipeline (:class:`FeatureTransform`, then ``StandardScaler``, then ``KMeans``). Profiles, charts and
centroids stay in the original units: the transform only shapes the distances K-Means sees.

Transforms (:data:`TRANSFORMS`):

``none``
    The values as they are.
``log``
    ``log(1 + x)`` (``log1p``): for columns without negative values (money, counts). Refused for a
    column with negative values: it would give NaN.
``signed_log``
    ``sign(x) * log(1 + |x|)``: the same shape on both sides of zero, for skewed columns with negative
    values (refunds, balances). Defined for every number, never NaN.

**The proposal** (:func:`propose_transform`): ``log`` for a column without negatives whose skewness
is at least :data:`SKEW_FOR_LOG` (1.0, "strongly right-skewed"), ``signed_log`` for a column with negatives
skewed that much to either side (refunds written as negative amounts: a skewness of -5), ``none`` otherwise
(roughly symmetric columns, columns skewed to the left without negatives such as scores bunched near the top,
and columns with fewer than :data:`MIN_DISTINCT_FOR_LOG` distinct values).

**Dates** (:func:`date_format`): a text column whose cells (at least 90% of those present) are dates in
one of :data:`DATE_FORMATS` is a date column. It is offered as a derived numeric feature named
``"<column> (days since)"``: the days from each date to the latest date of that column in the same
file (a tenure or recency as of the file's export); a date of birth (:func:`is_birth_name`) as
``"<column> (age)"``, each customer's age today in years. Not chosen by default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from .errors import FeatureError
from .transform_kinds import TRANSFORMS, apply_transform

__all__ = [
    "TRANSFORMS",
    "SKEW_FOR_LOG",
    "MIN_DISTINCT_FOR_LOG",
    "Proposal",
    "TransformError",
    "FeatureTransform",
    "skewness",
    "propose_transform",
    "check_transform",
    "apply_transform",
    "feature_label",
    "parse_transform_pairs",
    "DATE_FORMATS",
    "DAY_FIRST",
    "MONTH_FIRST",
    "OTHER_DATES",
    "DATE_TIMES",
    "TIMES",
    "WRITTEN_DATES",
    "DAYS_SINCE",
    "AGE",
    "DAYS_PER_YEAR",
    "is_birth_name",
    "today",
    "derived_values",
    "EPOCH_FORMATS",
    "EPOCH_RANGE",
    "UNIX_TIME_TEXT",
    "epoch_format",
    "unix_time_format",
    "EXCEL_DAYS",
    "COMPACT_DATE",
    "compact_dates_in",
    "excel_days_format",
    "read_dates",
    "date_format",
    "days_since",
    "days_since_and_placeholders",
    "FIRST_REAL_DATE",
    "date_source",
    "derived_name",
]

#: How a transform is written after a feature's name ("Spend (log)").
_LABELS = {"none": "", "log": "log", "signed_log": "signed log"}
#: Skewness from which a column counts as strongly skewed and a log is proposed.
SKEW_FOR_LOG = 1.0
#: A column with fewer distinct values than this is never proposed a log (flags, small codes).
MIN_DISTINCT_FOR_LOG = 8


class TransformError(FeatureError):
    """A transform that cannot apply to a column (log of negative values, a transform of text)."""


@dataclass(frozen=True)
class Proposal:
    """What the data check proposes for a numeric column, and why (in words for the user)."""

    transform: str
    reason: str
    skewness: float | None


def skewness(values: np.ndarray) -> float | None:
    """The (Fisher-Pearson) skewness of the finite values; None with fewer than 3 or no spread."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 3:
        return None
    centred = x - x.mean()
    squares = centred * centred  # not ** 3: numpy raises to the third power by pow(), ~10x slower
    var = float(squares.mean())
    if not var > 0:
        return None
    # einsum, not np.dot: a vector's dot product goes to BLAS, whose threads wait for each other on a busy
    # machine (measured 100x slower on 2 shared cores for 19,000 values, 16 s in the check of a wide file)
    return float(np.einsum("i,i->", squares, centred) / x.size / var ** 1.5)


#: Above this many values the skewness is measured on every n-th value (a fixed, even spread of the rows):
#: the same estimate to two decimals, without three temporaries the size of a 10^7-row column.
SKEW_SAMPLE = 1_000_000


def _one_decimal(value: float) -> str:
    """``value`` to one decimal, "0.0" (never "-0.0") for what rounds to zero."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def propose_transform(values: np.ndarray, distinct: int | None = None) -> Proposal:
    """The transform the data check proposes for a numeric column (see the module's rules)."""
    x = np.asarray(values, dtype=float)
    if not np.isfinite(x).all():
        x = x[np.isfinite(x)]
    step = -(-x.size // SKEW_SAMPLE)
    skew = skewness(x[::step] if step > 1 else x)
    if skew is None:
        return Proposal("none", "no spread to reshape", skew)
    shown = _one_decimal(skew)
    count = distinct if distinct is not None else int(np.unique(x[:100_000]).size)
    if count < MIN_DISTINCT_FOR_LOG:
        return Proposal("none", f"few distinct values (skewness {shown})", skew)
    if abs(skew) < SKEW_FOR_LOG:
        return Proposal("none", f"roughly symmetric (skewness {shown})", skew)
    if skew < 0 and float(x.min()) >= 0:  # scores bunched near the top: a log would stretch the tail further
        return Proposal("none", f"left-skewed (skewness {shown}): a log would stretch its tail of low values "
                                "further, so its values are kept", skew)
    if skew < 0:  # refunds written as negative amounts: a few very large ones on the left
        return Proposal("signed_log", f"strongly skewed toward large negative values (skewness {shown}): a signed "
                                      "log tames the extremes below zero", skew)
    if float(x.min()) >= 0:
        return Proposal("log", f"strongly right-skewed (skewness {shown}): without a log a few very large "
                               "values would decide the segments", skew)
    return Proposal("signed_log", f"strongly skewed with negative values (skewness {shown}): a signed log "
                                  "tames the extremes on both sides of zero", skew)


def check_transform(column: str, transform: str, values: np.ndarray) -> None:
    """Raise :class:`TransformError` (naming ``column``) unless ``transform`` can apply to ``values``.

    ``values`` are the column's numbers (NaN where missing).
    """
    if transform not in TRANSFORMS:
        raise TransformError(f"Unknown transform '{transform}' for '{column}'. Choose one of: "
                             + ", ".join(TRANSFORMS) + ".")
    if transform == "log":
        x = np.asarray(values, dtype=float)
        negative = x[np.isfinite(x) & (x < 0)]
        if negative.size:
            every = negative.size == int(np.count_nonzero(np.isfinite(x)))
            raise TransformError(
                f"A log cannot be applied to '{column}': {'every value is' if every else 'it has values that are'} "
                f"negative (for example {float(negative.min()):g}), and the log of a negative number does not "
                f"exist. Choose the signed log ('signed_log', it keeps the sign) or none for '{column}'.")


def __getattr__(name: str) -> object:
    """:class:`FeatureTransform` is defined in :mod:`core.transform_step` (it needs scikit-learn, which the
    data check and the command line's ``inspect`` do not) and imported from here on first use (PEP 562)."""
    if name == "FeatureTransform":
        from .transform_step import FeatureTransform

        return FeatureTransform
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def feature_label(feature: str, transform: str) -> str:
    """A feature as people read it in listings: ``"Spend (log)"``, or ``"Recency"`` untransformed."""
    label = _LABELS.get(transform, transform)
    return f"{feature} ({label})" if label else feature


def parse_transform_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """``COLUMN=TRANSFORM`` texts as a dict; TransformError for a malformed pair or unknown transform."""
    chosen: dict[str, str] = {}
    for pair in pairs:
        column, sep, kind = str(pair).rpartition("=")
        kind = kind.strip().lower().replace(" ", "_").replace("-", "_")
        if not sep or not column:
            raise TransformError(f"A transform is given as COLUMN=TRANSFORM (one of {', '.join(TRANSFORMS)}), "
                                 f"not {pair!r}.")
        if kind not in TRANSFORMS:
            raise TransformError(f"Unknown transform '{kind}' for '{column}'. Choose one of: "
                                 + ", ".join(TRANSFORMS) + ".")
        chosen[column] = kind
    return chosen


def resolve_transforms(features: Sequence[str], chosen: Mapping[str, str] | None,
                       proposed: Mapping[str, str]) -> tuple[str, ...]:
    """One transform per feature: the user's choice, else the data check's proposal, else ``none``.

    Raises
    ------
    TransformError
        A choice names a column that is not one of ``features``.
    """
    chosen = dict(chosen or {})
    stray = [c for c in chosen if c not in features]
    if stray:
        raise TransformError(f"A transform is chosen for '{stray[0]}', which is not one of the model's features ("
                             + ", ".join(features) + ").")
    return tuple(chosen.get(f, proposed.get(f, "none")) for f in features)


__all__.append("resolve_transforms")

# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

#: The ways a date is written, each with every time of :data:`TIMES` after it: day first, month first (tried
#: after day first: an export whose days never pass 12 is read day first, and the order file's reader says so),
#: and the others. The order file's reader (:mod:`core.rfm`) tries them too, after ISO 8601.
DAY_FIRST: tuple[str, ...] = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y")
MONTH_FIRST: tuple[str, ...] = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y", "%m.%d.%Y")
OTHER_DATES: tuple[str, ...] = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y",
                                "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y",
                                "%b-%d-%y", "%b-%d-%Y",  # (eBay's order reports: Aug-22-24; found from outside)
                                # (found from outside too: an e-mail tool's "Mon, 15 Jan 2024 10:22:33 GMT", a
                                # spreadsheet's long date "Monday, January 15, 2024", a BI report's "Jan 15, 2024,
                                # 10:22 AM", a Japanese export's 2024年1月15日)
                                "%a, %d %b %Y", "%A, %b %d, %Y", "%A, %d %b %Y", "%Y年%m月%d日")
TIMES: tuple[str, ...] = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", "T%H:%M:%S")
#: Dates with their time written in a way of their own (a comma before it: a BI report's "Jan 15, 2024, 10:22 AM"),
#: tried as they are, after the others.
DATE_TIMES: tuple[str, ...] = ("%b %d, %Y, %I:%M %p", "%B %d, %Y, %I:%M %p", "%b %d, %Y, %H:%M")
#: :data:`DAY_FIRST`, :data:`MONTH_FIRST` and :data:`OTHER_DATES`, in that order, each with every time of
#: :data:`TIMES`, then :data:`DATE_TIMES`: the formats besides ISO 8601's (which the order file's reader reads in one
#: go).
WRITTEN_DATES: tuple[str, ...] = (*(day + time for day in DAY_FIRST + MONTH_FIRST + OTHER_DATES for time in TIMES),
                                  *DATE_TIMES)
#: Formats of a date column, in the order they are tried: ISO dates first, then :data:`WRITTEN_DATES`.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f", *WRITTEN_DATES, "%Y-%m",  # a month ("First order month": 2024-03), its first day
)
#: Suffix of a feature derived from a date column.
DAYS_SINCE = " (days since)"
#: Suffix of the feature derived from a date of birth: the age in years, to today (:func:`derived_values`).
AGE = " (age)"
#: A column that dates customers' births ("Date of Birth", "DOB", "birthday", "Geburtsdatum", "Fecha de nacimiento").
_BIRTH_NAME = re.compile(r"birth|geburt|naissance|nacimiento|nascimento|nascita|geboorte|(?<![a-z])dob(?![a-z])")
#: A name that dates each customer's last purchase, order or visit (``Last Order Date``, ``last_purchase_at``,
#: ``LastVisitDate``, ``Date of last purchase``, ``Letzte Bestellung``), read in words (camel case and separators
#: split): the recency a marketer segments on, proposed as its days since (:func:`is_last_purchase_name`).
_LAST_PURCHASE_NAME = re.compile(
    r"\b(?:last|latest|most recent)\s(?:\w+\s)?(?:order|orders|ordered|purchase|purchases|purchased|visit|visited|"
    r"transaction|txn|sale|booking|booked|payment|invoice|buy|bought|stay|trip|donation|gift|shop|shopped)\b"
    r"|\b(?:letzte[rsn]?|dernier|derni[eè]re|[uú]ltim[oa])\s(?:bestellung|kauf|einkauf|besuch|commande|achat|"
    r"visite|compra|pedido|visita)\b")
#: A name that dates each user's last visit to an app or a site (Mixpanel's ``$last_seen``, Amplitude's
#: ``last_used``, ``Last Login``, ``last_sign_in_at``, ``Last Active``): the recency of product analytics, where
#: there may be no purchase. Not a last change, e-mail or contact (``Last Modified``, ``Last Contacted``).
_LAST_SEEN_NAME = re.compile(r"\blast\s(?:seen|used|active|activity|login|logon|log in|signin|sign in|session)\b")


def _name_words(name: str) -> str:
    return re.sub(r"[\W_]+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))).lower()


def is_last_purchase_name(name: str) -> bool:
    """Whether a column's name says it dates each customer's last purchase, order or visit
    (:data:`_LAST_PURCHASE_NAME`, or an app's last visit: :data:`_LAST_SEEN_NAME`)."""
    return recency_rank(name) is not None


def recency_rank(name: str) -> int | None:
    """0 for a name that dates each customer's last purchase, order or visit (:data:`_LAST_PURCHASE_NAME`), 1 for an
    app's last visit (:data:`_LAST_SEEN_NAME`), None for any other name: of a file's dates filled for every
    customer, the recency proposed is the lowest rank's first (one recency: found from outside, a Mixpanel people
    export's ``$last_seen`` was not proposed; beside a last order, a last login would count the same habit twice)."""
    words = _name_words(name)
    if _LAST_PURCHASE_NAME.search(words):
        return 0
    return 1 if _LAST_SEEN_NAME.search(words) else None


#: A date column written as Unix time, whole seconds or milliseconds since 1970 (an app's ``created_at`` of
#: 1701388800): the "format" :func:`date_format` names it by, and the unit pandas reads it in.
EPOCH_FORMATS: dict[str, str] = {"unix seconds": "s", "unix milliseconds": "ms"}
#: A Unix time written as text: ten digits (seconds) or thirteen (milliseconds).
UNIX_TIME_TEXT = r"\d{10}|\d{13}"
#: A date written as a spreadsheet's day number (days since 30 December 1899, a fraction for the time of day): an
#: order export saved from a sheet whose date column was formatted as a number (45079.9601). Read only where the
#: column is known to hold dates (an order file's date column, a customer file's column whose name says a date:
#: :func:`excel_days_in`): the "format" :func:`read_dates` names it by.
EXCEL_DAYS = "excel day numbers"
#: A spreadsheet's day number written as text: five digits, a fraction or not.
EXCEL_DAYS_TEXT = r"\d{5}(?:\.\d+)?"
#: The day numbers read as dates: from 2000-01-01 (36526) to 2100-01-01 (73051).
EXCEL_DAYS_RANGE = (36_526, 73_051)
#: The first day number read as a date of birth (1906-01-01): a column whose name says a birth holds earlier
#: dates than an order's, and a year of birth (at most 2100) is never read as a day of 1905.
BIRTH_DAYS_FIRST = 2_193
#: A birth's day number written as text: four or five digits (1906 to 1927 have four), a fraction or not.
BIRTH_DAYS_TEXT = r"\d{4,5}(?:\.\d+)?"
#: A date written as eight digits, year, month and day (20240115): a data warehouse's or an ERP's extract, Google
#: Analytics' ``event_date``. A customer file's number column is read so only under a name that says a date
#: (:func:`compact_dates_in`); as text it is one of :data:`OTHER_DATES`.
COMPACT_DATE = "%Y%m%d"
#: The days written so that are read as dates: 1901-01-01 to 2100-12-31.
COMPACT_DATE_RANGE = (19_010_101, 21_001_231)
#: The Unix times read as dates, in seconds: from 2000-01-01 to 2100-01-01 (a number outside is no date).
EPOCH_RANGE = (946_684_800, 4_102_444_800)
#: Share of the present cells that must read as dates.
_DATE_SHARE = 0.9
_DATE_SAMPLE = 200
#: Cells, spread evenly over a column, on which the share of dates is measured once a format reads the first ones.
_DATE_SPREAD = 20_000
#: Every sampled cell of a date column starts like one of :data:`DATE_FORMATS` (a cheap look first: a column
#: of codes with digits is not tried in every format).
_DATE_LOOK = (r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|^\d{8}\b|^\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}"
              r"|^[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|^[A-Za-z]{3}-\d{1,2}-\d{2,4}\b|^(?:19|20)\d\d-[01]\d$"
              r"|^[A-Za-z]{3,9}, (?:\d{1,2} [A-Za-z]{3,9}|[A-Za-z]{3,9} \d{1,2},) \d{4}|^\d{4}年\d{1,2}月\d{1,2}日")


#: Time zones' abbreviations after a time, as point-of-sale and billing exports write them (Clover's "08:35 PM EDT").
_ZONE_NAMES = ("EDT|EST|CDT|CST|MDT|MST|PDT|PST|AKDT|AKST|HST|HDT|AST|ADT|NST|NDT|BST|IST|CET|CEST|EET|EEST|WET|WEST|"
               "MSK|AEST|AEDT|ACST|ACDT|AWST|NZST|NZDT|JST|KST|SGT|HKT")
#: A UTC offset (or zone letters) after a time: ``13:03:00 +0100``, ``13:03:00-05:00``, ``13:03:00.123Z``,
#: ``1:03:00 PM GMT+1`` (a Google Forms response sheet's Timestamp), ``13:03:00 UTC+10``, ``08:35 PM EDT`` (found
#: from outside: a Clover orders export's dates could not be read).
_UTC_OFFSET = (r"(?:(?<=\d:\d\d)|(?<=\.\d\d\d)|(?<=\.\d{6})|(?<=[AaPp][Mm]))"
               rf"(?:\s*(?:Z|UTC|GMT)(?:[+-]\d{{1,2}}(?::?\d\d)?)?|\s?[+-]\d\d:?\d\d|\s(?:{_ZONE_NAMES}))$")


#: Month names and their abbreviations in English (its full names: a column's months are all written one way),
#: German, French, Spanish, Italian, Portuguese and Dutch (lower case, without a final period), each with the English
#: abbreviation that ``%b`` reads: a date in a European export's language ("15. Januar 2024", "15 janv. 2024",
#: "15 de enero de 2024") is read as its English twin (:func:`english_months`).
LOCAL_MONTHS: dict[str, str] = {
    **{name: name[:3].title() for name in ("january", "february", "march", "april", "june", "july", "august",
                                           "september", "october", "november", "december")},
    **dict.fromkeys(("januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari"), "Jan"),
    **dict.fromkeys(("februar", "feber", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev",
                     "februari"), "Feb"),
    **dict.fromkeys(("märz", "maerz", "mär", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt"), "Mar"),
    **dict.fromkeys(("avril", "avr", "abril", "abr", "aprile"), "Apr"),
    **dict.fromkeys(("mai", "mayo", "maggio", "mag", "maio", "mei"), "May"),
    **dict.fromkeys(("juni", "juin", "junio", "giugno", "giu", "junho"), "Jun"),
    **dict.fromkeys(("juli", "juillet", "juil", "julio", "luglio", "lug", "julho"), "Jul"),
    **dict.fromkeys(("august", "août", "aout", "agosto", "ago", "augustus"), "Aug"),
    **dict.fromkeys(("sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro"), "Sep"),
    **dict.fromkeys(("oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"), "Oct"),
    **dict.fromkeys(("novembre", "noviembre", "novembro"), "Nov"),
    **dict.fromkeys(("dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro"),
                    "Dec"),
}
_LOCAL_MONTH = re.compile(r"(?i)(?<![a-zà-ÿ])(" + "|".join(re.escape(m) for m in sorted(LOCAL_MONTHS, key=len,
                                                                                          reverse=True))
                          + r")\.?(?![a-zà-ÿ])")
#: What is left around the English month: a Spanish or Portuguese "de", a German day's period ("15. Jan 2024").
_AROUND_MONTH = re.compile(r"^(\d{1,2})\.?(\s+|-)(?:de\s+)?([A-Z][a-z]{2})\.?(?:\s+de)?(\s+|-)(\d{2,4})")


def english_months(texts: pd.Series) -> pd.Series:
    """Date texts (stripped) with their month names, in English or German, French, Spanish, Italian, Portuguese or
    Dutch (:data:`LOCAL_MONTHS`), as English abbreviations, which ``%b`` reads (a Spanish "de" and a German day's
    period left out: "15 Jan 2024"). Each distinct text is read once (a date column repeats its days); a column
    without a month's name comes back as it is."""
    texts = texts.astype(str)
    codes, uniques = pd.factorize(texts, sort=False)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str)
    if not _LOCAL_MONTH.search("\n".join(distinct.tolist())):  # (one look: a text column's 0.4 ms became 0.05)
        return texts
    english = distinct.str.replace(_LOCAL_MONTH, lambda m: LOCAL_MONTHS[m.group(1).lower()], regex=True)
    english = english.str.replace(_AROUND_MONTH, r"\1\2\3\4\5", regex=True)
    cells = english.to_numpy(dtype=object)[np.maximum(codes, 0)]
    cells[codes < 0] = None  # a missing cell stays missing (it took the last distinct text's date before)
    return pd.Series(cells, index=texts.index, dtype=texts.dtype)


def without_utc_offset(texts: pd.Series) -> pd.Series:
    """Date texts without the UTC offset after their time (a shop's order export writes ``2024-06-26 13:03:00
    +0100``, and ``+0200`` in summer): each date and time as written, in the shop's own zone. With the offsets
    pandas made dates of another type (with a zone) that no comparison accepted, or, with two offsets, none."""
    texts = texts.astype(str)
    if not bool(texts.str.contains(rf"[+-]\d\d:?\d\d$|(?:Z|UTC|GMT)(?:[+-]\d{{1,2}}(?::?\d\d)?)?$|\s(?:{_ZONE_NAMES})$",
                                   regex=True).any()):
        return texts
    return texts.str.replace(_UTC_OFFSET, "", regex=True)


#: The first cells of a date column looked at before reading each distinct text once: when half of them differ, every
#: cell is read (finding the distinct texts of a million times to the second cost 0.15 s, and saved nothing).
_DISTINCT_LOOK = 2_000


def read_dates(texts: pd.Series, fmt: str) -> pd.Series:
    """Stripped date texts read with ``fmt`` (their UTC offsets left out; Unix time, :data:`EPOCH_FORMATS`, as
    a number of seconds or milliseconds; :data:`EXCEL_DAYS` as a spreadsheet's day numbers), NaT where it does not
    fit. Texts that repeat (days, not times to the second: :data:`_DISTINCT_LOOK`) are read once each."""
    if fmt == EXCEL_DAYS:  # (a column was found to be dates by its name and every value: births from 1906)
        numbers = pd.to_numeric(texts, errors="coerce")
        inside = numbers.where((numbers >= BIRTH_DAYS_FIRST) & (numbers < EXCEL_DAYS_RANGE[1]))
        return pd.to_datetime(inside, unit="D", origin="1899-12-30", errors="coerce")
    if fmt in EPOCH_FORMATS:
        numbers = pd.to_numeric(texts, errors="coerce")
        low, high = _epoch_bounds(fmt)
        return pd.to_datetime(numbers.where((numbers >= low) & (numbers <= high)), unit=EPOCH_FORMATS[fmt],
                              errors="coerce")
    if texts.size > _DISTINCT_LOOK and texts.head(_DISTINCT_LOOK).nunique() * 2 > _DISTINCT_LOOK:
        return _read_written_dates(texts, fmt)  # (times to the second: nearly every cell different, none to spare)
    codes, distinct = pd.factorize(texts, sort=False)
    if len(distinct) <= len(texts) // 2:
        # each distinct text read once (a customer file's last visits: 700 days among a million rows, read 54 times
        # faster, bench/dates_bench.py), then put back in its rows; a missing cell is NaT
        read = _read_written_dates(pd.Series(distinct, dtype=texts.dtype), fmt).take(np.maximum(codes, 0))
        read.index = texts.index
        return read.where(codes >= 0) if bool((codes < 0).any()) else read
    return _read_written_dates(texts, fmt)


def _read_written_dates(texts: pd.Series, fmt: str) -> pd.Series:
    """:func:`read_dates` of texts written in a date format (not Unix time or day numbers), cell by cell."""
    if fmt == COMPACT_DATE:  # (a number column's: 20240115, or 20240115.0 as a program that wrote floats does)
        texts = texts.astype(str).str.replace(r"\.0*$", "", regex=True)
    if "%b" in fmt or "%B" in fmt:  # (a month named in another language: "15. Januar 2024")
        texts = english_months(texts)
    return pd.to_datetime(without_utc_offset(texts), format=fmt, errors="coerce")


def _epoch_bounds(fmt: str) -> tuple[float, float]:
    """:data:`EPOCH_RANGE` in the unit of ``fmt``."""
    scale = 1_000 if EPOCH_FORMATS[fmt] == "ms" else 1
    return EPOCH_RANGE[0] * scale, EPOCH_RANGE[1] * scale


def epoch_format(values: np.ndarray) -> str | None:
    """The Unix-time format (:data:`EPOCH_FORMATS`) every one of ``values`` (finite numbers) fits, whole numbers
    within :data:`EPOCH_RANGE`, or None. A number column only says it is a date with its name as well
    (:func:`core.quality.is_time_name`): a customer number can fall in the same range."""
    if values.size == 0 or not bool(np.all(values == np.floor(values))):
        return None
    low, high = float(values.min()), float(values.max())
    return next((fmt for fmt in EPOCH_FORMATS if _epoch_bounds(fmt)[0] <= low and high <= _epoch_bounds(fmt)[1]),
                None)


def unix_time_format(texts: pd.Series) -> str | None:
    """The Unix-time format (:data:`EPOCH_FORMATS`) of stripped texts (present cells only) that are all ten
    digits (seconds) or thirteen (milliseconds) and all within :data:`EPOCH_RANGE`, or None: an app's
    ``created_at`` of 1699523186."""
    if texts.empty or not bool(texts.str.fullmatch(UNIX_TIME_TEXT).all()):
        return None
    return epoch_format(pd.to_numeric(texts).to_numpy(dtype=float))


def excel_days_format(texts: pd.Series) -> str | None:
    """:data:`EXCEL_DAYS` when every one of stripped texts (present cells only) is a spreadsheet's day number
    (:data:`EXCEL_DAYS_TEXT`) within :data:`EXCEL_DAYS_RANGE`, else None."""
    if texts.empty or not bool(texts.str.fullmatch(EXCEL_DAYS_TEXT).all()):
        return None
    numbers = pd.to_numeric(texts)
    inside = bool(((numbers >= EXCEL_DAYS_RANGE[0]) & (numbers < EXCEL_DAYS_RANGE[1])).all())
    return EXCEL_DAYS if inside else None


def excel_days_in(values: np.ndarray, birth: bool = False) -> str | None:
    """:data:`EXCEL_DAYS` when every one of ``values`` (finite numbers) is a spreadsheet's day number within
    :data:`EXCEL_DAYS_RANGE` (from :data:`BIRTH_DAYS_FIRST` for a column of ``birth`` dates), else None. A number
    column only says it holds dates with its name as well (:func:`core.quality.is_date_name`): a spend of 40,000
    falls in the same range."""
    if values.size == 0:
        return None
    first = BIRTH_DAYS_FIRST if birth else EXCEL_DAYS_RANGE[0]
    return EXCEL_DAYS if first <= float(values.min()) and float(values.max()) < EXCEL_DAYS_RANGE[1] else None


def compact_dates_in(values: np.ndarray) -> str | None:
    """:data:`COMPACT_DATE` when every one of ``values`` (finite numbers) is a day of :data:`COMPACT_DATE_RANGE`
    written as eight digits, year, month and day (20240115), else None. A number column only says it holds dates
    with its name as well (:func:`core.quality.is_date_name`): a spend can be eight digits too."""
    if values.size == 0 or float(values.min()) < COMPACT_DATE_RANGE[0] or float(values.max()) > COMPACT_DATE_RANGE[1]:
        return None
    days = np.unique(values)  # (a few thousand days at most, however many customers)
    if not bool(np.all(days == np.floor(days))):
        return None
    read = pd.to_datetime(pd.Series(days.astype(np.int64).astype(str)), format=COMPACT_DATE, errors="coerce")
    return COMPACT_DATE if bool(read.notna().all()) else None


def date_format(texts: pd.Series, birth: bool = False) -> str | None:
    """The format of a column of date texts (present cells only), or None when it is not a date column; ``birth``:
    the column's name says it dates births (:func:`is_birth_name`: a spreadsheet's day numbers from 1906)."""
    head = texts.head(4 * _DATE_SAMPLE).astype(str).str.strip()  # (not every cell of ten million stripped)
    sample = head[head != ""]
    if sample.size < _DATE_SAMPLE and texts.size > head.size:  # too few present cells on top: look further
        sample = texts.astype(str).str.strip()
        sample = sample[sample != ""]
    sample = sample.head(_DATE_SAMPLE)
    if not sample.empty and bool(sample.str.fullmatch(UNIX_TIME_TEXT).all()):  # Unix time (a chosen feature's)
        return epoch_format(pd.to_numeric(texts, errors="coerce").dropna().to_numpy(dtype=float))
    if not sample.empty and bool(sample.str.fullmatch(BIRTH_DAYS_TEXT if birth else EXCEL_DAYS_TEXT).all()):
        # day numbers (a chosen feature's)
        return excel_days_in(pd.to_numeric(texts, errors="coerce").dropna().to_numpy(dtype=float), birth)
    sample = english_months(sample)  # (found from outside: a German export's "15. Januar 2024")
    if sample.empty or not bool(sample.str.contains(_DATE_LOOK, regex=True).all()):
        return None
    sample = without_utc_offset(sample)  # once, not for each format tried
    # the share of dates is then measured on cells spread evenly over the column: parsing every cell of a
    # column of 300,000 birth dates took 0.15 s, of 10^7 several seconds, for a share known to 0.5% from these
    spread = texts if texts.size <= _DATE_SPREAD else texts.iloc[np.linspace(0, texts.size - 1, _DATE_SPREAD).astype(int)]
    for fmt in DATE_FORMATS:
        if float(pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean()) >= _DATE_SHARE:
            spread_dates = read_dates(spread.astype(str).str.strip(), fmt)
            if float(spread_dates.notna().mean()) >= _DATE_SHARE:
                return fmt
    return None


#: Dates before this are placeholders for "no date", not dates (Excel's day zero, 00.01.1900 or 30.12.1899, and
#: 01.01.1900, as ERP exports write an unknown date): read as missing. Dates past pandas' range (SAP's
#: 31.12.9999, "no end") are not read as dates either.
FIRST_REAL_DATE = pd.Timestamp("1901-01-01")


def days_since(texts: pd.Series, fmt: str | None = None) -> np.ndarray:
    """Days from each date to the column's latest date (float; NaN where the cell is not a date, or is a
    placeholder before :data:`FIRST_REAL_DATE`: found from outside, an ERP export's last orders of 01.01.1900
    for "never" made a segment "Very long-ago" of 45,327 days)."""
    return days_since_and_placeholders(texts, fmt)[0]


def days_since_and_placeholders(texts: pd.Series, fmt: str | None = None) -> tuple[np.ndarray, int, str]:
    """:func:`days_since`, with how many cells held a placeholder date (read as missing) and the first of them
    as written (0 and "" when none), for a note."""
    dates, placeholders, example = _real_dates(texts, fmt)
    latest = dates.max() if dates is not None else pd.NaT
    if pd.isna(latest):
        return np.full(len(texts), np.nan), placeholders, example
    return (((latest - dates).dt.total_seconds() / 86_400.0).to_numpy(dtype=float, na_value=np.nan),
            placeholders, example)


def _real_dates(texts: pd.Series, fmt: str | None = None) -> tuple[pd.Series | None, int, str]:
    """A date column's dates (None when it holds none in a known format), NaT where a cell is no date or a
    placeholder before :data:`FIRST_REAL_DATE`; how many placeholders, and the first as written."""
    fmt = fmt or date_format(texts)
    if fmt is None:
        return None, 0, ""
    stripped = texts.astype(str).str.strip()
    dates = read_dates(stripped, fmt)
    early = (dates < FIRST_REAL_DATE).to_numpy(dtype=bool)
    example = ""
    if early.any():
        example = str(stripped.iloc[int(np.flatnonzero(early)[0])])
        dates = dates.mask(early)
    return dates, int(early.sum()), example


def is_birth_name(name: str) -> bool:
    """Whether a column's name says it dates customers' births (:data:`_BIRTH_NAME`)."""
    return bool(_BIRTH_NAME.search(str(name).lower()))


def derived_name(column: str) -> str:
    """The feature derived from a date column: ``"Joined (days since)"``, or for a date of birth its age,
    ``"Date of Birth (age)"``."""
    return f"{column}{AGE if is_birth_name(column) else DAYS_SINCE}"


def date_source(feature: str) -> str | None:
    """The date column a derived feature comes from, or None for an ordinary column."""
    if feature.endswith(DAYS_SINCE):
        return feature[: -len(DAYS_SINCE)]
    if feature.endswith(AGE) and is_birth_name(feature[: -len(AGE)]):
        return feature[: -len(AGE)]
    return None


#: Days in a year, on average over the calendar's leap years: an age in years from days.
DAYS_PER_YEAR = 365.2425


def today() -> pd.Timestamp:
    """Today's date (UTC), the day ages are measured to."""
    return pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()


def derived_values(feature: str, texts: pd.Series, fmt: str | None = None) -> tuple[np.ndarray, int, str]:
    """A derived feature's values from its date column's ``texts``, with the placeholder dates read as missing
    (:func:`days_since_and_placeholders`): the days since each date, or for an age (:data:`AGE`) the years from
    each birth to :func:`today`.

    Found from outside: a CRM export's "Date of Birth" was offered as the days from each birth to the youngest
    customer's, whose segment means (9,131 days) said nothing a marketer could read. Ages move with the calendar
    together: the same file gives the same segments on any day (a shift every value shares is taken out by the
    scaling), and the means say how old each segment is today. ``fmt``: the column's date format, found from its
    present cells (:func:`date_format`) when not given."""
    if not feature.endswith(AGE):
        return days_since_and_placeholders(texts, fmt)
    dates, placeholders, example = _real_dates(texts, fmt)
    if dates is None:
        return np.full(len(texts), np.nan), placeholders, example
    return (((today() - dates).dt.total_seconds() / 86_400.0 / DAYS_PER_YEAR).to_numpy(dtype=float, na_value=np.nan),
            placeholders, example)
