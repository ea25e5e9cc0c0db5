"""What the model page's parts share: the page's name, its show/hide styles, the sweep's key, the
way a mode shows its panels, and the retry alert of a job that stopped without an answer."""

from __future__ import annotations

from typing import Any

import dash

from dashboard import service
from dashboard.components import retry_reason, retry_style
from dashboard.state import ViewState

PAGE = "model"
SHOW, HIDE = {"display": "block"}, {"display": "none"}


def job_seconds() -> int:
    return service.settings().job_timeout


def watch_job(status: dict[str, str] | None, done: str | None, expected: str | None, what: str) -> tuple[Any, Any]:
    """The retry alert's style, and why the job stopped when it is shown (the data store's trouble if any)."""
    style = retry_style(status, done, expected)
    return style, (retry_reason(what) if style.get("display") != "none" else dash.no_update)


def sweep_key_of(state: ViewState) -> str:
    return state.with_(k=0, mode="new", mapping=(), x=None, y=None).query()


def train_label(state: ViewState) -> str:
    return "Apply the model" if state.applies_model else "Train the model"


def mode_styles(state: ViewState) -> tuple[dict[str, str], ...]:
    """Styles of the parts that belong to one way of getting a model: the feature choice, the note that an
    applied model brings its own features, the new-model panel, the apply panel and the k guidance. An
    applied model ignores the ticked features and has its own k: their controls and the k sweep go away."""
    applied = state.applies_model
    return (HIDE if applied else SHOW, SHOW if applied else HIDE, HIDE if applied else SHOW,
            SHOW if applied else HIDE, HIDE if applied else SHOW)
