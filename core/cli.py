"""The ``segments`` command line.

::

    segments inspect FILE
    segments sweep FILE [--features A,B,...] [--k-min 2] [--k-max 10] [--seed N] [--missing ...]
    segments fit FILE [--features A,B,...] (--k N | --model PATH [--map FILECOL=MODELCOL ...])
                 [--missing drop|mean|median|error] [--seed N] --out OUT.csv [--summary SUMMARY.csv]
                 [--save-model MODEL.json]

Exit status 0 on success, 2 on bad input or arguments (one line on stderr starting ``error:``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from .errors import SegmentsError
from .export import to_csv_bytes
from .io import TableRead, read_table
from .persist import ModelInfo, bundle_bytes, load_model_file, sklearn_version, training_statistics
from .prepare import DEFAULT_MISSING, MISSING_STRATEGIES, prepare_features
from .quality import QualityReport, check_quality
from .segmentation import Segmentation, clustered_table, segment_new, segment_with_model
from .selection import sweep_k

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one ``error:`` line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _build_parser() -> _Parser:
    parser = _Parser(prog="segments", description="Customer segmentation with K-Means.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    inspect = sub.add_parser("inspect", help="read a file and report what the data check found")
    inspect.add_argument("file")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("file")
        p.add_argument("--features", help="comma-separated exact column names (default: numeric, non-ID)")
        p.add_argument("--missing", choices=MISSING_STRATEGIES, default=DEFAULT_MISSING,
                       help="what to do with missing values (default: drop those rows from the model)")
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    sweep = sub.add_parser("sweep", help="WCSS and silhouette for a range of k, and the elbow")
    common(sweep)
    sweep.add_argument("--k-min", type=int, default=2)
    sweep.add_argument("--k-max", type=int, default=10)

    fit = sub.add_parser("fit", help="segment a file and write it with a cluster column")
    common(fit)
    how = fit.add_mutually_exclusive_group(required=True)
    how.add_argument("--k", type=int, help="train a new model with this many segments")
    how.add_argument("--model", help="apply a saved model (a .json bundle, or the shipped models/kmeans_model.pkl)")
    fit.add_argument("--map", action="append", default=[], metavar="FILECOL=MODELCOL",
                     help="feed the model feature MODELCOL from the file's column FILECOL (repeatable)")
    fit.add_argument("--out", required=True, help="where to write the clustered CSV")
    fit.add_argument("--summary", help="where to write the cluster summary CSV")
    fit.add_argument("--save-model", help="write the trained model as a safe .json bundle")
    return parser


def _features(args: argparse.Namespace, report: QualityReport) -> list[str]:
    if args.features:
        return [f for f in args.features.split(",") if f != ""]
    chosen = report.default_features
    if not chosen:
        raise SegmentsError("The file has no numeric columns to segment on (ID-like and constant columns "
                            "are left out). Name columns with --features.")
    return chosen


def _read(path: str) -> tuple[TableRead, QualityReport]:
    table = read_table(path, Path(path).name)
    return table, check_quality(table.frame, table.decimal)


def _inspect(args: argparse.Namespace, out: TextIO) -> None:
    table, report = _read(args.file)
    fmt = "Excel workbook" if table.file_format == "xlsx" else \
        f"CSV, {table.encoding}, {table.separator_name}-separated, decimal mark '{table.decimal}'"
    print(f"{args.file}: {report.rows:,} rows, {report.columns:,} columns ({fmt})", file=out)
    for warning in table.warnings:
        print(f"note: {warning}", file=out)
    frame = report.to_frame()
    frame["missing share"] = frame["missing share"].map(lambda v: f"{v:.1%}")
    print(frame.to_string(index=False), file=out)
    print(f"features proposed: {', '.join(report.default_features) or '(none)'}", file=out)
    problems = report.problems()
    if problems:
        print("findings:", file=out)
        for problem in problems:
            print(f"- {problem}", file=out)
    else:
        print("findings: no missing values or other problems found", file=out)


def _sweep(args: argparse.Namespace, out: TextIO) -> None:
    table, report = _read(args.file)
    matrix = prepare_features(table.frame, _features(args, report), args.missing, table.decimal)
    from sklearn.preprocessing import StandardScaler

    scaled = StandardScaler().fit_transform(matrix.X)
    result = sweep_k(scaled, args.k_min, args.k_max, args.seed)
    for note in matrix.notes:
        print(f"note: {note}", file=out)
    if result.sample_rows:
        print(f"note: the sweep ran on a seeded sample of {result.sample_rows:,} rows", file=out)
    shown = result.shown().copy()
    shown["wcss"] = shown["wcss"].map(lambda v: f"{v:,.2f}")
    shown["silhouette"] = shown["silhouette"].map(lambda v: f"{v:.4f}")
    print(f"features: {', '.join(matrix.features)}", file=out)
    print(shown.to_string(index=False), file=out)
    print(f"elbow: k={result.elbow}", file=out)
    print(f"best silhouette: k={result.best_silhouette}", file=out)


def _parse_map(pairs: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise _UsageError(f"--map takes FILECOL=MODELCOL, not {pair!r}")
        column, feature = pair.rsplit("=", 1)
        mapping[column] = feature
    return mapping


def _fit(args: argparse.Namespace, out: TextIO) -> None:
    if args.model and args.features:
        raise _UsageError("--features goes with --k; a saved model decides its own features (use --map)")
    if args.map and not args.model:
        raise _UsageError("--map goes with --model")
    table, report = _read(args.file)
    if args.model:
        pipeline, info = load_model_file(args.model)
        seg = segment_with_model(table.frame, pipeline, info, _parse_map(args.map), args.missing, table.decimal)
    else:
        seg = segment_new(table.frame, _features(args, report), args.k, args.seed, args.missing, table.decimal)
    Path(args.out).write_bytes(to_csv_bytes(clustered_table(table.frame, seg)))
    if args.summary:
        Path(args.summary).write_bytes(to_csv_bytes(seg.summary()))
    if args.save_model:
        Path(args.save_model).write_bytes(bundle_bytes(seg.pipeline, _info_for(seg, args.file)))
    _print_fit(seg, args, out)


def _info_for(seg: Segmentation, source: str) -> ModelInfo:
    return ModelInfo(features=list(seg.model_features), k=seg.k, seed=seg.seed, sklearn_version=sklearn_version(),
                     trained_on=f"{Path(source).name}: {int(seg.matrix.used.sum()):,} rows",
                     rows=int(seg.matrix.used.sum()), **training_statistics(seg.matrix.X, list(seg.model_features)))


def _print_fit(seg: Segmentation, args: argparse.Namespace, out: TextIO) -> None:
    how = "pre-trained model" if seg.source == "pretrained" else f"new model, k={seg.k}, seed={seg.seed}"
    print(f"segmented {int(seg.scored.sum()):,} of {seg.labels.size:,} customers ({how}) "
          f"on {', '.join(seg.features)}", file=out)
    for note in seg.notes:
        print(f"note: {note}", file=out)
    if seg.silhouette is not None:
        print(f"silhouette: {seg.silhouette:.4f}", file=out)
    summary = seg.summary()
    summary["share"] = summary["share"].map(lambda v: f"{v:.1%}")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:,.2f}"), file=out)
    print(f"wrote {args.out}" + (f" and {args.summary}" if args.summary else ""), file=out)


_COMMANDS = {"inspect": _inspect, "sweep": _sweep, "fit": _fit}


def _one_line(text: str) -> str:
    """The error text on a single line (some library messages span several)."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _build_parser().parse_args(argv)
        _COMMANDS[args.command](args, out)
    except _UsageError as exc:
        print(f"error: {_one_line(str(exc))} (see segments --help)", file=err)
        return EXIT_BAD_INPUT
    except SegmentsError as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return EXIT_BAD_INPUT
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
