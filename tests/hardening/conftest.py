"""The hardening suite reuses the dashboard tests' session app, test client and helpers.

Re-exporting the ``app`` fixture gives this folder its own session fixture *definition*, so when
``tests/dashboard`` and ``tests/hardening`` run in one process pytest would call it twice and build two
Dash apps (Dash Pages keep a process-wide registry and callback list: one app per process is the rule).
So the factory that fixture calls is wrapped to build the app once and hand the same one to both.
"""

from __future__ import annotations

from typing import Any

import tests.dashboard.conftest as _dashboard_conftest
from tests.dashboard.conftest import app, client, context, route, upload  # noqa: F401

_built: list[Any] = []
_create_app = _dashboard_conftest.create_app


def _create_app_once(*args: Any, **kwargs: Any) -> Any:
    if not _built:
        _built.append(_create_app(*args, **kwargs))
    return _built[0]


if getattr(_dashboard_conftest.create_app, "__name__", "") != "_create_app_once":
    _dashboard_conftest.create_app = _create_app_once
