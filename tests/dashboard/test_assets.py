"""What the pages load from assets/: plotly.js in its CSP-safe build, the same version the plotly package
writes figures for."""

from __future__ import annotations

import re

from plotly.offline import get_plotlyjs_version

from dashboard.app import ROOT
from dashboard.components import job_status

STRICT_BUNDLE = ROOT / "assets" / "vendor" / "plotly-strict.min.js"


def test_the_strict_plotly_bundle_matches_the_plotly_package():
    """dcc.Graph uses ``window.Plotly`` when a page already has it, so the bundle in assets/ replaces the
    one Dash would load (whose WebGL scatter needs ``eval``, which the Content-Security-Policy blocks).
    Upgrading plotly means vendoring the strict bundle of the same version
    (``npm pack plotly.js-strict-dist-min@<version>``)."""
    head = STRICT_BUNDLE.read_text(encoding="utf-8")[:300]
    found = re.search(r"plotly\.js \(strict - minified\) v(\S+)", head)
    assert found, head
    assert found.group(1) == get_plotlyjs_version()


def test_the_pages_load_the_strict_bundle_and_no_eval(client):
    page = client.get("/upload").get_data(as_text=True)
    assert "/assets/vendor/plotly-strict.min.js" in page
    policy = client.get("/upload").headers["Content-Security-Policy"]
    assert "unsafe-eval" not in policy


def test_a_job_status_row_has_no_display_class_that_beats_its_hidden_style():
    """Bootstrap's ``d-flex`` is ``display: flex !important``: the row stayed on screen after the job."""
    row = job_status("s", "p", "c")
    assert row.style == {"display": "none"}
    assert not any(name.startswith("d-") for name in row.className.split())
