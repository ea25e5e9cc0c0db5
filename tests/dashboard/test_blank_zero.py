"""The dashboard's choice to count a column's blanks as 0 (a HubSpot export's "Total Revenue", empty for the 88% of
contacts who never bought): offered on the Upload page, kept in the link, followed by the model, the cache and a
saved model."""

from __future__ import annotations

import importlib
import json

import pandas as pd
import plotly.utils
import pytest

from dashboard import ids, service
from dashboard.state import ViewState
from tests.core.test_blank_zero import REVENUE, SESSIONS, hubspot
from tests.fixtures import components, upload


@pytest.fixture(autouse=True, scope="module")
def _pages(app):
    global upload_page, model_page
    upload_page = importlib.import_module("pages.upload")
    model_page = importlib.import_module("pages.model.page")


def _json(component) -> dict:
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


@pytest.fixture
def token(client) -> str:
    return upload(client, hubspot().to_csv(index=False).encode(), "contacts.csv").get_json()["token"]


def test_the_upload_page_offers_the_columns_unticked_the_proposed_first(token, request_context):
    panel = _json(upload_page._missing_panel(service.get_dataset(token), ViewState(ds=token)))
    choice = next(c["props"] for c in components(panel) if c["props"].get("id") == ids.Upload.ZERO)
    assert [o["value"] for o in choice["options"]][:2] == [REVENUE, SESSIONS]
    assert choice["value"] == []  # nothing is counted as 0 unasked
    said = json.dumps(choice["options"][0]["label"])
    assert "87% blank; no 0 in it: a blank likely means none" in said
    assert "Count the blanks as 0" in json.dumps(panel)


def test_ticking_a_column_keeps_it_in_the_link_and_says_again_who_is_left_out(token, request_context):
    query = ViewState(ds=token, k=5).query()
    new_query, next_href, left_out = upload_page.choose_missing("drop", None, [REVENUE, SESSIONS], query)
    state = ViewState.from_search(new_query)
    assert state.zero == (REVENUE, SESSIONS) and state.k == 5
    assert next_href == state.href("/model") and "zero=Total+Revenue" in next_href
    assert ViewState.from_search(state.query()) == state  # a copied link gives the same choice
    # the proposed features now hold the revenue and the sessions, and no customer has a gap in them
    assert left_out == "With the proposed features, no customer has a gap: the gaps are in other columns."


def test_the_customers_left_out_are_counted_again_with_the_zeros(client, request_context):
    frame = hubspot()
    frame[REVENUE] = [str(i % 97 + 1) if i % 10 else "" for i in range(len(frame))]  # a tenth blank: proposed
    token = upload(client, frame.to_csv(index=False).encode(), "contacts.csv").get_json()["token"]
    query = ViewState(ds=token).query()
    *_, before = upload_page.choose_missing("drop", None, [], query)
    *_, after = upload_page.choose_missing("drop", None, [REVENUE], query)
    assert "300 of 3,000 customers (10.0%) have a gap" in before
    assert after == "With the proposed features, no customer has a gap: the gaps are in other columns."


def test_the_model_follows_the_choice_and_each_choice_is_kept_apart(token, request_context):
    dataset = service.get_dataset(token)
    chosen = service.resolve_state(ViewState(ds=token, k=3, zero=(REVENUE, SESSIONS, "Record ID", "Nope")), dataset)
    assert chosen.zero == (REVENUE, SESSIONS)  # what cannot be 0 is dropped from the state, as other bad values
    assert chosen.features == ("Age", REVENUE, SESSIONS)  # proposed once counted as 0
    assert dict(chosen.transforms) == {REVENUE: "log"}
    seg = service.get_segmentation(chosen)
    assert seg.scored.all() and f"'{REVENUE}': 2,598 blank cells are counted as 0, as chosen." in seg.notes
    unasked = service.resolve_state(ViewState(ds=token, k=3, features=("Age", REVENUE)), dataset)
    assert int(service.get_segmentation(unasked).scored.sum()) == 402
    assert service.result_spec(unasked.with_(zero=(REVENUE,)), dataset).key("seg") != \
        service.result_spec(unasked, dataset).key("seg")
    # a column counted as 0 that is no feature changes nothing: the same result, kept once
    assert service.result_spec(unasked.with_(zero=(SESSIONS,)), dataset).key("seg") == \
        service.result_spec(unasked, dataset).key("seg")
    assert service.model_bundle(chosen, "contacts").find(b'"zero"') > 0


def test_the_model_page_offers_a_column_counted_as_zero_as_proposed(token, request_context):
    dataset = service.get_dataset(token)
    feature_options = importlib.import_module("pages.model._features").feature_options
    plain = {o["value"]: json.dumps(o["label"]) for o in _json(feature_options(dataset))}
    assert "the Upload page can count its blanks as 0" in plain[REVENUE]
    counted = {o["value"]: json.dumps(o["label"]) for o in _json(feature_options(dataset, (), (REVENUE,)))}
    assert "blanks counted as 0" in counted[REVENUE] and "not proposed" not in counted[REVENUE]


def test_a_saved_segmentation_counts_the_same_blanks_as_zero_in_next_months_export(client, request_context):
    """The library: a segmentation saved with the revenue's blanks counted as 0 says so where it is applied, and
    its model counts next month's blank revenues as 0 too, so the customers who never bought are segmented."""
    library_page = importlib.import_module("pages.library")
    snapshots = importlib.import_module("dashboard.snapshots")
    library = importlib.import_module("dashboard.library")
    march = upload(client, hubspot(800, seed=1).to_csv(index=False).encode(), "march.csv").get_json()["token"]
    state = ViewState(ds=march, k=3, features=("Age", REVENUE), zero=(REVENUE,))
    saved_id = snapshots.save_current(state, "Contacts by revenue")
    saved = library.get_saved(saved_id)
    assert saved.settings["zero"] == [REVENUE]
    april = upload(client, hubspot(900, seed=2).to_csv(index=False).encode(), "april.csv").get_json()["token"]
    panel = json.dumps(library_page._apply_panel(saved, april), cls=plotly.utils.PlotlyJSONEncoder)
    assert "It counts the blank cells of Total Revenue as 0, as chosen when it was saved." in panel
    snapshot_id = snapshots.apply_snapshot(saved_id, april, {"Age": "Age", REVENUE: REVENUE})
    applied = next(s for s in library.get_saved(saved_id).snapshots if s.id == snapshot_id)
    assert sum(applied.sizes) == 900  # every contact has a segment


def test_one_click_ticks_every_proposed_column_of_a_wide_export(client, request_context):
    """A loyalty export's spend in 12 categories, blank for those who never bought in each: 12 boxes to tick one by
    one. A link beside the question ticks the proposed ones, keeping what was ticked already."""
    from tests.core.test_blank_zero import loyalty

    token = upload(client, loyalty().to_csv(index=False).encode(), "loyalty.csv").get_json()["token"]
    panel = _json(upload_page._missing_panel(service.get_dataset(token), ViewState(ds=token)))
    button = next(c["props"] for c in components(panel) if c["props"].get("id") == ids.Upload.ZERO_PROPOSED)
    assert button["children"] == "Tick the 12 proposed" and "d-none" not in button["className"]
    ticked = upload_page.tick_proposed_zeros(1, ["Spend cat 03"], ViewState(ds=token).query())
    assert ticked == ["Spend cat 03"] + [f"Spend cat {c:02d}" for c in range(12) if c != 3]
    # with one column proposed, there is no such link (the HubSpot-shaped file proposes two)
    one = upload(client, hubspot().drop(columns=[SESSIONS]).to_csv(index=False).encode()).get_json()["token"]
    panel = _json(upload_page._missing_panel(service.get_dataset(one), ViewState(ds=one)))
    button = next(c["props"] for c in components(panel) if c["props"].get("id") == ids.Upload.ZERO_PROPOSED)
    assert "d-none" in button["className"]


def test_leaving_a_row_out_keeps_the_choices_made_on_the_columns(client, request_context):
    """The table without its description row has the same columns: the blanks counted as 0 (and the codes kept)
    still hold on the new link, as the missing-value rule always did."""
    frame = hubspot(300)
    described = pd.concat([pd.DataFrame([{c: "unit" for c in frame.columns}]), frame], ignore_index=True)
    token = upload(client, described.to_csv(index=False).encode(), "contacts.csv").get_json()["token"]
    query = ViewState(ds=token, missing="median", codes="keep", zero=(REVENUE,)).query()
    href, status = upload_page.leave_out("description", query)
    assert status is None
    new = ViewState.from_search(href.split("?", 1)[1])
    assert new.ds != token and new.missing == "median" and new.codes == "keep" and new.zero == (REVENUE,)
