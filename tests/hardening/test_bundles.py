"""Hardening, second round (issue 13, items 5 and 13): hostile model bundles are refused with a message by
the command line (exit 2) and by the dashboard's model upload, never accepted to stall a worker later
(k = 120,000), never a traceback (deep nesting, a 5,000-digit number), never a model that turns every
customer into infinity (a scale of 1e-308)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from core import SegmentsError
from core.persist import load_bundle
from dashboard import service
from tests.hardening.test_cli_outputs import CSV
from tests.hardening.test_corpus import assert_cli_contract, run_cli


def _good_bundle(folder: Path) -> dict[str, Any]:
    data, bundle = folder / "in.csv", folder / "m.json"
    data.write_text(CSV)
    code, _, err = run_cli(["fit", str(data), "--k", "3", "--stability-runs", "0", "--out", str(folder / "o.csv"),
                            "--save-model", str(bundle), "--features", "Age,Income"])
    assert code == 0, err
    return json.loads(bundle.read_text())


def _many_segments(b: dict[str, Any]) -> str:
    b["info"]["k"] = 120_000
    b["centers"] = [[0.0, 0.0]] * 120_000
    return json.dumps(b)


def _set_scale(value: float) -> Callable[[dict[str, Any]], str]:
    def make(b: dict[str, Any]) -> str:
        b["scaler"]["scale"][0] = value
        return json.dumps(b)

    return make


def _set_centre(value: float) -> Callable[[dict[str, Any]], str]:
    def make(b: dict[str, Any]) -> str:
        b["centers"][0][0] = value
        return json.dumps(b)  # Infinity and NaN as Python's json writes them

    return make


def _many_features(b: dict[str, Any]) -> str:
    names = [f"f{i}" for i in range(600)]
    b["info"]["features"] = names
    for key in ("means", "stds", "mins", "maxs"):
        b["info"][key] = dict.fromkeys(names, 1.0)
    b["scaler"] = {"mean": [0.0] * 600, "scale": [1.0] * 600, "var": [1.0] * 600, "n_samples_seen": 5}
    b["centers"] = [[0.0] * 600] * 3
    return json.dumps(b)


HOSTILE: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "k = 120,000": (_many_segments, "120,000 segments; a model may have 1 to 100"),
    "600 features": (_many_features, "600 features; a model may have 1 to 500"),
    "scale 1e-308": (_set_scale(1e-308), "out of any sensible range"),
    "scale 1e300": (_set_scale(1e300), "out of any sensible range"),
    "infinite scale": (_set_scale(float("inf")), "inconsistent"),
    "NaN centre": (_set_centre(float("nan")), "inconsistent"),
    "deeply nested": (lambda b: json.dumps(b)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
                      "nested too deeply"),
    "5,000-digit number": (lambda b: json.dumps(b).replace('"rows": ', '"rows": ' + "9" * 5_000, 1),
                           "not JSON saved by Customer Segments"),
    "info not an object": (lambda b: json.dumps({**b, "info": [1, 2]}), "incomplete or damaged"),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _good_bundle(tmp_path_factory.mktemp("bundle"))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bundle_is_refused_by_core(good: dict[str, Any], name: str) -> None:
    make, message = HOSTILE[name]
    raw = make(json.loads(json.dumps(good))).encode()
    assert len(raw) < 2 * 1024 * 1024
    with pytest.raises(SegmentsError, match=message):
        load_bundle(raw)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bundle_is_refused_by_the_cli(good: dict[str, Any], name: str, tmp_path: Path) -> None:
    make, message = HOSTILE[name]
    (tmp_path / "in.csv").write_text(CSV)
    (tmp_path / "m.json").write_text(make(json.loads(json.dumps(good))))
    code, out, err = run_cli(["fit", str(tmp_path / "in.csv"), "--model", str(tmp_path / "m.json"),
                              "--out", str(tmp_path / "o.csv")])
    assert_cli_contract(code, out, err)
    assert code == 2 and message in err, err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bundle_is_refused_by_the_dashboard(good: dict[str, Any], name: str, app: Any) -> None:
    make, message = HOSTILE[name]
    with pytest.raises(SegmentsError, match=message):
        service.store_bundle(make(json.loads(json.dumps(good))).encode())


def test_the_good_bundle_is_still_accepted(good: dict[str, Any], app: Any) -> None:
    token, info = service.store_bundle(json.dumps(good).encode())
    assert info.k == 3 and len(token) >= 32
