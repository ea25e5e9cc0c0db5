"""Start-up: each command imports only what it uses (issue 15). ``segments --help`` loads no numpy,
pandas, pyarrow or scikit-learn; ``segments inspect`` reads and checks a file without scikit-learn or
scipy; nothing from plotting or the web layer is ever loaded. Which modules get imported is checked
(deterministic); how long it takes is measured in docs/performance.md, never asserted."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np

WEB = {"dash", "flask", "dashboard", "pages", "plotly", "matplotlib", "dash_bootstrap_components", "flask_caching"}
HEAVY = {"numpy", "pandas", "pyarrow", "sklearn", "scipy", "joblib", "threadpoolctl"}
MODEL = {"sklearn", "scipy", "joblib"}

PROBE = """
import contextlib, io, json, sys
from core.cli import main
out, err = io.StringIO(), io.StringIO()
try:
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(sys.argv[1:], out=out, err=err)
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "out": out.getvalue(), "err": err.getvalue(),
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _run(repo, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=repo,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_help_imports_no_data_library(repo):
    for args in (["--help"], ["fit", "--help"], ["sweep", "--help"]):
        data = _run(repo, *args)
        assert data["status"] == 0 and "usage: segments" in data["out"], data
        loaded = set(data["modules"])
        assert not loaded & (HEAVY | WEB), (args, sorted(loaded & (HEAVY | WEB)))


def test_inspect_imports_no_model_library(repo, tmp_path):
    path = tmp_path / "small.csv"
    rng = np.random.default_rng(0)
    lines = ["CustomerID,Gender,Age,Spend"] + [f"C{i},{'FM'[i % 2]},{20 + i % 50},{rng.gamma(2, 50):.2f}"
                                               for i in range(200)]
    path.write_text("\n".join(lines) + "\n")
    data = _run(repo, "inspect", str(path))
    assert data["status"] == 0, data
    assert "200 rows, 4 columns" in data["out"] and "features proposed:" in data["out"], data["out"]
    loaded = set(data["modules"])
    assert {"pandas", "pyarrow"} <= loaded  # the probe does see what the command loaded
    assert not loaded & (MODEL | WEB), sorted(loaded & (MODEL | WEB))


def test_the_lazy_package_keeps_every_public_name():
    import core

    for name in core.__all__:
        assert getattr(core, name) is not None, name
    from core import Segmentation, read_table, sweep_k  # noqa: F401  (the usual way still works)

    assert set(core.__all__) <= set(dir(core))


def test_the_transform_step_pickles_under_its_public_name():
    from core.model import fit_segmenter
    from core.transform import FeatureTransform

    X = np.random.default_rng(1).gamma(2.0, 10.0, size=(300, 2))
    pipeline = fit_segmenter(X, 3, 0, ("log", "none"))
    step = pipeline[0]
    assert isinstance(step, FeatureTransform) and type(step).__module__ == "core.transform"
    again = pickle.loads(pickle.dumps(pipeline))
    assert isinstance(again[0], FeatureTransform)
    assert np.array_equal(again.predict(X), pipeline.predict(X))
