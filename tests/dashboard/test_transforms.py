"""The dashboard carries each feature's transform in the link and in model bundles (issue 11)."""

from __future__ import annotations

import json

import pytest
from sklearn.metrics import adjusted_rand_score

from dashboard import service
from dashboard.state import ViewState
from tests.core.test_real_data import skewed_customers
from tests.dashboard.conftest import upload


@pytest.fixture(scope="module")
def skewed():
    frame, truth = skewed_customers(rows=2000, seed=4)
    return frame.to_csv(index=False).encode(), truth


def test_the_proposed_transforms_are_the_default_and_travel_in_the_link(client, context, skewed):
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


def test_a_link_with_a_bad_transform_falls_back_to_the_proposal():
    state = ViewState.from_search("?transform=Spend=sqrt&transform=Orders=none&transform=bad")
    assert state.transforms == (("Orders", "none"),)
