"""The dashboard carries each feature's transform in the link and in model bundles (issue 11)."""

from __future__ import annotations

import json
import re

import pytest
from sklearn.metrics import adjusted_rand_score

from dashboard import ids, service
from dashboard.state import ViewState
from tests.core.test_real_data import skewed_customers
from tests.core.test_insight import _paren_depth
from tests.fixtures import upload


@pytest.fixture(scope="module")
def skewed():
    frame, truth = skewed_customers(rows=2000, seed=4)
    return frame.to_csv(index=False).encode(), truth


def test_the_proposed_transforms_are_the_default_and_travel_in_the_link(client, request_context, skewed):
    token = upload(client, skewed[0]).get_json()["token"]
    state = ViewState(ds=token, k=4)
    resolved = service.resolve_state(state, service.get_dataset(token))
    assert resolved.features == ("Spend", "Orders", "Basket", "Recency")
    assert resolved.transforms == (("Spend", "log"), ("Orders", "log"), ("Basket", "log"))
    assert "transform=Spend%3Dlog" in resolved.query()
    seg = service.get_segmentation(state)
    assert seg.feature_labels == ["Spend (log)", "Orders (log)", "Basket (log)", "Recency"]
    assert adjusted_rand_score(skewed[1], seg.labels) >= 0.97
    # a colleague's link with Spend turned off keeps that choice
    shared = ViewState.from_search(resolved.with_(transforms=(("Spend", "none"),)).query())
    again = service.resolve_state(shared, service.get_dataset(token))
    assert again.transform_dict == {"Spend": "none", "Orders": "log", "Basket": "log"}
    assert service.get_segmentation(shared).feature_labels[:2] == ["Spend", "Orders (log)"]
    # the bundle downloaded from the view carries the transforms
    bundle = client.get("/download/model.json" + resolved.query())
    assert bundle.status_code == 200
    assert json.loads(bundle.data)["info"]["transforms"] == ["log", "log", "log", "none"]


def _text(component) -> str:
    """A component tree as JSON text (every level), to look for what it shows."""
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(component, cls=PlotlyJSONEncoder)


def test_a_link_with_a_bad_transform_falls_back_to_the_proposal():
    state = ViewState.from_search("?transform=Spend=sqrt&transform=Orders=none&transform=bad")
    assert state.transforms == (("Orders", "none"),)


def test_the_model_page_offers_each_features_transform_and_keeps_the_choice(client, request_context, skewed):
    import importlib

    model_page = importlib.import_module("pages.model.page")
    token = upload(client, skewed[0]).get_json()["token"]
    layout = _text(model_page.layout(ds=token))
    assert "Transform before scaling" in layout and "strongly right-skewed" in layout
    reasons = re.findall(r"Proposed: [^\"]*", layout)
    assert reasons and all(_paren_depth(reason) <= 1 for reason in reasons), reasons  # never "(a (b))"
    assert "Proposed: log \\u2014 strongly right-skewed (skewness" in layout
    assert "Region (a code: shown as a profile column unless chosen)" in layout
    assert "Joined (days since)" in layout
    query = ViewState(ds=token).query()
    features = ["Spend", "Orders", "Basket", "Recency"]
    ids_ = [{"type": ids.Model.TRANSFORM, "feature": f} for f in features]
    new_query, *_ = model_page.update_state(features, "new", 4, 0, [], None, ["none", "log", "log", "none"],
                                            [], ids_, query, "")
    state = ViewState.from_search(new_query)
    assert state.transform_dict == {"Spend": "none", "Orders": "log", "Basket": "log"}
    rows = _text(model_page.render_transforms(features + ["Joined (days since)"], new_query))
    assert rows.count(f'"{ids.Model.TRANSFORM}"') == 5 and "Days from each date" in rows
    # the sweep panel shows the per-k table beside the charts, the recommended k ticked
    panel, best, _ = model_page.run_sweep(lambda *_: None, model_page.sweep_key_of(ViewState.from_search(new_query)))
    text = _text(panel)
    assert "segments-k-table" in text and f"{best} \\u2713" in text and "stability" in text


def test_a_coded_column_chosen_as_a_feature_is_profiled_as_a_feature(client, request_context, skewed):
    """Coded columns are profile columns by default; ticked as a feature, the Clusters page shows their means
    (and does not also try to show them as a mix, which profile() refuses)."""
    import importlib

    clusters_page = importlib.import_module("pages.clusters.page")
    token = upload(client, skewed[0]).get_json()["token"]
    default = _text(clusters_page.layout(ds=token, k="4"))
    assert "Region: 1" in default  # the region's mix per segment
    chosen = _text(clusters_page.layout(ds=token, k="4", feature=["Spend", "Region"]))
    assert "is one of the segmentation's features" not in chosen
    assert "Region: 1" not in chosen and "AcceptedCampaign: 1" in chosen


def test_a_log_of_negative_values_is_refused_on_the_page_naming_the_column(client, request_context):
    import importlib

    model_page = importlib.import_module("pages.model.page")
    rows = ["Net,Visits"] + [f"{(-1) ** i * (i % 23 + 1) * 3.5:.1f},{i % 13}" for i in range(80)]
    token = upload(client, ("\n".join(rows) + "\n").encode()).get_json()["token"]
    query = ViewState(ds=token, features=("Net", "Visits"), transforms=(("Net", "log"),)).query()
    alert = _text(model_page.fit_model(1, None, query)[0])
    assert "A log cannot be applied to 'Net'" in alert and "signed_log" in alert


def test_the_model_page_offers_a_repeating_column_unticked(client, request_context):
    import importlib

    import numpy as np
    import pandas as pd

    model_page = importlib.import_module("pages.model.page")
    rng = np.random.default_rng(0)
    age = rng.integers(18, 80, 400)
    frame = pd.DataFrame({"Age": age, "Income": rng.normal(50, 10, 400).round(1), "AgeAgain": age})
    token = upload(client, frame.to_csv(index=False).encode()).get_json()["token"]
    resolved = service.resolve_state(ViewState(ds=token), service.get_dataset(token))
    assert resolved.features == ("Age", "Income")
    assert "AgeAgain (moves with Age: not proposed)" in _text(model_page.layout(ds=token))


def test_many_features_without_a_transform_are_folded_into_one_line(client, request_context):
    """Found from outside: a survey of 30 questions put 30 dropdowns, each "none" with the same reason, down the
    Model page: 5,100 px, the four guides far below. Beyond a few features, those with nothing proposed or chosen
    are folded into one line that opens to their dropdowns; a feature with a log proposed stays in sight."""
    import numpy as np
    import pandas as pd
    from dash import html

    from pages.model._features import OPEN_TRANSFORMS, transform_rows

    rng = np.random.default_rng(3)
    rows = 1_000
    frame = pd.DataFrame({f"Q{q}": rng.integers(1, 8, rows) for q in range(1, 21)})
    frame["Spend"] = rng.lognormal(3, 1.2, rows).round(2)
    token = upload(client, frame.to_csv(index=False).encode()).get_json()["token"]
    dataset = service.get_dataset(token)
    state = service.resolve_state(ViewState(ds=token), dataset)
    assert len(state.features) == 21
    shown = transform_rows(dataset, state)
    folded = [part for part in shown if isinstance(part, html.Details)]
    assert len(folded) == 1 and len(shown) == 2  # Spend's row in sight, then the fold
    assert "Spend" in _text(shown[0]) and '"log"' in _text(shown[0])
    assert "20 more features: no transform proposed" in _text(folded[0].children[0])
    dropdowns = re.findall(r'"type": "%s"' % ids.Model.TRANSFORM, _text(folded[0]))
    assert len(dropdowns) == 20  # every feature keeps its dropdown, one click away
    alone = transform_rows(dataset, state.with_(features=state.features[:-1]))  # nothing in sight: not "more"
    assert len(alone) == 1 and "20 features: no transform proposed" in _text(alone[0].children[0])
    # a few features: every row in sight, as before
    few = transform_rows(dataset, state.with_(features=state.features[:OPEN_TRANSFORMS]))
    assert not any(isinstance(part, html.Details) for part in few) and len(few) == OPEN_TRANSFORMS
    # a transform the user chose stays in sight
    chosen = transform_rows(dataset, state.with_(transforms=(*state.transforms, ("Q3", "log"))))
    assert len(chosen) == 3 and "Q3" in _text(chosen[0])  # (in the file's order)
