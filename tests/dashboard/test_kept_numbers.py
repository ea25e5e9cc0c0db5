"""The dashboard keeps the numbers the data check parsed with the stored dataset (issue 15, goals 4 and 5).

An upload is read, checked and pickled into the shared cache (the file cache here, Redis in production);
another worker unpickles it. The kept numbers (:class:`core.quality.ColumnNumbers`) only count for the very
frame they were parsed from (``belongs_to`` tests identity), which one pickle of the dataset keeps. Every
later request (a fit, an applied model, the k sweep, the order file's customer table) must then parse no
column the check parsed, and answer exactly what the text path answers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import core.prepare
import core.quality
import core.rfm
from core import prepare_features, segment_new, segment_with_model, sweep_k
from core.model import standardised
from core.options import SWEEP_K_MAX, SWEEP_K_MIN
from dashboard import service
from dashboard.service import results, store
from dashboard.service.pickling import RedisSerializer
from dashboard.service.datasets import Dataset
from dashboard.state import ViewState
from tests.core.orders import make_orders
from tests.fixtures import upload

FEATURES = ("Age", "Annual Income (k$)", "Spending Score (1-100)", "Balance")


def _customers(rows: int = 2000, seed: int = 3) -> bytes:
    """A customer file with the shipped model's two features, blanks, missing markers and text in numeric
    cells, decimals and negative numbers."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, rows)
    lines = ["CustomerID,Gender," + ",".join(FEATURES)]
    for i in range(rows):
        cells = [str(int(18 + 12 * group[i] + rng.integers(0, 10))), f"{20 + 25 * group[i] + rng.normal(0, 4):.1f}",
                 str(int(np.clip(10 + 25 * group[i] + rng.normal(0, 6), 1, 100))), f"{rng.normal(0, 500):.2f}"]
        roll = rng.random()
        if roll < 0.03:
            cells[0] = ""
        elif roll < 0.05:
            cells[1] = "n/a"
        elif roll < 0.06:
            cells[3] = "unknown"
        lines.append(f"C{i:05d},{'FM'[i % 2]}," + ",".join(cells))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture()
def parsed(monkeypatch) -> Iterator[list[str]]:
    """The names of the columns parsed from text from now on (by the data check's parser or the order
    file's), whoever asks."""
    names: list[str] = []
    real_columns, real_numeric = core.quality.parse_columns, core.rfm.parse_numeric

    def spy_columns(frame, positions, *args, **kwargs):
        positions = list(positions)
        names.extend(str(frame.columns[j]) for j in positions)
        return real_columns(frame, positions, *args, **kwargs)

    def spy_numeric(values, *args, **kwargs):
        names.append(str(values.name))
        return real_numeric(values, *args, **kwargs)

    monkeypatch.setattr(core.quality, "parse_columns", spy_columns)
    monkeypatch.setattr(core.prepare, "parse_columns", spy_columns)
    monkeypatch.setattr(core.rfm, "parse_numeric", spy_numeric)
    yield names


def _stored(client, content: bytes, name: str = "customers.csv") -> Dataset:
    """Upload ``content`` and read its dataset back as another worker does: unpickled from the shared cache."""
    response = upload(client, content, name)
    assert response.status_code == 200, response.get_json()
    store.forget_local()  # nothing of this worker's memory: the next read unpickles the cache's file
    return service.get_dataset(response.get_json()["token"])


def test_the_kept_numbers_survive_the_round_trip_through_the_store(client, request_context):
    response = upload(client, _customers())
    token = response.get_json()["token"]
    uploaded = store._extension().recent.get(f"ds:{token}")
    store.forget_local()
    dataset = service.get_dataset(token)
    assert dataset is not uploaded  # read from the cache folder, not this worker's memory
    table = dataset.table
    assert table.numbers.belongs_to(table.frame, table.decimal)
    kept = {str(table.frame.columns[j]) for j in table.numbers._kept}
    assert kept == set(FEATURES)  # the numeric columns but the ID; never the text column
    for j, numbers, invalid in table.numbers.columns(sorted(table.numbers._kept), keep=False):
        again = next(core.quality.parse_columns(table.frame, [j], table.decimal))
        assert numbers.tobytes() == again[1].tobytes() and np.array_equal(invalid, again[2])
        assert not numbers.flags.writeable and not invalid.flags.writeable  # still nobody's to change


def test_the_redis_serializer_keeps_the_numbers_with_their_frame(client, request_context):
    token = upload(client, _customers(300)).get_json()["token"]
    dataset = service.get_dataset(token)
    serializer = RedisSerializer()  # (the Redis backend's, dashboard.service.store.init_app)
    back = serializer.loads(serializer.dumps(dataset))
    assert back.table.numbers.belongs_to(back.table.frame, back.table.decimal)
    kept = sorted(back.table.numbers._kept)
    assert kept == sorted(dataset.table.numbers._kept) and [str(back.frame.columns[j]) for j in kept] == list(FEATURES)


def test_a_fit_parses_no_column_the_check_parsed_and_answers_as_the_text_path(client, request_context, parsed):
    dataset = _stored(client, _customers())
    parsed.clear()  # (the upload's data check parsed every column)
    state = ViewState(ds=dataset.token, features=FEATURES, k=4, seed=7, missing="mean")
    seg = service.get_segmentation(state)
    assert parsed == []
    frame, decimal = dataset.frame, dataset.table.decimal
    text = segment_new(frame.copy(), list(FEATURES), 4, 7, "mean", decimal, seg.matrix.transforms or None)
    assert seg.matrix.X.tobytes() == text.matrix.X.tobytes()
    assert np.array_equal(seg.labels, text.labels)
    assert seg.pipeline[-1].inertia_ == text.pipeline[-1].inertia_
    assert seg.matrix.notes == text.matrix.notes


def test_the_sweep_and_the_stability_parse_no_column_the_check_parsed(client, request_context, parsed):
    dataset = _stored(client, _customers(600))
    parsed.clear()  # (the upload's data check parsed every column)
    state = ViewState(ds=dataset.token, features=FEATURES[1:3], k=3, seed=1)
    sweep = service.get_sweep(state)
    service.get_stability(state)
    assert parsed == []
    matrix = prepare_features(dataset.frame.copy(), list(FEATURES[1:3]), "drop", dataset.table.decimal)
    text = sweep_k(standardised(matrix.X, matrix.transforms), SWEEP_K_MIN, SWEEP_K_MAX, 1)
    assert sweep.table.equals(text.table) and sweep.elbow == text.elbow and sweep.indices.equals(text.indices)


def test_an_applied_model_parses_no_column_the_check_parsed(client, request_context, parsed):
    dataset = _stored(client, _customers())
    parsed.clear()  # (the upload's data check parsed every column)
    seg = service.get_segmentation(ViewState(ds=dataset.token, mode="pretrained"))
    assert parsed == []
    text = segment_with_model(dataset.frame.copy(), store.pretrained_model(), None, "drop", dataset.table.decimal)
    assert np.array_equal(seg.labels, text.labels) and seg.matrix.X.tobytes() == text.matrix.X.tobytes()


def test_the_customer_table_of_an_order_file_parses_no_column_the_check_parsed(client, request_context, parsed):
    frame, _ = make_orders(200, seed=5)
    orders = _stored(client, frame.to_csv(index=False).encode(), "orders.csv")
    parsed.clear()  # (the upload's data check parsed every column)
    columns = core.rfm.recognise_columns(orders.frame)
    customers = service.store_customer_table(orders, columns, None)
    money = {c for c in (columns.amount, columns.quantity, columns.price) if c}
    assert money and not money & set(parsed)
    text = core.rfm.build_customers(orders.frame.copy(), columns, decimal=orders.table.decimal)
    assert customers.frame.equals(text.to_text_frame())


_OTHER_WORKER = """
import hashlib, json, sys
from pathlib import Path
from flask import Flask
import core.prepare, core.quality
from dashboard.app import _cache_config
from dashboard.service import results, store
from dashboard.settings import Settings
from dashboard.state import ViewState

parsed = []
real = core.quality.parse_columns
def spy(frame, positions, *args):
    positions = list(positions)
    parsed.extend(str(frame.columns[j]) for j in positions)
    return real(frame, positions, *args)
core.quality.parse_columns = core.prepare.parse_columns = spy
settings = Settings.from_env(cache_dir=Path(sys.argv[1]), redis_url=None)
server = Flask("another-worker")
store.init_app(server, settings, _cache_config(settings))
with server.app_context():
    state = ViewState.from_search(sys.argv[2])
    dataset = results.get_dataset(state.ds)
    table = dataset.table
    seg = results.get_segmentation(state)
    print(json.dumps({"belongs": table.numbers.belongs_to(table.frame, table.decimal),
                      "kept": sorted(str(table.frame.columns[j]) for j in table.numbers._kept), "parsed": parsed,
                      "labels": hashlib.sha256(seg.labels.tobytes()).hexdigest()}))
"""


@pytest.mark.slow
def test_another_worker_process_fits_from_the_kept_numbers(app, client):
    """A second process on the same cache folder (as gunicorn's other worker) unpickles the upload and fits
    from its numbers, parsing nothing, with the labels of the text path."""
    import hashlib
    import json
    import subprocess
    import sys

    token = upload(client, _customers(1500)).get_json()["token"]
    state = ViewState(ds=token, features=FEATURES, k=3, seed=2)
    cache_dir = app.server.extensions["segments"].settings.cache_dir
    found = subprocess.run([sys.executable, "-c", _OTHER_WORKER, str(cache_dir), state.query().lstrip("?")],
                           capture_output=True, text=True, timeout=120, check=True)
    answer = json.loads(found.stdout.strip().splitlines()[-1])
    assert answer["belongs"] and answer["kept"] == sorted(FEATURES) and answer["parsed"] == []
    with app.server.test_request_context("/"):
        dataset = service.get_dataset(token)
        transforms = results.transforms_for(results.resolve_state(state, dataset))
    text = segment_new(dataset.frame.copy(), list(FEATURES), 3, 2, "drop", dataset.table.decimal, transforms)
    assert answer["labels"] == hashlib.sha256(text.labels.tobytes()).hexdigest()
