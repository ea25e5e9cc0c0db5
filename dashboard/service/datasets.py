"""What users bring: uploaded tables (datasets), selections of their rows and model bundles, each kept in
the store under an unguessable token (the browser only ever holds the token)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from core import (ModelInfo, OrderColumns, QualityReport, SavedModel, TableRead, build_customers, check_quality, load_bundle,
                  read_table)
from core.errors import DataError, SegmentsError
from core.io import file_stem
from core.quality import without_rows
from core.rfm import OrderRecipe, net_return_rows, net_returns_left_out

from .. import library
from ..state import ViewState
from . import store

__all__ = ["Dataset", "DatasetGone", "ModelGone", "new_token", "store_table", "read_and_store", "get_dataset",
           "forget_dataset", "DESCRIPTION_ROW_LEFT_OUT", "SUMMARY_ROWS_LEFT_OUT", "store_without_rows",
           "CUSTOMER_TABLE_FORMAT",
           "store_customer_table", "put_selection", "get_selection", "store_bundle", "uploaded_bundle",
           "applied_model", "read_sheet"]

log = logging.getLogger(__name__)


class DatasetGone(SegmentsError):
    """The token is unknown or its data expired."""

    def __init__(self) -> None:
        super().__init__("This data is no longer on the server (links keep data for a limited time). "
                         "Upload the file again to continue.")


class ModelGone(SegmentsError):
    """The uploaded model bundle is unknown or expired."""

    def __init__(self) -> None:
        super().__init__("The saved model for this link is no longer on the server, or none was uploaded. "
                         "Upload the model bundle (.json) again.")


@dataclass(frozen=True)
class Dataset:
    """An uploaded table and its data check."""

    token: str
    name: str
    table: TableRead
    report: QualityReport
    #: The store's key of the uploaded workbook's bytes when it has several sheets (another can then be read:
    #: :func:`read_sheet`); None for a CSV file, a one-sheet workbook or a data set from the library.
    workbook: str | None = None

    @property
    def frame(self):  # type: ignore[no-untyped-def]
        """The table's text cells."""
        return self.table.frame


def new_token() -> str:
    """A dataset token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def _dataset_key(token: str) -> str:
    return f"ds:{token}"


def store_table(table: TableRead, name: str, workbook: str | None = None) -> Dataset:
    """Check a table and keep it on the server under a new token, with the numbers the data check parsed
    (:attr:`core.io.TableRead.numbers`, pickled with the frame they belong to): every later request on
    the dataset, in any worker, builds its features from them instead of parsing the columns again.
    ``workbook``: :attr:`Dataset.workbook`."""
    dataset = Dataset(new_token(), name, table, check_quality(table.frame, table.decimal, table.numbers), workbook)
    store.write(_dataset_key(dataset.token), dataset)
    return dataset


def read_and_store(source: Any, name: str, max_rows: int | None, max_columns: int | None,
                   max_cells: int | None = None, max_bytes: int | None = None) -> Dataset:
    """Read a file (bytes or path; ``max_bytes``: the most a zipped or gzipped file may unpack to), check it and
    store it; a workbook of several sheets is kept too, under a token of its own, so that another sheet can be
    read (:func:`read_sheet`). Raises core's ReadError on bad files."""
    table = read_table(source, name, max_rows=max_rows, max_columns=max_columns, max_cells=max_cells,
                       max_bytes=max_bytes)
    workbook = None
    if len(table.sheets) > 1:
        workbook = f"wb:{new_token()}"
        store.write(workbook, source if isinstance(source, bytes) else Path(source).read_bytes())
    return store_table(table, name, workbook)


def read_sheet(dataset: Dataset, sheet: str) -> Dataset:
    """Another sheet of a data set's workbook, read within the server's limits and stored as a new data set (the
    same workbook kept for it: any of its sheets can be read from either). Raises :class:`DataError` when the
    data set has no workbook kept or it expired, core's ReadError for a sheet that cannot be read."""
    raw = store.read(dataset.workbook) if dataset.workbook else None
    if not isinstance(raw, bytes):
        raise DataError("The workbook's other sheets are no longer on the server. Upload the workbook again to "
                        "read another sheet.")
    limits = store.settings()
    table = read_table(raw, dataset.name, max_rows=limits.max_rows, max_columns=limits.max_columns,
                       max_cells=limits.max_cells, max_bytes=limits.max_upload_bytes, sheet=sheet)
    return store_table(table, dataset.name, dataset.workbook)


#: What the table's notes say once the user left out a description row.
DESCRIPTION_ROW_LEFT_OUT = "The first row under the header described the columns; it was left out of the table, as you chose."
#: What the table's notes say once the user left out totals rows (where they were and what they held; "a totals
#: row" or "totals rows").
SUMMARY_ROWS_LEFT_OUT = "{}: {}, left out of the table, as you chose."


def store_without_rows(dataset: Dataset, rows: str) -> Dataset:
    """Keep a copy of a dataset without rows the data check found to be no customers, under a new token; the
    original stays as it was. ``rows``: ``"description"``, the first row when it describes the columns
    (:attr:`core.QualityReport.description_row`), or ``"summary"``, the totals rows at the end
    (:attr:`core.QualityReport.summary_rows`), or ``"net_returns"``, the customers of a table built from orders
    who returned as much as they bought (:func:`core.rfm.net_return_rows`). Raises :class:`core.DataError` when
    there is no such row (nothing is ever left out unasked)."""
    report = dataset.report
    if rows == "description":
        if not report.description_row:
            raise DataError("The first row under the header holds a customer, not descriptions of the columns: "
                            "nothing was left out.")
        positions, said = [0], DESCRIPTION_ROW_LEFT_OUT
    elif rows == "summary":
        if not report.summary_rows:
            raise DataError("The last rows of the table hold customers, not totals or averages of them: nothing was "
                            "left out.")
        positions = [row.position for row in report.summary_rows]
        said = SUMMARY_ROWS_LEFT_OUT.format(report.summary_rows_text(first_word=True),
                                            "totals rows" if len(positions) > 1 else "a totals row")
    elif rows == "net_returns":
        positions = net_return_rows(dataset.frame, dataset.table.decimal, dataset.table.numbers)
        if not positions:
            raise DataError("No customer of this table returned as much as they bought (monetary 0 or less): "
                            "nothing was left out.")
        said = f"{net_returns_left_out(len(positions), report.rows)}, as you chose."
    else:
        raise DataError(f"Unknown rows to leave out: {rows!r}.")
    table = replace(dataset.table, frame=without_rows(dataset.frame, positions),
                    warnings=[*dataset.table.warnings, said])
    return store_table(table, dataset.name, getattr(dataset, "workbook", None))


#: TableRead.file_format of a customer table built from an order file (no file of its own).
CUSTOMER_TABLE_FORMAT = "customer table"


def store_customer_table(orders: Dataset, columns: OrderColumns, as_of: str | None,
                         window_months: int | None = None, currency: str | None = None) -> Dataset:
    """Build the customer table (:func:`core.build_customers`) of an order file and keep it as a new dataset,
    like an upload: the model, clusters and downloads pages then run on it. Its table's warnings carry what
    the build found (returns, lines left out...). ``window_months``: count orders and spending over those last
    months only; ``currency``: the currency counted when the lines are in several (:data:`core.rfm.ALL_CURRENCIES`:
    every one). Raises core's OrdersError/FeatureError with the reason."""
    result = build_customers(orders.frame, columns, as_of=as_of or None, decimal=orders.table.decimal,
                             numbers=orders.table.numbers, window_months=window_months, currency=currency)
    recipe = OrderRecipe.of(result).to_json()  # next month's lines are built the same way
    table = TableRead(result.to_text_frame(), CUSTOMER_TABLE_FORMAT, None, None, ".", list(result.notes),
                      recipe=recipe)
    return store_table(table, f"{file_stem(orders.name)}-customers.csv")


def get_dataset(token: str | None) -> Dataset:
    """The dataset behind a token; :class:`DatasetGone` if unknown or expired."""
    if not token:
        raise DatasetGone()
    dataset = store.read(_dataset_key(token))
    if not isinstance(dataset, Dataset) or dataset.token != token:
        dataset = _from_library(token)
    return dataset


def _from_library(token: str) -> Dataset:
    """A saved data set the cache no longer holds, read back from the library and cached again under its
    own token: a saved segmentation's links never expire. DatasetGone when the library has none."""
    try:
        found = library.load_table(token)
    except library.LibraryUnavailable:
        raise
    except SegmentsError:
        found = None
    if found is None:
        raise DatasetGone()
    name, table = found
    dataset = Dataset(token, name, table, check_quality(table.frame, table.decimal, table.numbers))
    try:
        store.write(_dataset_key(token), dataset)
    except store.StoreUnavailable:
        log.warning("a saved data set was read from the library but could not be cached")
    return dataset


def forget_dataset(token: str) -> None:
    """Drop a data set from the cache (its saved copy was deleted: the link must stop working now)."""
    store.forget(_dataset_key(token))


def put_selection(rows: np.ndarray) -> str:
    """Keep a selection of input rows on the server; returns its token."""
    token = new_token()
    store.write(f"sel:{token}", np.asarray(rows, dtype=np.int64))
    return token


def get_selection(token: str) -> np.ndarray:
    """The input rows of a kept selection (DatasetGone when unknown or expired)."""
    rows = store.read(f"sel:{token}") if token else None
    if not isinstance(rows, np.ndarray):
        raise DatasetGone()
    return rows


def store_bundle(raw: bytes) -> tuple[str, ModelInfo]:
    """Check an uploaded model bundle (never unpickled: JSON numbers only) and keep it under a new token.

    Raises
    ------
    UnsafeModelError
        A pickle or joblib file.
    ModelError
        Anything that is not a valid bundle.
    """
    _, info = load_bundle(raw)
    token = new_token()
    store.write(f"model:{token}", raw)
    return token, info


def uploaded_bundle(token: str) -> bytes | None:
    """The model bundle uploaded under ``token`` as it was (None when unknown or expired)."""
    raw = store.read(f"model:{token}")
    return raw if isinstance(raw, bytes) else None


def applied_model(state: ViewState) -> SavedModel:
    """The model a state applies: the shipped one, or an uploaded bundle. ModelGone if the bundle expired."""
    if state.mode == "saved":
        raw = uploaded_bundle(state.model) if state.model else None
        if raw is None and state.model:
            raw = library.find_model(state.model)  # a saved segmentation's model outlives the cache
        if not isinstance(raw, bytes):
            raise ModelGone()
        return load_bundle(raw)
    return store.pretrained_model()
