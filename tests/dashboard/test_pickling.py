"""The store's pickles (dashboard.service.pickling): a frame's pyarrow text columns go chunk by chunk, not
concatenated first (issue 15, goal 5: a third of storing an upload at 10^7 rows), and come back the same."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from flask import Flask
from pandas.arrays import ArrowExtensionArray

from core import read_table
from dashboard import service
from dashboard.service import pickling, store
from dashboard.settings import Settings
from tests.fixtures import upload


def _chunked_frame() -> pd.DataFrame:
    """A frame of text as the reader gives it, each column in several chunks, with empty cells and unicode."""
    text = pd.StringDtype("pyarrow", na_value=float("nan"))
    chunks = [pa.array([f"{i}é" if i % 7 else "" for i in range(start, start + 1000)], pa.large_string())
              for start in range(0, 5000, 1000)]
    return pd.DataFrame({"Name": pd.array(pa.chunked_array(chunks), dtype=text),
                         "Age": pd.Series([str(i % 90) for i in range(5000)], dtype=text),
                         "score": np.arange(5000, dtype=np.float64)})


@pytest.fixture()
def no_concatenation(monkeypatch):
    """pandas' own pickling of a pyarrow-backed array (which concatenates its chunks) fails from now on."""
    def refuse(self):
        raise AssertionError("a pyarrow-backed column was concatenated to be pickled")

    monkeypatch.setattr(ArrowExtensionArray, "__getstate__", refuse)


def test_a_frame_comes_back_the_same_chunk_by_chunk(no_concatenation):
    frame = _chunked_frame()
    back = pickle.loads(pickling.dumps(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert back.dtypes.equals(frame.dtypes)
    assert back["Name"].array._pa_array.num_chunks == 5 and back["Name"].array._pa_array.equals(
        frame["Name"].array._pa_array)
    assert back["Name"].array._cache == {}


def test_the_serializers_read_back_what_they_wrote(no_concatenation):
    table = read_table(b"id,name\n1,a\n2,\n3,c\n")
    file = io.BytesIO()
    pickling.FileSerializer().dump(table, file)
    file.seek(0)
    back = pickling.FileSerializer().load(file)
    assert back.frame.equals(table.frame) and back.numbers.belongs_to(back.frame, back.decimal)
    redis = pickling.RedisSerializer()
    assert redis.loads(redis.dumps(7)) == 7 and redis.dumps(7) == b"7"  # integers stay plain (INCR)
    raw = redis.dumps(table)
    assert raw.startswith(b"!") and redis.loads(raw).frame.equals(table.frame)


def test_an_upload_is_stored_without_concatenating_its_columns(client, request_context, no_concatenation):
    rows = "".join(f"C{i},{20 + i % 50},{i * 3 % 101}.5\n" for i in range(3000))
    response = upload(client, ("CustomerID,Age,Spend\n" + rows).encode())
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["token"]
    kept = store._extension().recent.get(f"ds:{token}")
    store.forget_local()
    back = service.get_dataset(token)
    assert back is not kept and back.frame.equals(kept.frame) and back.report == kept.report
    assert back.table.numbers.belongs_to(back.frame, back.table.decimal)


@pytest.mark.parametrize(("config", "serializer"), [
    ({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:1/0"}, pickling.RedisSerializer),
    ({"CACHE_TYPE": "dashboard.budget.BudgetFileSystemCache", "CACHE_BUDGET_BYTES": 10 ** 9}, pickling.FileSerializer),
])
def test_both_cache_backends_use_the_store_pickler(tmp_path, monkeypatch, config, serializer):
    monkeypatch.setattr(store.cache, "app", store.cache.app)  # (init_app names its app there: put back after)
    server = Flask("pickling")
    config = {**config, "CACHE_DIR": str(tmp_path), "CACHE_DEFAULT_TIMEOUT": 60}
    store.init_app(server, Settings.from_env(cache_dir=tmp_path, redis_url=None), config)
    backend = server.extensions["cache"][store.cache]
    assert isinstance(backend.serializer, serializer)
