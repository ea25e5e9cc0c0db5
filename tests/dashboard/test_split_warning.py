"""The Model page's fit result when the model on every customer splits them otherwise than the k sweep's sample
(core.insight.settle_split). Found from outside: a Stripe export of 40,000 customers was recommended k=2 with
segments of 39% to 61%, put on the slider, and the model trained at k=2 put 97.5% in one segment, unsaid."""

from __future__ import annotations

import importlib
import json
import re

import dash
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard import ids, service
from dashboard.state import ViewState
from tests.core.test_split_check import two_ways_at_two
from tests.fixtures import upload


@pytest.fixture(scope="module")
def model_page(app):
    return importlib.import_module("pages.model.page")


def _text(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder)


def _all(component) -> list[dict]:
    """Every component's props in a tree."""
    props = component.to_plotly_json()["props"] if hasattr(component, "to_plotly_json") else {}
    children = props.get("children")
    found = [props]
    for child in children if isinstance(children, list) else [children]:
        found += _all(child) if hasattr(child, "to_plotly_json") else []
    return found


def test_the_fit_result_warns_and_offers_the_k_that_holds(client, request_context, model_page):
    token = upload(client, two_ways_at_two().to_csv(index=False).encode()).get_json()["token"]
    state = ViewState(ds=token, k=2, transforms=(("Disputes", "none"),))
    assert service.resolve_state(state, service.get_dataset(token)).features == ("Spend", "Visits", "Disputes")
    # before the page's sweep has run, a fit says nothing of it (and never waits for one)
    result, _ = model_page.fit_model(1, None, state.query())
    assert ids.Model.SPLIT_WARNING not in _text(result)
    _, best, _ = model_page.run_sweep(lambda *_: None, model_page.sweep_key_of(state))
    assert best == 2  # recommended from the sweep's sample: 40% to 60%
    result, done = model_page.fit_model(1, None, state.query())
    assert done["shown"]
    text = _text(result)
    assert ids.Model.SPLIT_WARNING in text, text
    assert ("Fitted on all 12,000 customers, k=2 puts 97.2% of them in one segment and 2.8% in the other, where the "
            "k sweep's sample of 10,000 gave segments of 40% to 60%") in text
    k = int(re.search(r"try k=(\d+)\.", text).group(1))
    buttons = [c for c in _all(result) if isinstance(c.get("id"), dict) and c["id"].get("type") == ids.Model.USE_SPLIT_K]
    assert k != 2 and [(b["id"]["k"], b["children"]) for b in buttons] == [(k, f"Use k={k}")]
    # its model was fitted to check it: choosing it costs nothing more, and its own result has no warning
    assert service.has_segmentation(state.with_(k=k))
    assert ids.Model.SPLIT_WARNING not in _text(model_page.fit_model(1, None, state.with_(k=k).query())[0])
    # the page opened again shows the same warning, fitting nothing
    assert "try k=" in _text(model_page.layout(**{"ds": token, "k": "2", "transform": "Disputes=none"}))


def test_the_button_puts_its_k_on_the_slider(model_page):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    button = {"type": ids.Model.USE_SPLIT_K, "k": 4}
    pressed = AttributeDict(triggered_inputs=[{"prop_id": json.dumps(button, separators=(",", ":")) + ".n_clicks",
                                               "value": 1}])
    token = context_value.set(pressed)  # as Dash sets it when the button is pressed
    try:
        assert model_page.use_split_k([1]) == 4
        assert model_page.use_split_k([None]) is dash.no_update
    finally:
        context_value.reset(token)
