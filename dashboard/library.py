"""The saved library: segmentations kept durably in a real database, and their later snapshots.

Everything else the server holds lives in an expiring cache; what a user saves here stays until they
delete it. One row per saved segmentation (name, note, the view settings, the model bundle JSON), one
per snapshot (the data it was applied to and each customer's cluster) and one per stored data set
(the uploaded table as Parquet bytes, keyed by its dataset token). The data is stored *in the
database*, so every web host that reaches the database can read it.

* SQLite (``DATA_DIR/library.sqlite3``) when ``DATABASE_URL`` is unset; PostgreSQL (psycopg 3) when it
  is set. SQLAlchemy 2 core tables; the schema is created and upgraded by the Alembic migrations in
  ``dashboard/migrations`` (:func:`upgrade`, run when the app starts, under a lock so that several
  workers starting together migrate once).
* A saved segmentation's dataset token is the token it had when it was saved: links made before the
  save keep working, and :func:`load_table` lets the cache get the table back after it expired.
* Nothing here unpickles: tables are Parquet (text cells), labels are int16 bytes, models JSON.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (Column, DateTime, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text,
                        create_engine, delete, event, func, insert, select, text, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core import SegmentsError, TableRead
from core.io import table_from_parquet, table_to_parquet

__all__ = ["SavedSummary", "SavedSegmentation", "Snapshot", "LibraryUnavailable", "NotInLibrary", "configure",
           "upgrade", "engine", "save", "list_saved", "get_saved", "rename", "delete_saved", "load_table",
           "add_snapshot", "snapshot_labels", "find_model", "metadata", "MAX_NAME", "MAX_NOTE"]

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MAX_NAME = 120
MAX_NOTE = 2000

metadata = MetaData()

saved_segmentations = Table(
    "saved_segmentations", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("dataset_token", String(64), ForeignKey("datasets.token"), nullable=False, index=True),
    Column("dataset_name", String(300), nullable=False),
    Column("customers", Integer, nullable=False),
    Column("k", Integer, nullable=False),
    Column("settings", Text, nullable=False),  # JSON: the view query, features, k, seed, missing, names
    Column("bundle", Text, nullable=False),  # the model bundle JSON (core.persist.bundle_bytes)
    Column("model_token", String(64), nullable=True, index=True),  # an uploaded model the settings apply
    Column("model_bundle", Text, nullable=True),  # ... and that uploaded bundle, as it was
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

datasets = Table(
    "datasets", metadata,
    Column("token", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("columns", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),  # core.io.table_to_parquet
    Column("created_at", DateTime(timezone=True), nullable=False),
)

snapshots = Table(
    "snapshots", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segmentation_id", String(64), ForeignKey("saved_segmentations.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("dataset_token", String(64), ForeignKey("datasets.token"), nullable=False, index=True),
    Column("label", String(300), nullable=False),
    Column("customers", Integer, nullable=False),
    Column("sizes", Text, nullable=False),  # JSON list: customers per cluster, cluster 1 first
    Column("labels", LargeBinary, nullable=False),  # int16 per input row: the cluster as shown, 0 = none
    Column("mapping", Text, nullable=False, default="{}"),  # JSON {file column: model feature}
    Column("warning", Text, nullable=False, default=""),  # the out-of-range check's warning, if any
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class LibraryUnavailable(SegmentsError):
    """The library's database failed (unreachable, locked too long, full)."""

    def __init__(self) -> None:
        super().__init__("The saved library's database is not answering right now. Nothing saved is lost; "
                         "try again in a moment.")


class NotInLibrary(SegmentsError):
    """The saved segmentation or snapshot does not exist (deleted, or a wrong link)."""

    def __init__(self) -> None:
        super().__init__("This saved segmentation is not in the library: it was deleted, or the link is "
                         "incomplete.")


@dataclass(frozen=True)
class SavedSummary:
    """A line of the library's list."""

    id: str
    name: str
    note: str
    dataset_name: str
    customers: int
    k: int
    created_at: datetime
    snapshots: int
    query: str


@dataclass(frozen=True)
class Snapshot:
    """A data set the saved model was applied to (the first one: the data it was saved with)."""

    id: int
    label: str
    dataset_token: str
    customers: int
    sizes: list[int]
    mapping: dict[str, str]
    warning: str
    created_at: datetime


@dataclass(frozen=True)
class SavedSegmentation:
    """A saved segmentation with its settings, model and snapshots (oldest first)."""

    summary: SavedSummary
    settings: dict[str, Any]
    bundle: bytes
    model_token: str | None
    snapshots: list[Snapshot]

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def names(self) -> list[str]:
        """The segment names, cluster 1 first."""
        return [str(n) for n in self.settings.get("names", [])]


_lock = threading.Lock()
_engines: dict[tuple[int, str], Engine] = {}


@dataclass
class _Config:
    url: str | None = None
    data_dir: Path | None = None
    ready: bool = False  # the schema is known to be up to date


_config = _Config()


def configure(url: str, data_dir: Path | None = None) -> None:
    """Use the database at ``url`` from now on, creating or upgrading its schema first.

    A database that does not answer yet is logged, not fatal: the dashboard serves everything else, the
    library says it is not answering, and the first use after the database is back migrates it.
    """
    if url.startswith("sqlite:") and data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    _config.url, _config.data_dir, _config.ready = url, data_dir, False
    try:
        _ensure_schema()
    except SQLAlchemyError:
        log.error("the library database could not be reached or upgraded; will retry on first use", exc_info=True)


def _ensure_schema() -> None:
    if not _config.ready and _config.url:
        upgrade(_config.url, _config.data_dir)
        _config.ready = True


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite:"):
        created = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(created, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")  # the snapshots' ON DELETE CASCADE
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        return created
    # a database that does not answer is reported after 10 s, not after the system's TCP timeout
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args={"connect_timeout": 10})


def engine(url: str | None = None) -> Engine:
    """This process's engine (a forked worker makes its own: connections must not cross a fork)."""
    url = url or _config.url
    if url is None:
        raise RuntimeError("the library is not configured (dashboard.library.configure)")
    key = (os.getpid(), url)
    with _lock:
        if key not in _engines:
            _engines[key] = _make_engine(url)
        return _engines[key]


@contextlib.contextmanager
def _migration_lock(url: str, data_dir: Path | None) -> Iterator[None]:
    """Only one process migrates at a time: a file lock beside SQLite (one host), PostgreSQL's advisory
    lock otherwise (any number of hosts)."""
    if url.startswith("sqlite:"):
        folder = data_dir or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".library-migrate.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine(url).connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(72170017)"))
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(72170017)"))


def upgrade(url: str, data_dir: Path | None = None) -> None:
    """Create or upgrade the schema to the newest migration (Alembic, configured in code)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _migration_lock(url, data_dir):
        with engine(url).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextlib.contextmanager
def _begin() -> Iterator[Connection]:
    try:
        _ensure_schema()
        with engine().begin() as connection:
            yield connection
    except SegmentsError:
        raise
    except SQLAlchemyError:
        log.warning("library database failed", exc_info=True)
        raise LibraryUnavailable() from None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _clean(text: str, limit: int) -> str:
    return " ".join(str(text).split())[:limit] if limit <= MAX_NAME else str(text).strip()[:limit]


def _ensure_dataset(connection: Connection, token: str, name: str, table: TableRead) -> None:
    """Store a data set once (two saves of one upload share it)."""
    if connection.execute(select(datasets.c.token).where(datasets.c.token == token)).first() is not None:
        return
    try:
        with connection.begin_nested():
            connection.execute(insert(datasets).values(
                token=token, name=name[:300], rows=int(table.frame.shape[0]), columns=int(table.frame.shape[1]),
                data=table_to_parquet(table), created_at=_now()))
    except IntegrityError:  # another request stored the same upload a moment ago
        pass


def _labels_bytes(labels: np.ndarray) -> bytes:
    return np.asarray(labels, dtype="<i2").tobytes()


def save(name: str, note: str, dataset_token: str, dataset_name: str, table: TableRead, labels: np.ndarray,
         k: int, settings: dict[str, Any], bundle: bytes, model_token: str | None = None,
         model_bundle: bytes | None = None) -> str:
    """Save a segmentation and its first snapshot; returns its id (a new unguessable token).

    ``labels`` are the clusters as shown per input row (0 = not scored).
    """
    name = _clean(name, MAX_NAME)
    if not name:
        raise SegmentsError("Give the segmentation a name to find it again in the library.")
    saved_id = secrets.token_urlsafe(24)
    now = _now()
    sizes = np.bincount(np.asarray(labels, dtype=np.int64), minlength=k + 1)[1:k + 1].tolist()
    with _begin() as connection:
        _ensure_dataset(connection, dataset_token, dataset_name, table)
        connection.execute(insert(saved_segmentations).values(
            id=saved_id, name=name, note=_clean(note, MAX_NOTE), dataset_token=dataset_token,
            dataset_name=dataset_name[:300], customers=int(table.frame.shape[0]), k=int(k),
            settings=json.dumps(settings), bundle=bundle.decode("utf-8"), model_token=model_token,
            model_bundle=model_bundle.decode("utf-8") if model_bundle else None, created_at=now, updated_at=now))
        connection.execute(insert(snapshots).values(
            segmentation_id=saved_id, dataset_token=dataset_token, label=dataset_name[:300],
            customers=int(table.frame.shape[0]), sizes=json.dumps(sizes), labels=_labels_bytes(labels),
            mapping=json.dumps(settings.get("mapping", {})), warning="", created_at=now))
    return saved_id


def _count_snapshots() -> Any:
    return (select(func.count(snapshots.c.id)).where(snapshots.c.segmentation_id == saved_segmentations.c.id)
            .scalar_subquery())


def _summary(row: Any) -> SavedSummary:
    settings = json.loads(row.settings)
    return SavedSummary(row.id, row.name, row.note, row.dataset_name, int(row.customers), int(row.k),
                        row.created_at, int(row.snapshot_count), str(settings.get("query", "")))


_SUMMARY_COLUMNS = [saved_segmentations.c.id, saved_segmentations.c.name, saved_segmentations.c.note,
                    saved_segmentations.c.dataset_name, saved_segmentations.c.customers, saved_segmentations.c.k,
                    saved_segmentations.c.created_at, saved_segmentations.c.settings]


def list_saved() -> list[SavedSummary]:
    """Every saved segmentation, newest first."""
    with _begin() as connection:
        rows = connection.execute(select(*_SUMMARY_COLUMNS, _count_snapshots().label("snapshot_count"))
                                  .order_by(saved_segmentations.c.created_at.desc(), saved_segmentations.c.id))
        return [_summary(row) for row in rows]


def get_saved(saved_id: str | None) -> SavedSegmentation:
    """A saved segmentation with its snapshots; :class:`NotInLibrary` when there is none."""
    if not saved_id:
        raise NotInLibrary()
    with _begin() as connection:
        row = connection.execute(select(*_SUMMARY_COLUMNS, _count_snapshots().label("snapshot_count"),
                                        saved_segmentations.c.bundle, saved_segmentations.c.model_token)
                                 .where(saved_segmentations.c.id == saved_id)).first()
        if row is None:
            raise NotInLibrary()
        shots = connection.execute(
            select(snapshots.c.id, snapshots.c.label, snapshots.c.dataset_token, snapshots.c.customers,
                   snapshots.c.sizes, snapshots.c.mapping, snapshots.c.warning, snapshots.c.created_at)
            .where(snapshots.c.segmentation_id == saved_id).order_by(snapshots.c.id)).all()
    return SavedSegmentation(
        _summary(row), json.loads(row.settings), row.bundle.encode("utf-8"), row.model_token,
        [Snapshot(int(s.id), s.label, s.dataset_token, int(s.customers), [int(v) for v in json.loads(s.sizes)],
                  dict(json.loads(s.mapping)), s.warning, s.created_at) for s in shots])


def rename(saved_id: str, name: str) -> None:
    """Give a saved segmentation a new name."""
    name = _clean(name, MAX_NAME)
    if not name:
        raise SegmentsError("A saved segmentation needs a name.")
    with _begin() as connection:
        done = connection.execute(update(saved_segmentations).where(saved_segmentations.c.id == saved_id)
                                  .values(name=name, updated_at=_now()))
        if done.rowcount == 0:
            raise NotInLibrary()


def delete_saved(saved_id: str) -> list[str]:
    """Delete a saved segmentation, its snapshots and every stored data set no other one uses; returns
    the tokens of the data sets deleted."""
    with _begin() as connection:
        tokens = {t for (t,) in connection.execute(select(snapshots.c.dataset_token)
                                                   .where(snapshots.c.segmentation_id == saved_id))}
        deleted: list[str] = []
        connection.execute(delete(snapshots).where(snapshots.c.segmentation_id == saved_id))
        done = connection.execute(delete(saved_segmentations).where(saved_segmentations.c.id == saved_id))
        if done.rowcount == 0:
            raise NotInLibrary()
        for token in tokens:
            used = connection.execute(select(func.count()).select_from(snapshots)
                                      .where(snapshots.c.dataset_token == token)).scalar_one()
            used += connection.execute(select(func.count()).select_from(saved_segmentations)
                                       .where(saved_segmentations.c.dataset_token == token)).scalar_one()
            if not used:
                connection.execute(delete(datasets).where(datasets.c.token == token))
                deleted.append(token)
    return deleted


def load_table(token: str) -> tuple[str, TableRead] | None:
    """The stored data set behind a dataset token, with its name (None when the library has none)."""
    with _begin() as connection:
        row = connection.execute(select(datasets.c.name, datasets.c.data).where(datasets.c.token == token)).first()
    if row is None:
        return None
    return row.name, table_from_parquet(bytes(row.data))


def find_model(token: str) -> bytes | None:
    """The uploaded model bundle a saved segmentation applies, by its model token (None if none)."""
    with _begin() as connection:
        row = connection.execute(select(saved_segmentations.c.model_bundle)
                                 .where(saved_segmentations.c.model_token == token)
                                 .where(saved_segmentations.c.model_bundle.is_not(None))).first()
    return row.model_bundle.encode("utf-8") if row is not None else None


def add_snapshot(saved_id: str, dataset_token: str, label: str, table: TableRead, labels: np.ndarray, k: int,
                 mapping: dict[str, str], warning: str = "") -> int:
    """Keep a new snapshot of a saved segmentation: the data set and each customer's cluster (0 = none)."""
    sizes = np.bincount(np.asarray(labels, dtype=np.int64), minlength=k + 1)[1:k + 1].tolist()
    with _begin() as connection:
        exists = connection.execute(select(saved_segmentations.c.id)
                                    .where(saved_segmentations.c.id == saved_id)).first()
        if exists is None:
            raise NotInLibrary()
        _ensure_dataset(connection, dataset_token, label, table)
        result = connection.execute(insert(snapshots).values(
            segmentation_id=saved_id, dataset_token=dataset_token, label=label[:300],
            customers=int(table.frame.shape[0]), sizes=json.dumps(sizes), labels=_labels_bytes(labels),
            mapping=json.dumps(mapping), warning=warning, created_at=_now()))
        connection.execute(update(saved_segmentations).where(saved_segmentations.c.id == saved_id)
                           .values(updated_at=_now()))
        return int(result.inserted_primary_key[0])


def snapshot_labels(saved_id: str, snapshot_id: int) -> np.ndarray:
    """Each customer's cluster as shown (0 = not scored) in a snapshot of a saved segmentation."""
    with _begin() as connection:
        row = connection.execute(select(snapshots.c.labels).where(snapshots.c.id == snapshot_id)
                                 .where(snapshots.c.segmentation_id == saved_id)).first()
    if row is None:
        raise NotInLibrary()
    return np.frombuffer(bytes(row.labels), dtype="<i2").astype(np.int64)
