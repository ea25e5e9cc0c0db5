"""Checking a table and saying what was found: the report shown on upload and by ``segments inspect``.

Rules (each documented here because the dashboard and the CLI both rely on them):

* **Missing**: an empty cell, or one holding only spaces, is missing. So are the usual markers
  ``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ``-`` and ``?`` (case-insensitive), except in a text
  column, where ``none`` is a value (a plan, a tax exemption of none) and so is ``NA`` among codes such as
  ``EMEA`` and ``APAC`` (North America), as the segments' mixes show them.
* **Numbers stored as text** are recognised where it is safe: surrounding spaces (``" 81 "``),
  thousands separators in the standard 3-digit groups (``"1,234"``, or ``"1.234,5"`` in a file whose
  decimal mark is a comma; a space, a no-break space, a thin space or an apostrophe between groups:
  ``"1 234,56"``, ``"1'234.50"``), a currency sign or code before or after the number (``"$5"``,
  ``"12,50 €"``, ``"USD 12.50"``, ``"kr 100"``: :data:`CURRENCY_MARKS`), a trailing ``%``, and a negative
  written in brackets (``"($1,234.50)"``, accounting exports), with a trailing minus (``"1234.50-"``, SAP)
  or with the minus sign ``−``. One sign and one currency at most: ``"(-5)"`` or ``"$12 €"`` are not numbers.
  ``inf``, ``nan`` and values beyond float64's range are *not* numbers.
* A column is **numeric** when at least 90% of its non-missing cells are numbers; the other cells are
  reported as "not a number" (with examples) and count as missing if the column is used in a model.
* A column is **ID-like** when its name says so (``id``, ``CustomerID``, ``customer_id``, ``uuid``,
  ``key``...) or when every value is different and the values are consecutive whole numbers (1..n),
  whole numbers of six digits or more, or codes without spaces (``7590-VHVEG``); and when it holds whole
  numbers, more distinct ones than a coded column, under a name that says it numbers or codes something
  (``InvoiceNo``, ``order_number``, ``StockCode``, ``ZipCode``, ``PLZ``, ``Phone``: :data:`_NUMBER_NAME`).
* A column is **constant** when it has a single distinct value, **empty** when every cell is missing.
* A column is a **profile** column when its name is one of :data:`PROFILE_COLUMN_NAMES`: the RFM scores
  and purchase dates that :mod:`core.rfm` writes (``r_score``, ``rfm_score``, ``last_purchase``...).
  They describe a customer but are codes or dates, not measurements: never proposed as features, never
  used as a text mix (``rfm_group`` is, like any text column).
* A numeric column is **coded** when it holds whole numbers with few distinct values (at most
  :data:`CODED_MAX_DISTINCT`, or up to :data:`CODED_NAMED_MAX_DISTINCT` when its name says code, region,
  channel, type...), or two values only of any kind (a flag written as 0 or 19.99), in a file with at
  least four rows per value: 0/1 flags, a channel or region stored
  as 1, 2, 3, small counts such as kids at home. Coded columns are **profile columns** too (their mix per
  segment is shown, like Gender's), not proposed features, unless the file has no other numeric column.
* A numeric column of few whole numbers is a **rating**, measured and proposed like any feature, when they fit
  a rating scale (three values or more, none below 0, the highest from 3 to :data:`RATING_TOP`) and its name says
  it rates (:func:`is_rating_name`: rating, score, NPS, satisfaction, "(1-5)"...) or at least
  :data:`RATING_BATTERY` columns share its scale, none below 1, their names not counting things (a survey's "Q1"
  to "Q8").
* A text column is a **date** column when its cells are dates in a common format
  (:data:`core.transform.DATE_FORMATS`); it is offered as the derived feature ``"<column> (days
  since)"`` but not chosen by default, and it is not described as text values in profiles.
* **Summary rows**: among the last :data:`SUMMARY_TAIL` rows, one labelled ``Total``, ``Grand total``,
  ``Average``... in its first filled cell (:data:`SUMMARY_LABELS`), or whose numbers are the sums or means of
  the rows above it (:func:`find_summary_rows`), totals the customers rather than being one. It is reported
  and kept unless the user leaves it out (:func:`without_rows`).
* Each numeric column's **skewness** is reported with a **proposed transform**
  (:func:`core.transform.propose_transform`): ``log`` for strongly right-skewed columns without
  negative values, ``signed_log`` for skewed ones with negatives, ``none`` otherwise.

**Roles** (:attr:`ColumnReport.use`): ``feature`` (proposed for the model), ``repeats another``, ``model
output``, ``map position`` and ``many gaps`` (measured columns offered but not proposed: see
:data:`REDUNDANT_CORRELATION`, :data:`MODEL_OUTPUT_NAME`, :data:`LATITUDE_NAME` and :data:`MANY_GAPS`),
``profile`` (coded numbers and text describing segments, and the RFM columns), ``date``, ``ID-like``,
``constant``, ``free text`` (more different values than :data:`FREE_TEXT_SHARE` of the filled cells) and
``empty``; ``survey timing`` (a survey tool's measure of how long a response took: :data:`SURVEY_TIMING_NAME`,
offered, not proposed). The table of columns (:meth:`QualityReport.to_frame`) says ``feature (many gaps)``, ``feature (coded)``
and so on of a column proposed after all because the file has nothing better.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .transform import (COMPACT_DATE, EPOCH_FORMATS, EXCEL_DAYS, SKEW_SAMPLE, apply_transform, date_format, derived_name,
                        compact_dates_in, days_since_and_placeholders, epoch_format, excel_days_in, is_birth_name,
                        is_last_purchase_name, propose_transform, recency_rank)
from .text import clip, counted, join_words, percent

__all__ = [
    "ColumnReport",
    "QualityReport",
    "check_quality",
    "parse_numeric",
    "ColumnNumbers",
    "missing_mask",
    "MISSING_MARKERS",
    "kept_markers",
    "unknown_codes",
    "codes_text",
    "UNKNOWN_CODES",
    "case_variants",
    "CASE_CHECK_MAX_DISTINCT",
    "NUMERIC_SHARE",
    "PROFILE_COLUMN_NAMES",
    "is_id_name",
    "CODED_MAX_DISTINCT",
    "CODED_NAMED_MAX_DISTINCT",
    "RATING_BATTERY",
    "RATING_TOP",
    "is_rating_name",
    "is_question_name",
    "name_words",
    "rows_with_gaps",
    "CURRENCY_MARKS",
    "CURRENCY_PATTERN",
    "SummaryRow",
    "SUMMARY_LABELS",
    "SUMMARY_TAIL",
    "find_summary_rows",
    "without_rows",
    "RepeatedIds",
    "find_repeated_ids",
    "looks_rounded",
]

#: Cell texts (after stripping spaces, compared case-insensitively) that mean "no value".
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a"})
#: A column is numeric when at least this share of its non-missing cells are numbers.
NUMERIC_SHARE = 0.9
_ID_NAME = re.compile(r"(?i:^(id|ids|uuid|guid|key|clientnum|customernum|customer[ _-]?(no|number|num|code))$)"
                      r"|(?i:[ _\-.](id|ids|uuid|guid|key)$)|[a-z0-9]IDs?$|[a-z0-9]Ids?$")
#: A qualifier in brackets after a name ("Associated Company IDs (Primary)"), read past to tell an identifier.
_BRACKETED_END = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
#: A name that says a column numbers or codes something (an invoice, a product, a post code, a phone): its whole
#: numbers name things rather than measure them. ``InvoiceNo``, ``order_number``, ``StockCode``, ``Product
#: Code``, ``Zip``, ``PLZ``, ``Kundennummer``, ``Cust #``, a column named ``Account`` or ``Customer`` alone; not
#: ``Casino``, ``Number of children`` or ``Account Balance``; a card's ``Last4``.
_NUMBER_NAME = re.compile(
    r"(?i:^(zip|zipcode|postcode|postal|plz|postleitzahl|phone|telephone|mobile|sku|ean|upc|isbn|iban|account|acct|"
    r"client|customer|member|card|cp|cap|zip5|zip4|code[ _\-]?postal)$)|#\s*$"
    # a post code under an address's name (found from outside: WooCommerce's "Billing Postcode")
    r"|(?i:(post[ _\-]?code|postal[ _\-]?code|zip[ _\-]?code)$)"
    r"|(?i:[ _\-.](no|nr|num|number|code|zip|phone|sku|ean|upc|ref|nummer)\.?$)"
    r"|[a-z](No|Nr|Num|Number|Code|Zip|Phone|Sku|Ref)$|(?i:nummer$)"
    # a card's last four digits (Stripe's "Card Last4", a shop's "last_4_digits"): found from outside, a feature
    r"|(?i:last[ _\-]?(4|four)(?![0-9])(?![ _\-]?(weeks?|wks?|months?|mos?|days?|years?|yrs?|quarters?|qtrs?|hours?"
    r"|hrs?|orders?|visits?|purchases?)))"
    # ... or its number's end under a payments name (Square's "PAN Suffix", "Card Ending", "Card Last Digits")
    r"|(?i:^(pan|card)[ _\-]?(suffix|ending|end|last[ _\-]?digits)$)"
    # a card's expiry year (found from outside: Stripe's "Card Exp Year", Recurly's "exp_year", 2024 to 2031, split
    # subscribers by when their card expires)
    r"|(?i:(^|[ _\-.]|card|cc)(exp|expiry|expiration|expires)[ _\-.]?(year|yr|month|mo)$)"
    # the store or branch a customer belongs to (found from outside: a loyalty export's "Home Store", 1001 to 1180,
    # made segments "High home store" and "Low home store"); not a count of store visits or purchases
    r"|(?i:^((home|preferred|main|favou?rite|primary|default|nearest|assigned|registered|signup|sign[ _\-]?up|"
    r"enrol+ment|origin(al)?|usual)[ _\-]?)?(store|branch|shop|outlet)$)")
#: Columns :mod:`core.rfm` writes that are codes or dates (compared case-insensitively): profile only.
PROFILE_COLUMN_NAMES = frozenset({"r_score", "f_score", "m_score", "rfm_score", "first_purchase",
                                  "last_purchase"})
#: A numeric column whose name says it holds another model's output (a churn classifier's score, a predicted
#: value, a probability or propensity): offered as a feature but not proposed (see :attr:`ColumnReport.model_output`).
MODEL_OUTPUT_NAME = re.compile(r"(?i)(classifier|predict|probabilit|propensit)")
#: A survey tool's own measure of a response, not of the respondent: how long it took (Qualtrics' "Duration (in
#: seconds)", "Time taken", "Completion time"). Offered, not proposed. (A learner's "Progress" measures a customer.)
SURVEY_TIMING_NAME = re.compile(r"(?i)^\s*(duration \(in seconds\)|time taken( \(s(ec(onds)?)?\))?|completion time"
                                r"( \(s(ec(onds)?)?\))?|time to complete)\s*$")
#: The last word of a name that says latitude, and of one that says longitude (English, German, French, Spanish,
#: Italian: ``LATITUDE``, ``geo_lat``, ``Breitengrad``, ``lng``). A file's pair of them, each within its range
#: (±90, ±180), is a map position: offered, not proposed (see :attr:`ColumnReport.location`).
LATITUDE_NAME = re.compile(r"(?i)(?:^|[^a-z])(lat|latitude|latitud|latitudine|breitengrad|breite)$")
LONGITUDE_NAME = re.compile(r"(?i)(?:^|[^a-z])(lon|lng|long|longitude|longitud|longitudine|l[aä]ngengrad|laenge"
                            r"|l[aä]nge)$")
#: Thousands grouped by commas where the decimal mark is a point: 3-digit groups, or India's (lakh and crore:
#: ``12,34,567.50``, three digits last and two-digit groups before them, as Tally, Zoho Books and Excel's en-IN
#: format write amounts; found from outside, an Indian export's incomes were free text). No other reading exists.
_POINT_GROUPS = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3})"
_THOUSANDS_POINT_DECIMAL = re.compile(rf"^[-+]?{_POINT_GROUPS}(\.[0-9]+)?$")
_THOUSANDS_COMMA_DECIMAL = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")
#: Currency signs and codes a number may carry before or after it (``$5``, ``12,50 €``, ``USD 12.50``, ``kr 100``);
#: the codes compared case-insensitively. Longer spellings first (``US$`` before ``$``).
CURRENCY_MARKS: tuple[str, ...] = (
    "US$", "A$", "C$", "NZ$", "HK$", "S$", "R$", "$", "€", "£", "¥", "₹", "₽", "₩", "₺", "₪", "₫", "฿", "¢",
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "HUF",
    "RON", "BGN", "INR", "CNY", "RMB", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "TRY", "RUB", "ILS", "AED",
    "SAR", "kr", "zł", "Kč", "Fr.")
#: :data:`CURRENCY_MARKS` as one regular expression's alternatives (for :mod:`core.io`'s decimal mark too).
CURRENCY_PATTERN = "|".join(re.escape(mark) for mark in CURRENCY_MARKS)
_MARK = CURRENCY_PATTERN
#: A number with what exports put around it: a sign, a currency before or after, a %, an accounting
#: negative's brackets around it all, SAP's trailing minus. Brackets and signs are checked in _clean_number.
_AFFIXED = re.compile(rf"^(?P<open>\(\s*)?(?P<sign>[-+]?)\s*(?:(?P<pre>{_MARK})\s*)?(?P<open2>\(\s*)?(?P<sign2>[-+]?)\s*"
                      rf"(?P<body>[\d.,]*\d(?:[ '’\u00a0\u202f\u2009][\d.,]*\d)*(?:[eE][-+]?\d+)?)"
                      rf"\s*(?P<post>{_MARK})?\s*(?P<percent>%)?\s*(?P<close>\))?(?P<trail>-)?$", re.IGNORECASE)
#: Thousands grouped by a space (a no-break one, as French and Nordic spreadsheets write them), an apostrophe
#: (Swiss) or a thin space: the separator is the same throughout, every group 3 digits.
_SPACED_THOUSANDS = re.compile(r"^\d{1,3}(?P<sep>[ '’\u00a0\u202f\u2009])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
# Every text _clean_number could read as a number matches this (RE2 syntax, for pyarrow: Unicode digits and
# spaces as Python's \d and \s): other cells skip the per-cell Python step, so text columns cost no loop.
_MAYBE_NUMBER = (r"^[-+(\x{{2212}}]*{s}*(?:(?i:{mark}){s}*)?[-+(\x{{2212}}]*{s}*[-+\p{{Nd}}.,eE'\x{{2019}}\p{{Z}}]*\p{{Nd}}"
                 r"[-+\p{{Nd}}.,eE'\x{{2019}}\p{{Z}}]*{s}*(?:(?i:{mark}){s}*)?(?:%{s}*)?\)?-?$"
                 .format(s=r"[\s\p{Z}\x{85}\x{0b}\x{1c}-\x{1f}]", mark=_MARK))
_PLAIN_ASCII = r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"
_EXAMPLES = 3
#: What a totals or averages row at the end of an export is labelled with in its first filled cell (compared
#: without case, surrounding spaces or a final colon): such a row is no customer (:attr:`QualityReport.summary_rows`).
SUMMARY_LABELS = frozenset({
    "total", "totals", "grand total", "grand totals", "overall total", "sum", "subtotal", "sub-total", "sub total",
    "average", "averages", "mean", "avg", "summe", "gesamt", "gesamtsumme", "durchschnitt", "total général", "moyenne",
    "totaal", "totale", "totalt", "suma", "summa", "media", "promedio"})
#: Rows at the end of a table looked at for a summary row (exports put totals last).
SUMMARY_TAIL = 3
#: Lines a report export may end with after its totals row, at most: rows whose one filled cell is the first
#: (Salesforce ends a report with "Confidential Information - Do Not Distribute" and a copyright line).
#: They are summary rows too ("footer") when a totals row is found right above them.
FOOTER_LINES = 5
#: A row with no such label is a summary row when each of its numbers (at least two) is the sum or the mean
#: of the rest of its column to this relative tolerance (totals are often rounded)...
SUMMARY_TOLERANCE = 1e-3
#: ... in a table of at least this many rows.
SUMMARY_MIN_ROWS = 5
#: Whole-number columns with at most this many distinct values are codes (flags, small counts).
CODED_MAX_DISTINCT = 6
#: ... or at most this many when the column's name says it is a code.
CODED_NAMED_MAX_DISTINCT = 12
#: Whole-number columns on one rating scale from 1 (1-5, 1-7, 1-10) read as ratings, not codes, when at least this
#: many share it: a battery of survey questions ("Q1" to "Q8"), unnamed as ratings.
RATING_BATTERY = 3
#: The highest answer a rating scale may have (NPS: 0 to 10).
RATING_TOP = 10
#: Words of a column's name that say it holds ratings (whole words, or a word's start for the ``*`` ones).
_RATING_WORDS = frozenset({"rating", "ratings", "rate", "rated", "score", "scores", "nps", "csat", "star", "stars",
                           "importance", "bewertung", "note", "noten", "puntuacion", "puntuación", "valoracion",
                           "valoración"})
_RATING_STARTS = ("satisf", "zufrieden", "recommend", "empfehl", "likel", "agree", "dissatisf")
#: ... a scale written in the name: "(1-5)", "1 to 10", "(0-10)".
_SCALE_IN_NAME = re.compile(r"(?<!\d)[01]\s*(?:-|–|to|bis|à|a)\s*(?:3|4|5|6|7|9|10)(?!\d)")
#: Words of a column's name that say it counts things (kids at home, cars): a small count, not a rating.
_COUNT_WORDS = frozenset({"num", "number", "numbers", "count", "counts", "cnt", "qty", "quantity", "nr", "no",
                          "kid", "kids", "kidhome", "teen", "teens", "teenhome", "child", "children", "dependent",
                          "dependents", "household", "members", "people", "persons", "anzahl", "nombre", "many",
                          "often", "times", "wie", "viele", "combien", "cuantos", "cuántos"})
#: The first words of a survey question without a question mark.
_QUESTION_STARTS = frozenset({"how", "what", "which", "would"})
#: A measured column empty in more than this share of the rows is offered, not proposed, as a feature: a model on
#: it leaves those customers out of the segments (or fills them with one made-up value). Found from outside: a
#: HubSpot export's "Recent Deal Amount", filled for the 10% of contacts with a deal, made the default model segment
#: 1,231 of 12,000; a Klaviyo export's "Average Order Value", empty for the 35% who never ordered, left every
#: subscriber who never bought out of the default segments.
MANY_GAPS = 0.2
#: A measured column's name that says it counts the days since each customer's last purchase ("Days Since Last
#: Order", "Recency"): a date of the last purchase beside it is not proposed as the same recency again.
_RECENCY_MEASURE = re.compile(r"recency|days?[\s_-]*since|days[\s_-]*ago|tage[\s_-]*seit|jours[\s_-]*depuis",
                              re.IGNORECASE)
#: Up to this many such columns are each said in a finding of their own; more are said in one.
GAPPY_SAID_ONE_BY_ONE = 3
#: A numeric column whose name says it totals or counts what a customer did (revenue, spend, orders, visits,
#: sessions, deals...), where a blank most likely means none: its blanks are proposed to be counted as 0 when no
#: 0 is written in it. Found from outside: HubSpot leaves "Total Revenue" empty for the 88% of contacts who never
#: bought, and often its counts too; such a column had "many gaps" and a model on it left those contacts out.
BLANK_ZERO_NAME = re.compile(
    r"(?i)(revenue|spend|spent|sales|purchase|order|deal|visit|session|page ?views?|click|opens?\b|download"
    r"|transaction|donation|gift|refund|return|amount|total|lifetime value|\bltv\b|\bclv\b|count|\bnumber of"
    r"|\bnum\b|#|\btimes\b|quantity|\bqty\b|\bunits\b|items|tickets|calls|complaints|bookings|trips|points)")
#: ... unless the name says a score, an average, a rate, a time or a date (an average order value is not 0 for a
#: customer who never ordered: it has no value), or a company's size (found from outside: a Salesforce accounts
#: report's "Annual Revenue", not known for 15% of the accounts, was proposed as none).
_NOT_BLANK_ZERO_NAME = re.compile(
    r"(?i)(score|rating|rank|index|average|\bavg|\bmean|median|\bper\b|rate|ratio|percent|%|share|\bdays?\b"
    r"|since|\bage\b|date|\btime\b|\bid\b|last|first|recent"
    r"|(annual|yearly|company)[\s_-]*(revenue|turnover)|employees)")
#: Up to this many columns with missing values are each said in a finding of their own; more are said in one.
MISSING_SAID_ONE_BY_ONE = 8
#: A text column with more different values than this share of its filled cells is free text (names, addresses,
#: comments, phone numbers), not a profile column: a mix of that many values says nothing about a segment.
#: Found from outside: a shop's phone numbers and zip codes, 7,998 and 7,675 values in 8,000 rows.
FREE_TEXT_SHARE = 0.5
#: A measured column whose correlation with an earlier proposed feature is at least this (in absolute value,
#: after the proposed transforms: one explains 95% of the other's variance) repeats it: it is not proposed.
#: Real exports hold such pairs (a column copied under another name, two probabilities that add up to one,
#: an amount in two units); each would count twice in the model. Merely related columns (order count and
#: total spend, r ~ 0.9) stay proposed.
REDUNDANT_CORRELATION = 0.975
#: ... and at least this within the lower and the upper half of the earlier column (see ``_repeats``).
REDUNDANT_WITHIN = 0.5
#: Rows (evenly spread through the file) on which correlations between columns are measured.
REDUNDANCY_SAMPLE = 100_000
_CODE_NAME = re.compile(r"(?i)(code|region|channel|type|category|class|group|segment|status|flag|level|"
                        r"tier|area|zone|branch)s?$")


#: The part of the calendar a column's name may say it holds, and that part's whole numbers: a month (1-12), a
#: weekday (0-7: Sunday is 0 or 7) or a quarter (1-4).
_CALENDAR_WORDS: dict[str, tuple[int, int]] = {"month": (1, 12), "mth": (1, 12), "weekday": (0, 7), "dow": (0, 7),
                                               "quarter": (1, 4), "qtr": (1, 4)}
#: Words before "month" that make the column a count or amount over a month, not the month ("Orders this month",
#: "Visits per month", "Spend last month").
_OVER_A_MONTH = frozenset({"this", "last", "per", "a", "each", "every", "next", "past", "previous", "prior",
                           "current", "one", "first", "that"})
#: Words anywhere before "month" that make the column a count or amount over a month, not the month
#: ("NumWebVisitsMonth", "Number of visits month", "TotalOrdersMonth").
_COUNTED_OVER = frozenset({"num", "number", "count", "cnt", "total", "sum", "avg", "average", "mean", "qty",
                           "quantity", "amount", "amt"})


def _calendar_range(name: str) -> tuple[int, int] | None:
    """The whole numbers of the part of the calendar a column's name says it holds ("Enrollment Month": 1-12,
    "Day of Week": 0-7, "Signup Quarter": 1-4), else None ("Orders this month", "Tenure (months)", a count named as one
    before it: "NumWebVisitsMonth")."""
    words = name_words(name)
    for i, word in enumerate(words):
        if word in _CALENDAR_WORDS and (i == 0 or words[i - 1] not in _OVER_A_MONTH) \
                and _COUNTED_OVER.isdisjoint(words[:i]):
            return _CALENDAR_WORDS[word]
        if words[i:i + 3] == ["day", "of", "week"]:
            return _CALENDAR_WORDS["weekday"]
    return None


#: A column name's words run together that say it holds a time zone's offset from UTC (Mailchimp's GMTOFF and
#: DSTOFF, "utc_offset", "Time zone offset"): where a customer is, not a measure of what they do.
_UTC_OFFSET_NAMES = frozenset({"gmtoff", "dstoff", "utcoff", "gmtoffset", "utcoffset", "dstoffset", "tzoffset",
                               "timezoneoffset", "zoneoffset", "offsetfromutc", "offsetfromgmt", "offsetutc",
                               "offsetgmt"})


def is_utc_offset_name(name: str) -> bool:
    """Whether a column's name says it holds a time zone's offset from UTC (:data:`_UTC_OFFSET_NAMES`)."""
    return "".join(name_words(name)) in _UTC_OFFSET_NAMES


def name_words(name: str) -> list[str]:
    """A column name's words, lower case (camelCase and punctuation split: "NumWebVisits" -> num, web, visits):
    how the data check and the segment names (:mod:`core.insight.naming`) read a name."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(name))
    return [w for w in re.split(r"[^0-9a-zà-ÿ]+", text.lower()) if w]


#: Words of a column name that say it holds a moment: with Unix-time numbers (:func:`core.transform.epoch_format`),
#: a date column ("created_at", "last_seen_ms", "signupTimestamp").
TIME_NAME_WORDS: frozenset[str] = frozenset({
    "at", "date", "time", "timestamp", "ts", "datetime", "epoch", "seen", "created", "updated", "modified",
    "signup", "joined", "registered", "login", "logged", "active", "activity"})


def is_time_name(name: str) -> bool:
    """Whether a column's name says it holds a moment (:data:`TIME_NAME_WORDS`)."""
    return not TIME_NAME_WORDS.isdisjoint(name_words(name))


#: A column's name that says it holds dates (``Last Purchase Date``, ``signup_date``, ``Datum``, ``Fecha``), not
#: only a moment's words (``time``: a time on site in seconds can fall where a spreadsheet's day numbers do).
_DATE_NAME = re.compile(r"(?i)date|datum|fecha|(?<![a-z])data(?![a-z])|yyyymmdd|(?<![a-z])dt(?![a-z])")


def is_date_name(name: str) -> bool:
    """Whether a column's name says it holds dates (:data:`_DATE_NAME`): a number column of a spreadsheet's day
    numbers under such a name is a date column (:func:`core.transform.excel_days_in`)."""
    return bool(_DATE_NAME.search(str(name)))


def is_question_name(name: str) -> bool:
    """Whether a column's name is a survey question: it asks ("?"), or starts with how, what, which or would (not
    "Do not email")."""
    words = name_words(name)
    return "?" in str(name) or bool(words) and words[0] in _QUESTION_STARTS


def is_rating_name(name: str) -> bool:
    """Whether a column's name says it holds ratings: rating, score, NPS, CSAT, stars, satisfaction, likely to
    recommend, agree (and their German, French and Spanish words), a scale such as "(1-5)", or a survey question
    that does not count ("How easy was it to order?", not "How many children do you have?")."""
    words = name_words(name)
    return (any(w in _RATING_WORDS or w.startswith(_RATING_STARTS) for w in words)
            or bool(_SCALE_IN_NAME.search(str(name)))
            or is_question_name(name) and not _COUNT_WORDS.intersection(words))


def _rating_scale(finite: np.ndarray) -> tuple[int, int] | None:
    """``(lowest, highest)`` answer of whole numbers that fit a rating scale (none below 0, the highest from 3 to
    :data:`RATING_TOP`; a question nobody answered 1 still rates), else None."""
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    return (int(low), int(high)) if low >= 0 and 3 <= high <= RATING_TOP else None


def _standard_top(high: int) -> int:
    """The scale a highest answer belongs to: 5 (4-5), 7 (6-7) or 10 (8-10)."""
    return 5 if high <= 5 else 7 if high <= 7 else 10


def _mark_ratings(reports: tuple[ColumnReport, ...]) -> tuple[ColumnReport, ...]:
    """Read as ratings the coded columns of a battery: at least :data:`RATING_BATTERY` of them on one scale, none
    below 1 (1-5, 1-7, 1-10), their names not saying they count things (kids at home, number of cars)."""
    batteries: dict[int, list[ColumnReport]] = {}  # (the ratings by name count in their scale's battery)
    for r in reports:
        if ((r.coded or r.rating) and r.scale is not None and r.scale[0] >= 1 and r.scale[1] >= 4
                and not _COUNT_WORDS.intersection(name_words(r.name))):
            batteries.setdefault(_standard_top(r.scale[1]), []).append(r)
    rated = {r.name for battery in batteries.values() if len(battery) >= RATING_BATTERY for r in battery if r.coded}
    if not rated:
        return reports
    return tuple(replace(r, coded=False, rating=True) if r.name in rated else r for r in reports)


def _written_as(fmt: str | None) -> str:
    """How a date column written as numbers writes its dates, for the data check's finding ("" for written
    dates): the user sees 33479 in the first rows and is told why it is a date."""
    if fmt == EXCEL_DAYS:
        return " written as a spreadsheet's day numbers (days since 30 December 1899)"
    if fmt in EPOCH_FORMATS:
        return f" written as Unix time ({'milliseconds' if EPOCH_FORMATS[fmt] == 'ms' else 'seconds'} since 1970)"
    if fmt == COMPACT_DATE:
        return " written as eight digits, year, month and day (20240115)"
    return ""


def is_id_name(name: str) -> bool:
    """Whether a column's name alone marks it as an identifier (``CustomerID``, ``customer_id``, ``key``)."""
    return bool(_ID_NAME.search(_BRACKETED_END.sub("", name.strip()) or name.strip()))


def missing_mask(values: pd.Series) -> np.ndarray:
    """Return a boolean array: True where a text cell counts as missing."""
    lowered = values.astype(str).str.strip().str.lower()
    return lowered.isin(MISSING_MARKERS).to_numpy(dtype=bool)


def parse_numeric(values: pd.Series, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of text cells into numbers.

    Parameters
    ----------
    values : pandas.Series
        Text cells as read by :func:`core.io.read_table`.
    decimal : str
        The file's decimal mark, ``"."`` or ``","``.

    Returns
    -------
    numbers : numpy.ndarray of float64
        The value of each cell; NaN where the cell is missing or is not a number. Often read-only (pyarrow's
        own buffer, not copied): copy it before changing it.
    invalid : numpy.ndarray of bool
        True where the cell is not missing but is not a (finite) number either.

    A column of durations (``00:03:25``, ``45:10``) is read as seconds (:func:`_read_durations`). Answers written
    as words of a scale and numbers written with a unit are read by :func:`parse_columns` only (the model's
    numbers), not here: a workbook written for people keeps "Agree" and "3 years" (:func:`core.deliver.to_xlsx_bytes`).
    """
    numbers, invalid = _parse_cells(values, decimal)
    if invalid.any():
        _read_durations(values.astype(str), numbers, invalid)
    return numbers, invalid


def _parse_cells(values: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_numeric` cell by cell, without the rules that look at the whole column (durations): the
    cells may be several columns one after the other (:func:`parse_columns`)."""
    text = values.astype(str)
    if decimal == "." and (text.size <= DISTINCT_PARSE_ROWS or _all_plain(text.head(DISTINCT_PARSE_ROWS)) is not None):
        # (a failed cast costs as much as a whole one: tried on the first cells, then on all)
        plain = _all_plain(text)
        if plain is not None:  # the usual numeric column: done without stripping and lowercasing every cell
            return plain, np.zeros(plain.size, dtype=bool)
    if text.size > DISTINCT_PARSE_ROWS and text.head(DISTINCT_PARSE_ROWS).nunique() * 2 <= DISTINCT_PARSE_ROWS:
        # few distinct texts (Gender, Region, a code): each is parsed once, every cell takes its answer
        # (pyarrow's own encoding: pandas.factorize spent a third more converting its codes)
        encoded = _arrow_text(text).dictionary_encode(null_encoding="encode").combine_chunks()
        distinct = encoded.dictionary
        if len(distinct) * 2 <= text.size:
            cells = pd.Series(distinct.to_numpy(zero_copy_only=False), dtype=text.dtype)
            numbers, invalid = _parse_text(cells, decimal)
            codes = encoded.indices.to_numpy()
            return numbers[codes], invalid[codes]
    return _parse_text(text, decimal)


#: Cells from which :func:`parse_numeric` parses each distinct text once (when the first this many cells
#: hold at most half as many distinct texts), instead of every cell: a text column's full rules (missing
#: markers, spaces, currency) cost 0.6 s per million cells, its distinct values a few milliseconds.
DISTINCT_PARSE_ROWS = 10_000


def _parse_text(text: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_numeric` of ``str`` cells, cell by cell (by pyarrow's compute functions)."""
    text = text.str.strip()
    missing = (text.str.lower().isin(MISSING_MARKERS) | text.isna()).to_numpy(dtype=bool)
    if decimal == ",":
        fast_text = text.str.replace(",", ".", regex=False)
        fast_text = fast_text.where(~text.str.contains(".", regex=False), "x")
    else:
        fast_text = text
    numbers = _floats(fast_text, missing)
    todo = np.isnan(numbers) & ~missing
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers)
    if bad.any() and not numbers.flags.writeable:  # (bad holds todo's cells)
        numbers = numbers.copy()  # changed below: pyarrow's buffer is copied only then
    if todo.any():
        maybe = pc.fill_null(pc.match_substring_regex(_arrow_text(text), _MAYBE_NUMBER), False)
        todo &= maybe.to_numpy(zero_copy_only=False)
    todo = np.flatnonzero(todo)
    if todo.size:
        numbers[todo] = _clean_numbers(text.iloc[todo], decimal)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(numbers)
    if bad.any():
        numbers[bad] = np.nan
    invalid = bad & ~missing
    if invalid.any():
        _read_abbreviated(text, decimal, numbers, invalid)
    return numbers, invalid


#: An amount shortened as dashboards and BI reports export it: ``$17.0K``, ``1.2M``, ``€3.4bn``, ``₹1.2 Cr`` (the
#: number as :func:`_clean_number` reads it, then a thousand, million, billion, lakh or crore: :data:`ABBREVIATIONS`).
#: What each abbreviation multiplies by (a lone ``m`` is left alone: minutes, metres; a lone ``L`` too: litres).
ABBREVIATIONS = {"K": 1e3, "k": 1e3, "MM": 1e6, "M": 1e6, "B": 1e9, "bn": 1e9, "Bn": 1e9,
                 **{word: 1e5 for word in ("lakh", "lakhs", "Lakh", "Lakhs", "lac", "lacs", "Lac", "Lacs")},
                 **{word: 1e7 for word in ("Cr", "cr", "crore", "crores", "Crore", "Crores")}}
_UNITS = "|".join(sorted(ABBREVIATIONS, key=len, reverse=True))  # (longest first: "lakhs" before "lakh")
#: (An accounting negative's closing bracket or SAP's trailing minus may follow the unit: ``($1.5K)``, ``1.5K-``.)
_ABBREVIATED = re.compile(rf"^(?P<number>.*\d)\s?(?P<unit>{_UNITS})(?P<after>[)-]?)$")
_ABBREVIATED_LOOK = re.compile(rf"\d\s?(?:{_UNITS})[)-]?$")  # (the same cells, without groups: a quick look)


def _invalid_sample(invalid: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the cells ``invalid`` marks, and ``size`` of them spread evenly over the column: what the
    readers of written numbers (shortened amounts, durations, answers as words, units) look at before a pass over
    every cell."""
    positions = np.flatnonzero(invalid)
    return positions, positions[np.linspace(0, positions.size - 1, min(positions.size, size)).astype(int)]


def first_written(values: pd.Series, count: int, among: int | None = None) -> pd.Series:
    """A column's first ``count`` written cells, stripped, as text, of its first ``among`` cells (ten times
    ``count`` by default)."""
    shown = values.head(10 * count if among is None else among).dropna().astype(str).str.strip()
    return shown[shown != ""].head(count)


def _read_abbreviated(text: pd.Series, decimal: str, numbers: np.ndarray, invalid: np.ndarray) -> None:
    """Read the cells ``invalid`` marks that are shortened amounts (:data:`_ABBREVIATED`) into ``numbers`` (and
    clear their ``invalid``), in place. Found from outside: a BI report's lifetime values written ``$17.0K`` and
    ``$1.2M`` made the column text, its 666 values shown as a mix per segment."""
    positions, look = _invalid_sample(invalid, 1_000)
    if not text.iloc[look].str.contains(_ABBREVIATED_LOOK).any():  # names, e-mails, codes: no pass over every cell
        return
    found = text.iloc[positions].str.extract(_ABBREVIATED)
    shortened = found["number"].notna().to_numpy()
    if not shortened.any():
        return
    at = positions[shortened]
    values = _clean_numbers((found["number"][shortened].astype(str) + found["after"][shortened].fillna("").astype(str))
                            .str.strip(), decimal)
    values = values * found["unit"][shortened].map(ABBREVIATIONS).to_numpy(dtype=float)
    read = np.isfinite(values)
    numbers[at[read]] = values[read]
    invalid[at[read]] = False


#: A duration as exports write it: ``h:mm:ss`` (Google Analytics' "Avg. Session Duration" ``00:03:25``, a call
#: centre's talk time ``1:02:33``) or ``m:ss`` (``45:10``); fractions of a second allowed.
_DURATION = re.compile(r"^(?:(?P<h>\d{1,4}):(?P<m3>[0-5]\d)|(?P<m2>\d{1,4})):(?P<s>[0-5]\d(?:\.\d+)?)$")
_DURATION_LOOK = re.compile(r"^\d{1,4}:\d\d(?::\d\d)?(?:\.\d+)?$")  # (the same cells, without groups: a quick look)
#: A column of ``h:mm:ss`` cells whose hour is 0 in at least this share of them holds durations (minutes long),
#: not times of day (which spread over the day's hours).
DURATION_ZERO_HOURS = 0.9
#: A column name that says it holds durations: its ``m:ss`` and ``h:mm:ss`` cells are durations whatever their
#: hours ("AHT" 4:35, "Talk time" 1:02:33; not "Last login time").
DURATION_NAME = re.compile(
    r"(?i)duration|length|dauer|durée|duración|(?<![a-z])aht(?![a-z])|(?<![a-z])time[\s_-]*(?:on|in|spent)(?![a-z])"
    r"|(?<![a-z])(?:talk|handle|handling|hold|wait|waiting|watch|watching|viewing|listening|play|playing|ring)"
    r"[\s_-]*time(?![a-z])")


def _read_durations(text: pd.Series, numbers: np.ndarray, invalid: np.ndarray) -> None:
    """Read the cells ``invalid`` marks that are durations (:data:`_DURATION`) into ``numbers`` as seconds (and
    clear their ``invalid``), in place, when the column's durations cannot be times of day: its name says so
    (:data:`DURATION_NAME`, ``text.name``), an hour of 24 or more (``37:12:05``), a first part of 24 or more
    in ``m:ss`` (``45:10``), or an hour of 0 in at least :data:`DURATION_ZERO_HOURS` of the ``h:mm:ss`` cells
    (``00:03:25``). A column of times (``14:22``, ``09:05:00``) stays text. Found from outside: a Google
    Analytics export's "Avg. Session Duration" (``00:08:54``) was a text column of 517 values, shown as a mix per
    segment instead of a feature."""
    positions, look = _invalid_sample(invalid, 1_000)
    if not text.iloc[look].str.strip().str.contains(_DURATION_LOOK).any():  # names, e-mails: no pass over every cell
        return
    # each distinct text once (a column of times of day has at most 86,400), every cell takes its answer
    codes, distinct = pd.factorize(text.iloc[positions].str.strip())
    found = pd.Series(distinct, dtype="str").str.extract(_DURATION)
    cells = np.bincount(codes[codes >= 0], minlength=len(distinct))  # how many cells hold each distinct text
    matched = found["s"].notna().to_numpy()
    if not matched.any():
        return
    hours = pd.to_numeric(found["h"]).to_numpy(dtype=float)
    minutes = pd.to_numeric(found["m3"].fillna(found["m2"])).to_numpy(dtype=float)
    three = matched & ~np.isnan(hours)
    two = matched & np.isnan(hours)
    if not (DURATION_NAME.search(str(text.name or "")) or (hours[three] >= 24).any() or (minutes[two] >= 24).any()
            or cells[three].sum() and cells[three & (hours == 0)].sum() >= DURATION_ZERO_HOURS * cells[three].sum()):
        return  # times of day
    seconds = np.nan_to_num(hours) * 3600 + minutes * 60 + pd.to_numeric(found["s"]).to_numpy(dtype=float)
    read = matched[codes] & (codes >= 0)
    numbers[positions[read]] = seconds[codes[read]]
    invalid[positions[read]] = False


#: Answers on a scale written as words (a survey export's choice text, as SurveyMonkey and Qualtrics write it by
#: default): each scale's words from its low end to its high end, each with the number it is read as. A word has the
#: same number in every file, whichever answers a file holds (a model saved on one export scores the next alike):
#: a seven-point agreement's "Somewhat agree" is 3.5 between "Agree" (4) and the middle (3), a five-point one's
#: answers are 1 to 5. A column is read on the first scale, in this order, that holds every answer.
SCALE_WORDS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("strongly disagree", 1), ("disagree", 2), ("somewhat disagree", 2.5), ("neither agree nor disagree", 3),
     ("somewhat agree", 3.5), ("agree", 4), ("strongly agree", 5)),
    (("very dissatisfied", 1), ("dissatisfied", 2), ("somewhat dissatisfied", 2.5),
     ("neither satisfied nor dissatisfied", 3), ("somewhat satisfied", 3.5), ("satisfied", 4), ("very satisfied", 5)),
    (("not at all satisfied", 1), ("slightly satisfied", 2), ("moderately satisfied", 3), ("very satisfied", 4),
     ("extremely satisfied", 5)),
    (("very unlikely", 1), ("unlikely", 2), ("somewhat unlikely", 2.5), ("neither likely nor unlikely", 3),
     ("somewhat likely", 3.5), ("likely", 4), ("very likely", 5)),
    (("not at all likely", 1), ("not very likely", 2), ("somewhat likely", 3), ("very likely", 4),
     ("extremely likely", 5)),
    (("very poor", 0), ("poor", 1), ("fair", 2), ("good", 3), ("very good", 4), ("excellent", 5)),
    (("very bad", 1), ("bad", 2), ("neither good nor bad", 3), ("good", 4), ("very good", 5)),
    (("never", 1), ("rarely", 2), ("sometimes", 3), ("often", 4), ("always", 5)),
    (("not at all important", 1), ("slightly important", 2), ("moderately important", 3), ("very important", 4),
     ("extremely important", 5)),
    (("very difficult", 1), ("difficult", 2), ("neither easy nor difficult", 3), ("easy", 4), ("very easy", 5)),
    # German, French and Spanish agreement and satisfaction, as survey tools write them in those languages
    (("stimme gar nicht zu", 1), ("stimme überhaupt nicht zu", 1), ("stimme nicht zu", 2),
     ("stimme eher nicht zu", 2), ("teils/teils", 3), ("teils, teils", 3), ("weder noch", 3), ("neutral", 3),
     ("stimme eher zu", 4), ("stimme zu", 4), ("stimme voll zu", 5), ("stimme voll und ganz zu", 5)),
    (("sehr unzufrieden", 1), ("unzufrieden", 2), ("eher unzufrieden", 2.5), ("weder zufrieden noch unzufrieden", 3),
     ("neutral", 3), ("eher zufrieden", 3.5), ("zufrieden", 4), ("sehr zufrieden", 5)),
    (("pas du tout d'accord", 1), ("pas d'accord", 2), ("plutôt pas d'accord", 2), ("ni d'accord ni pas d'accord", 3),
     ("neutre", 3), ("plutôt d'accord", 4), ("d'accord", 4), ("tout à fait d'accord", 5)),
    (("très insatisfait", 1), ("pas du tout satisfait", 1), ("insatisfait", 2), ("peu satisfait", 2), ("neutre", 3),
     ("satisfait", 4), ("assez satisfait", 4), ("très satisfait", 5)),
    (("totalmente en desacuerdo", 1), ("en desacuerdo", 2), ("ni de acuerdo ni en desacuerdo", 3), ("neutral", 3),
     ("de acuerdo", 4), ("totalmente de acuerdo", 5)),
    (("muy insatisfecho", 1), ("insatisfecho", 2), ("ni satisfecho ni insatisfecho", 3), ("neutral", 3),
     ("satisfecho", 4), ("muy satisfecho", 5)),
)
#: The middle answer of a scale that has one ("neither ... nor ..."), as many surveys write it.
_NEUTRAL = "neutral"
#: Answers that place nobody on the scale: read as missing, like a blank answer (said by the data check).
NO_ANSWER_WORDS = frozenset({"don't know", "do not know", "not sure", "n/a", "not applicable", "prefer not to say",
                             "prefer not to answer", "no opinion", "unsure", "weiß nicht", "keine angabe",
                             "je ne sais pas", "ne sais pas", "no sé", "no lo sé", "ns/nc"})
_ALL_SCALE_WORDS = frozenset(w for scale in SCALE_WORDS for w, _ in scale) | {_NEUTRAL}


def _scale_word(text: str) -> str:
    """An answer as :data:`SCALE_WORDS` write it: lower case, one space between words, a straight apostrophe."""
    return " ".join(str(text).replace("\u2019", "'").lower().split())


def _scale_of(answers: Iterable[str]) -> dict[str, float] | None:
    """``{word: number}`` of the first of :data:`SCALE_WORDS` that holds every one of ``answers`` (scale words,
    three or more different ones; "neutral" for its middle answer, not beside it), or None."""
    said = {a for a in answers if a not in NO_ANSWER_WORDS}
    if len(said) < 3:
        return None
    for scale in SCALE_WORDS:
        places = dict(scale)
        middle = next((w for w in places if w.startswith("neither ")), None)
        if middle is not None:
            places[_NEUTRAL] = places[middle]
        if said <= set(places) and not (middle is not None and {_NEUTRAL, middle} <= said):
            return places
    return None


def scale_words(values: pd.Series) -> tuple[str, ...]:
    """The words of a scale (:data:`SCALE_WORDS`) a column's answers are written in, as found in its first written
    cells (200 at most), low end first, or ``()``: those cells are all words of one scale or answers that place nobody
    (:data:`NO_ANSWER_WORDS`), three different scale words at least. The data check's flag; :func:`parse_columns`
    reads every cell."""
    if not first_written(values, 20, among=20).map(_scale_word).isin(_ALL_SCALE_WORDS).any():  # numbers: one look
        return ()
    answers = first_written(values, 200).map(_scale_word)
    if answers.empty or not answers.isin(_ALL_SCALE_WORDS | NO_ANSWER_WORDS).all():
        return ()
    places = _scale_of(answers.unique())
    return () if places is None else tuple(sorted(set(answers) & set(places), key=places.__getitem__))


def scale_ticks(values: pd.Series) -> tuple[tuple[float, str], ...]:
    """``(number, answer)`` of each answer of a column written as words of a scale (:func:`scale_words`), low end
    first, as a chart ticks its axis ("Strongly disagree" at 1 ... "Strongly agree" at 5); ``()`` for another
    column."""
    words = scale_words(values)
    places = _scale_of(words) or {}
    return tuple((places[w], w.capitalize()) for w in words)


def _scale_numbers(words: tuple[str, ...]) -> str:
    """How a column's scale words are read, for the data check's finding: ``'Strongly disagree' = 1,
    'Disagree' = 2, ...``."""
    places = _scale_of(words) or {}
    return ", ".join(f"{w.capitalize()!r} = {places[w]:g}" for w in words)


#: Units a number is written with in a customer export ("3 years", "45 min", "12 kg"), each with its other spellings:
#: a column whose every number is written with one of them is read as those numbers (:func:`_read_units`).
UNITS: dict[str, tuple[str, ...]] = {
    "seconds": ("sec", "secs", "second", "seconds"), "minutes": ("min", "mins", "minute", "minutes"),
    "hours": ("hr", "hrs", "hour", "hours"), "days": ("day", "days"), "weeks": ("wk", "wks", "week", "weeks"),
    "months": ("mo", "mos", "mth", "mths", "month", "months"), "years": ("yr", "yrs", "year", "years"),
    "kg": ("kg", "kgs"), "lb": ("lb", "lbs"), "km": ("km",), "miles": ("mi", "mile", "miles"),
    "items": ("item", "items", "pc", "pcs", "piece", "pieces", "unit", "units"), "orders": ("order", "orders"),
    "visits": ("visit", "visits"), "points": ("pt", "pts", "point", "points"),
}
_UNIT_OF = {spelling: unit for unit, spellings in UNITS.items() for spelling in spellings}
_WITH_UNIT = re.compile(r"^\s*(?P<number>[-+]?\d+(?:[.,]\d+)?)\s*(?P<unit>[A-Za-z]+)\.?\s*$")


def number_unit(values: pd.Series) -> str | None:
    """The unit (:data:`UNITS`) a column's first written cells (200 at most) are all numbers written with, one
    unit for all ("3 years", "1 year"), or None: the data check's flag for its finding; :func:`parse_columns` reads
    every cell."""
    if not first_written(values, 20, among=20).str.contains(r"\d\s*[A-Za-z]").any():  # numbers: one look
        return None
    found = first_written(values, 200).str.extract(_WITH_UNIT)
    units = found["unit"].str.lower().map(_UNIT_OF)
    return None if found.empty or units.isna().any() or units.nunique() != 1 else str(units.iloc[0])


def _read_units(text: pd.Series, numbers: np.ndarray, invalid: np.ndarray, decimal: str) -> None:
    """Read the cells ``invalid`` marks into ``numbers``, in place, when every one of them is a number written with
    one unit (:data:`UNITS`: "3 years", "1 year", "45 min"), the unit dropped. Found from outside: a CRM export's
    "Tenure" written "3 years" and an analytics export's "Avg. session" written "5 min" were text columns, a mix per
    segment of every different value."""
    positions, look = _invalid_sample(invalid, 200)
    if not text.iloc[look].str.match(_WITH_UNIT).all():  # names, e-mails: no pass over every cell
        return
    codes, distinct = pd.factorize(text.iloc[positions])  # each distinct text once
    found = pd.Series(distinct, dtype="str").str.extract(_WITH_UNIT)
    units = found["unit"].str.lower().map(_UNIT_OF)
    if units.isna().any() or units.nunique() != 1:  # one unit for all: "45 min" beside "1 hour" stays text
        return
    number = (found["number"].str.replace(",", ".", regex=False) if decimal == ","
              else found["number"].str.replace(r",(?=\d{3}$)", "", regex=True))  # "1,500 km"
    values = pd.to_numeric(number, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():  # "7,5 kg" in a file of decimal points
        return
    read = codes >= 0
    numbers[positions[read]] = values[codes[read]]
    invalid[positions[read]] = False


def _read_scale_words(text: pd.Series, numbers: np.ndarray, invalid: np.ndarray) -> None:
    """Read the cells ``invalid`` marks into ``numbers`` as their numbers on a scale (:data:`SCALE_WORDS`), in place,
    when every one of them is a word of one scale or an answer that places nobody (read as missing: NaN, not
    invalid). Found from outside: a survey export whose answers were written as words ("Somewhat agree") had no
    numeric column, and nothing could be segmented."""
    positions, look = _invalid_sample(invalid, 200)
    if not text.iloc[look].map(_scale_word).isin(_ALL_SCALE_WORDS | NO_ANSWER_WORDS).all():  # names: no pass
        return
    codes, distinct = pd.factorize(text.iloc[positions])  # each distinct answer once
    answers = [_scale_word(a) for a in distinct]
    places = _scale_of(answers)
    if places is None or not set(answers) <= set(places) | NO_ANSWER_WORDS:
        return
    read = codes >= 0
    numbers[positions[read]] = np.array([places.get(a, np.nan) for a in answers])[codes[read]]
    invalid[positions[read]] = False


#: At most this many answers make a question whose cells hold several of them (:func:`choices_of`).
MAX_CHOICES = 30
#: ... and at most this many different cells (every way of ticking 14 of 30 answers would be more).
MAX_CHOICE_CELLS = 20_000


def choices_of(values: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray] | None:
    """The answers of a column whose cells each hold one or several of a few of them, joined by commas or
    semicolons (a survey's checkbox question, as Google Forms and Typeform write it: "Reports, Dashboards"), and which
    of them each of ``values`` (its distinct cells) holds (a values x answers array of 0/1); None for another
    column. A fifth of the distinct cells at least hold several answers, there are 2 to :data:`MAX_CHOICES` answers,
    and nearly every answer (four in five) is in two cells or more: "Berlin, Germany" beside "Paris, France" is
    no such column."""
    if len(values) > MAX_CHOICE_CELLS:  # (a column of that many different cells holds no few answers)
        return None
    texts = [str(v) for v in values]
    for separator in (";", ","):
        parts = [[p.strip() for p in text.split(separator) if p.strip()] for text in texts]
        if sum(len(p) > 1 for p in parts) < max(2, len(texts) / 5):
            continue
        seen = Counter(p for answers in parts for p in set(answers))
        answers = sorted(seen)
        if not 2 <= len(answers) <= MAX_CHOICES or sum(seen[a] >= 2 for a in answers) < 0.8 * len(answers):
            continue
        position = {a: i for i, a in enumerate(answers)}
        held = np.zeros((len(texts), len(answers)))
        for row, found in enumerate(parts):
            held[row, [position[a] for a in found]] = 1.0
        return tuple(answers), held
    return None


def is_duration_text(values: pd.Series) -> bool:
    """Whether a column's first written cells are durations as :func:`parse_numeric` reads them (``00:03:25``,
    ``45:10``): said by the data check, as the column's numbers are seconds."""
    return bool(first_written(values, 20).str.contains(_DURATION_LOOK).any())


def _arrow_text(text: pd.Series) -> pa.ChunkedArray:
    """The cells of a ``str`` Series as pyarrow strings (without a copy when pyarrow already holds them)."""
    to_arrow = getattr(text.array, "__arrow_array__", None)
    found = to_arrow() if to_arrow is not None else pa.array(text.to_numpy(dtype=object), pa.large_string())
    return found if isinstance(found, pa.ChunkedArray) else pa.chunked_array([found])


def _all_plain(text: pd.Series) -> np.ndarray | None:
    """The numbers of a column whose every cell is a plain finite number as written (no spaces, no missing
    marker, no thousands separator...), else None. pyarrow's cast refuses any other text, and gives NaN or
    inf for the nan/inf spellings (then None too), so this is exactly what the full rules give."""
    try:
        numbers = pc.cast(_arrow_text(text), pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    if not np.isfinite(numbers).all():
        return None
    return numbers  # (read-only when it is pyarrow's buffer: no copy of 80 MB per 10^7 cells to make it writeable)


def _floats(text: pd.Series, missing: np.ndarray) -> np.ndarray:
    """float64 of the cells that are plain ASCII numbers, NaN elsewhere: pyarrow's correctly rounded parser
    (as Python's float()), about 8x faster than pandas.to_numeric on text.

    A column whose every present cell casts is done in one step: pyarrow reads as finite exactly the texts
    _PLAIN_ASCII matches (checked on every short text of digits, signs, points, letters of inf/nan/hex),
    and what else it reads (inf, nan) is not finite, so it ends as NaN all the same.
    """
    cells = _arrow_text(text)
    if missing.any():
        cells = pc.if_else(pa.chunked_array([missing]), None, cells)
    try:
        numbers = pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        plain = pc.if_else(pc.match_substring_regex(cells, _PLAIN_ASCII), cells, None)
        numbers = pc.cast(plain, pa.float64()).to_numpy(zero_copy_only=False)
    return numbers  # (read-only when it is pyarrow's buffer)


#: :data:`_AFFIXED` for pyarrow (RE2: ASCII digits; a cell with digits of another script is not matched and goes
#: through :func:`_clean_number` itself, as does one with a space at either end that pyarrow does not strip).
_S = r"[\s\p{Z}\x{85}\x{0b}\x{1c}-\x{1f}]"  # Python's \s, in RE2
_AFFIXED_RE2 = (rf"^(?P<open>\({_S}*)?(?P<sign>[-+]?){_S}*(?:(?P<pre>(?i:{_MARK})){_S}*)?(?P<open2>\({_S}*)?"
                rf"(?P<sign2>[-+]?){_S}*(?P<body>[0-9.,]*[0-9](?:[ '’\x{{a0}}\x{{202f}}\x{{2009}}][0-9.,]*[0-9])*"
                rf"(?:[eE][-+]?[0-9]+)?){_S}*(?P<post>(?i:{_MARK}))?{_S}*(?P<percent>%)?{_S}*(?P<close>\))?"
                rf"(?P<trail>-)?$")
_EDGE_SPACE = rf"^{_S}|{_S}$"
#: The same without its groups (an automaton matches it in one pass), and the parts around the number.
_SHAPE_RE2 = re.sub(r"\(\?P<\w+>", "(?:", _AFFIXED_RE2)
_LEAD_RE2 = rf"^(?:\({_S}*)?[-+]?{_S}*(?:(?i:{_MARK}){_S}*)?(?:\({_S}*)?[-+]?{_S}*"
_TRAIL_RE2 = rf"{_S}*(?:(?i:{_MARK}))?{_S}*%?{_S}*\)?-?$"
_PRE_RE2 = rf"^(?:\({_S}*)?[-+]?{_S}*(?i:{_MARK})"
_POST_RE2 = rf"[0-9]{_S}*(?i:{_MARK}){_S}*%?{_S}*\)?-?$"
_GROUP_SEPARATORS = (" ", "'", "’", "\u00a0", "\u202f", "\u2009")
_ANY_GROUP_SEPARATOR = "[" + "".join(_GROUP_SEPARATORS) + "]"
_SPACED_RE2 = [rf"^[0-9]{{1,3}}(?:{re.escape(sep)}[0-9]{{3}})+(?:[.,][0-9]+)?$" for sep in _GROUP_SEPARATORS]


def _clean_numbers(cells: pd.Series, decimal: str) -> np.ndarray:
    """:func:`_clean_number` of every cell (texts already stripped), the same values bit for bit: the spellings
    exports use (``$1,234.50``, ``12,50 €``, ``(1.234,50)``, ``45%``) in a few pyarrow steps over the whole
    column (a million cells: 8 s one by one in Python), the few others one by one.

    Only matches (automata) and deletions are used: a cell of :data:`_SHAPE_RE2` holds its signs and brackets
    outside the number (but an exponent's sign), at most one currency before it and one after it, so counting
    them and cutting what is around the number give :func:`_clean_number`'s parts."""
    texts = pc.replace_substring(_arrow_text(cells).combine_chunks(), "\u2212", "-")

    def matches(pattern: str, values: Any = texts) -> np.ndarray:
        return pc.fill_null(pc.match_substring_regex(values, pattern), False).to_numpy(zero_copy_only=False)

    def count(text: str) -> np.ndarray:
        return pc.count_substring(texts, text).to_numpy(zero_copy_only=False).astype(np.int64)

    matched = matches(_SHAPE_RE2) & ~matches(_EDGE_SPACE)
    brackets, closes, minus = count("("), count(")"), count("-")
    signs = minus + count("+")
    if matches("[eE][-+]").any():  # an exponent's sign is the number's own
        exponent_minus = pc.count_substring_regex(texts, "[eE]-").to_numpy(zero_copy_only=False).astype(np.int64)
        signs -= pc.count_substring_regex(texts, "[eE][-+]").to_numpy(zero_copy_only=False).astype(np.int64)
        minus -= exponent_minus
    negative = minus + brackets
    valid = (matched & (brackets == closes) & ~(matches(_PRE_RE2) & matches(_POST_RE2)) & (signs <= 1)
             & (negative <= 1))
    body = pc.replace_substring_regex(pc.replace_substring_regex(texts, _LEAD_RE2, "", max_replacements=1),
                                      _TRAIL_RE2, "", max_replacements=1)
    spaced = matches(_ANY_GROUP_SEPARATOR, body)
    if spaced.any():
        grouped = np.zeros(len(body), dtype=bool)
        for pattern in _SPACED_RE2:
            grouped |= matches(pattern, body)
        valid &= ~spaced | grouped
        body = pc.replace_substring_regex(body, _ANY_GROUP_SEPARATOR, "")
    if decimal == ",":
        body = pc.if_else(pc.match_substring_regex(body, r"^[-+]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$"),
                          pc.replace_substring(body, ".", ""), body)
        one_comma = pc.and_(pc.equal(pc.count_substring(body, ","), 1),
                            pc.invert(pc.match_substring(body, ".")))
        body = pc.if_else(one_comma, pc.replace_substring(body, ",", "."), body)
    else:
        body = pc.if_else(pc.match_substring_regex(body, _THOUSANDS_POINT_DECIMAL.pattern),
                          pc.replace_substring(body, ",", ""), body)
    valid &= matches(_PLAIN_ASCII, body)
    values = pc.cast(pc.if_else(pa.array(valid), body, None), pa.float64()).to_numpy(zero_copy_only=False).copy()
    values[~valid] = np.nan
    np.negative(values, out=values, where=valid & (negative > 0))  # (NaN keeps its sign: Python's)
    np.divide(values, 100, out=values, where=valid & (count("%") > 0))
    others = np.flatnonzero(~matched)
    if others.size:
        # An ASCII cell without a space at either end that the automaton refused is not a number by the one-cell
        # rules either (an e-mail, a customer code, a date: 300,000 of them took 1.4 s one by one); only a cell
        # with other characters (digits of another script, Unicode case folding) or an edge space is retried.
        retry = pc.fill_null(pc.match_substring_regex(texts.take(pa.array(others)), rf"[^\x00-\x7f]|{_EDGE_SPACE}"),
                             False).to_numpy(zero_copy_only=False)
        others = others[retry]
        values[others] = [_clean_number(t, decimal) for t in cells.iloc[others].tolist()]
    return values


def _clean_number(text: str, decimal: str) -> float:
    """Value of a number written with a currency, thousands separators, % or an accounting negative; NaN if
    none (two signs, two currencies, groups other than 3 digits: nothing ambiguous is guessed)."""
    parts = _AFFIXED.match(text.strip().replace("\u2212", "-"))
    if parts is None:
        return math.nan
    brackets = bool(parts["open"]) + bool(parts["open2"])
    if brackets != bool(parts["close"]) or (parts["pre"] and parts["post"]):
        return math.nan
    signs = [sign for sign in (parts["sign"], parts["sign2"], parts["trail"]) if sign]
    negative = signs.count("-") + brackets
    if len(signs) > 1 or negative > 1:
        return math.nan
    body = parts["body"]
    if not body.isascii() or " " in body or "'" in body:
        spaced = _SPACED_THOUSANDS.match(body)
        if spaced is None:
            return math.nan
        body = body.replace(spaced["sep"], "")
    if decimal == ",":
        if _THOUSANDS_COMMA_DECIMAL.match(body):
            body = body.replace(".", "")
        body = body.replace(",", ".") if body.count(",") == 1 and "." not in body else body
    elif _THOUSANDS_POINT_DECIMAL.match(body):
        body = body.replace(",", "")
    if not _PLAIN_NUMBER.match(body):
        return math.nan
    try:
        value = float(body)
    except ValueError:
        return math.nan
    value = -value if negative else value
    return value / 100 if parts["percent"] else value


@dataclass(frozen=True)
class BlankZero:
    """A numeric column with its blank cells counted as 0 (:func:`blank_zero_reading`).

    Attributes
    ----------
    proposed : bool
        The check proposes it: the column's name says it totals or counts what a customer did
        (:data:`BLANK_ZERO_NAME`) and no value in it is 0 or below, so a blank most likely means none.
    unique : int
        Distinct values with the 0s.
    transform, transform_reason : str
        The transform proposed for the column with its 0s (:func:`core.transform.propose_transform`).
    skewness : float or None
        Its skewness with the 0s.
    written : tuple[str, ...]
        The missing markers written in those cells besides blanks (``NA``, ``#N/A``, ``null``: a join's or a lookup's
        "none found"), at most three, as written (of the first 2,000 such cells): they count as blanks, and are said
        so.
    empty : bool
        Some of those cells are empty (or only spaces).
    """

    proposed: bool
    unique: int
    transform: str
    transform_reason: str
    skewness: float | None
    written: tuple[str, ...] = ()
    empty: bool = True



def written_markers(values: pd.Series, blank: np.ndarray) -> tuple[tuple[str, ...], bool]:
    """What a column's ``blank`` cells (a mask) hold besides empty ones: the missing markers written (``NA``,
    ``#N/A``: at most three, sorted, as written) and whether some are empty, from a look at the first 2,000 of them
    (no pass over every cell)."""
    cells = values.iloc[np.flatnonzero(blank)[:2_000]]
    distinct = [str(d) for d in pd.unique(cells.astype(str).str.strip())]
    return tuple(sorted(d for d in distinct if d))[:3], "" in distinct


def blank_words(written: Sequence[str], empty: bool = True) -> str:
    """Cells that count as blank in words: "blank", "'NA'" or "blank or 'NA'" (:func:`written_markers`)."""
    return " or ".join((["blank"] if empty else []) + [repr(w) for w in written]) or "blank"


def zeroed_text(name: str, count: int, cells: str = "blank") -> str:
    """``'Revenue': 12 blank cells are counted as 0, as chosen.``, or with what the cells hold (``cells``,
    :func:`blank_words`) when some are written: ``'Revenue': 12 cells (blank or 'NA') are counted as 0, as chosen.``
    (found from outside: cells holding 'NA' were said to be blank)."""
    what = counted(count, "blank cell is", "blank cells are") if cells == "blank" else \
        counted(count, f"cell ({cells}) is", f"cells ({cells}) are")
    return f"'{name}': {what} counted as 0, as chosen."


def _with_markers(reading: BlankZero | None, values: pd.Series, blank: np.ndarray) -> BlankZero | None:
    """``reading`` with the missing markers written in the column's ``blank`` cells besides empty ones (found from
    outside: a spreadsheet's 'NA' and '#N/A' were said to be blank cells and counted as 0 as such)."""
    if reading is None:
        return None
    written, empty = written_markers(values, blank)
    return replace(reading, written=written, empty=empty)


def blank_zero_reading(name: str, finite: np.ndarray, blanks: int, unique: int) -> BlankZero | None:
    """What a numeric column is with its ``blanks`` blank cells counted as 0 (``finite``: its numbers, ``unique``
    of them distinct), and whether the data check proposes to count them so; None without blanks."""
    if blanks <= 0:
        return None
    low = float(finite.min()) if finite.size else 0.0
    named = bool(BLANK_ZERO_NAME.search(name)) and not _NOT_BLANK_ZERO_NAME.search(name)
    has_zero = bool(finite.size) and low <= 0 and bool((finite == 0).any())
    # every n-th value and as many 0s in proportion, with the lowest value (it decides a log or a signed log):
    # the skewness that propose_transform would measure on its own sample, without a copy of a 10^7-row column
    step = -(-(finite.size + blanks) // SKEW_SAMPLE)
    sample = np.concatenate([finite[::step], finite[:0] if step == 1 or not finite.size else [low],
                             np.zeros(-(-blanks // step))])
    proposal = propose_transform(sample, unique + (not has_zero))
    return BlankZero(named and finite.size > 0 and low > 0, unique + (not has_zero), proposal.transform,
                     proposal.reason, proposal.skewness)


@dataclass(frozen=True)
class ColumnReport:
    """What the data check found in one column.

    Attributes
    ----------
    name : str
        The column's name.
    kind : str
        ``"numeric"``, ``"text"``, ``"empty"``.
    missing : int
        Cells that are blank or a missing marker.
    not_numbers : int
        For numeric columns, non-missing cells that are not numbers (they count as missing in a model).
    examples : tuple[str, ...]
        A few of those cells, as written in the file.
    unique : int
        Distinct non-missing values.
    id_like : bool
        The column identifies customers rather than describing them.
    constant : bool
        The column has a single distinct value.
    rows : int
        Rows in the table (for shares).
    model_output : bool
        A numeric column whose name says it holds another model's output (:data:`MODEL_OUTPUT_NAME`): offered
        as a feature, not proposed.
    location : bool
        A latitude or longitude, one of a pair (:data:`LATITUDE_NAME`, :data:`LONGITUDE_NAME`): offered as a
        feature, not proposed (segments would follow where customers are on the map, not what they do).
    case_variants : tuple[tuple[str, ...], ...]
        A text column's values written in different case (:func:`case_variants`), most common spelling first:
        the segments' mixes count each group as one value.
    choices : tuple[str, ...]
        A text column whose cells each hold one or several answers (:func:`choices_of`: "Reports, Dashboards"): the
        answers, each shown per segment in the mixes. Empty otherwise.
    unknown_codes : tuple[float, ...]
        A numeric column's codes for "unknown" (:func:`unknown_codes`: an age of 999, an income of -1): left
        out of its skewness, distinct values and proposal, and read as missing by a model unless the user keeps
        them (:func:`core.prepare.prepare_features`' ``unknown``).
    unknown : int
        Cells holding one of them.
    scale : tuple[int, int] | None
        A column of few whole numbers (three or more): its lowest and highest value when they fit a rating scale
        (none below 0, the highest from 3 to :data:`RATING_TOP`), else None.
    rating : bool
        Read as ratings (:func:`is_rating_name`, or a battery of :data:`RATING_BATTERY` columns on one scale): a
        measured column, proposed as a feature, although its few whole numbers would make it coded.
    duration : bool
        A numeric column written as durations (``00:03:25``, ``45:10``: :func:`is_duration_text`), its numbers
        seconds.
    scale_words : tuple[str, ...]
        A column of answers written as words of one scale (:func:`scale_words`: "Strongly disagree" ... "Strongly
        agree"), its answers low end first: its numbers are the words' (:data:`SCALE_WORDS`), and it is read as
        ratings. Empty otherwise.
    unit : str or None
        The unit a numeric column's numbers are written with (:func:`number_unit`: "3 years"), dropped when they
        are read; None otherwise.
    blank_zero : BlankZero or None
        For a numeric column with blank cells: what it is with them counted as 0 (:func:`blank_zero_reading`), and
        whether the check proposes that (a total or a count with no 0 written in it). None without blanks.
    zeroed : int
        Blank cells counted as 0, as the user chose (:meth:`QualityReport.with_zero_blanks`); 0 otherwise.
    grows : bool
        A customer table's ``tenure_days`` when its orders and spending are counted over a window of months
        (:func:`mark_growing`): it grows with time for every customer, so tables built from exports months apart
        do not compare on it. Offered, not proposed.
    survey_timing : bool
        A survey tool's measure of the response (:data:`SURVEY_TIMING_NAME`: Qualtrics' "Duration (in seconds)"), not
        of the respondent. Offered, not proposed.
    ticked : str or None
        A checkbox question's column (a survey export's one column per option: "Which features do you use? -
        Reports"): the option it holds where it was ticked, the one value its name ends with. Its blanks are the
        respondents who did not tick it, answers rather than missing values: ``missing`` is 0 and ``unique`` 2.
        None otherwise.
    recency : bool
        A date column named for each customer's last purchase, order or visit
        (:func:`core.transform.is_last_purchase_name`), a real date in every row: its days since are proposed as a
        feature, the recency (found from outside: a Square customers export's "Last Visit" was only offered).
    """

    name: str
    kind: str
    missing: int
    not_numbers: int
    examples: tuple[str, ...]
    unique: int
    id_like: bool
    constant: bool
    rows: int
    profile: bool = False
    coded: bool = False
    skewness: float | None = None
    transform: str = "none"
    transform_reason: str = ""
    date_format: str | None = None
    redundant_with: str | None = None
    correlation: float | None = None
    model_output: bool = False
    location: bool = False
    case_variants: tuple[tuple[str, ...], ...] = ()
    choices: tuple[str, ...] = ()
    unknown_codes: tuple[float, ...] = ()
    unknown: int = 0
    scale: tuple[int, int] | None = None
    rating: bool = False
    duration: bool = False
    scale_words: tuple[str, ...] = ()
    unit: str | None = None
    blank_zero: BlankZero | None = None
    zeroed: int = 0
    grows: bool = False
    survey_timing: bool = False
    ticked: str | None = None
    recency: bool = False

    @property
    def blank_cells(self) -> str:
        """What the cells :attr:`blank_zero` would count as 0 hold, in words: "blank", "'NA'" or "blank or 'NA'"
        when a missing marker is written in some (:attr:`BlankZero.written`)."""
        if self.blank_zero is None:
            return "blank"
        return blank_words(self.blank_zero.written, self.blank_zero.empty)

    @property
    def missing_share(self) -> float:
        """Share of the rows whose cell is missing."""
        return self.missing / self.rows if self.rows else 0.0

    @property
    def many_gaps(self) -> bool:
        """Empty in more than :data:`MANY_GAPS` of the rows."""
        return self.missing_share > MANY_GAPS

    @property
    def unusable(self) -> int:
        """Cells that a model cannot use: missing plus not-a-number."""
        return self.missing + self.not_numbers

    @property
    def is_feature_candidate(self) -> bool:
        """Offered as a model feature by default: numeric, not ID-like, not constant."""
        return self.kind == "numeric" and not self.id_like and not self.constant and not self.profile

    @property
    def set_aside(self) -> bool:
        """A measured column offered but not proposed for what it holds: another model's output, a map position,
        or many empty cells (a repeat of another column is set aside by :func:`_mark_redundant`, which these
        never repeat)."""
        return self.model_output or self.location or self.many_gaps or self.grows or self.survey_timing

    @property
    def use(self) -> str:
        """The column's proposed role: feature, repeats another or model output (features left out, see
        :attr:`QualityReport.redundant_columns` and :attr:`QualityReport.model_output_columns`), profile, date,
        ID-like, constant, free text or empty."""
        if self.kind == "empty" or self.id_like or self.constant or self.profile:
            return self.role
        if self.kind == "date":
            return "date"
        if self.kind == "numeric":
            if self.coded:
                return "profile"
            if self.model_output:
                return "model output"
            if self.location:
                return "map position"
            if self.grows:
                return "grows with time"
            if self.survey_timing:
                return "survey timing"
            if self.many_gaps:
                return "many gaps"
            return "feature" if self.redundant_with is None else "repeats another"
        present = self.rows - self.missing
        if present >= 20 and self.unique > FREE_TEXT_SHARE * present:
            return "free text"
        return "profile"

    @property
    def data_type(self) -> str:
        """What the cells hold, for tables: numeric, date, text or empty, or words on a scale (what is done with them
        is :attr:`use`)."""
        return "date" if self.date_format else "scale words" if self.scale_words else self.kind

    @property
    def role(self) -> str:
        """A one-word description for tables: numeric, ID-like, constant, profile, text or empty."""
        if self.kind == "empty":
            return "empty"
        if self.profile:
            return "profile"
        if self.id_like:
            return "ID-like"
        if self.constant:
            return "constant"
        return self.kind


@dataclass(frozen=True)
class SummaryRow:
    """A row at the end of a table that totals or averages the customers above it (:func:`find_summary_rows`).

    Attributes
    ----------
    position : int
        The row's position in the table (0 for the first row under the header).
    label : str
        Its first filled cell when that names it (``"Total"``, ``"Average:"``), else "".
    kind : str
        ``"label"``, or what its numbers are: ``"sums"``, ``"means"`` or ``"sums and means"``; ``"footer"`` for a
        report's closing line under its totals row (its text in ``label``).
    """

    position: int
    label: str
    kind: str


@dataclass(frozen=True)
class RepeatedIds:
    """Customer ids found on more than one row, those rows differing (:func:`find_repeated_ids`).

    Attributes
    ----------
    column : str
        The customer id column.
    ids : int
        Ids on more than one row (rows that repeat an earlier row exactly are not counted: the data check
        reports those apart).
    rows : int
        The rows holding them.
    example : str
        The id on the most rows (the first of equals in the file).
    example_rows : int
        Its rows.
    """

    column: str
    ids: int
    rows: int
    example: str
    example_rows: int
    #: The repeated ids are written in scientific notation (``6.54322E+12``): a spreadsheet rounded long ids,
    #: and different customers came to share one.
    rounded: bool = False

    def finding(self) -> str:
        """What it means, in words for the user."""
        one = self.ids == 1
        if self.rounded:
            return (f"'{self.column}' holds ids in scientific notation (e.g. '{self.example}', on "
                    f"{self.example_rows:,} rows): a spreadsheet rounded long ids, so {self.rows:,} customers share {self.ids:,} "
                    f"id{'' if one else 's'} and cannot be told apart by it (in the downloads, or to see who moved "
                    "next time). Export the file again without opening it in a spreadsheet, or format that column "
                    "as text before saving.")
        return (f"'{self.column}' has {self.ids:,} id{'' if one else 's'} on more than one row ({self.rows:,} rows "
                f"with different values; e.g. '{self.example}' on {self.example_rows:,} rows): each row counts as a "
                "customer of its own in the segments. Check that the export has one row per customer (a file "
                "with a row per order or per month gives several per customer).")


@dataclass(frozen=True)
class QualityReport:
    """The data check of a whole table.

    Attributes
    ----------
    rows, columns : int
        The table's size.
    column_reports : tuple[ColumnReport, ...]
        One per column, in file order.
    duplicate_rows : int
        Rows that repeat an earlier row exactly.
    decimal : str
        The decimal mark used to parse numbers.
    description_row : tuple[str, ...]
        When the first row under the header reads like a second header line (descriptions or units of the
        columns rather than a customer, see :func:`looks_like_description_row`): a few of its text cells.
        Empty otherwise.
    summary_rows : tuple[SummaryRow, ...]
        Rows at the end of the table that total or average the customers above them rather than being one
        (:func:`find_summary_rows`): kept in the table unless the user leaves them out.
    repeated_ids : RepeatedIds or None
        Customer ids on more than one row whose rows differ (:func:`find_repeated_ids`), or None.
    described_columns : tuple[str, ...]
        With a :attr:`description_row`, the numeric columns whose first cell is its text (that cell is their
        only "not a number" when it is the only one: not said once more per column).
    """

    rows: int
    columns: int
    column_reports: tuple[ColumnReport, ...]
    duplicate_rows: int
    decimal: str = "."
    notes: tuple[str, ...] = field(default_factory=tuple)
    description_row: tuple[str, ...] = ()
    summary_rows: tuple[SummaryRow, ...] = ()
    repeated_ids: RepeatedIds | None = None
    described_columns: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnReport:
        """The report of the column called ``name`` (KeyError if there is none)."""
        for report in self.column_reports:
            if report.name == name:
                return report
        raise KeyError(name)

    @property
    def numeric_columns(self) -> list[str]:
        """Every numeric column, including ID-like and constant ones."""
        return [c.name for c in self.column_reports if c.kind == "numeric"]

    @property
    def default_features(self) -> list[str]:
        """Numeric columns proposed for the model: ID-like, constant and coded columns, repeats, other models'
        outputs, map positions and columns with many gaps left out (coded ones are proposed only when the file has
        no other measured column, and then another model's output or a map position only when it has nothing
        else)."""
        chosen = self._proposed_columns
        # the date of each customer's last purchase, as its days since (recency), unless a column counts them
        dates = [c.name for c in self.column_reports if c.kind == "date" and c.recency]
        if self._recency_counted or not dates:
            return chosen
        return [*chosen, derived_name(min(dates, key=lambda name: recency_rank(name) or 0))]

    @property
    def _proposed_columns(self) -> list[str]:
        """The numeric columns of :attr:`default_features` (without a date's recency)."""
        candidates = [c for c in self.column_reports if c.is_feature_candidate]
        measured = [c.name for c in candidates if not c.coded and c.redundant_with is None and not c.set_aside]
        # (a file whose only measured columns are a map position, such as a Mailchimp audience, is proposed
        # its codes rather than its members' coordinates; one whose measures all have many gaps, such as a
        # Klaviyo export of a shop few have bought from, those measures rather than its predicted lifetime value,
        # and of them those with the fewest gaps: found from outside, its "Average Days Between Orders", blank
        # for all but repeat buyers, left 75% of the profiles out beside measures blank for 35%)
        return (measured or _fewest_gaps([c for c in candidates if not c.location and not c.model_output])
                or [c.name for c in candidates if not c.location] or [c.name for c in candidates])

    @property
    def _recency_counted(self) -> bool:
        """Whether a proposed column already counts the days since each customer's last purchase
        (:data:`_RECENCY_MEASURE`: "Days Since Last Order"), so that no date's recency is proposed beside it."""
        return any(_RECENCY_MEASURE.search(name) for name in self._proposed_columns)

    @property
    def redundant_columns(self) -> dict[str, str]:
        """``{column: the earlier proposed feature it repeats}`` for measured columns left out of the default
        features because they move with another one (see :data:`REDUNDANT_CORRELATION`)."""
        return {c.name: c.redundant_with for c in self.column_reports
                if c.is_feature_candidate and c.redundant_with is not None}

    def _set_aside(self, why: str) -> list[str]:
        """The measured columns set aside (:attr:`ColumnReport.set_aside`) for ``why`` (the flag's name) and not
        proposed after all (every candidate is, when the file has nothing else)."""
        proposed = self.default_features
        return [c.name for c in self.column_reports
                if c.is_feature_candidate and not c.coded and getattr(c, why) and c.name not in proposed]

    @property
    def unknown_codes(self) -> dict[str, tuple[float, ...]]:
        """``{column: its codes for "unknown"}`` (:attr:`ColumnReport.unknown_codes`) of the columns that have
        some: what :func:`core.prepare.prepare_features` reads as missing unless the user keeps them."""
        return {c.name: c.unknown_codes for c in self.column_reports if c.unknown_codes}

    @property
    def growing_columns(self) -> list[str]:
        """Measured columns left out of the default features because they grow with time for every customer
        (:attr:`ColumnReport.grows`: a windowed customer table's tenure). They can still be chosen."""
        return self._set_aside("grows")

    @property
    def gappy_columns(self) -> list[str]:
        """Measured columns left out of the default features because they are empty in many rows
        (:data:`MANY_GAPS`): a model on them leaves those customers out. They can still be chosen."""
        return self._set_aside("many_gaps")

    @property
    def location_columns(self) -> list[str]:
        """Measured columns left out of the default features because they are a latitude and a longitude
        (:attr:`ColumnReport.location`): segments on them group customers by where they are on the map, which
        a region column or a map says better. They can still be chosen."""
        return self._set_aside("location")

    @property
    def survey_timing_columns(self) -> list[str]:
        """Measured columns left out of the default features because a survey tool measures the response with them,
        not the respondent (:attr:`ColumnReport.survey_timing`: how long it took). They can still be chosen."""
        return self._set_aside("survey_timing")

    @property
    def model_output_columns(self) -> list[str]:
        """Measured columns left out of the default features because their names say they hold another model's
        output (:data:`MODEL_OUTPUT_NAME`: a churn classifier's score, a predicted value, a probability):
        segments built on them would follow that model's answer, not what the customers do."""
        return self._set_aside("model_output")

    @property
    def zero_blank_proposed(self) -> list[str]:
        """Numeric columns whose blanks the check proposes to count as 0 (:attr:`BlankZero.proposed`: a total or a
        count with no 0 written in it), not counted so yet. Never done unasked."""
        return [c.name for c in self.column_reports if c.blank_zero is not None and c.blank_zero.proposed
                and c.is_feature_candidate and not c.zeroed]

    @property
    def zero_blank_columns(self) -> list[str]:
        """Numeric columns (not ID-like) with blank cells that can be counted as 0: the proposed ones first."""
        offered = [c.name for c in self.column_reports if c.blank_zero is not None and not c.id_like
                   and c.kind == "numeric" and not c.profile]
        proposed = set(self.zero_blank_proposed)
        return [n for n in offered if n in proposed] + [n for n in offered if n not in proposed]

    def with_zero_blanks(self, columns: Iterable[str]) -> "QualityReport":
        """The report with the blank cells of ``columns`` counted as 0, as the user chose: no gaps left in them
        (:attr:`ColumnReport.zeroed` says how many were blank), their distinct values, skewness and proposed
        transform with the 0s (so a column with many gaps is proposed as a feature again). Columns without blanks,
        and names that are no numeric column, change nothing (:meth:`zero_blank_problem` says why)."""
        chosen = set(columns)
        if not chosen:
            return self
        reports = tuple(
            replace(c, missing=0, zeroed=c.missing, unique=c.blank_zero.unique, constant=c.blank_zero.unique == 1,
                    skewness=c.blank_zero.skewness, transform=c.blank_zero.transform,
                    transform_reason=c.blank_zero.transform_reason)
            if c.name in chosen and c.blank_zero is not None and not c.zeroed and c.kind == "numeric"
            and not c.profile else c
            for c in self.column_reports)
        return replace(self, column_reports=reports)

    def zero_blank_problem(self, name: str) -> str | None:
        """Why the blanks of column ``name`` cannot be counted as 0 (no such column, not numeric or an identifier),
        or None when they can (a column without blanks can: nothing changes)."""
        report = next((c for c in self.column_reports if c.name == name), None)
        if report is None:
            shown = ", ".join(repr(c.name) for c in self.column_reports[:30])
            return f"The file has no column '{name}'. Columns are: {shown}."
        if report.kind != "numeric" or report.profile:
            return f"'{name}' is not a numeric column: its blanks cannot be counted as 0."
        if report.id_like:
            return f"'{name}' looks like an identifier: its blanks cannot be counted as 0."
        return None

    @property
    def proposed_transforms(self) -> dict[str, str]:
        """``{numeric column: proposed transform}`` for every numeric column (``none`` included)."""
        return {c.name: c.transform for c in self.column_reports if c.kind == "numeric"}

    def proposed_transforms_for(self, features: Iterable[str], keep_codes: bool = False) -> dict[str, str]:
        """``{feature: proposed transform}`` for some features (``none`` for derived or unknown ones).
        ``keep_codes``: the codes for "unknown" are kept as numbers (:attr:`unknown_codes`), so a column whose
        code is negative (-1) is proposed the signed log where its other values were proposed a log."""
        proposed = self.proposed_transforms
        negative = {name for name, codes in self.unknown_codes.items() if min(codes) < 0} if keep_codes else set()
        return {f: "signed_log" if f in negative and proposed.get(f) == "log" else proposed.get(f, "none")
                for f in features}

    @property
    def date_columns(self) -> list[str]:
        """Columns recognised as dates."""
        return [c.name for c in self.column_reports if c.kind == "date"]

    @property
    def derived_features(self) -> list[str]:
        """Features offered on top of the numeric columns: ``"<date column> (days since)"``, or ``"<date of
        birth> (age)"``."""
        return [derived_name(c) for c in self.date_columns]

    @property
    def coded_columns(self) -> list[str]:
        """Numeric columns that hold codes (flags, channels, small counts): profile columns."""
        return [c.name for c in self.column_reports if c.is_feature_candidate and c.coded]

    @property
    def text_columns(self) -> list[str]:
        """Text columns that are not identifiers (for example Gender)."""
        return [c.name for c in self.column_reports
                if c.kind == "text" and not c.id_like and not c.constant and not c.profile]

    @property
    def describing_columns(self) -> list[str]:
        """Columns that can describe segments by their mix: text columns (e.g. Gender) without those whose
        every value is different (names, comments), which say nothing about a segment, and coded numeric
        columns (a region as 1, 2, 3; 0/1 flags). Dates and the RFM profile columns are not among them."""
        return [c.name for c in self.column_reports if c.use == "profile" and not c.profile]

    def summary_rows_text(self, first_word: bool = False) -> str:
        """The :attr:`summary_rows` in words: ``the last row (row 3,002) reads 'Total'`` (``The last row ...``
        with ``first_word``, to open a sentence)."""
        last = self.rows - 1
        parts = []
        footers = [row for row in self.summary_rows if row.kind == "footer"]
        for row in self.summary_rows:
            if row.kind == "footer":
                continue
            where = ("the last row" if row.position == last else "the row before last" if row.position == last - 1
                     else "a row near the end") + f" (row {row.position + 1:,})"
            what = (f"reads {row.label!r}" if row.label else
                    f"holds the {row.kind} of the rows above it")
            parts.append(f"{where} {what}")
        if footers:
            one = len(footers) == 1
            quoted = ", ".join(repr(clip(row.label, 40)) for row in footers)
            parts.append(f"{'the line' if one else f'the {len(footers)} lines'} under it ({quoted}) "
                         f"close{'s' if one else ''} the report")
        said = join_words(parts)
        return said[:1].upper() + said[1:] if first_word else said

    def description_row_text(self, limit: int = 40) -> str:
        """A few of the :attr:`description_row`'s cells, quoted, each cut to ``limit`` characters: ``'years', 'M/F'``."""
        return ", ".join(repr(clip(text, limit)) for text in self.description_row)

    def why_no_features(self) -> str:
        """Why no column is proposed as a feature, in words for the user (when :attr:`default_features` is empty),
        and the dates that can be chosen instead (:attr:`derived_features`), if any."""
        if self.rows < 2:
            return "The file has a single customer; finding segments needs many."
        numeric = [c for c in self.column_reports if c.kind == "numeric"]
        dates = self.derived_features
        # (found from outside: a helpdesk's user export, ids and dates only, was told no column could be used)
        offer = (" Its dates can be segmented on instead: choose " + join_words([repr(d) for d in dates[:4]])
                 + (f" (or another of its {len(dates)} dates)" if len(dates) > 4 else "") + " as features."
                 if dates else "")
        if not numeric:
            held = "text or dates" if dates else "text"
            return (f"The file has no numeric columns to segment on: every column holds {held}. Segments are found "
                    "from numbers such as age, income or visits." + offer)
        constant = [c.name for c in numeric if c.constant and not c.id_like]
        ids = [c.name for c in numeric if c.id_like]
        parts = []
        if constant:
            parts.append("every numeric column has the same value in every row ("
                         + ", ".join(repr(n) for n in constant[:5]) + "), so nothing separates the customers")
        if ids:
            parts.append("the numeric columns " + ", ".join(repr(n) for n in ids[:5])
                         + " look like identifiers, not descriptions of customers")
        return "No numeric column can be used to segment: " + "; ".join(parts) + "." + offer

    @property
    def missing_cells(self) -> int:
        """Missing cells in the whole table."""
        return sum(c.missing for c in self.column_reports)

    def _named_with_gaps(self, names: Sequence[str], shown: int = 8) -> str:
        """The first ``shown`` columns with their shares of empty rows, and how many more: "'A' (35%), 'B' (12%)
        and 4 more" (a wide export's columns said in one finding)."""
        named = ", ".join(f"'{n}' ({percent(self.column(n).missing_share, short=True)})" for n in names[:shown])
        return named + (f" and {len(names) - shown} more" if len(names) > shown else "")

    def problems(self, features: list[str] | None = None) -> list[str]:
        """Plain-language findings worth the user's attention, most important first.

        Parameters
        ----------
        features : list[str], optional
            Only report missing and not-a-number cells of these columns (default: all columns).
        """
        wanted = None if features is None else set(features)
        found: list[str] = []
        with_gaps = [c.name for c in self.column_reports if c.missing and c.kind != "empty"
                     and (wanted is None or c.name in wanted)]
        grouped = len(with_gaps) > MISSING_SAID_ONE_BY_ONE  # a wide CRM export: one line, not one per column
        if grouped:
            found.append(f"{len(with_gaps)} columns have missing values: {self._named_with_gaps(with_gaps)} "
                         "(the table of columns gives each one's count).")
        texts = [c for c in self.column_reports if c.not_numbers and c.kind != "empty"
                 and (wanted is None or c.name in wanted)
                 and not (c.not_numbers == 1 and c.name in self.described_columns)]
        texts_grouped = len(texts) > MISSING_SAID_ONE_BY_ONE  # a survey's "Don't know" in every question: one line
        if texts_grouped:
            examples = ", ".join(repr(e) for e in dict.fromkeys(e for c in texts for e in c.examples))
            shown = 4
            named = ", ".join(f"'{c.name}' ({c.not_numbers:,})" for c in texts[:shown])
            found.append(f"{len(texts)} columns have cells that are not a number (e.g. {examples}): {named}"
                         + (f" and {len(texts) - shown} more" if len(texts) > shown else "")
                         + "; in a model they count as missing.")
        for c in self.column_reports:
            if wanted is not None and c.name not in wanted:
                continue
            if c.kind == "empty":
                found.append(f"'{c.name}' has no values at all.")
                continue
            if c.ticked:
                found.append(f"'{c.name}' is a checkbox's option: it holds '{c.ticked}' where it was ticked and is "
                             "blank where it was not. The blanks are answers, not missing values.")
            if c.missing and not grouped:
                found.append(f"'{c.name}' has {c.missing:,} missing value{'s' if c.missing != 1 else ''} "
                             f"({percent(c.missing_share)}).")
            if c.not_numbers == 1 and c.name in self.described_columns:
                pass  # the description row's cell, said once for the whole row (a bank export: 20 such lines)
            elif c.not_numbers and not texts_grouped:
                shown = ", ".join(repr(e) for e in c.examples)
                found.append(f"'{c.name}' has {c.not_numbers:,} cell{'s' if c.not_numbers != 1 else ''} "
                             f"that {'are' if c.not_numbers != 1 else 'is'} not a number (e.g. {shown}); "
                             "in a model they count as missing.")
        if wanted is None and self.description_row:
            found.insert(0, f"The first row under the header describes the columns ({self.description_row_text()}) "
                            "rather than a customer: its cells are text in the numeric columns. As it is, it stays in the table "
                            "and is left out of the model like a row with gaps; you can leave it out of the "
                            "table altogether.")
        if wanted is None and self.summary_rows:
            several = len(self.summary_rows) > 1
            found.insert(0, f"{self.summary_rows_text(first_word=True)}: "
                            f"{'totals rows' if several else 'a totals row'}, not "
                            f"{'customers' if several else 'a customer'}. As it is, "
                            f"{'they stay' if several else 'it stays'} in the table and "
                            f"{'count' if several else 'counts'} as {'customers' if several else 'a customer'} "
                            "in the model and a segment's means (unless "
                            f"{'they have' if several else 'it has'} gaps in the chosen columns); you can leave "
                            f"{'them' if several else 'it'} out of the table.")
        if wanted is None:
            found.extend(f"'{c.name}' looks like an identifier; it is not proposed as a feature."
                         for c in self.column_reports if c.id_like and c.kind != "empty")
            found.extend(f"'{c.name}' has the same value in every row; it cannot separate customers."
                         for c in self.column_reports if c.constant and not c.id_like)
            coded = self.coded_columns
            if coded and coded != self.default_features:
                found.append("Coded columns (" + ", ".join(f"'{n}'" for n in coded[:8])
                             + (" ..." if len(coded) > 8 else "") + ") hold a few whole-number codes, two "
                             "values only (a flag) or small counts; they describe the segments (their mix per "
                             "segment) rather than drive them. Choose them as features if you want them to.")
            zero_proposed, gappy = self.zero_blank_proposed, self.gappy_columns
            if len(zero_proposed) > GAPPY_SAID_ONE_BY_ONE:  # a wide loyalty export's spend per category: one finding
                found.append(f"{len(zero_proposed)} totals or counts have blanks and no 0: "
                             f"{self._named_with_gaps(zero_proposed)}. In a total or a count a blank most likely "
                             "means none: counted as 0, they can be features. Nothing is filled unless you choose it.")
            else:
                found.extend(f"'{c.name}' is {c.blank_cells} in {percent(c.missing_share, short=True)} of the rows and holds no "
                             "0: in a total or a count a blank most likely means none. "
                             + ("Counted as 0, it can be a feature; as it is, it is not proposed (a model on it would "
                                "leave those customers out). " if c.name in gappy else "They can be counted as 0. ")
                             + "Nothing is filled unless you choose it."
                             for c in self.column_reports if c.name in zero_proposed)
            zeroed = [c for c in self.column_reports if c.zeroed]
            if len(zeroed) > GAPPY_SAID_ONE_BY_ONE:
                found.append(f"The blank cells of {len(zeroed)} columns are counted as 0, as chosen: "
                             + ", ".join(f"'{c.name}' ({c.zeroed:,})" for c in zeroed[:8])
                             + (f" and {len(zeroed) - 8} more." if len(zeroed) > 8 else "."))
            else:
                found.extend(zeroed_text(c.name, c.zeroed, c.blank_cells) for c in zeroed)
            found.extend(f"'{c.name}' holds durations (hours:minutes:seconds or minutes:seconds): they are read "
                         "as seconds." for c in self.column_reports if c.duration and c.kind == "numeric")
            found.extend(f"'{c.name}' holds answers written as words of a scale: they are read as numbers on it "
                         f"({_scale_numbers(c.scale_words)})"
                         + ("; its blank cells and answers such as \"Don't know\" count as missing." if c.missing
                            else ".") for c in self.column_reports if c.scale_words and c.kind == "numeric")
            found.extend(f"'{c.name}' holds numbers written with a unit ({c.unit}): they are read as those numbers, "
                         "the unit dropped." for c in self.column_reports if c.unit and c.kind == "numeric")
            # (answers written as words are said above, each with its scale)
            rated = [c for c in self.column_reports if c.rating and c.is_feature_candidate and not c.scale_words]
            if rated:
                low = min(c.scale[0] for c in rated if c.scale)
                high = max(c.scale[1] for c in rated if c.scale)
                if len(rated) == 1:
                    found.append(f"'{rated[0].name}' holds ratings, answers from {low} to {high}: it measures how "
                                 "customers rate something, so it is proposed as a feature, unlike whole-number codes.")
                else:
                    found.append("Ratings (" + ", ".join(f"'{c.name}'" for c in rated[:8])
                                 + (" ..." if len(rated) > 8 else "") + f") hold answers from {low} to {high}: they "
                                 "measure how customers rate something, so they are proposed as features, unlike "
                                 "whole-number codes.")
            found.extend(f"'{c.name}' moves with '{c.redundant_with}' (correlation {c.correlation:+.2f}): it "
                         "repeats what that column says, so it is not proposed as a feature (each would count "
                         "twice in the model). Choose it if you want it anyway."
                         for c in self.column_reports
                         if c.redundant_with is not None and c.correlation is not None and c.is_feature_candidate)
            found.extend(f"'{name}' grows with time for every customer: in a customer table counted over a window of "
                         "months it is not proposed, so that tables built from exports months apart compare on the "
                         "same measures. Choose it if you want it anyway." for name in self.growing_columns)
            gappy = [name for name in gappy if name not in zero_proposed]  # (said with the 0s)
            if len(gappy) > GAPPY_SAID_ONE_BY_ONE:  # a wide CRM export: one finding, not one per column
                found.append(self._named_with_gaps(gappy)
                             + " are empty in more than a fifth of the rows: they are not proposed as features (a "
                             "model on them would leave those customers out of the segments, or fill them with "
                             "made-up values). Choose them if you want them anyway.")
            else:
                found.extend(f"'{name}' is empty in {percent(self.column(name).missing_share, short=True)} of the rows: "
                             "it is not proposed as a feature (a model on it would leave those customers out of the "
                             "segments, or fill them with one made-up value). Choose it if you want it anyway."
                             for name in gappy)
            found.extend(f"'{c.name}' holds {codes_text(c.unknown_codes)} in "
                         f"{c.unknown:,} row{'s' if c.unknown != 1 else ''} ({percent(c.unknown / c.rows, short=True)}), "
                         "apart from all its other values: read as a code for \"unknown\", those cells count as "
                         "missing in a model. Keep them as numbers if they are real values."
                         for c in self.column_reports if c.unknown_codes)
            outputs = self.model_output_columns
            if outputs:  # (one finding for them all: an export may end with several)
                one = len(outputs) == 1
                found.append(", ".join(f"'{n}'" for n in outputs[:8]) + (" ..." if len(outputs) > 8 else "")
                             + f" read{'s' if one else ''} like another model's output (a prediction, a classifier's "
                             f"score or a probability, by {'its name' if one else 'their names'}): "
                             f"{'it is' if one else 'they are'} not proposed as "
                             f"{'a feature' if one else 'features'}, so that the segments follow what customers do "
                             f"rather than that model's answer. Choose {'it' if one else 'them'} if you want.")
            found.extend(f"'{c.name}' holds one or several answers in a cell ({', '.join(c.choices[:4])}"
                         f"{' ...' if len(c.choices) > 4 else ''}): each answer's share is shown per segment (a "
                         "blank cell: none of them ticked, not a missing value)."
                         for c in self.column_reports if c.choices and c.use == "profile")
            timing = self.survey_timing_columns
            if timing:  # (found from outside: a Qualtrics export's response time was a proposed feature)
                found.append(join_words([f"'{n}'" for n in timing]) + f" {'measures' if len(timing) == 1 else 'measure'}"
                             " how long each response to the survey took, not the respondents: not proposed as "
                             f"{'a feature' if len(timing) == 1 else 'features'}. Choose "
                             f"{'it' if len(timing) == 1 else 'them'} if you want.")
            places = self.location_columns
            if places:
                found.append(join_words([f"'{n}'" for n in places]) + " give each customer's position on the map: "
                             "they are not proposed as features, so that the segments follow what customers do "
                             "rather than where they are. Choose them if you want.")
            found.extend(f"'{c.name}' writes a value in different case ("
                         + "; ".join(", ".join(g[:4]) + (", ..." if len(g) > 4 else "") for g in c.case_variants[:3])
                         + ("; ..." if len(c.case_variants) > 3 else "")
                         + "): the segments' mixes count each as one value, written the most common way."
                         for c in self.column_reports if c.case_variants)
            proposed = self.default_features
            counted = self._recency_counted
            found.extend(_date_finding(c, proposed, counted) for c in self.column_reports if c.kind == "date")
            found.extend(f"'{c.name}' is {c.transform_reason}; a {'log' if c.transform == 'log' else 'signed log'} "
                         "is proposed before scaling."
                         for c in self.column_reports if c.transform != "none" and c.name in self.default_features)
            if self.duplicate_rows:
                found.append(f"{self.duplicate_rows:,} row{'s repeat' if self.duplicate_rows != 1 else ' repeats'} "
                             "an earlier row exactly; they are kept.")
            repeated = getattr(self, "repeated_ids", None)  # (a report cached before it existed has none)
            if repeated is not None:
                found.append(repeated.finding())
        return found

    def _roles(self) -> list[str]:
        """Each column's :attr:`ColumnReport.use`, or ``feature (many gaps)``, ``feature (coded)``, ... for a column
        proposed after all because the file has nothing better (see :attr:`default_features`): the table must not
        say "many gaps" of a column the Model page has ticked."""
        proposed = set(self.default_features)
        return ["feature (recency)" if c.kind == "date" and derived_name(c.name) in proposed else
                f"feature ({'coded' if c.coded else c.use})" if c.name in proposed and c.use != "feature" else c.use
                for c in self.column_reports]

    def to_frame(self) -> pd.DataFrame:
        """One row per column: name, role, missing count and share, not-a-number count, (when some column has
        them) the cells holding a code for "unknown", distinct values."""
        codes = {"unknown code": [c.unknown for c in self.column_reports]} if self.unknown_codes else {}
        return pd.DataFrame(
            {
                "column": [c.name for c in self.column_reports],
                "type": [c.data_type for c in self.column_reports],
                "missing": [c.missing for c in self.column_reports],
                "missing share": [c.missing_share for c in self.column_reports],
                "not a number": [c.not_numbers for c in self.column_reports],
                **codes,
                "distinct values": [c.unique for c in self.column_reports],
                "role": self._roles(),
                # "+ 0.0" turns the -0.0 of a tiny negative skewness into 0.0 (tables showed "-0.0")
                "skewness": [np.nan if c.skewness is None or c.id_like else round(c.skewness, 2) + 0.0
                             for c in self.column_reports],
                "transform": [c.transform if c.kind == "numeric" and not c.id_like else "" for c in self.column_reports],
            }
        )


def check_quality(frame: pd.DataFrame, decimal: str = ".", numbers: ColumnNumbers | None = None) -> QualityReport:
    """Check a table of text cells and report what was found.

    Parameters
    ----------
    frame : pandas.DataFrame
        As returned in :attr:`core.io.TableRead.frame`.
    decimal : str
        The file's decimal mark.
    numbers : ColumnNumbers, optional
        The table's parsed columns (:attr:`core.io.TableRead.numbers`): the numeric columns' numbers are
        kept there for the features built later (:func:`core.prepare.prepare_features`), which then parse
        nothing again. Ignored unless it belongs to this very frame and decimal mark.

    Returns
    -------
    QualityReport
    """
    rows, columns = int(frame.shape[0]), int(frame.shape[1])
    sample = np.unique(np.linspace(0, rows - 1, min(rows, REDUNDANCY_SAMPLE)).astype(np.int64)) if rows else None
    reports_list: list[ColumnReport] = []
    sampled: dict[str, np.ndarray] = {}
    first_row_text: list[str] = []  # the first row's text cells in numeric columns
    first_row_columns: list[str] = []  # ... and their columns
    tails: dict[int, tuple[np.ndarray, float, int]] = {}  # measured column -> (last rows' numbers, sum, count)
    kept = numbers if numbers is not None and numbers.belongs_to(frame, decimal) else None
    for j, values, invalid in (kept.columns(range(columns), keep=False) if kept is not None
                               else parse_columns(frame, range(columns), decimal)):
        report = _check_column(str(frame.columns[j]), frame.iloc[:, j], rows, values, invalid)
        reports_list.append(report)
        if report.kind == "numeric" and not report.id_like and kept is not None:
            kept.keep(j, values, invalid)  # (a text column's or an ID's numbers are no feature's)
        if report.kind == "numeric" and rows and invalid[0]:
            first_row_text.append(str(frame.iat[0, j]))
            first_row_columns.append(report.name)
        if report.kind == "numeric" and sample is not None:
            sampled[report.name] = values[sample]
        if report.kind == "numeric" and not report.id_like and not report.constant and rows >= SUMMARY_MIN_ROWS:
            tails[j] = (np.array(values[-(SUMMARY_TAIL + FOOTER_LINES):], dtype=float), float(np.nansum(values)),
                        rows - report.missing - report.not_numbers)
    reports = mark_growing(_mark_redundant(_mark_locations(_mark_ratings(tuple(reports_list)), sampled), sampled))
    # A column whose every value differs (an ID) already proves no row repeats: skip hashing every row.
    all_distinct = any(report.unique == rows for report in reports)
    duplicated = frame.duplicated().to_numpy() if rows and not all_distinct else None
    duplicate_rows = int(duplicated.sum()) if duplicated is not None else 0
    numeric = sum(1 for r in reports if r.kind == "numeric")
    described = looks_like_description_row(len(first_row_text), numeric)
    return QualityReport(rows, columns, reports, duplicate_rows, decimal,
                         description_row=tuple(first_row_text[:_EXAMPLES]) if described else (),
                         described_columns=tuple(first_row_columns) if described else (),
                         summary_rows=find_summary_rows(frame, tails),
                         repeated_ids=find_repeated_ids(frame, reports, duplicated))


def find_repeated_ids(frame: pd.DataFrame, reports: Sequence[ColumnReport],
                      duplicated: np.ndarray | None) -> RepeatedIds | None:
    """The customer ids on more than one row of a customer table, those rows differing, or None.

    The customer id column is the first whose name marks an identifier (:func:`is_id_name`) and that the check
    found ID-like; a text or numeric one. A customer table has one row per customer: an id on several rows
    with different values (found from outside: a CRM export with 3,000 of 20,000 customers twice, once per
    account) counts each of them as a customer of its own, silently. ``duplicated`` marks the rows that repeat
    an earlier row exactly (reported apart; None when no row can, as a column has no repeated value).
    """
    column = next((r for r in reports if r.id_like and r.kind in ("text", "numeric") and is_id_name(r.name)), None)
    if column is None or column.unique >= column.rows - column.missing:
        return None  # every id once (the usual file: nothing counted)
    ids = frame[column.name]
    if duplicated is not None and duplicated.any():
        ids = ids[~duplicated]
    counts = ids.value_counts(sort=False)  # (pyarrow's hash of the text; only distinct ids become Python strings)
    repeated = counts[counts > 1]
    if not repeated.empty:  # a gap is no id: "", "n/a"... (compared as the check compares them)
        repeated = repeated[~pd.Index(repeated.index.astype(str)).str.strip().str.lower().isin(MISSING_MARKERS)]
    if repeated.empty:
        return None
    top = repeated.to_numpy().argmax()  # (the first of equals in the file's order)
    return RepeatedIds(column.name, int(repeated.size), int(repeated.sum()), str(repeated.index[top]),
                       int(repeated.iloc[top]), looks_rounded([str(v) for v in repeated.index[:100]]))


#: A number in scientific notation as a spreadsheet writes a long one (``6.54322E+12``).
_SCIENTIFIC = re.compile(r"^\s*[-+]?\d(?:[.,]\d+)?[eE]\+?\d+\s*$")


def looks_rounded(ids: Sequence[str]) -> bool:
    """Whether most of some ids are written in scientific notation (``6.54322E+12``): long ids a spreadsheet
    rounded, so that different customers came to share one."""
    return bool(ids) and sum(bool(_SCIENTIFIC.match(str(i))) for i in ids) > len(ids) / 2


def find_summary_rows(frame: pd.DataFrame, tails: dict[int, tuple[np.ndarray, float, int]]) -> tuple[SummaryRow, ...]:
    """The rows among the last :data:`SUMMARY_TAIL` that total or average the rows above them.

    A row is one when its first filled cell is one of :data:`SUMMARY_LABELS` (``Total``, ``Grand total:``,
    ``Average``), or when at least two of its measured columns hold a number and each is the sum or the mean of
    the rows above it in its column (within :data:`SUMMARY_TOLERANCE`; summary rows found above it are left out
    of them). Only a table of at least :data:`SUMMARY_MIN_ROWS` rows is looked at.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table's text cells.
    tails : dict
        ``{column position: (its last SUMMARY_TAIL rows' numbers, the sum of its numbers, how many it has)}``
        for the measured numeric columns (not ID-like).
    """
    rows = int(frame.shape[0])
    if rows < SUMMARY_MIN_ROWS:
        return ()
    footer = 0  # a report's closing lines under its totals (found from outside: a Salesforce report export)
    while (footer < FOOTER_LINES and rows - footer > SUMMARY_MIN_ROWS and _first_cell_only(frame, rows - 1 - footer)
           and not _summary_label(_first_filled(frame, rows - 1 - footer))):  # the totals row is no closing line
        footer += 1
    end = rows - footer
    first = max(0, end - SUMMARY_TAIL)
    found: dict[int, SummaryRow] = {}
    for position in range(first, end):
        label = _first_filled(frame, position)
        if _summary_label(label):
            found[position] = SummaryRow(position, label.strip(), "label")
    for position in range(first, end):
        if position not in found:
            kinds = _aggregate_kinds(position - rows, tails, [p - rows for p in found if p < position])
            if kinds:
                found[position] = SummaryRow(position, "", kinds)
    if footer and end - 1 in found:
        for position in range(end, rows):
            found[position] = SummaryRow(position, _first_filled(frame, position).strip(), "footer")
    return tuple(found[p] for p in sorted(found))


#: What a report adds to its totals row's label: "Grand Totals (400 records)".
_SUMMARY_COUNT = re.compile(r"\s*\(\s*[\d.,]+\s*\w*\s*\)$")


def _summary_label(text: str) -> bool:
    """Whether a row's first filled cell labels totals (:data:`SUMMARY_LABELS`, without case, spaces, a final
    colon or a count of records)."""
    return _SUMMARY_COUNT.sub("", _SPACES.sub(" ", text.strip().rstrip(":").strip())).lower() in SUMMARY_LABELS


def _first_cell_only(frame: pd.DataFrame, position: int) -> bool:
    """Whether the row's first cell is its one filled cell (a report's closing line)."""
    cells = ["" if v is None else str(v).strip() for v in frame.iloc[position].tolist()]
    return bool(cells) and cells[0].lower() not in MISSING_MARKERS and all(
        c.lower() in MISSING_MARKERS for c in cells[1:])


def _aggregate_kinds(at: int, tails: dict[int, tuple[np.ndarray, float, int]], summaries: list[int]) -> str:
    """What the numbers of the row ``at`` (counted from the end, negative) are to the rows above it, less the
    summary rows found above it (``summaries``, counted from the end): ``"sums"``, ``"means"`` or ``"sums and
    means"`` when each of at least two is one of them, else ""."""
    kinds: set[str] = set()
    matched = 0
    for numbers, total, count in tails.values():
        value = float(numbers[at])
        if not math.isfinite(value):
            continue
        below = [float(v) for v in numbers[at:] if math.isfinite(v)]  # this row and those under it
        others = [float(numbers[p]) for p in summaries if math.isfinite(numbers[p])]
        rest, rest_count = total - sum(below) - sum(others), count - len(below) - len(others)
        if rest_count < SUMMARY_MIN_ROWS - 1:
            return ""
        if _near(value, rest):
            kinds.add("sums")
        elif _near(value, rest / rest_count):
            kinds.add("means")
        else:
            return ""
        matched += 1
    return " and ".join(sorted(kinds, reverse=True)) if matched >= 2 else ""


def _near(value: float, target: float) -> bool:
    return abs(value - target) <= SUMMARY_TOLERANCE * abs(target) + 1e-9


_SPACES = re.compile(r"\s+")


def _first_filled(frame: pd.DataFrame, position: int) -> str:
    """The row's first cell that is not missing (:data:`MISSING_MARKERS`), as written; "" when every cell is."""
    for value in frame.iloc[position].tolist():
        text = "" if value is None else str(value)
        if text.strip().lower() not in MISSING_MARKERS:
            return text
    return ""


def without_rows(frame: pd.DataFrame, positions: Iterable[int]) -> pd.DataFrame:
    """The table without the rows at ``positions`` (rows the user chose to leave out), numbered from 0."""
    keep = np.ones(frame.shape[0], dtype=bool)
    keep[list(positions)] = False
    return frame.iloc[np.flatnonzero(keep)].reset_index(drop=True)


def looks_like_description_row(text_cells: int, numeric_columns: int) -> bool:
    """Whether the first row under the header is a second header line: it holds text (descriptions, units)
    in at least two numeric columns and in at least half of them. A customer with one stray text cell is not."""
    return text_cells >= 2 and 2 * text_cells >= numeric_columns


def without_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The table without its first row (a description row the user chose to leave out), numbered from 0."""
    return frame.iloc[1:].reset_index(drop=True)


#: The columns of a customer table whose orders and spending are counted over a window of months
#: (:func:`core.rfm.build_customers`' ``window_months``: ``frequency_12m``, ``monetary_12m``).
_WINDOWED_RFM = (re.compile(r"frequency_\d+m"), re.compile(r"monetary_\d+m"))


def mark_growing(reports: tuple[ColumnReport, ...]) -> tuple[ColumnReport, ...]:
    """Mark ``tenure_days`` as growing with time (:attr:`ColumnReport.grows`) in a customer table whose orders
    and spending are counted over a window: the window is chosen so that tables built months apart compare, and
    every customer's tenure is longer in the later one (found from outside: a model trained on July's table, applied
    to January's, had 97% of the tenures outside its training range, and 95 of 142 customers moved up a segment)."""
    names = [r.name for r in reports]
    if not all(any(pattern.fullmatch(n) for n in names) for pattern in _WINDOWED_RFM):
        return reports
    return tuple(replace(r, grows=True) if r.name == "tenure_days" and r.kind == "numeric" else r for r in reports)


def _mark_locations(reports: tuple[ColumnReport, ...], sampled: dict[str, np.ndarray]) -> tuple[ColumnReport, ...]:
    """Mark a latitude and a longitude (:data:`LATITUDE_NAME`, :data:`LONGITUDE_NAME`), when the file has both,
    each measured and within its range on the sampled rows: a lone ``Long`` or ``Breite`` (a width) is not
    taken for a position."""
    def within(report: ColumnReport, limit: float) -> bool:
        values = sampled.get(report.name)
        if values is None or not report.is_feature_candidate or report.coded:
            return False
        finite = values[np.isfinite(values)]
        return bool(finite.size) and float(np.abs(finite).max()) <= limit

    # (camelCase split: a Qualtrics export's "LocationLatitude", "LocationLongitude")
    spaced = {r.name: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", r.name.strip()) for r in reports}
    latitudes = [r.name for r in reports if LATITUDE_NAME.search(spaced[r.name]) and within(r, 90.0)]
    longitudes = [r.name for r in reports if LONGITUDE_NAME.search(spaced[r.name]) and within(r, 180.0)]
    if not latitudes or not longitudes:
        return reports
    marked = set(latitudes) | set(longitudes)
    return tuple(replace(r, location=True) if r.name in marked else r for r in reports)


def _mark_redundant(reports: tuple[ColumnReport, ...], sampled: dict[str, np.ndarray]) -> tuple[ColumnReport, ...]:
    """Mark each measured column that repeats an earlier one (``_repeats`` on the sampled rows, after the
    proposed transforms, rows where both are present).

    Columns are taken in file order, so of two that repeat each other the first stays proposed. Only the
    pairs :func:`_screened_pairs` lets through are compared exactly: a file of thousands of columns has
    millions of pairs, nearly all of them far from repeating each other.
    """
    transforms = {r.name: r.transform for r in reports}
    measured = [r.name for r in reports  # (a column set aside is not proposed: nothing repeats it)
                if r.is_feature_candidate and not r.coded and not r.set_aside and r.name in sampled]
    if not measured:
        return reports
    with np.errstate(all="ignore"):
        columns = [apply_transform(transforms[name], sampled[name]) for name in measured]
    if columns[0].size < _MIN_CORRELATION_ROWS:  # no correlation is measured on so few rows
        return reports
    kept = np.zeros(len(columns), dtype=bool)
    marked: dict[str, tuple[str, float]] = {}
    for j, earlier in _screened_pairs(columns):
        for i in earlier[kept[earlier]]:
            r = _repeats(columns[i], columns[j])
            if r is not None:
                marked[measured[j]] = (measured[i], r)
                break
        else:
            kept[j] = True
    if not marked:
        return reports
    return tuple(replace(r, redundant_with=marked[r.name][0], correlation=marked[r.name][1])
                 if r.name in marked else r for r in reports)


#: Rows (evenly spread through the sample) on which :func:`_screened_pairs` measures every pair's correlation.
SCREEN_ROWS = 512
#: A pair whose correlation on the screen's rows is below this (in absolute value) is not compared exactly:
#: far below :data:`REDUNDANT_CORRELATION`, so that the screen's fewer rows never hide a repeat.
SCREEN_CORRELATION = 0.8
#: Columns whose correlations with all earlier ones the screen computes in one matrix product.
_SCREEN_BLOCK = 256
#: Fewest rows (where both columns are present) on which a correlation is measured.
_MIN_CORRELATION_ROWS = 20


def _screened_pairs(columns: list[np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
    """For each column ``j`` in order, the earlier columns that may repeat it (ascending), from matrix
    products over a few hundred rows: each pair's correlation on those of the rows where both are present
    (a survey-like export has a gap in nearly every column). A pair measured on too few such rows, or of
    which one side does not vary on them, is always compared exactly."""
    rows = columns[0].size
    take = np.unique(np.linspace(0, rows - 1, min(rows, SCREEN_ROWS)).astype(np.int64))
    matrix = np.column_stack([c[take] for c in columns])
    present = np.isfinite(matrix)
    with np.errstate(all="ignore"):
        # each column centred and scaled on its own present rows first, so that the sums below do not
        # cancel (an income near 10^5 that varies by 10^3)
        counts = present.sum(axis=0)
        filled = np.where(present, matrix, 0.0)
        mean = filled.sum(axis=0) / np.maximum(counts, 1)
        spread = np.sqrt((np.where(present, matrix - mean, 0.0) ** 2).sum(axis=0))
        z = np.where(present, (matrix - mean) / np.where(spread > 0, spread, 1.0), 0.0)
    mask = present.astype(float)
    gappy = not present.all()
    varies = spread > 0
    for start in range(0, len(columns), _SCREEN_BLOCK):
        block = slice(start, min(start + _SCREEN_BLOCK, len(columns)))
        earlier = slice(0, block.stop)
        r = z[:, earlier].T @ z[:, block]  # the correlation itself when no column has a gap on these rows
        measured = varies[earlier, None] & varies[None, block]
        if gappy:  # over the rows where both are present: their number, each side's sum and sum of squares
            with np.errstate(all="ignore"):
                n = mask[:, earlier].T @ mask[:, block]
                sum_a, sum_b = z[:, earlier].T @ mask[:, block], mask[:, earlier].T @ z[:, block]
                var_a = n * ((z[:, earlier] ** 2).T @ mask[:, block]) - sum_a ** 2
                var_b = n * (mask[:, earlier].T @ z[:, block] ** 2) - sum_b ** 2
                r = (n * r - sum_a * sum_b) / np.sqrt(var_a * var_b)
                # too few shared rows, or a side (nearly) constant on them: not screened, compared exactly
                measured &= (n >= _MIN_CORRELATION_ROWS) & (var_a > _FLAT * n * n) & (var_b > _FLAT * n * n)
            measured &= np.isfinite(r)
        close = ~measured | (np.abs(r) >= SCREEN_CORRELATION)
        for offset, j in enumerate(range(block.start, block.stop)):
            yield j, np.flatnonzero(close[:j, offset])


#: A side whose variance on a pair's shared screen rows is below this share of its scale is taken as flat.
_FLAT = 1e-9


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson correlation (None with fewer than 20 rows or when either side does not vary)."""
    if a.size < _MIN_CORRELATION_ROWS:
        return None
    x, y = a - a.mean(), b - b.mean()
    # einsum, not @: vectors' dot products go to BLAS, whose threads wait for each other on a busy machine
    denominator = math.sqrt(float(np.einsum("i,i->", x, x)) * float(np.einsum("i,i->", y, y)))
    return float(np.einsum("i,i->", x, y)) / denominator if denominator > 0 else None


def _repeats(a: np.ndarray, b: np.ndarray) -> float | None:
    """The correlation of ``b`` with ``a`` when ``b`` repeats ``a``, else None.

    Both columns must move together overall (|r| >= :data:`REDUNDANT_CORRELATION`, rows where both are
    present) *and* within the lower and the upper half of ``a`` (|r| >= :data:`REDUNDANT_WITHIN`, same sign).
    Two columns that only differ between a few well-separated groups of customers (the structure a
    segmentation is for) correlate strongly overall but not within each half, and both stay proposed.
    """
    both = np.isfinite(a) & np.isfinite(b)
    a, b = a[both], b[both]
    overall = _correlation(a, b)
    if overall is None or abs(overall) < REDUNDANT_CORRELATION:
        return None
    middle = float(np.median(a))
    for half in (a <= middle, a > middle):
        within = _correlation(a[half], b[half])
        if within is None or within * np.sign(overall) < REDUNDANT_WITHIN:
            return None
    return overall


#: Cells parsed per call by :func:`parse_columns`: many short columns share one call (per-call costs are
#: milliseconds: minutes on wide files), a long column gets a call of its own (memory stays a few times
#: one column's size, never the whole table's as Python strings).
BATCH_CELLS = 1_000_000


def parse_columns(frame: pd.DataFrame, positions: Iterable[int], decimal: str = ".",
                  ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """:func:`parse_numeric` of several columns: ``(position, numbers, invalid)`` for each, in order."""
    rows = int(frame.shape[0])
    positions = list(positions)
    per_call = max(1, BATCH_CELLS // max(rows, 1))
    for start in range(0, len(positions), per_call):
        batch = positions[start:start + per_call]
        if len(batch) == 1:
            cells = frame.iloc[:, batch[0]]
        else:  # the columns one after the other, as one pyarrow array (no copy of the text)
            chunks = [chunk.cast(pa.large_string()) for j in batch
                      for chunk in _arrow_text(frame.iloc[:, j].astype(str)).chunks]
            cells = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string())))
        numbers, invalid = _parse_cells(cells, decimal)
        for i, j in enumerate(batch):
            column_numbers, column_invalid = numbers[i * rows:(i + 1) * rows], invalid[i * rows:(i + 1) * rows]
            if column_invalid.any():  # (each column's own: durations are told from times of day column by column)
                text = frame.iloc[:, j].astype(str)
                _read_durations(text, column_numbers, column_invalid)
                if column_invalid.any():  # (and answers written as words, "Somewhat agree", from other text)
                    _read_scale_words(text, column_numbers, column_invalid)
                if column_invalid.any():  # (and numbers written with a unit, "3 years")
                    _read_units(text, column_numbers, column_invalid, decimal)
            yield j, column_numbers, column_invalid


class ColumnNumbers:
    """A table's columns parsed as numbers (:func:`parse_columns`), each parsed once and kept beside its text.

    The data check parses every column; the sweep and the fit then need the numbers of a few of them
    again (about 1.5 s per parse of a column of 10 million cells). A :class:`core.io.TableRead` holds one
    of these (:attr:`core.io.TableRead.numbers`) for its frame: :func:`check_quality` keeps the numeric
    columns' numbers in it, and :func:`core.prepare.prepare_features` takes them from it (and keeps what
    it parsed itself). The answers are those of :func:`parse_columns` on the same cells: the kept arrays
    are made read-only so no caller can change them for the next one. The check keeps neither text
    columns (their numbers are all missing: no feature uses them) nor IDs (numeric ones are rarely a
    feature; asked for, they are parsed then), so a table holds the numbers of its other numeric columns
    at most: 9 bytes per cell (float64 and the not-a-number flag), 540 MB for six columns of 10^7 rows.
    """

    def __init__(self, frame: pd.DataFrame, decimal: str) -> None:
        self._frame = frame
        self._decimal = decimal
        self._kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __getstate__(self) -> dict[str, object]:
        """The state to pickle (the dashboard's store), the kept numbers packed (:func:`_pack_numbers`): a
        column of whole numbers or prices takes 1-4 bytes per cell instead of 9."""
        state = dict(self.__dict__)
        state["_kept"] = {j: (_pack_numbers(numbers), None if not invalid.any() else invalid)
                          for j, (numbers, invalid) in self._kept.items()}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        packed = state.pop("_kept")
        self.__dict__.update(state)
        self._kept = {}
        for j, (numbers, invalid) in packed.items():  # type: ignore[attr-defined]
            values = _unpack_numbers(numbers)
            self.keep(j, values, np.zeros(values.size, dtype=bool) if invalid is None else invalid)

    def belongs_to(self, frame: pd.DataFrame, decimal: str) -> bool:
        """Whether these are the numbers of ``frame`` (the very object) read with ``decimal``."""
        return frame is self._frame and decimal == self._decimal

    def keep(self, position: int, numbers: np.ndarray, invalid: np.ndarray) -> None:
        """Keep the parsed numbers of the column at ``position`` (made read-only)."""
        numbers.flags.writeable = False
        invalid.flags.writeable = False
        self._kept[position] = (numbers, invalid)

    def columns(self, positions: Iterable[int], keep: bool = True) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """:func:`parse_columns` of the frame's columns at ``positions``, kept ones not parsed again; with
        ``keep``, the ones parsed here are kept too."""
        positions = list(positions)
        todo = [j for j in positions if j not in self._kept]
        fresh = parse_columns(self._frame, todo, self._decimal)
        for j in positions:
            if j in self._kept:
                yield (j, *self._kept[j])
                continue
            _, numbers, invalid = next(fresh)
            if keep:
                self.keep(j, numbers, invalid)
            yield j, numbers, invalid


def rows_with_gaps(frame: pd.DataFrame, features: Sequence[str], decimal: str = ".",
                   numbers: ColumnNumbers | None = None, unknown: Mapping[str, Sequence[float]] | None = None,
                   zero: Collection[str] = ()) -> int:
    """How many rows have a gap in at least one of ``features`` (columns of ``frame``): a missing cell, one that
    is not a number, or one of the column's ``unknown`` codes (``{column: codes}``, read as missing): the rows a
    model on them leaves out unless the gaps are filled. Found from outside: a survey's 5% of "Don't know" in each
    of 15 questions left out 54% of the respondents, and nothing said so before the fit. ``numbers`` (the table's
    :class:`ColumnNumbers`) spares parsing again. A feature that is no column (a date's days since) is skipped.
    In the ``zero`` columns a blank cell is 0, as the user chose, not a gap (a text cell still is)."""
    positions = [frame.columns.get_loc(f) for f in features if f in frame.columns]
    if not positions or frame.shape[0] == 0:
        return 0
    kept = numbers if numbers is not None and numbers.belongs_to(frame, decimal) else None
    gap = np.zeros(frame.shape[0], dtype=bool)
    unknown = unknown or {}
    for j, values, invalid in (kept.columns(positions, keep=False) if kept is not None
                               else parse_columns(frame, positions, decimal)):
        gap |= invalid if str(frame.columns[j]) in zero else np.isnan(values)
        codes = unknown.get(str(frame.columns[j]))
        if codes:
            gap |= np.isin(values, list(codes))
    return int(gap.sum())


#: Numbers exports write for "unknown" in a numeric column (an age of 999, an income of -1).
UNKNOWN_CODES = frozenset({99.0, 999.0, 9999.0, 99999.0, 999999.0, 9999999.0, -1.0, -9.0, -99.0, -999.0, -9999.0})
#: A code is read as "unknown" only when at least this many cells hold it...
UNKNOWN_CODE_MIN_CELLS = 3
#: ... and a column's other values stay below it by this factor (a 9s code) or are never negative (a negative code).
UNKNOWN_CODE_GAP = 1.5


def unknown_codes(finite: np.ndarray) -> tuple[tuple[float, ...], int]:
    """The codes for "unknown" among a numeric column's values (``finite``: no NaN), and how many cells hold
    them: its largest value when it is one of the 9s of :data:`UNKNOWN_CODES` (99, 999, 9999...) and every
    other value is at most its :data:`UNKNOWN_CODE_GAP`-th part (ages of 18 to 79 beside 999, not scores up to
    98 beside 99); its smallest when it is a negative code (-1, -99...) and every other value is zero or more
    (incomes beside -1). Each held by at least :data:`UNKNOWN_CODE_MIN_CELLS` cells, in a column with more
    values than codes. Found from outside: a CRM export's Age held 999 for 6% of its customers; the default
    segments made them a segment "Much older" of mean age 999, and the data check proposed a log for the age."""
    if finite.size < 4 * UNKNOWN_CODE_MIN_CELLS:
        return (), 0
    found: list[float] = []
    cells = 0
    rest = finite
    for extreme in (float(finite.max()), float(finite.min())):
        if extreme not in UNKNOWN_CODES or rest.size == 0:
            continue
        at = rest == extreme
        count = int(np.count_nonzero(at))
        if count < UNKNOWN_CODE_MIN_CELLS or count == rest.size:
            continue
        others = rest[~at]
        if (extreme > 0 and float(others.max()) * UNKNOWN_CODE_GAP <= extreme) or (extreme < 0 and float(others.min()) >= 0):
            found.append(extreme)
            cells += count
            rest = others
    return tuple(found), cells


def codes_text(codes: Sequence[float]) -> str:
    """A column's codes for "unknown" as a person writes them: "999", "9999 or -9" (the finding, the model's
    note and the Upload page say them alike)."""
    return " or ".join(format(float(code), "g") for code in codes)


def _date_finding(column: ColumnReport, proposed: Sequence[str], counted_already: bool) -> str:
    """What the data check says of a date column: proposed as the recency (:attr:`ColumnReport.recency`), or offered
    as its days since (a date of birth as each customer's age), with why a last purchase's date is not proposed when
    it has gaps; ``counted_already``: a proposed column counts the days since the last purchase."""
    name, written, feature = column.name, _written_as(column.date_format), derived_name(column.name)
    if feature in proposed:
        return (f"'{name}' holds the date of each customer's last purchase or visit{written}; its days to the file's "
                f"latest date (recency) are proposed as the feature '{feature}'.")
    if is_last_purchase_name(name) and not is_birth_name(name) and not column.recency and not counted_already:
        gaps = (f"{column.missing:,} empty" if column.missing else
                "some hold no date or a placeholder such as 01/01/1900")
        return (f"'{name}' holds the date of each customer's last purchase or visit{written}, but not in every row "
                f"({gaps}); it is offered as the feature '{feature}' (days to the file's latest date), not chosen by "
                "default, as a model on it leaves out the customers without one.")
    what = "(each customer's age today, in years)" if is_birth_name(name) else "(days to the file's latest date)"
    return f"'{name}' holds dates{written}; it is offered as the feature '{feature}' {what}, not chosen by default."


def _is_recency(name: str, values: pd.Series, fmt: str, gaps: int) -> bool:
    """Whether a date column is each customer's last purchase, order or visit to propose as recency
    (:attr:`ColumnReport.recency`): named so, with no gap (``gaps``: its missing and unreadable cells) and no
    placeholder date (1900-01-01), so that a model on it leaves no customer out. Only such a name's dates are read
    here."""
    if gaps or is_birth_name(name) or not is_last_purchase_name(name):
        return False
    days, placeholders, _ = days_since_and_placeholders(values, fmt)
    return placeholders == 0 and not bool(np.isnan(days).any())


def _check_column(name: str, values: pd.Series, rows: int, numbers: np.ndarray, invalid: np.ndarray) -> ColumnReport:
    nan = np.isnan(numbers)
    missing = int(np.count_nonzero(nan) - np.count_nonzero(invalid))
    present = rows - missing
    numeric_count = present - int(invalid.sum())
    if present == 0:
        return ColumnReport(name, "empty", missing, 0, (), 0, False, False, rows)
    is_numeric = numeric_count >= NUMERIC_SHARE * present
    if is_numeric:
        finite = numbers[~nan] if nan.any() else numbers  # (no copy when every cell is a number)
        epoch = epoch_format(finite) if is_time_name(name) and not is_id_name(name) else None
        if epoch is None and (is_date_name(name) or is_birth_name(name)) and not is_id_name(name):
            # (a sheet's dates formatted as numbers: "Last Purchase Date" 45611.4375, "Date of Birth" 25213; a
            # warehouse's written as eight digits: "Last Order Date" 20240115)
            epoch = excel_days_in(finite, is_birth_name(name)) or compact_dates_in(finite)
        if epoch and name.strip().lower() not in PROFILE_COLUMN_NAMES:
            # Unix time under a name that says a moment (found from outside: an app export's created_at of
            # 1701388800 was "an identifier", its last_seen_ms too, and no recency could be had from them)
            return ColumnReport(name, "date", missing, int(invalid.sum()), (), _distinct_values(finite)[0], False,
                                False, rows, date_format=epoch,
                                recency=_is_recency(name, values, epoch, missing + int(invalid.sum())))
        codes, coded_cells = unknown_codes(finite)
        if codes:  # what the column measures, without its codes for "unknown"
            finite = finite[~np.isin(finite, codes)]
        unique, counted_whole = _distinct_values(finite)
        examples = tuple(dict.fromkeys(values[invalid].astype(str).tolist()))[:_EXAMPLES] if invalid.any() else ()
        id_by_values = _looks_like_id_numbers(finite, unique, counted_whole) or (
            finite.size >= 20 and float(finite.min()) >= 10_000 and _analytics_client_ids(values))
        not_numbers = int(invalid.sum())
        whole = (counted_whole or _whole(finite)) if unique <= CODED_NAMED_MAX_DISTINCT else False
        number_name = bool(_NUMBER_NAME.search(name.strip())) or _leading_zeros(values)
        limit = CODED_NAMED_MAX_DISTINCT if number_name or _CODE_NAME.search(name.strip()) else CODED_MAX_DISTINCT
        # two values only, whole or not (a flag written as 0 or 19.99: a dispute's fee), is a code as well
        coded = (whole or unique == 2) and 1 < unique <= limit and finite.size >= 4 * unique
        # a month, weekday or quarter of the calendar describes a segment by its mix (found from outside: an airline
        # loyalty file's "Enrollment Month", 1 to 12, was a proposed feature, January and December far apart)
        calendar = _calendar_range(name)
        on_calendar = (calendar is not None and whole and 1 < unique
                       and calendar[0] <= float(finite.min()) and float(finite.max()) <= calendar[1])
        # a time zone's offset from UTC says where a customer lives, as a map position does (found from outside: a
        # Mailchimp export's GMTOFF, -8 to 10 with India's 5.5, was a proposed feature): its mix per segment
        place = is_utc_offset_name(name) and unique > 1
        coded = coded or on_calendar or place
        # an invoice, product or post code's number: more values than a coded column has, names not measures
        id_by_values = id_by_values or (number_name and not coded and unique > 1
                                        and (counted_whole or _whole(finite)))
        # answers on a rating scale measure (a satisfaction of 1 to 5), where a region's 1 to 5 name places
        scale = _rating_scale(finite) if coded and whole and unique >= 3 and not on_calendar and not place else None
        rating = scale is not None and is_rating_name(name)
        # a column of words ("Somewhat agree") or of numbers with a unit ("3 years"): letters in its first written
        # cells (a look at 200 cells, not the 2,000 that scale_words and number_unit read for a column of numbers)
        lettered = any(re.search("[A-Za-z]", str(cell)) for cell in values.iloc[:200].tolist())
        words = scale_words(values) if lettered and not_numbers < finite.size else ()
        if words:  # on its scale's numbers, whichever answers were given
            scale, rating = (int(finite.min()), int(np.ceil(finite.max()))) if finite.size else None, True
        coded = coded and not rating
        proposal = propose_transform(finite, unique)
    else:
        present = ~nan | invalid
        texts = (values if present.all() else values[present]).astype(str)  # the cells that are not missing
        unique = int(texts.nunique())
        examples = ()
        id_by_values = unique == texts.size and texts.size >= 20 and _looks_like_codes(texts)
        not_numbers = 0
    id_like = is_id_name(name) or id_by_values
    profile = name.strip().lower() in PROFILE_COLUMN_NAMES
    if not is_numeric:
        # every cell different and no space in it reads like a code, but a timestamp is a date (found from outside:
        # an export's "Signup" written 2024-03-15T10:22:00Z was an identifier); a column named as an id is one
        fmt = None if is_id_name(name) or unique <= 1 else date_format(texts)
        if fmt:
            id_like = False
        if not fmt and not id_like and missing:  # a text column's "none" or "NA" (a region) is one of its values
            marked = values[~present].astype(str)
            own = _values_among_markers(marked, texts)
            if own.any():
                texts = pd.concat([texts, marked[own]])
                missing -= int(own.sum())
                unique = int(texts.nunique())
        variants: tuple[tuple[str, ...], ...] = ()
        choices: tuple[str, ...] = ()
        if not fmt and not id_like and 1 < unique <= CASE_CHECK_MAX_DISTINCT:
            # counted as written, then stripped: a few distinct texts, not every cell (0.3 s less at 10^7 rows)
            stripped: dict[str, int] = {}
            for text, count in texts.value_counts(sort=False).items():
                if str(text).strip():
                    stripped[str(text).strip()] = stripped.get(str(text).strip(), 0) + int(count)
            variants = case_variants(sorted(stripped, key=lambda t: (-stripped[t], t)))  # most common first
            found_choices = choices_of(sorted(stripped))
            choices = found_choices[0] if found_choices is not None else ()
        # a profile column's dates (the RFM table's first_purchase) are said to be dates, not offered as features
        # one text and blanks is a flag, not a constant: a survey's checkbox column holds the option where it was
        # chosen (found from outside: a SurveyMonkey export's "Which features do you use? - Reports", 60% chosen)
        flag = unique == 1 and missing > 0 and not fmt
        # ... and where the value is the option the column's name ends with, its blanks are answers: not ticked
        # (found from outside: a SurveyMonkey export's checkbox columns were said to have 40% and 70% missing values)
        option = str(texts.iloc[0]).strip() if flag else ""
        ticked = option if option and name.strip().casefold().endswith(option.casefold()) else None
        if ticked:
            missing, unique = 0, 2
        if choices:  # a checkbox question in one cell: a blank is none of its answers ticked, as its mixes count it
            missing = 0
        return ColumnReport(name, "date" if fmt and not profile else "text", missing, not_numbers, examples, unique,
                            id_like, unique == 1 and not flag, rows, profile, date_format=fmt, case_variants=variants,
                            choices=choices, ticked=ticked,
                            recency=bool(fmt) and not profile and _is_recency(name, values, fmt, missing))
    if id_like:
        codes, coded_cells = (), 0  # an identifier's 999 is a customer's number
    return ColumnReport(name, "numeric", missing, not_numbers, examples, unique, id_like, unique == 1, rows,
                        profile, coded=coded, skewness=proposal.skewness, transform=proposal.transform,
                        transform_reason=proposal.reason, model_output=bool(MODEL_OUTPUT_NAME.search(name)),
                        survey_timing=bool(SURVEY_TIMING_NAME.match(name)),
                        unknown_codes=codes, unknown=coded_cells, scale=scale, rating=rating,
                        duration=is_duration_text(values), scale_words=words,
                        unit=number_unit(values) if lettered and not words else None,
                        blank_zero=None if id_like or words else _with_markers(
                            blank_zero_reading(name, finite, missing, unique), values, nan & ~invalid))


#: A text column's values that read like codes (regions, countries: ``EMEA``, ``APAC``, ``US``, ``DE``).
_CODE_TEXT = re.compile(r"^[A-Z][A-Z0-9]{1,4}$")


def kept_markers(marked: Collection[str], present: Callable[[], Iterable[str]]) -> set[str]:
    """Of a text column's distinct cells that read as missing (``marked``: :data:`MISSING_MARKERS`, spaces
    stripped), those that are values of its own: ``none`` in any case (a plan, a tax exemption, a referral of
    none: Stripe's "Tax Exempt" is none, exempt or reverse) and, among codes such as ``EMEA`` and ``APAC`` or
    ``US`` and ``DE``, ``NA`` (North America, Namibia). ``present()``: the column's other distinct cells,
    asked for only when ``NA`` is among ``marked``. The data check and the segments' mixes (:mod:`core.insight`)
    both follow this rule. Found from outside: such a column was reported missing in 95% of its rows and "the
    same value in every row", and left out of the mixes."""
    own = {m for m in marked if m.lower() == "none"}
    if "NA" in marked:
        distinct = [t.strip() for t in present()]
        if distinct and all(_CODE_TEXT.match(t) for t in distinct):
            own.add("NA")
    return own


def _values_among_markers(marked: pd.Series, texts: pd.Series) -> np.ndarray:
    """Which of a text column's cells read as missing (``marked``) are values of its own (:func:`kept_markers`);
    ``texts``: the column's cells that do not."""
    stripped = marked.str.strip()
    own = kept_markers(set(stripped.unique()), lambda: texts.astype(str).unique())
    return stripped.isin(own).to_numpy(dtype=bool) if own else np.zeros(len(stripped), dtype=bool)


#: A text column with at most this many distinct values is checked for values written in different case
#: (a category such as Gender or Plan; not names, e-mails or free text).
CASE_CHECK_MAX_DISTINCT = 1_000


def case_variants(distinct: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """The groups of ``distinct`` (a column's distinct cells, spaces stripped) that differ only in case, each
    group in the order the cells came (give them most common first), the groups by their first spelling:
    ``("Female", "female", "FEMALE"), ("Male", "male")``. Empty when every value is written one way."""
    groups: dict[str, list[str]] = {}
    for text in distinct:
        groups.setdefault(text.casefold(), []).append(text)
    return tuple(sorted((tuple(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0]))


def _distinct_values(finite: np.ndarray) -> tuple[int, bool]:
    """How many different values, and whether counting them proved every value whole (False: not known).

    Numbers written with at most :data:`_TABLE_DECIMALS` decimals (whole numbers, prices, a rating to one
    decimal) in a short range are counted in a table (linear time), others are sorted: 10^7 values take
    0.25-0.4 s to sort, the table a fraction of that.

    A value ``x`` with ``d`` decimals is the integer ``q = rint(x * 10**d)`` divided by ``10**d``: as a number
    parsed from text with ``d`` decimals is the double nearest to it, ``q / 10**d`` (the double nearest to the
    same number) is ``x`` itself, so each ``q`` stands for exactly one value and values and integers count
    alike. That equality is checked for every value (a value with more decimals, or too large for exact
    integers, sends the column to the sort).

    The table is filled a slice at a time (:data:`_DISTINCT_SLICE` values, through small buffers that stay in
    the processor's cache): shifting, converting to integers and checking each value cost a third of what the
    same steps on whole columns cost (each allocated a fresh column)."""
    decimals = _few_decimals(finite[:10_000]) if finite.size > 10_000 else None
    if decimals is not None:
        scale = 10.0 ** decimals
        low, high = float(finite.min()), float(finite.max())
        low_q = float(np.rint(low * scale))
        if (high - low) * scale < 2 * finite.size and max(abs(low), abs(high)) * scale < _EXACT_INTEGERS:
            seen = np.zeros(int(np.rint(high * scale) - low_q) + 1, dtype=bool)
            value = np.empty(min(_DISTINCT_SLICE, finite.size))
            back = np.empty(value.size) if decimals else value
            offsets = np.empty(value.size, dtype=np.int64)
            for start in range(0, finite.size, _DISTINCT_SLICE):
                part = finite[start:start + _DISTINCT_SLICE]
                shifted, check, offset = value[:part.size], back[:part.size], offsets[:part.size]
                if decimals:
                    np.multiply(part, scale, out=shifted)
                    np.rint(shifted, out=shifted)
                    np.divide(shifted, scale, out=check)
                    if not np.array_equal(check, part):  # more decimals than the first values had: sorted
                        break
                    shifted -= low_q
                else:
                    np.subtract(part, low, out=shifted)
                np.copyto(offset, shifted, casting="unsafe")
                if not np.array_equal(offset, shifted):  # a fraction among whole numbers: sorted after all
                    break
                seen[offset] = True
            else:
                return int(np.count_nonzero(seen)), decimals == 0
    return int(np.unique(finite).size), False


#: Values :func:`_distinct_values` shifts, converts and marks at a time (1.5 MB of buffers).
_DISTINCT_SLICE = 1 << 16
#: The most decimals :func:`_distinct_values` counts in a table (money has 2; a share or a rate 3-4).
_TABLE_DECIMALS = 4
#: Integers up to this are exact in float64 with room to spare (2^52).
_EXACT_INTEGERS = float(2 ** 52)


#: Columns shorter than this are pickled as they are (packing pays on large columns only).
_PACK_MIN_ROWS = 100_000


def _pack_numbers(numbers: np.ndarray) -> np.ndarray | tuple[np.ndarray, int]:
    """A kept column's numbers for the store: ``(q, d)``, the integers ``q = rint(x * 10**d)`` in the smallest
    integer type that holds them, when every value is finite, written with at most :data:`_TABLE_DECIMALS`
    decimals and given back bit for bit by ``q / 10**d`` (see :func:`_distinct_values`; checked against what
    :func:`_unpack_numbers` gives back, so a column holding -0.0 is not packed); else the numbers as they are.
    Worked out a slice at a time, without a temporary the size of the column."""
    if numbers.size < _PACK_MIN_ROWS or numbers.dtype != np.float64 or numbers.ndim != 1:
        return numbers
    decimals = _few_decimals(numbers[:10_000])
    if decimals is None or not np.isfinite(numbers[:10_000]).all():
        return numbers
    scale = 10.0 ** decimals
    low, high = float(numbers.min()), float(numbers.max())  # (NaN when a value is NaN: not packed)
    if not (max(abs(low), abs(high)) * scale < _EXACT_INTEGERS):
        return numbers
    kind = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                if np.iinfo(t).min <= np.rint(low * scale) and np.rint(high * scale) <= np.iinfo(t).max)
    packed = np.empty(numbers.size, dtype=kind)
    whole = np.empty(min(_DISTINCT_SLICE, numbers.size))
    back = np.empty(whole.size)
    for start in range(0, numbers.size, _DISTINCT_SLICE):
        part = numbers[start:start + _DISTINCT_SLICE]
        q, check, target = whole[:part.size], back[:part.size], packed[start:start + part.size]
        np.multiply(part, scale, out=q)
        np.rint(q, out=q)
        np.copyto(target, q, casting="unsafe")
        np.copyto(check, target, casting="unsafe")  # what _unpack_numbers will give back
        if decimals:
            np.divide(check, scale, out=check)
        if not np.array_equal(check.view(np.int64), part.view(np.int64)):  # bit for bit (-0.0 is not 0.0)
            return numbers
    return packed, decimals


def _unpack_numbers(packed: np.ndarray | tuple[np.ndarray, int]) -> np.ndarray:
    """The numbers :func:`_pack_numbers` packed, bit for bit."""
    if not isinstance(packed, tuple):
        return packed
    q, decimals = packed
    numbers = np.empty(q.size)
    scale = 10.0 ** decimals
    for start in range(0, q.size, _DISTINCT_SLICE):
        part = numbers[start:start + _DISTINCT_SLICE]
        np.copyto(part, q[start:start + part.size], casting="unsafe")
        if decimals:
            np.divide(part, scale, out=part)
    return numbers


def _few_decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (0 to :data:`_TABLE_DECIMALS`) every value is written with, or None."""
    if _whole(values):
        return 0
    for decimals in range(1, _TABLE_DECIMALS + 1):
        scale = 10.0 ** decimals
        if np.array_equal(np.rint(values * scale) / scale, values):
            return decimals
    return None


def _whole(finite: np.ndarray) -> bool:
    """Whether every (finite) value is a whole number (``rint``: 20x faster than ``mod(x, 1) == 0``)."""
    return bool(np.array_equal(np.rint(finite), finite))


#: Of measures that all have many gaps, those proposed are empty in at most this share of the rows more than the
#: least empty of them (:func:`_fewest_gaps`).
GAPS_BEYOND_FEWEST = 0.05


def _fewest_gaps(columns: Sequence[ColumnReport]) -> list[str]:
    """The names of the columns with the fewest gaps: those empty in at most :data:`GAPS_BEYOND_FEWEST` of the rows
    more than the least empty one (a model on a column empty for more customers would leave them out too)."""
    if not columns:
        return []
    least = min(c.missing for c in columns)
    return [c.name for c in columns if c.missing <= least + GAPS_BEYOND_FEWEST * c.rows]


def _leading_zeros(values: pd.Series) -> bool:
    """Whether one in twenty of a numeric column's first written cells (200 at most) are whole numbers written with a
    leading zero (``06345``): a code's way (a post code, an account number), never a measure's. Found from outside: a
    Brevo contacts export's post codes, under a name not known for them, were a proposed feature."""
    cells = first_written(values, 200)
    return len(cells) > 0 and float(cells.str.match(r"^\s*0\d+\s*$").mean()) >= 0.05


def _looks_like_id_numbers(finite: np.ndarray, unique: int, whole: bool = False) -> bool:
    """Whole numbers, all different, that count up (1..n) or are long codes (six digits or more); ``whole``
    when the values are known to be whole (not checked again)."""
    if finite.size < 20 or unique != finite.size or not (whole or _whole(finite)):
        return False
    consecutive = float(finite.max() - finite.min()) == finite.size - 1
    return consecutive or float(np.abs(finite).min()) >= 100_000


#: Google Analytics' client id (GA4's ``user_pseudo_id``): a random number, a point, and the first visit's time in
#: Unix seconds (``1234567890.1698765432``): read as a number it is about 1.2e9, a "measure" of nothing.
_ANALYTICS_CLIENT_ID = re.compile(r"^\d{5,10}\.1\d{9}$")


def _analytics_client_ids(values: pd.Series) -> bool:
    """Whether a column's first written cells are all analytics client ids (:data:`_ANALYTICS_CLIENT_ID`). Found
    from outside: a GA export's client ids under a custom dimension's name ("Dimension 1") were a proposed feature."""
    cells = first_written(values, 200)
    return len(cells) >= 20 and bool(cells.str.fullmatch(_ANALYTICS_CLIENT_ID).all())


def _looks_like_codes(texts: pd.Series) -> bool:
    """Unique texts without spaces (codes like '7590-VHVEG'), as opposed to free text such as names."""
    sample = texts.head(200)
    return not bool(sample.str.contains(" ", regex=False).any())
