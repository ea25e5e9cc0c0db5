"""Hardening, second round (issue 13, items 5 and 13): hostile model bundles are refused with a message by
the command line (exit 2) and by the dashboard's model upload, never accepted to stall a worker later
(k = 120,000), never a traceback (deep nesting, a 5,000-digit number), never a model that turns every
customer into infinity (a scale of 1e-308)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core import SegmentsError
from core.persist import load_bundle
from dashboard import service
from tests.hardening.corpus import HOSTILE_BUNDLES as HOSTILE
from tests.hardening.test_cli_outputs import CSV
from tests.hardening.test_corpus import assert_cli_contract, run_cli


def _good_bundle(folder: Path) -> dict[str, Any]:
    data, bundle = folder / "in.csv", folder / "m.json"
    data.write_text(CSV)
    code, _, err = run_cli(["fit", str(data), "--k", "3", "--stability-runs", "0", "--out", str(folder / "o.csv"),
                            "--save-model", str(bundle), "--features", "Age,Income"])
    assert code == 0, err
    return json.loads(bundle.read_text())


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
