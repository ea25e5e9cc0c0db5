"""The saved library against both of its databases: SQLite (a file in DATA_DIR) and a real PostgreSQL
server started here (Debian's ``postgresql``; never skipped when CI is set).

Schema migrations from an empty database, save / list / open / rename / delete (its data gone),
concurrent saves, and the migration between two snapshots checked against an independent join.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text

from core import read_table, segment_new
from core.demo import DEMO_FEATURES, DEMO_PATH
from core.io import TableRead
from core.model import DISPLAY_OFFSET
from dashboard import library
from dashboard.settings import database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty library database of each kind, configured for the test (the previous one restored after)."""
    previous = (library._config.url, library._config.data_dir)
    if request.param == "sqlite":
        url = database_url("", tmp_path)
    else:
        server = request.getfixturevalue("postgres")
        name = f"t{os.getpid()}_{abs(hash(request.node.name)) % 10**8}"
        admin = library.engine(database_url(server.url, tmp_path))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = database_url(server.url.rsplit("/", 1)[0] + "/" + name, tmp_path)
    library.configure(url, tmp_path)
    yield url
    if previous[0]:
        library.configure(previous[0], previous[1])


@pytest.fixture(scope="module")
def demo_table() -> TableRead:
    return read_table(Path(DEMO_PATH).read_bytes(), "demo_customers.csv")


def labels_of(table: TableRead, k: int = 4, seed: int = 0) -> tuple[np.ndarray, int]:
    seg = segment_new(table.frame, list(DEMO_FEATURES), k, seed)
    return np.where(seg.scored, seg.labels + DISPLAY_OFFSET, 0), seg.k


def save(table: TableRead, name: str, token: str | None = None, note: str = "") -> str:
    labels, k = labels_of(table)
    settings = {"query": f"?ds={token or 'x' * 32}&k=4", "k": k, "names": [f"S{j}" for j in range(k)],
                "model_features": list(DEMO_FEATURES), "missing": "drop", "mapping": {}}
    return library.save(name, note, token or library.secrets.token_urlsafe(24), "demo_customers.csv", table,
                        labels, k, settings, b'{"format": "customer-segments-model"}')


def count(table_name: str) -> int:
    with library.engine().connect() as connection:
        return int(connection.execute(select(func.count()).select_from(library.metadata.tables[table_name]))
                   .scalar_one())


def test_a_schema_migration_from_an_empty_database(database: str):
    """configure() on an empty database creates every table at the newest revision; the models match the
    migrations exactly (Alembic's check); running it again (a restart, a second worker) changes nothing."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    names = set(inspect(library.engine()).get_table_names())
    assert {"saved_segmentations", "snapshots", "datasets", "alembic_version"} <= names
    head = ScriptDirectory(str(library.MIGRATIONS)).get_current_head()
    with library.engine().connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        config = Config()
        config.set_main_option("script_location", str(library.MIGRATIONS))
        config.attributes["connection"] = connection
        command.check(config)  # raises when the models and the migrations disagree
    library.configure(database, library._config.data_dir)
    assert count("saved_segmentations") == 0


def test_save_list_open_rename_delete(database: str, demo_table: TableRead):
    token = library.secrets.token_urlsafe(24)
    saved_id = save(demo_table, "  March   segments ", token, note="for the Q2 deck")
    other = save(demo_table, "Other")
    listed = {s.id: s for s in library.list_saved()}
    assert set(listed) == {saved_id, other}
    item = listed[saved_id]
    assert (item.name, item.note, item.dataset_name, item.customers, item.k, item.snapshots) == \
        ("March segments", "for the Q2 deck", "demo_customers.csv", 500, 4, 1)
    # the data comes back cell for cell, with how the file was read
    name, table = library.load_table(token)
    assert name == "demo_customers.csv"
    pd.testing.assert_frame_equal(table.frame, demo_table.frame)
    assert (table.encoding, table.separator, table.decimal) == (demo_table.encoding, demo_table.separator, ".")
    saved = library.get_saved(saved_id)
    labels, _ = labels_of(demo_table)
    assert np.array_equal(library.snapshot_labels(saved_id, saved.snapshots[0].id), labels)
    assert sum(saved.snapshots[0].sizes) == int((labels > 0).sum())

    library.rename(saved_id, "April segments")
    assert library.get_saved(saved_id).summary.name == "April segments"
    with pytest.raises(library.SegmentsError, match="needs a name"):
        library.rename(saved_id, "   ")
    with pytest.raises(library.NotInLibrary):
        library.rename("no-such-id", "x")

    datasets_before = count("datasets")
    library.delete_saved(saved_id)
    assert [s.id for s in library.list_saved()] == [other]
    assert library.load_table(token) is None  # its data is gone
    assert count("datasets") == datasets_before - 1 and count("snapshots") == 1
    with pytest.raises(library.NotInLibrary):
        library.get_saved(saved_id)
    with pytest.raises(library.NotInLibrary):
        library.delete_saved(saved_id)


def test_two_saves_of_one_upload_share_its_data_until_both_are_deleted(database: str, demo_table: TableRead):
    token = library.secrets.token_urlsafe(24)
    first, second = save(demo_table, "k4", token), save(demo_table, "k4 again", token)
    assert count("datasets") == 1
    library.delete_saved(first)
    assert library.load_table(token) is not None
    library.delete_saved(second)
    assert library.load_table(token) is None and count("datasets") == 0


def test_concurrent_saves_lose_nothing(database: str, demo_table: TableRead):
    token = library.secrets.token_urlsafe(24)  # all of them save the same upload: one stored data set
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(4):
                save(demo_table, f"save {n}-{i}", token)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(s.name for s in library.list_saved()) == sorted(f"save {n}-{i}" for n in range(6) for i in range(4))
    assert count("datasets") == 1


def test_snapshots_and_their_migration_match_an_independent_join(database: str, demo_table: TableRead):
    """A second snapshot with planted moves, new and gone customers: the library's migration (by id, as
    text) against pandas' outer merge of the two files."""
    from dashboard import snapshots as snapshot_logic

    token = library.secrets.token_urlsafe(24)
    frame = demo_table.frame.copy()
    frame.insert(0, "Member", [f"{i:05d}" for i in range(len(frame))])
    first = TableRead(frame, "csv", "utf-8", ",", ".", [])
    saved_id = save(first, "with ids", token)
    old_labels = library.snapshot_labels(saved_id, library.get_saved(saved_id).snapshots[0].id)
    rng = np.random.default_rng(1)
    keep = rng.random(len(frame)) > 0.1
    later = frame[keep].reset_index(drop=True)
    later = pd.concat([later, pd.DataFrame({c: ["1"] * 30 for c in frame.columns}).assign(
        Member=[f"N{i}" for i in range(30)])], ignore_index=True)
    new_labels = rng.integers(0, 5, len(later))
    new_token = library.secrets.token_urlsafe(24)
    library.add_snapshot(saved_id, new_token, "april.csv", TableRead(later, "csv", "utf-8", ",", ".", []),
                         new_labels, 4, {})

    class FakeDataset:  # the service's cache is not part of this test: read the stored tables back
        def __init__(self, token: str) -> None:
            self.frame = library.load_table(token)[1].frame
            self.report = type("R", (), {"column_reports": []})()

    original = snapshot_logic.service.get_dataset
    snapshot_logic.service.get_dataset = FakeDataset  # type: ignore[assignment]
    try:
        result = snapshot_logic.migration_between(saved_id, id_column="Member")
    finally:
        snapshot_logic.service.get_dataset = original  # type: ignore[assignment]
    old = pd.DataFrame({"Member": frame["Member"], "c": np.where(old_labels > 0, old_labels.astype(str), "")})
    new = pd.DataFrame({"Member": later["Member"], "c": np.where(new_labels > 0, new_labels.astype(str), "")})
    joined = old.merge(new, on="Member", how="outer", suffixes=("_old", "_new")).fillna("")
    expected = {(f, t, int(n)) for (f, t), n in joined.groupby(["c_old", "c_new"]).size().items()}
    got = {(f, t, int(n)) for f, t, n in result.moves.counts().itertuples(index=False)}
    assert got == expected
    assert result.moves.customers == len(frame) + 30
    assert len(library.get_saved(saved_id).snapshots) == 2
    library.delete_saved(saved_id)
    assert library.load_table(new_token) is None and library.load_table(token) is None


def test_database_url_choices(tmp_path: Path):
    assert database_url("", tmp_path) == f"sqlite:///{tmp_path / 'library.sqlite3'}"
    assert database_url("postgres://u:p@db:5432/lib", tmp_path) == "postgresql+psycopg://u:p@db:5432/lib"
    assert database_url(" postgresql://u@db/lib ", tmp_path) == "postgresql+psycopg://u@db/lib"
    with pytest.raises(SystemExit, match="DATABASE_URL"):
        database_url("mysql://u@db/lib", tmp_path)


def test_a_database_that_does_not_answer_is_a_message_not_a_crash(tmp_path: Path):
    """The app starts without its library database (logged), and every use says the library is not
    answering; once configured on a working database the library works again."""
    from tests.support import free_port

    previous = (library._config.url, library._config.data_dir)
    try:
        library.configure(database_url(f"postgresql://nobody@127.0.0.1:{free_port()}/none", tmp_path), tmp_path)
        for use in (library.list_saved, lambda: library.load_table("T" * 32), lambda: library.get_saved("x")):
            with pytest.raises(library.LibraryUnavailable, match="not answering"):
                use()
    finally:
        library.configure(previous[0] or database_url("", tmp_path), previous[1] or tmp_path)
    library.list_saved()
