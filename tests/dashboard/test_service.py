"""The per-process memory of recent cache entries: what it keeps, and how it sizes an entry."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import check_quality, read_table, segment_new
from dashboard import service
from dashboard.service.recent import Recent as _Recent, entry_bytes
from dashboard.state import ViewState
from tests.fixtures import demo_bytes, route, upload

KB = 1024


def _block(kb: int) -> np.ndarray:
    """An entry of exactly ``kb`` KiB (a numpy array counts its nbytes)."""
    return np.zeros(kb * KB, dtype=np.uint8)


def test_the_oldest_entries_go_beyond_the_count():
    recent = _Recent(size=3, budget=10 ** 9)
    for key in "abc":
        recent.put(key, key)
    assert recent.get("a") == "a"  # used: now the most recent
    recent.put("d", "d")
    assert list(recent.items) == ["c", "a", "d"]
    assert recent.get("b") is None


def test_the_oldest_entries_go_beyond_the_byte_budget():
    recent = _Recent(size=6, budget=300 * KB)
    for key in "abc":
        recent.put(key, _block(100))
    assert list(recent.items) == ["a", "b", "c"]  # 300 KiB: within the budget
    recent.get("a")
    recent.put("d", _block(100))
    assert list(recent.items) == ["c", "a", "d"]  # "b" was the least recently used
    recent.put("e", _block(250))
    assert list(recent.items) == ["d", "e"]  # 450 KiB: down to the two most recent
    assert recent.total == entry_bytes(_block(100)) + entry_bytes(_block(250))


def test_the_two_most_recent_entries_stay_whatever_their_size():
    recent = _Recent(size=6, budget=0)
    recent.put("dataset", _block(500))
    recent.put("segmentation", _block(400))
    assert list(recent.items) == ["dataset", "segmentation"]
    recent.put("sweep", _block(1))
    assert list(recent.items) == ["segmentation", "sweep"]
    assert isinstance(recent.get("segmentation"), np.ndarray)


def test_writing_a_key_again_counts_it_once():
    recent = _Recent(size=6, budget=250 * KB)
    recent.put("a", _block(100))
    recent.put("b", _block(100))
    recent.put("a", _block(100))
    assert list(recent.items) == ["b", "a"] and recent.total == 2 * entry_bytes(_block(100))
    recent.put("c", _block(10))
    assert list(recent.items) == ["b", "a", "c"]
    recent.clear()
    assert not recent.items and recent.total == 0


def test_the_app_sizes_the_memory_from_the_settings(app):
    extension = app.server.extensions[service.store.EXTENSION]
    assert extension.settings.local_cache_mb == 64  # set by the test app, not the default
    assert extension.recent.budget == extension.settings.local_cache_bytes == 64 * 1024 ** 2
    with app.server.app_context():
        assert service.settings() is extension.settings


def test_an_array_viewed_twice_counts_once():
    values = np.ones((1000, 4))
    assert entry_bytes(values) == values.nbytes
    both = {"values": values, "X": values, "first rows": values[:10], "column": values[:, 0]}
    assert values.nbytes <= entry_bytes(both) < values.nbytes + 4 * KB


def test_an_object_column_counts_its_python_objects():
    frame = pd.DataFrame({"name": pd.Series([f"customer number {i}" for i in range(50_000)], dtype=object),
                          "spend": np.arange(50_000, dtype=np.float64)})
    deep = int(frame.memory_usage(deep=True).sum())
    assert deep / 1.5 < entry_bytes(frame) < deep * 1.5
    assert entry_bytes(frame) > 2 * int(frame.memory_usage(deep=False).sum())  # more than the pointers


def _allocated() -> int:
    """Bytes held by Python and numpy (tracemalloc) and by Arrow (pandas 3's text columns)."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes()


@pytest.fixture(scope="module")
def generated() -> bytes:
    rng = np.random.default_rng(7)
    n = 100_000
    table = pd.DataFrame({"CustomerID": np.arange(n), "Gender": rng.choice(["Male", "Female"], n),
                          "City": rng.choice(["Paris", "Lyon", "Marseille", "Lille", "Nantes"], n),
                          "Age": rng.integers(18, 80, n), "Income": rng.normal(60, 20, n).round(2),
                          "Score": rng.integers(1, 100, n)})
    return table.to_csv(index=False).encode()


def test_the_estimate_of_a_dataset_and_its_segmentation_is_near_their_real_size(generated):
    tracemalloc.start()
    try:
        before = _allocated()
        table = read_table(generated, "customers.csv")
        dataset = service.Dataset("token", "customers.csv", table, check_quality(table.frame, table.decimal))
        after_dataset = _allocated()
        seg = segment_new(table.frame, ["Age", "Income", "Score"], 5, 0, "drop", table.decimal)
        after_seg = _allocated()
    finally:
        tracemalloc.stop()
    dataset_real, seg_real = after_dataset - before, after_seg - after_dataset
    assert dataset_real > 2 * 1024 ** 2 and seg_real > 1024 ** 2  # the measurement saw the data
    assert dataset_real / 2 < entry_bytes(dataset) < dataset_real * 2
    assert seg_real / 2 < entry_bytes(seg) < seg_real * 2


def test_results_are_kept_under_what_was_computed_not_how_the_link_spells_it():
    """The key of a result names the settings that decide it: axes and segment names do not refit; an
    applied model ignores the ticked features, k and seed."""
    dataset = service.Dataset("T" * 32, "customers.csv", None, None)  # type: ignore[arg-type]  (only its token is read)
    base = ViewState(ds=dataset.token, features=("a", "b"), transforms=(("a", "log"),))

    def key(state: ViewState) -> str:
        return service.result_spec(state, dataset).key("seg")

    assert key(base) != key(base.with_(k=5)) and key(base) != key(base.with_(seed=1))
    assert key(base) != key(base.with_(transforms=())) and key(base) != key(base.with_(missing="mean"))
    assert key(base) == key(base.with_(x="a", y="b", names=((1, "Loyal"),)))
    assert key(base) == key(base.with_(transforms=(("a", "log"),), mapping=(("x", "y"),)))  # mapping: applied only
    applied = base.with_(mode="pretrained", mapping=(("Income", "AnnualIncome"),))
    assert key(applied) == key(applied.with_(k=9, seed=3, features=("c",)))
    assert key(applied) != key(applied.with_(mapping=()))
    assert key(applied.with_(mode="saved", model="M" * 32)) != key(applied.with_(mode="saved", model="N" * 32))


@pytest.mark.parametrize("path", ["/model", "/clusters", "/downloads"])
def test_a_page_render_reads_each_entry_from_the_store_once(client, monkeypatch, path):
    """The title, the layout and every result of one page ask for the same dataset: the store is asked once."""
    token = upload(client, demo_bytes()).get_json()["token"]
    search = f"?ds={token}&k=3"
    assert route(client, "/clusters", search)[0] == 200  # computes (and keeps) the segmentation and confidence
    reads: list[str] = []
    for name in ("get", "has"):
        original = getattr(service.cache, name)
        monkeypatch.setattr(service.cache, name, lambda key, _original=original, _name=name: (
            reads.append(key), _original(key))[1])
    status, payload = route(client, path, search)
    assert status == 200 and f"ds={token}" in payload["response"]["_pages_store"]["data"]["title"] + str(payload)
    assert reads and reads.count(f"ds:{token}") == 1
    assert len(reads) == len(set(reads)), reads


def test_the_sweep_of_a_file_without_measures_says_its_dates_can_be_chosen(client):
    """Found from outside (a helpdesk's user export: ids, text and dates): the Model page's guides said "Choose at
    least one numeric column to segment on", though the file's dates were offered beside; the sweep and the model
    now say why nothing is proposed, and which dates can be chosen."""
    from core.errors import FeatureError

    rows = ["id,name,created_at,updated_at"] + [
        f"{1_000_000 + i},User {i},2024-{1 + i % 12:02d}-{1 + i % 28:02d},2025-{1 + i % 9:02d}-{1 + i % 27:02d}"
        for i in range(60)]
    token = upload(client, ("\n".join(rows) + "\n").encode(), "users.csv").get_json()["token"]
    for compute in (service.get_sweep, service.get_segmentation):
        with pytest.raises(FeatureError, match=r"look like identifiers.*Its dates can be segmented on instead: choose "
                                               r"'created_at \(days since\)' and 'updated_at \(days since\)'"):
            compute(ViewState(ds=token))
    assert service.get_sweep(ViewState(ds=token, features=("created_at (days since)",))).table["k"].max() >= 4
