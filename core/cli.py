"""The ``segments`` command line.

::

    segments inspect FILE
    segments sweep FILE [--features A,B,...] [--transform COLUMN=log|signed_log|none ...] [--k-min 2]
                   [--k-max 10] [--seed N] [--missing ...]
    segments fit FILE [--features A,B,...] [--transform COLUMN=...] (--k N|auto | --model PATH [--map FILECOL=MODELCOL ...])
                 [--missing drop|mean|median|error] [--seed N] --out OUT.csv [--summary SUMMARY.csv]
                 [--name N=NAME ...] [--stability-runs 10] [--save-model MODEL.json] [--report REPORT.html]
    segments compare OLD.csv NEW.csv [--id COLUMN|OLD=NEW] [--cluster cluster] [--out MIGRATION.csv]
    segments rfm ORDERS --out CUSTOMERS.csv [--customer COL] [--date COL]
                 [--amount COL | --quantity COL --price COL] [--order COL] [--as-of DATE]

Without ``--features``, ``sweep`` and ``fit`` use the data check's proposed features (numeric columns
that are not IDs, constants or codes); each feature gets the data check's proposed transform
(:mod:`core.transform`: a log for strongly right-skewed columns) unless ``--transform COLUMN=none``
(or ``log``, ``signed_log``) says otherwise. Both print ``features: Spend (log), Orders (log), Recency``.
``fit --k auto`` chooses k by the sweep's recommendation and fits it in one command; when the model on every
customer breaks the rule that made k the recommendation while the sweep's sample kept it, a ``note:`` line says so
and the next recommendation that holds is fitted (``recommended k instead: N. reason``); ``fit --k N`` warns of the
same, naming the k that holds (:func:`core.insight.settle_split`). ``inspect`` lists
each column's role (feature, profile, date, ID-like...), skewness and proposed transform.

``sweep`` prints WCSS, silhouette, Calinski-Harabasz, Davies-Bouldin, the smallest and largest segment's
share and the stability under resampling per k, the elbow, then ``recommended k: N. reason`` (:func:`core.insight.recommend_k`) and its
``warning: ...`` lines.

``fit`` writes every input row and column plus ``cluster``, ``segment`` and the per-customer confidence
(``distance``, ``margin``, ``silhouette``, ``borderline``; empty for rows left out). ``--summary``
writes :func:`core.insight.summary_table`: per segment its size, share, the mean of each feature (a
column named after the feature), ``<feature> index`` (average = 100) and the mix of the file's text
columns (``Gender: Female``). Text columns are :attr:`QualityReport.text_columns`, except those whose
every value is different (names, free text: they say nothing about a segment). ``fit`` also prints the
stability (:func:`core.insight.stability`, ``--stability-runs`` re-fits, 0 skips it) and, for a saved
model, a ``warning:`` line when the file's customers lie outside its training data. ``--name 2=Big
spenders`` renames segment 2 in every output; ``--save-model`` keeps the names; ``--report`` writes
the one-page HTML report (:func:`core.report.render_report`).

``compare`` joins two clustered outputs (``fit --out`` files, one per snapshot) on the customer id
column (recognised, or ``--id``; where the new file names it otherwise, the column holding the same ids, or
``--id OLD=NEW``), compared as text exactly as in the files (``--loose-ids``: ignoring leading zeros, letter case
and spaces at either end; a ``warning:`` line proposes it when few ids match exactly but many would
loosely, as after a spreadsheet dropped the zeros), and prints the from x to matrix of clusters
(:mod:`core.migration`); ``--out`` writes it as ``from``, ``to``, ``customers`` rows (``from`` empty for
new customers or customers not scored in OLD; ``to`` empty for customers gone or not scored in NEW).
A file that repeats an id is refused, naming the ids.

No output ever replaces an input: an output that is the input file or the ``--model`` bundle (however
spelled: relative, through ``..``, a symbolic or hard link) or another output is refused before any work.

``rfm`` turns an order file (one row per order line) into a customer table (:func:`core.rfm.build_customers`:
recency, frequency, monetary value, RFM scores and groups), prints the columns it used (given or recognised)
and what it found (returns, cancellations, lines without a customer...), and writes the table for ``fit``.

Exit status 0 on success, 2 on bad input or arguments (one line on stderr starting ``error:``).
Warnings go to stdout as ``warning: ...`` lines.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import errno
import functools
import gc
import importlib
import os
import secrets
import shlex
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .errors import NotEnoughRowsError, SegmentsError
from .options import DEFAULT_MISSING, MAX_MODEL_K, MISSING_STRATEGIES, SWEEP_K_MAX, SWEEP_K_MIN
from .text import join_words, mean_text, percent, short_label

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from .insight import Recommendation, Refits, Stability
    from .io import TableRead
    from .migration import Migration
    from .persist import ModelInfo
    from .prepare import FeatureMatrix
    from .quality import QualityReport
    from .segmentation import Segmentation
    from .selection import SweepResult

# Each command imports what it uses when it runs (numpy, pandas, pyarrow, scikit-learn take a second or
# more to import): ``segments --help`` imports none of them, ``inspect`` no scikit-learn (tests/core/test_startup.py).

__all__ = ["main", "run"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
#: The output's reader went away (``segments inspect big.csv | head``): 128 + SIGPIPE, as a shell reports a
#: command that a closed pipe stopped; nothing is said about it.
EXIT_CLOSED_PIPE = 141

#: Re-fits of the stability check ``fit`` runs by default.
DEFAULT_STABILITY_RUNS = 10


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one ``error:`` line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _build_parser() -> _Parser:
    parser = _Parser(prog="segments", description="Customer segmentation with K-Means.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    skip_help = ("leave out the first row under the header when the data check finds that it describes the "
                 "columns (descriptions or units) rather than a customer")
    sheet_help = "the worksheet of an Excel workbook to read (default: the one with the most cells)"
    inspect = sub.add_parser("inspect", help="read a file and report what the data check found")
    inspect.add_argument("file")
    inspect.add_argument("--skip-description-row", action="store_true", help=skip_help)
    inspect.add_argument("--sheet", metavar="NAME", help=sheet_help)
    summary_help = ("leave out the rows at the end of the file that the data check finds total or average the "
                    "customers above them ('Total', 'Average', or the columns' sums)")
    inspect.add_argument("--skip-summary-rows", action="store_true", help=summary_help)
    net_help = ("leave out of a customer table made by 'segments rfm' the customers whose returns equal or exceed "
                "their purchases (monetary 0 or less)")
    inspect.add_argument("--skip-net-returns", action="store_true", help=net_help)
    zero_help = ("count the blank cells of this numeric column as 0 (repeatable): a total or a count left empty for "
                 "customers who did nothing, such as a CRM export's revenue; cells that are text stay gaps")
    inspect.add_argument("--blank-is-zero", action="append", default=[], metavar="COLUMN", help=zero_help)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("file")
        p.add_argument("--features", help="comma-separated exact column names (default: the data check's proposal: "
                                          "numeric columns that are not IDs, constants or codes)")
        p.add_argument("--transform", action="append", default=[], metavar="COLUMN=TRANSFORM",
                       help="transform a feature before scaling: log, signed_log or none (repeatable; default: "
                            "the data check's proposal, a log for strongly right-skewed columns)")
        p.add_argument("--missing", choices=MISSING_STRATEGIES, default=DEFAULT_MISSING,
                       help="what to do with missing values (default: drop those rows from the model)")
        p.add_argument("--keep-codes", action="store_true",
                       help="use numbers the data check reads as codes for unknown (an age of 999, an income of "
                            "-1) as values; by default they count as missing")
        p.add_argument("--seed", type=_seed, default=0, help=f"random seed, 0 to {MAX_SEED} (default 0)")
        p.add_argument("--skip-description-row", action="store_true", help=skip_help)
        p.add_argument("--sheet", metavar="NAME", help=sheet_help)
        p.add_argument("--skip-summary-rows", action="store_true", help=summary_help)
        p.add_argument("--skip-net-returns", action="store_true", help=net_help)
        p.add_argument("--blank-is-zero", action="append", default=[], metavar="COLUMN", help=zero_help)
        p.add_argument("--threads", type=_thread_count, metavar="N",
                       help="threads for the read, the sweep, the fit and its stability check (default: "
                            "OMP_NUM_THREADS if set, else every core this process may use); the answers are the "
                            "same for any N")

    sweep = sub.add_parser("sweep", help="WCSS, silhouette and more for a range of k, the elbow and a recommended k")
    common(sweep)
    sweep.add_argument("--k-min", type=int, default=SWEEP_K_MIN)
    sweep.add_argument("--k-max", type=int, default=SWEEP_K_MAX)

    fit = sub.add_parser("fit", help="segment a file and write it with a cluster column")
    common(fit)
    how = fit.add_mutually_exclusive_group(required=True)
    how.add_argument("--k", type=_k_value, help="train a new model with this many segments, or 'auto': the "
                                                "recommended k")
    how.add_argument("--model", help="apply a saved model (a .json bundle, or the shipped models/kmeans_model.pkl)")
    fit.add_argument("--map", action="append", default=[], metavar="FILECOL=MODELCOL",
                     help="feed the model feature MODELCOL from the file's column FILECOL (repeatable)")
    fit.add_argument("--out", required=True, help="where to write the clustered CSV")
    fit.add_argument("--summary", help="where to write the cluster summary CSV")
    fit.add_argument("--name", action="append", default=[], metavar="N=NAME",
                     help="call segment N (the cluster number as shown, 1 = largest) NAME (repeatable)")
    fit.add_argument("--stability-runs", type=int, default=DEFAULT_STABILITY_RUNS, metavar="N",
                     help=f"re-fits of the stability check (default {DEFAULT_STABILITY_RUNS}; 0 skips it)")
    fit.add_argument("--save-model", help="write the trained model as a safe .json bundle")
    fit.add_argument("--report", help="write a one-page, self-contained HTML report")

    compare = sub.add_parser("compare", help="how customers moved between the clusters of two clustered files")
    compare.add_argument("old", metavar="OLD", help="the earlier clustered file (segments fit --out)")
    compare.add_argument("new", metavar="NEW", help="the later clustered file")
    compare.add_argument("--id", dest="id_column", metavar="COLUMN",
                         help="the customer id column (matched as text, exactly as written; default: the column "
                              "both files have that the data check finds ID-like, when there is one); OLD=NEW when "
                              "the new file names it otherwise (default: its column holding the same ids)")
    compare.add_argument("--loose-ids", action="store_true",
                         help="match ids ignoring leading zeros, letter case and spaces at either end (a spreadsheet "
                              "drops the leading zeros of ids written in digits)")
    compare.add_argument("--cluster", default="cluster", metavar="COLUMN",
                         help="the cluster column of both files (default: cluster)")
    compare.add_argument("--out", help="write the matrix as CSV rows: from, to, customers")

    rfm = sub.add_parser("rfm", help="turn an order file into a customer table (recency, frequency, monetary)")
    rfm.add_argument("file", metavar="ORDERS")
    rfm.add_argument("--sheet", metavar="NAME", help=sheet_help)
    rfm.add_argument("--out", required=True, help="where to write the customer table (CSV)")
    rfm.add_argument("--customer", metavar="COL", help="the customer id column (default: recognised by name)")
    rfm.add_argument("--date", metavar="COL", help="the order date column (default: recognised by name)")
    value = rfm.add_mutually_exclusive_group()
    value.add_argument("--amount", metavar="COL", help="the line amount column (default: recognised by name)")
    value.add_argument("--quantity", metavar="COL", help="the quantity column (with --price)")
    rfm.add_argument("--price", metavar="COL", help="the unit price column (with --quantity)")
    rfm.add_argument("--order", metavar="COL", help="the order (invoice) number column (default: recognised)")
    rfm.add_argument("--status", metavar="COL",
                     help="the order status column: lines of orders marked refunded, cancelled, voided or failed are "
                          "left out and said (default: recognised by name; 'none' counts every line)")
    rfm.add_argument("--refund", metavar="COL",
                     help="the amount refunded of each line's order (a partial refund): it nets against the line's "
                          "value and is said (default: recognised by name; 'none' nets nothing)")
    rfm.add_argument("--currency", metavar="COL",
                     help="the currency of each line's amount: with several currencies, the lines of one are counted "
                          "and the others left out and said (default: recognised by name; 'none' reads no currency)")
    rfm.add_argument("--in-currency", metavar="CODE",
                     help="the currency counted when the lines are in several (default: the currency of the most "
                          "lines; 'all' adds up every amount as written, without conversion)")
    rfm.add_argument("--as-of", metavar="DATE",
                     help="measure recency to this date (default: the day after the last order)")
    rfm.add_argument("--window", metavar="MONTHS", type=_window_months,
                     help="count orders and spending over the MONTHS months before the as-of date only (columns "
                          "frequency_12m, monetary_12m...), so tables built from exports months apart measure the same "
                          "span (default: every order)")
    return parser


def _window_months(text: str) -> int:
    """``rfm --window``: a whole number of months within :data:`core.rfm.WINDOW_MONTHS`."""
    from .rfm import WINDOW_MONTHS  # (when the option is given: not for --help)

    low, high = WINDOW_MONTHS
    try:
        months = int(text.strip().lower().removesuffix("m").removesuffix("months").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of months, such as 12, got '{text}'") from None
    if not low <= months <= high:
        raise argparse.ArgumentTypeError(f"the window is from {low} to {high} months, got {months}")
    return months


def _k_value(text: str) -> int | str:
    """``--k``: a whole number from 2 to :data:`core.persist.MAX_MODEL_K` (what a saved model may have; one
    segment would be every customer, and ``sweep`` starts at 2 too), or ``auto``."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'auto', not {text!r}") from None
    if not 2 <= k <= MAX_MODEL_K:
        raise argparse.ArgumentTypeError(f"k must be from 2 to {MAX_MODEL_K} (one segment would be every "
                                         f"customer), not {k}")
    return k


#: The largest seed scikit-learn accepts.
MAX_SEED = 2 ** 32 - 1


def _seed(text: str) -> int:
    """``--seed``: a whole number from 0 to :data:`MAX_SEED`."""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {text!r}")
    return seed


def _transforms(args: argparse.Namespace, report: QualityReport, features: Sequence[str]) -> dict[str, str]:
    """Each feature's transform: ``--transform`` where given, else the data check's proposal."""
    from .transform import parse_transform_pairs

    chosen = parse_transform_pairs(args.transform)
    stray = [c for c in chosen if c not in features]
    if stray:
        try:
            found = report.column(stray[0]).kind
        except KeyError:
            found = None
        kind = {None: "not a column of the file", "numeric": "not one of the features"}.get(
            found, f"a {found} column, not one of the features")
        raise SegmentsError(f"--transform {stray[0]}=...: '{stray[0]}' is {kind}; transforms apply to the model's "
                            f"numeric features ({', '.join(features)}).")
    return {**report.proposed_transforms_for(features, keep_codes=args.keep_codes), **chosen}


def _unknown(args: argparse.Namespace, report: QualityReport) -> dict[str, tuple[float, ...]]:
    """The codes for "unknown" read as missing (the data check's), none with ``--keep-codes``."""
    return {} if args.keep_codes else report.unknown_codes


def _labels(features: Sequence[str], transforms: Sequence[str]) -> str:
    from .transform import feature_label

    return ", ".join(feature_label(f, t) for f, t in zip(features, transforms or ["none"] * len(features)))


def _features(args: argparse.Namespace, report: QualityReport) -> list[str]:
    if args.features:  # CSV-style: a name holding a comma is quoted ("Income, k$")
        try:
            fields = next(csv.reader([args.features], skipinitialspace=False), [])
        except csv.Error as exc:
            raise _UsageError(f"--features could not be read as comma-separated names ({exc})") from None
        return [f for f in fields if f != ""]
    chosen = report.default_features
    if not chosen:
        dates = report.derived_features
        example = f' (--features "{",".join(dates[:2])}")' if dates else ""
        raise SegmentsError(report.why_no_features() + f" To use other columns, name them with --features{example}.")
    return chosen


_SKIPPED_DESCRIPTION_ROW = ("The first row under the header describes the columns; it was left out of the table, "
                            "as asked (--skip-description-row).")


#: Said when a workbook has several sheets and none was named.
_OTHER_SHEETS = "Give --sheet NAME to read another sheet of the workbook."


def _read(path: str, args: argparse.Namespace) -> tuple[TableRead, QualityReport, list[str]]:
    """The file read and checked, without the rows ``args`` asks to leave out (a description row, summary
    rows, the customers of an RFM table who returned as much as they bought), and what was left out (or could be:
    those customers, and the workbook's other sheets) in words. A row asked to be left out that the data check did
    not find is a usage error: nothing is left out unasked or by guess."""
    from .io import read_table
    from .quality import check_quality, without_rows
    from .rfm import net_return_rows, net_returns_apart, net_returns_left_out, net_returns_text

    table = read_table(path, Path(path).name, sheet=args.sheet)
    said: list[str] = []
    if len(table.sheets) > 1 and args.sheet is None:
        said.append(_OTHER_SHEETS)
        table = replace(table, warnings=[*table.warnings, _OTHER_SHEETS])
    report = check_quality(table.frame, table.decimal, table.numbers)
    left_out: list[int] = []
    if args.skip_description_row:
        if not report.description_row:
            raise _UsageError("--skip-description-row: the first row under the header holds a customer, not "
                              "descriptions of the columns; nothing was left out")
        left_out.append(0)
        said.append(_SKIPPED_DESCRIPTION_ROW)
    if args.skip_summary_rows:
        if not report.summary_rows:
            raise _UsageError("--skip-summary-rows: the last rows of the file hold customers, not totals or "
                              "averages of them; nothing was left out")
        left_out.extend(row.position for row in report.summary_rows)
        several = len(report.summary_rows) > 1
        said.append(f"{report.summary_rows_text(first_word=True)}; {'they were' if several else 'it was'} left out "
                    "of the table, as asked (--skip-summary-rows).")
    net = net_return_rows(table.frame, table.decimal, table.numbers)
    if args.skip_net_returns:
        if not net:
            raise _UsageError("--skip-net-returns: no customer of this table returned as much as they bought (it is "
                              "not a customer table made by 'segments rfm', or every monetary value is above 0); "
                              "nothing was left out")
        left_out.extend(net)
        said.append(f"{net_returns_left_out(len(net), report.rows)}, as asked (--skip-net-returns).")
    elif net and net_returns_apart(report.proposed_transforms):
        said.append(f"{net_returns_text(len(net), report.rows)}: --skip-net-returns leaves them out of the table.")
        table = replace(table, warnings=[*table.warnings, said[-1]])
    if left_out:
        table = replace(table, frame=without_rows(table.frame, left_out),
                        warnings=[*table.warnings, *(line for line in said if line not in table.warnings)])
        report = check_quality(table.frame, table.decimal, table.numbers)
    return table, _with_zero_blanks(report, args), said


def _with_zero_blanks(report: QualityReport, args: argparse.Namespace) -> QualityReport:
    """The report with the blanks of the ``--blank-is-zero`` columns counted as 0 (a usage error names a column
    whose blanks cannot be: none such, text, an identifier)."""
    for name in args.blank_is_zero:
        problem = report.zero_blank_problem(name)
        if problem:
            raise _UsageError(f"--blank-is-zero: {problem}")
    return report.with_zero_blanks(args.blank_is_zero)


#: Columns ``inspect`` names in one line before it says how many more.
_SHOWN_COLUMNS = 8


def _inspect(args: argparse.Namespace, out: TextIO) -> None:
    from .quality import rows_with_gaps

    table, report, _ = _read(args.file, args)
    fmt = table.workbook_kind or \
        f"CSV, {table.encoding}, {table.separator_name}-separated, decimal mark '{table.decimal}'"
    print(f"{args.file}: {report.rows:,} rows, {report.columns:,} columns ({fmt})", file=out)
    for warning in table.warnings:
        print(f"note: {_one_line(warning)}", file=out)
    _warn_order_lines(args, table, out)
    frame = report.to_frame()
    frame["missing share"] = frame["missing share"].map(percent)
    frame["skewness"] = frame["skewness"].map(lambda v: "" if v != v else f"{v:.2f}")
    print(frame.to_string(index=False), file=out)
    proposed = report.default_features
    print(f"features proposed: {_labels(proposed, list(report.proposed_transforms_for(proposed).values())) or '(none)'}",
          file=out)
    zero = report.zero_blank_proposed
    if zero:  # (a CRM export's revenue, empty for those who never bought; a loyalty export's 40 categories)
        print("blanks that likely mean 0 (--blank-is-zero COLUMN counts them as 0): " + ", ".join(
            f"{name} ({percent(report.column(name).missing_share)} {report.column(name).blank_cells})"
            for name in zero[:_SHOWN_COLUMNS])
            + (f" and {len(zero) - _SHOWN_COLUMNS} more" if len(zero) > _SHOWN_COLUMNS else ""),
            file=out)
    gaps = rows_with_gaps(table.frame, proposed, table.decimal, table.numbers, report.unknown_codes,
                          args.blank_is_zero)
    if gaps:  # (a survey's "Don't know" in each of 15 questions left out 54% of its respondents)
        print(f"customers with a gap in a proposed feature: {gaps:,} of {report.rows:,} ({percent(gaps / report.rows)}); "
              "a model leaves them out unless --missing mean or median fills the gaps", file=out)
    for label, columns in (("profile columns", report.describing_columns), ("dates", report.date_columns)):
        if columns:
            print(f"{label}: {', '.join(columns)}", file=out)
    problems = report.problems()
    if problems:
        print("findings:", file=out)
        for problem in problems:
            print(f"- {problem}", file=out)
    else:
        print("findings: no missing values or other problems found", file=out)


def _sweep(args: argparse.Namespace, out: TextIO, ready: Callable[[], None]) -> None:
    table, report, left_out = _read(args.file, args)
    ready()
    from .insight import recommend_k
    from .model import standardiser
    from .prepare import prepare_features
    from .selection import sweep_k

    for note in left_out:
        print(f"note: {note}", file=out)
    if not args.features:
        _warn_order_lines(args, table, out)
    features = _features(args, report)
    matrix = prepare_features(table.frame, features, args.missing, table.decimal, _transforms(args, report, features),
                              table.numbers, _unknown(args, report), args.blank_is_zero)
    result = sweep_k(matrix.X, args.k_min, args.k_max, args.seed, threads=args.threads,
                     scale=standardiser(matrix.X, matrix.transforms))
    recommendation = recommend_k(result, rows=result.rows)
    for note in _notes(matrix.notes, report, table.frame):
        print(f"note: {note}", file=out)
    if result.sample_rows:
        print(f"note: the sweep ran on a seeded sample of {result.sample_rows:,} rows", file=out)
    full = result.full_table()
    shown = full[full["k"] >= result.k_min].reset_index(drop=True)[
        ["k", "wcss", "silhouette", "calinski_harabasz", "davies_bouldin", "smallest_share", "largest_share",
         "stability"]].copy()
    shown["wcss"] = shown["wcss"].map(lambda v: f"{v:,.2f}")
    shown["silhouette"] = shown["silhouette"].map(lambda v: f"{v:.4f}")
    shown["calinski_harabasz"] = shown["calinski_harabasz"].map(lambda v: f"{v:,.1f}")
    shown["davies_bouldin"] = shown["davies_bouldin"].map(lambda v: f"{v:.4f}")
    shown["smallest_share"] = shown["smallest_share"].map(percent)
    shown["largest_share"] = shown["largest_share"].map(percent)
    shown["stability"] = shown["stability"].map(lambda v: f"{v:.2f}")
    print(f"features: {_labels(matrix.features, matrix.transforms)}", file=out)
    print(shown.to_string(index=False), file=out)
    print(f"elbow: k={result.elbow}", file=out)
    print(f"best silhouette: k={result.best_silhouette}", file=out)
    print(f"recommended k: {recommendation.k}. {recommendation.reason}", file=out)
    for warning in recommendation.warnings:
        print(f"warning: {warning}", file=out)


def _parse_map(pairs: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise _UsageError(f"--map takes FILECOL=MODELCOL, not {pair!r}")
        column, feature = pair.rsplit("=", 1)
        mapping[column] = feature
    return mapping


def _parse_names(pairs: Sequence[str]) -> dict[int, str]:
    """``--name N=NAME`` pairs as ``{display number: name}`` (the range is checked once k is known)."""
    names: dict[int, str] = {}
    for pair in pairs:
        number, sep, name = pair.partition("=")
        if not sep or not (number.strip().isascii() and number.strip().isdigit()):
            raise _UsageError(f"--name takes N=NAME, N being the cluster number as shown, not {pair!r}")
        if int(number) in names:
            raise _UsageError(f"--name gives segment {int(number)} two names")
        names[int(number)] = name
    return names


def _fit(args: argparse.Namespace, out: TextIO, ready: Callable[[], None]) -> None:
    if args.model and args.features:
        raise _UsageError("--features goes with --k; a saved model decides its own features (use --map)")
    if args.map and not args.model:
        raise _UsageError("--map goes with --model")
    if args.model and args.transform:
        raise _UsageError("--transform goes with --k; a saved model applies its own transforms")
    if args.model and args.blank_is_zero:
        raise _UsageError("--blank-is-zero goes with --k; a saved model counts blanks as 0 in the features it was "
                          "trained to")
    if args.stability_runs < 0:
        raise _UsageError("--stability-runs must be 0 (skip the check) or more")
    wanted_names = _parse_names(args.name)
    outputs_given = {flag: p for flag, p in (("--out", args.out), ("--summary", args.summary),
                                             ("--save-model", args.save_model), ("--report", args.report))
                     if p is not None}
    _check_outputs(outputs_given, {"the input file": args.file, "--model": args.model})
    table, report, left_out = _read(args.file, args)
    ready()
    for note in left_out:
        print(f"note: {note}", file=out)
    if args.model and not args.map:
        table, report = _customers_for_model(args, table, report, out)
    elif not args.model and not args.features:
        _warn_order_lines(args, table, out)
    with ExitStack() as stack:
        _fit_read(args, out, table, report, wanted_names, stack)


def _warn_order_lines(args: argparse.Namespace, table: TableRead, out: TextIO) -> None:
    """A ``warning:`` line when the file holds order lines (:func:`core.rfm.order_lines_warning`), with the command
    that builds its customer table; ``--features`` segments the lines as asked, unwarned."""
    from .rfm import order_lines_warning

    said = order_lines_warning(table.frame, Path(args.file).name)
    if said:
        built = Path(args.file).with_name(f"{Path(args.file).stem}-customers.csv")
        print(f"warning: {said}: segments rfm {shlex.quote(args.file)} --out {shlex.quote(str(built))}, then segment "
              "that table (--features segments the lines as they are).", file=out)


def _customers_for_model(args: argparse.Namespace, table: TableRead, report: QualityReport,
                         out: TextIO) -> tuple[TableRead, QualityReport]:
    """A file of order lines given with a model trained on customers built from orders (:func:`core.rfm.rebuild_for_
    model`): its customer table, built as the model's was (the columns and currency its bundle keeps, the same window
    of months, as of the day after the last order; the columns recognised for a model that keeps none, which
    ``segments rfm`` can choose otherwise), with what the build found said. The file as read otherwise. Found from
    outside: next month's order export with last month's model was told it lacked recency_days, frequency and
    monetary, as the dashboard's library was."""
    from dataclasses import replace

    from .persist import load_model_file
    from .quality import check_quality
    from .rfm import OrderRecipe, build_customers, rebuild_for_model

    info = load_model_file(args.model).info
    rebuild = rebuild_for_model(table.frame, [str(f) for f in info.features], OrderRecipe.from_json(info.orders))
    if rebuild is None:
        return table, report
    result = build_customers(table.frame, rebuild.columns, decimal=table.decimal, numbers=table.numbers,
                             window_months=rebuild.window_months, currency=rebuild.currency)
    print(f"note: {_one_line(rebuild.describe(Path(args.file).name))} It is segmented (segments rfm builds it with "
          "other choices).", file=out)
    for note in result.notes:
        print(f"note: {_one_line(note)}", file=out)
    customers = replace(table, frame=result.to_text_frame(table.decimal), warnings=[])
    return customers, check_quality(customers.frame, customers.decimal, customers.numbers)


def _fit_read(args: argparse.Namespace, out: TextIO, table: TableRead, report: QualityReport,
              wanted_names: dict[int, str], stack: ExitStack) -> None:
    """``fit`` once the file is read and checked. With a second thread and a new model, the stability
    check's re-fits run beside the fit and the write (:func:`_refits_beside`); ``stack`` ends them."""
    from .deliver import rounded_summary, share_columns, to_xlsx_bytes
    from .export import UTF8_BOM, to_csv_bytes, write_csv
    from .insight import confidence, for_export, out_of_range, summary_profile
    from .persist import bundle_bytes, is_pickled, load_model_file
    from .prepare import prepare_features
    from .segmentation import clustered_table, segment_new, segment_with_model

    refits: Future[Refits] | None = None
    info: ModelInfo | None = None
    split_warnings: list[str] = []  # (a new model's segment sizes on every customer against the sweep's)
    if args.model:
        model = load_model_file(args.model)
        info = model.info
        seg = segment_with_model(table.frame, model, _parse_map(args.map), args.missing, table.decimal,
                                 table.numbers, _unknown(args, report),  # the model's columns as the check parsed them
                                 source="pretrained" if is_pickled(args.model) else "saved")
        if len(info.names) == seg.k:  # the names the model was saved with
            seg = seg.renamed(dict(enumerate(info.names)))
    else:
        features = _features(args, report)
        transforms = _transforms(args, report, features)
        # the features' columns as the data check parsed them (kept in table.numbers): not parsed again
        matrix = prepare_features(table.frame, features, args.missing, table.decimal, transforms, table.numbers,
                                  _unknown(args, report), args.blank_is_zero)
        k, scaler, sweep, advice = args.k, None, None, None
        if k == "auto":
            k, scaler, sweep, advice = _auto_k(matrix, args, out)
        refits = _refits_beside(matrix, k, args, stack)

        def fit(k: int) -> Segmentation:
            return segment_new(table.frame, features, k, args.seed, args.missing, table.decimal, transforms,
                               matrix=matrix, scaler=scaler)

        seg = fit(k)
        if sweep is not None and advice is not None:
            seg, said = _settled_auto(sweep, advice, seg, fit, out)
            if seg.k != k:  # the stability check's re-fits started beside the fit were for the k set aside
                refits = _refits_beside(matrix, seg.k, args, stack)
        else:
            said = _chosen_split(matrix, seg, args, fit)
        split_warnings = [said] if said else []
    if wanted_names:
        outside = sorted(n for n in wanted_names if not 1 <= n <= seg.k)
        if outside:
            raise _UsageError(f"--name {outside[0]}=...: there are {seg.k} segments, numbered 1 to {seg.k}")
        seg = seg.renamed({n - 1: name for n, name in wanted_names.items()})
    text_columns = [c for c in report.describing_columns if c not in seg.features]
    warnings: list[str] = split_warnings
    if info is not None and seg.matrix.X.shape[0]:
        check = out_of_range(seg.matrix.X, info, list(seg.model_features))
        if check.warning:
            warnings.append(check.warning)
    conf = for_export(confidence(seg))
    # The clustered table (the largest output) is written a piece at a time to a file beside its target
    # and moved into place with the others once every output is ready: a failure leaves no half-written file.
    parked = _park(args.out)
    try:
        clustered = clustered_table(table.frame, seg, extra=conf)
        profiled = summary_profile(seg, table.frame, text_columns) if args.summary else None
        # rounded as people read it, as the dashboard's summary downloads are
        summary = rounded_summary(profiled) if profiled is not None else None
        numeric = [c.name for c in report.column_reports if c.kind == "numeric"] + list(conf.columns[:3])
        stack.close()  # the re-fits beside the fit are done by now (or finish first): every thread for the rest
        if _is_xlsx(args.out):  # a real workbook: numbers as numbers, formulas escaped
            parked.write_bytes(to_xlsx_bytes({"Customers": clustered}, numeric, table.decimal))
        else:
            write_csv(clustered, parked, args.threads, table.dialect, bom=True)  # in the file's own separator
        stab, stab_note = _stability(seg, args.stability_runs, args.threads, None if refits is None else refits.result())
        outputs: dict[str, bytes] = {}
        if args.summary:
            outputs[args.summary] = (to_xlsx_bytes({"Segments": summary}, numeric, table.decimal,
                                                   share_columns(profiled))
                                     if _is_xlsx(args.summary) else UTF8_BOM + to_csv_bytes(summary, table.dialect))
        if args.save_model:
            outputs[args.save_model] = bundle_bytes(seg.saved_model(
                f"{Path(args.file).name}: {int(seg.matrix.used.sum()):,} rows"))
        if args.report:
            from .report import render_report

            model = None
            if info is not None:
                model = Path(args.model).name + (f", trained on {info.trained_on}" if info.trained_on else "")
            html = render_report(Path(args.file).name, table.frame, seg, report=report, missing=args.missing,
                                 sweep=_report_sweep(seg, args.threads), stability=stab, text_columns=text_columns, model=model,
                                 warnings=warnings)
            outputs[args.report] = html.encode("utf-8")
        for path, content in outputs.items():
            Path(path).write_bytes(content)
        parked.replace(args.out)
    finally:
        parked.unlink(missing_ok=True)
    _print_fit(seg, _notes(seg.notes, report, table.frame), [args.out, *outputs], warnings, stab, stab_note, out,
               args.model)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same resolved path (symbolic links followed), or one file
    reached twice (a hard link, a bind mount, a case-insensitive file system)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def _check_outputs(outputs: dict[str, str], inputs: dict[str, str | None]) -> None:
    """Refuse, before any work, outputs that would replace an input or each other, or that cannot be
    written (an empty name, a folder, a missing folder): nothing the user gave may ever be lost."""
    for flag, path in outputs.items():
        if not path.strip():
            raise _UsageError(f"{flag} needs a file name")
        target = Path(path)
        for what, source in inputs.items():
            if source and _same_file(target, Path(source)):
                raise _UsageError(f"{flag} {path} is {what}: it would be overwritten. Write to another file")
        if target.is_dir():
            raise _UsageError(f"{flag} {path} is a folder: give a file name, e.g. {target / 'segments.csv'}")
        if not target.parent.is_dir():  # fail before the work, and write nothing unless every output can be
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
    flags = list(outputs)
    for i, first in enumerate(flags):
        for second in flags[i + 1:]:
            if _same_file(Path(outputs[first]), Path(outputs[second])):
                raise _UsageError(f"{first} and {second} name the same file: each output needs its own file")


def _auto_k(matrix: FeatureMatrix, args: argparse.Namespace,
            out: TextIO) -> tuple[int, StandardScaler, SweepResult, Recommendation]:
    """``--k auto``: the sweep's recommended k (the same recommendation ``segments sweep`` prints), the
    scaler the sweep fitted on the matrix (the fit uses it rather than fitting the same one again), the sweep
    and its recommendation (:func:`_settled_auto` holds the model on every customer to it)."""
    from .insight import recommend_k
    from .model import standardiser
    from .selection import sweep_k

    scale = standardiser(matrix.X, matrix.transforms)
    result = sweep_k(matrix.X, SWEEP_K_MIN, SWEEP_K_MAX, args.seed, threads=args.threads, scale=scale)
    recommendation = recommend_k(result, rows=result.rows)
    print(f"recommended k: {recommendation.k}. {recommendation.reason}", file=out)
    return recommendation.k, scale.scaler, result, recommendation


def _settled_auto(sweep: SweepResult, advice: Recommendation, seg: Segmentation, fit: Callable[[int], Segmentation],
                  out: TextIO) -> tuple[Segmentation, str | None]:
    """``--k auto``: the model at the recommended k, or, when on every customer it broke the rule that made k the
    recommendation while the sweep's sample kept it (:func:`core.insight.settle_split`), the next recommendation's
    model that holds, said in a ``note:`` line and a ``recommended k instead:`` line. Also the warning to print when
    no other k holds. Found from outside: a Stripe export of 40,000 customers was told k=2 gave segments of 39%
    to 61% and given 97.5% / 2.5%."""
    from .insight import settle_split
    from .segmentation import Segmentation

    settled = settle_split(sweep, sweep.rows or seg.labels.size, seg.k, seg, Segmentation.sizes, fit, advice)
    said = settled.said(chosen=False)
    if settled.instead is None or settled.model is None or settled.recommendation is None:
        return seg, said  # (held, or no k held better: the warning says so)
    print(f"note: {said}", file=out)
    print(f"recommended k instead: {settled.recommendation.k}. {settled.recommendation.reason}", file=out)
    return settled.model, None


def _chosen_split(matrix: FeatureMatrix, seg: Segmentation, args: argparse.Namespace,
                  fit: Callable[[int], Segmentation]) -> str | None:
    """``fit --k N``: the warning when the model on every customer broke a rule of the recommendation that the
    sweep's fit at N kept (:func:`core.insight.settle_split`), naming the k that holds; None otherwise. The sweep
    runs only when the model's segment sizes and then the sweep's fit at N alone (one fit on its sample:
    :func:`core.selection.sample_shares`) say it may have."""
    from .insight import settle_split, split_may_differ
    from .model import standardiser
    from .segmentation import Segmentation
    from .selection import sample_shares, sweep_k

    if not SWEEP_K_MIN <= seg.k <= SWEEP_K_MAX or not split_may_differ(seg.sizes()):
        return None
    scale = standardiser(matrix.X, matrix.transforms)
    try:
        if not split_may_differ(seg.sizes(), sample_shares(matrix.X, seg.k, args.seed, scale=scale)):
            return None
        sweep = sweep_k(matrix.X, SWEEP_K_MIN, SWEEP_K_MAX, args.seed, threads=args.threads, scale=scale)
    except NotEnoughRowsError:
        return None
    return settle_split(sweep, sweep.rows or seg.labels.size, seg.k, seg, Segmentation.sizes, fit).said(chosen=True)


def _is_xlsx(path: str) -> bool:
    """Whether an output is asked for as an Excel workbook (by its extension)."""
    return Path(path).suffix.lower() == ".xlsx"


#: Options people try from other tools, and ours.
_SYNONYMS = {"--clusters": "--k", "--n-clusters": "--k", "--segments": "--k", "--n": "--k", "--output": "--out",
             "--feature": "--features", "--columns": "--features", "--random-state": "--seed"}


def _unknown_option(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """The message for the first ``--option`` the command does not have (naming it, with a near match),
    checked before argparse, which would first complain about a missing required argument instead."""
    commands = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})
    command = next((a for a in argv if not a.startswith("-")), None)
    sub = commands.get(command) if command else None
    if sub is None:
        return None
    known = [o for action in sub._actions for o in action.option_strings]
    for arg in argv:
        if arg == "--":
            break
        if not arg.startswith("--") or arg == "--":
            continue
        name = arg.split("=", 1)[0]
        if name in known or any(o.startswith(name) for o in known if o.startswith("--")):
            continue
        close = [_SYNONYMS[name]] if _SYNONYMS.get(name) in known else \
            difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"segments {command} has no option {name}{hint}"
    return None


def _park(target: str) -> Path:
    """A hidden file name beside ``target`` to write it into first (created with the usual permissions)."""
    path = Path(target)
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")


def _stability(seg: Segmentation, runs: int, threads: int = 1,
               refits: Refits | None = None) -> tuple[Stability | None, str | None]:
    """The stability check (``threads`` re-fits at a time, or the ``refits`` already made), or None and why it
    could not run (None, None when skipped)."""
    from .insight import stability

    if runs == 0:
        return None, None
    try:
        return stability(seg.matrix.X, seg.k, seg.seed or 0, runs, reference=seg.pipeline, threads=threads,
                         refits=refits), None
    except NotEnoughRowsError as exc:
        return None, f"the stability check could not run: {exc}"


def _refits_beside(matrix: FeatureMatrix, k: int, args: argparse.Namespace, stack: ExitStack) -> Future[Refits] | None:
    """The stability check's re-fits (:func:`core.insight.refit`), started on a thread of their own when the
    command has two threads or more, to run beside the fit, the confidence and the write (the re-fits do not
    depend on the model; :func:`_stability` compares them with it at the end). Meanwhile this thread's
    OpenMP and BLAS keep the other threads (on 100,000 customers a fit on two threads was no faster than on
    one: docs/performance.md). None when the check is skipped or the command has one thread: the re-fits are
    then made in :func:`_stability`, ``--threads`` at a time. The answers are the same either way.

    ``stack`` waits for the re-fits when it closes (and drops those not started when the command fails)."""
    from .insight import refit
    from .selection import at_most_threads

    if args.stability_runs == 0 or args.threads < 2:
        return None
    stack.enter_context(at_most_threads(args.threads - 1))
    pool = ThreadPoolExecutor(1, thread_name_prefix="stability")
    stack.callback(pool.shutdown, wait=True, cancel_futures=True)  # before the limit above is lifted
    return pool.submit(refit, matrix.X, k, args.seed, args.stability_runs, transforms=tuple(matrix.transforms))


def _report_sweep(seg: Segmentation, threads: int = 1) -> SweepResult | None:
    """A comparison of k for the report (new models only; None when the data is too small)."""
    from .selection import sweep_k

    if seg.source != "new":
        return None
    try:
        return sweep_k(seg.scaled_used(), SWEEP_K_MIN, max(SWEEP_K_MAX, seg.k), seg.seed or 0, threads=threads)
    except NotEnoughRowsError:
        return None


def _notes(notes: Sequence[str], report: QualityReport, frame: pd.DataFrame) -> list[str]:
    """The notes to print (:func:`core.prepare.shown_notes`: a description row said once, with its option)."""
    from .prepare import shown_notes

    return shown_notes(notes, report, frame, "--skip-description-row leaves it out of the table as well",
                       "--skip-summary-rows leaves {} out of the table")


def _print_fit(seg: Segmentation, notes: Sequence[str], written: Sequence[str], warnings: Sequence[str],
               stab: Stability | None, stab_note: str | None, out: TextIO, model: str | None = None) -> None:
    """What ``fit`` did and wrote; ``model``: the file of the model applied (``--model``), if any (found from
    outside: a model saved with ``--save-model`` and applied to next month's file was said to be the pre-trained
    one)."""
    how = {"new": f"new model, k={seg.k}, seed={seg.seed}", "pretrained": "pre-trained model"}.get(
        seg.source, f"saved model {Path(model or '').name}, k={seg.k}")
    print(f"segmented {int(seg.scored.sum()):,} of {seg.labels.size:,} customers ({how})", file=out)
    print(f"features: {', '.join(seg.feature_labels)}", file=out)  # (once: a wide file's list is long)
    for note in notes:
        print(f"note: {note}", file=out)
    for warning in warnings:
        print(f"warning: {_one_line(warning)}", file=out)
    if seg.silhouette is not None:
        print(f"silhouette: {seg.silhouette:.4f}", file=out)
    from .stats import year_like

    stats = seg.feature_stats
    print(_summary_text(seg.summary(), shutil.get_terminal_size((100, 24)).columns,
                        year_like(stats.overall, stats.spread).tolist(),
                        [f in seg.percent_features for f in seg.features],
                        [f in seg.duration_features for f in seg.features]), file=out)
    if stab is not None:
        print(f"stability: adjusted Rand {stab.overall:.3f} over {stab.runs} re-fit{'s' if stab.runs != 1 else ''} "
              f"({stab.sample_note}). {stab.verdict}", file=out)
    elif stab_note:
        print(f"note: {_one_line(stab_note)}", file=out)
    print(f"wrote {join_words(list(written))}", file=out)


def _summary_text(summary: pd.DataFrame, width: int, years: Sequence[bool] = (), percents: Sequence[bool] = (),
                  durations: Sequence[bool] = ()) -> str:
    """The printed summary: one row per segment, its size and its features' means, when that fits in
    ``width`` characters. A wider one (many features, long names) is printed as two tables: the segments'
    sizes, then the means with a row per feature and a column per segment, names shortened to fit
    (:func:`core.text.short_label`; the ``--summary`` file keeps them whole). ``years`` says, per feature,
    whether it is a year (:func:`core.stats.year_like`: its means without thousands separators), ``percents``
    whether the file writes it as a percentage (its means as percentages), ``durations`` as durations (its
    means as durations, "2:54")."""
    summary = summary.assign(customers=summary["customers"].map("{:,}".format), share=summary["share"].map(percent))
    first_mean = summary.columns.get_loc("share") + 1  # (:meth:`core.segmentation.Segmentation.summary`)
    means = summary.iloc[:, first_mean:]
    year_of = dict(zip(means.columns, [*years, *[False] * means.shape[1]]))
    percent_of = dict(zip(means.columns, [*percents, *[False] * means.shape[1]]))
    duration_of = dict(zip(means.columns, [*durations, *[False] * means.shape[1]]))

    def text(column: Any, value: float) -> str:
        return mean_text(value, year_of[column], percent_of[column], duration_of[column])

    table = summary.to_string(index=False, formatters={  # (one callable per mean column: a year's differs)
        column: functools.partial(text, column) for column in means.columns})
    if max(len(line) for line in table.splitlines()) <= width:
        return table
    sizes = summary.iloc[:, :first_mean].to_string(index=False)
    clusters = [str(c) for c in summary.iloc[:, 0]]
    cells = [[text(column, v) for v in means[column]] for column in means.columns]
    cell = max(len(text) for text in [*clusters, *(c for row in cells for c in row)]) + 2
    label = max(12, min(max(len(str(c)) for c in means.columns), width - cell * len(clusters)))
    lines = [f"{'feature':<{label}}" + "".join(f"{c:>{cell}}" for c in clusters)]
    lines += [f"{short_label(str(name), label):<{label}}" + "".join(f"{c:>{cell}}" for c in row)
              for name, row in zip(means.columns, cells)]
    return "\n".join([sizes, "mean of each feature by segment:", *lines])


def _compare(args: argparse.Namespace, out: TextIO) -> None:
    from .export import UTF8_BOM, to_csv_bytes
    from .io import read_table
    from .migration import cluster_names, compare_tables, id_overlap, renamed_clusters

    if args.out is not None:
        _check_outputs({"--out": args.out}, {"OLD (a file being compared)": args.old,
                                             "NEW (a file being compared)": args.new})
    old_table = read_table(args.old, Path(args.old).name)
    new_table = read_table(args.new, Path(args.new).name)
    old, new = old_table.frame, new_table.frame
    old_name, new_name = Path(args.old).name, Path(args.new).name
    args.id_column, new_id, recognised = _id_pair(old_table, new_table, args.cluster, args.id_column)
    if recognised:
        elsewhere = f", in {new_name} {new_id!r}" if new_id != args.id_column else ""
        print(f"customer id: {args.id_column!r}{elsewhere} (recognised{': their ids match' if elsewhere else ''}; "
              f"--id {'OLD=NEW names others' if elsewhere else 'names another'})", file=out)
    moves = compare_tables(old, new, args.id_column, args.cluster, old_label=old_name, new_label=new_name,
                           loose=args.loose_ids, new_id_column=new_id)
    warning = id_overlap(old[args.id_column], new[new_id]).warning(old_name, new_name, args.id_column,
                                                                  args.loose_ids)
    if warning:
        print(f"warning: {warning}" + (" (--loose-ids)" if "match the ids loosely" in warning else ""), file=out)
    renamed = renamed_clusters(old, new, args.cluster)
    if renamed:
        listed = "; ".join(f"cluster {c} is {a!r} in {old_name} and {b!r} in {new_name}" for c, a, b in renamed[:3])
        print(f"warning: the files' clusters are not the same segments ({listed}{' ...' if len(renamed) > 3 else ''}): "
              "each file was segmented by its own model, which numbers its segments by size, so customers who "
              "stayed count as moved. Segment the new file with the old file's model: segments fit OLD-FILE "
              "--save-model model.json, then segments fit NEW-FILE --model model.json.", file=out)
    old_names, new_names = cluster_names(old, args.cluster), cluster_names(new, args.cluster)
    if args.out:
        parked = _park(args.out)
        try:  # in the files' own separator
            parked.write_bytes(UTF8_BOM + to_csv_bytes(moves.named_counts(old_names, new_names), new_table.dialect))
            parked.replace(args.out)
        finally:
            parked.unlink(missing_ok=True)
    _print_compare(moves, args, out, old_names)


def _id_pair(old: TableRead, new: TableRead, cluster: str, given: str | None) -> tuple[str, str, bool]:
    """The customer id column of ``segments compare`` in each file, and whether it was recognised rather than given
    as it is: ``--id`` (``COLUMN`` or ``OLD=NEW``; a column the new file lacks is looked for there by its ids,
    :func:`core.migration.renamed_id`), or the one column the data check finds ID-like in the old file that both
    files have, or that the new one has under another name (its ids in both); a usage error naming the candidates
    otherwise."""
    from .migration import id_candidates, names_each_row, renamed_id
    from .quality import check_quality, is_id_name

    if given is not None and "=" in given and given not in old.frame.columns:
        column, _, new_column = given.partition("=")
        return column, new_column, False  # as given (compare_tables names a column either file lacks)
    if given is not None:
        if given not in old.frame.columns or given in new.frame.columns:
            return given, given, False
        others = [str(c) for c in new.frame.columns if c not in old.frame.columns]
        partner = renamed_id(old.frame[given], new.frame, others)
        return given, partner or given, partner is not None

    def id_like(table: TableRead) -> set[str]:
        return {c.name for c in check_quality(table.frame, table.decimal, table.numbers).column_reports if c.id_like}

    old_like = id_like(old)
    pairs = [p for p in id_candidates(old.frame, new.frame, old_like) if cluster not in p]
    found = [p for p in pairs if p[0] in old_like]
    if not found:  # the new file may name the id otherwise (its data check only then: a second read's cost)
        pairs = [p for p in id_candidates(old.frame, new.frame, old_like, id_like(new)) if cluster not in p]
        found = [p for p in pairs if p[0] in old_like]
    # (a store number is ID-like, and repeats; a phone number is left blank by many)
    once = [p for p in found if names_each_row(old.frame[p[0]])]
    named = [p for p in once if is_id_name(p[0])]  # ("Customer ID" before "Email")
    if once:  # (one is taken; several are named, without the columns that name no row apart)
        found = named if len(named) == 1 else once
    if len(found) == 1:
        return found[0][0], found[0][1], True
    common = [old_name for old_name, _ in pairs]
    listed = ", ".join(repr(c) for c in ([c for c, _ in found] or common)[:12]) or "(none)"
    raise _UsageError(f"--id: name the customer id column; {'several columns' if found else 'no column'} both "
                      f"files have {'look' if found else 'looks'} like an identifier "
                      f"({'those' if found else 'columns in both'}: {listed})")


def _print_compare(moves: Migration, args: argparse.Namespace, out: TextIO, names: Mapping[str, str]) -> None:
    """The matrix with readable row and column names (a row's segment name, ``names``, as the old file has it),
    totals, and what the empty segment means."""
    from .migration import FROM, NONE, TO

    matrix = moves.matrix()
    matrix.index = [(f"{FROM} {v} {names[v]}" if v in names else f"{FROM} {v}") if v != NONE else "(new)"
                    for v in matrix.index]
    matrix.columns = [f"{TO} {v}" if v != NONE else "(gone)" for v in matrix.columns]
    matrix["total"] = matrix.sum(axis=1)
    matrix.loc["total"] = matrix.sum(axis=0)
    tally = moves.tally()
    how = " (loosely)" if args.loose_ids else ""
    print(f"{moves.customers:,} customers in either file, matched on {args.id_column!r}{how}: {tally.stayed:,} stayed "
          f"in their cluster, {tally.moved:,} moved, {tally.new:,} new or not scored in {Path(args.old).name}, "
          f"{tally.gone:,} gone or not scored in {Path(args.new).name}{tally.neither_text()}", file=out)
    print(matrix.to_string(formatters={c: "{:,}".format for c in matrix.columns}), file=out)
    print("(new): not in the old file, or not scored there; (gone): not in the new file, or not scored there",
          file=out)
    if args.out:
        print(f"wrote {args.out}", file=out)


def _rfm(args: argparse.Namespace, out: TextIO) -> None:
    from .export import write_csv
    from .io import read_table
    from .rfm import build_customers, recognise_columns

    if args.price and args.amount:
        raise _UsageError("--price goes with --quantity, not with --amount")
    _check_outputs({"--out": args.out}, {"the order file": args.file})
    table = read_table(args.file, Path(args.file).name, sheet=args.sheet)
    columns = recognise_columns(table.frame, customer=args.customer, date=args.date, amount=args.amount,
                                quantity=args.quantity, price=args.price, order=args.order,
                                status="" if args.status == "none" else args.status,
                                refund="" if args.refund == "none" else args.refund,
                                currency="" if args.currency == "none" else args.currency)
    print("columns:", file=out)
    for line in columns.describe():
        print(f"- {line}", file=out)
    result = build_customers(table.frame, columns, as_of=args.as_of, decimal=table.decimal, window_months=args.window,
                             currency=args.in_currency)
    parked = _park(args.out)
    try:
        dialect = table.dialect  # the order file's own separator and decimal mark, as fit writes its outputs
        write_csv(result.to_text_frame(dialect.decimal), parked, dialect=dialect, bom=True)
        parked.replace(args.out)
    finally:
        parked.unlink(missing_ok=True)
    summary, *found = result.notes
    print(summary, file=out)
    for warning in table.warnings:
        print(f"note: {_one_line(warning)}", file=out)
    for note in found:
        print(f"note: {_one_line(note)}", file=out)
    groups = result.table["rfm_group"].value_counts(sort=False)
    print("rfm groups: " + ", ".join(f"{name} {count:,}" for name, count in groups.items() if count), file=out)
    print(f"wrote {args.out} (one row per customer; next: segments fit {args.out} --k N --out ...)", file=out)
    chosen = _rfm_choices(args)
    if chosen:  # (found from outside: next month's `fit ORDERS --model` built its table from other columns)
        print(f"note: a customer CSV keeps no record of the choices given ({chosen}): build next month's table with "
              f"the same options, segments rfm NEXT.csv {chosen} --out ..., then segments fit it with --model "
              "(segments fit NEXT.csv --model alone recognises the columns anew)", file=out)


#: The options of ``segments rfm`` that choose how order lines are counted (a worksheet is the file's own choice).
_RFM_CHOICES = ("customer", "date", "amount", "quantity", "price", "order", "status", "refund", "currency",
                "in_currency", "window")


def _rfm_choices(args: argparse.Namespace) -> str:
    """The counting options given to ``segments rfm``, as they would be typed again (the as-of date is each
    export's own)."""
    return " ".join(f"--{name.replace('_', '-')} {shlex.quote(str(getattr(args, name)))}"
                    for name in _RFM_CHOICES if getattr(args, name) is not None)


_COMMANDS = {"inspect": _inspect, "compare": _compare, "rfm": _rfm}
#: The commands that fit models: run with :func:`_using_threads`, each calls its ``ready()`` once its file is read.
_MODEL_COMMANDS = {"sweep": _sweep, "fit": _fit}


def _one_line(text: str) -> str:
    """The error text on a single line (some library messages span several)."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _thread_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of threads, got '{text}'") from None
    if not 1 <= count <= 256:
        raise argparse.ArgumentTypeError(f"threads must be from 1 to 256, got {count}")
    return count


def _default_threads() -> int:
    """OMP_NUM_THREADS when set (a deployment's choice), else the cores this process may run on."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


#: Set by :func:`run` (the ``segments`` process, not :func:`main` called from Python): scikit-learn is imported
#: without scipy's docstring notes (:func:`_without_scipy_docstring_notes`).
_QUICK_START = False


def _without_scipy_docstring_notes() -> None:
    """Have scipy leave its docstrings as they are while it is imported, in this process.

    SciPy decorates ~470 functions with ``xp_capabilities`` as ``scipy.stats`` is imported (scikit-learn
    imports it at its own import), and the decorator parses each docstring (numpydoc) to append a note on
    array-API support: 0.15-0.2 s of every command's start (docs/performance.md), for text a command never
    shows. Here each function goes through the decorator with its docstring set aside, so scipy registers
    what it registers and parses an empty text; the docstring is then put back as it was, without the note.
    Does nothing once ``scipy.stats`` is imported, or if scipy no longer has the decorator
    (tests/core/test_startup.py checks it still applies)."""
    if "scipy.stats" in sys.modules:
        return
    try:
        from scipy._lib import _array_api
    except ImportError:
        return
    original = getattr(_array_api, "xp_capabilities", None)
    if original is None or getattr(original, "without_notes", False):
        return

    def xp_capabilities(*args: object, **kwargs: object) -> object:
        decorate = original(*args, **kwargs)

        def decorator(function: object) -> object:
            doc = getattr(function, "__doc__", None)
            try:
                function.__doc__ = None
            except (AttributeError, TypeError):  # (a ufunc's, on some numpy versions: decorated as scipy does)
                return decorate(function)
            try:
                return decorate(function)
            finally:
                function.__doc__ = doc

        return decorator

    xp_capabilities.without_notes = True  # type: ignore[attr-defined]
    _array_api.xp_capabilities = xp_capabilities


class _Importing:
    """A module imported on a thread of its own, started at once; :meth:`wait` joins it and raises what the
    import raised, if anything."""

    def __init__(self, name: str) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(name,), name=f"import {name}", daemon=True)
        self._thread.start()

    def _run(self, name: str) -> None:
        try:
            importlib.import_module(name)
        except BaseException as exc:  # (handed to the thread that waits)
            self._error = exc

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


#: Python's switch interval (seconds) while scikit-learn is imported beside the read and check: at the default
#: 5 ms each numpy step of the check waited for the importing thread to let go of Python's lock (0.05 ms and
#: 1 ms gained less; docs/performance.md).
_SWITCH_WHILE_IMPORTING = 0.0002


@contextmanager
def _using_threads(count: int) -> Iterator[Callable[[], None]]:
    """``count`` threads for OpenMP and BLAS (threadpoolctl: scikit-learn's K-Means) and pyarrow's reader,
    for one command, which calls the ``ready()`` this gives once it has read and checked its file.

    scikit-learn (with the part of scipy it imports: about 0.6 s of a command's start) is imported on a
    thread of its own meanwhile: the read is pyarrow's, which leaves Python's lock, so the two overlap
    (0.2-0.3 s less per command at 10^6 rows, docs/performance.md). ``ready()`` waits for that import and then
    limits the OpenMP runtime it loaded. The modules the read and check use are imported before the thread
    starts, so the two threads never import the same module."""
    import pyarrow

    from . import io, quality  # noqa: F401 (pandas, pyarrow, the reader and the data check)

    if _QUICK_START:
        _without_scipy_docstring_notes()
    switching = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_WHILE_IMPORTING)
    importing = _Importing("sklearn.cluster")  # loads the OpenMP runtime threadpoolctl then finds
    before = pyarrow.cpu_count()
    pyarrow.set_cpu_count(count)
    with ExitStack() as limits:
        def ready() -> None:
            importing.wait()
            sys.setswitchinterval(switching)
            from threadpoolctl import threadpool_limits

            limits.enter_context(threadpool_limits(limits=count))

        try:
            yield ready
        finally:
            pyarrow.set_cpu_count(before)
            sys.setswitchinterval(switching)
            try:
                importing.wait()  # nothing is left importing behind a command that failed early
            except Exception:
                pass


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    # OpenMP threads that wait for work sleep instead of spinning (read when scikit-learn loads its OpenMP
    # runtime): on a shared machine, spinning threads tripled the fit's CPU time (docs/performance.md)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        parser = _build_parser()
        unknown = _unknown_option(parser, list(sys.argv[1:] if argv is None else argv))
        if unknown:
            raise _UsageError(unknown)
        args = parser.parse_args(argv)
        if args.command in _MODEL_COMMANDS:
            args.threads = args.threads or _default_threads()
            with _using_threads(args.threads) as ready:
                _MODEL_COMMANDS[args.command](args, out, ready)
        else:
            _COMMANDS[args.command](args, out)
    except _UsageError as exc:
        print(f"error: {_one_line(str(exc))} (see segments --help)", file=err)
        return EXIT_BAD_INPUT
    except SegmentsError as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_CLOSED_PIPE
    except OSError as exc:
        print(_one_line(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")), file=err)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("error: the file is too large for this machine's memory", file=err)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        print(f"error: internal error ({type(exc).__name__}: {_one_line(str(exc))}); please report it", file=err)
        return EXIT_INTERNAL
    return EXIT_OK


#: Allocations between two runs of the garbage collector's youngest generation in the ``segments`` process.
_GC_YOUNG_THRESHOLD = 70_000


def run() -> NoReturn:
    """The ``segments`` command (and ``python -m core.cli``): :func:`main`, then the process ends at once.

    Once every output is written and closed (:func:`main` returns only then) and what it printed is flushed,
    the interpreter's teardown (freeing every object of the ~1,600 modules a fit loads, and the table:
    about 0.25 s of CPU at 10^6 rows, paid by ``sweep`` and again by ``fit``) has nothing left to do: the
    process ends with ``os._exit`` and the system takes its memory back. :func:`main` called from Python
    (tests, notebooks) returns as usual.

    Python's cyclic garbage collector runs :data:`_GC_YOUNG_THRESHOLD` allocations apart instead of 700 for
    the command: while a fit imports its modules it ran ~360 times (0.12-0.19 s of CPU at 10^6 rows, freeing
    next to nothing), now 3 times (0.07-0.08 s); cycles are still freed, and the peak memory stayed the same.
    SciPy's docstring notes are left out as scikit-learn is imported (:func:`_without_scipy_docstring_notes`).
    """
    global _QUICK_START
    _QUICK_START = True
    gc.set_threshold(_GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said there
        pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
