"""Every page answers through Dash's router, with and without query parameters, known or not."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from dashboard import ids

from tests.fixtures import components, demo_bytes, players_csv, route, upload

PATHS = ["/", "/upload", "/model", "/clusters", "/downloads"]
#: What each page shows first: its heading, and the name its view-state Store carries.
HEADINGS = {"/": ("Customer Segments", "home"), "/upload": ("Upload customers", "upload"),
            "/model": ("Choose the model", "model"), "/clusters": ("Your customer segments", "clusters"),
            "/downloads": ("Download the results", "downloads")}


def _text(payload: object) -> str:
    return json.dumps(payload)


def _headings(node: Any) -> list[str]:
    """The text of every H1/H2 in a layout's JSON."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") in ("H1", "H2") and isinstance(node.get("props", {}).get("children"), str):
            found.append(node["props"]["children"])
        for value in node.values():
            found += _headings(value)
    elif isinstance(node, list):
        for value in node:
            found += _headings(value)
    return found


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("search", ["", "?utm_source=newsletter&utm_medium=email", "?k=abc&seed=-4&mode=zzz",
                                    "?ds=not-a-token", "?feature=A&feature=B&map=x%3Dy"])
def test_every_page_answers_with_its_own_page(client, path, search):
    status, payload = route(client, path, search)
    assert status == 200
    heading, page = HEADINGS[path]
    content = payload["response"]["_pages_content"]["children"]
    assert _headings(content)[:1] == [heading]  # this page, not another one or the not-found page
    assert {"type": "page-query", "page": page} in _ids(content)
    assert "Page not found" not in _text(content)


def _ids(node: Any) -> list[Any]:
    """Every component id in a layout's JSON."""
    return [c["props"]["id"] for c in components(node) if "id" in c["props"]]


def test_unknown_path_shows_not_found(client):
    status, payload = route(client, "/no/such/page", "?utm_source=x")
    assert status == 200
    assert "Page not found" in _text(payload)


@pytest.mark.parametrize("path", ["/model", "/clusters", "/downloads"])
def test_steps_without_data_say_so(client, path):
    _, payload = route(client, path)
    assert "No customer file is open yet" in _text(payload)


@pytest.mark.parametrize("path", ["/upload", "/model", "/clusters", "/downloads"])
def test_unknown_token_shows_upload_again(client, path):
    _, payload = route(client, path, "?ds=" + "A" * 32)
    text = _text(payload)
    assert "no longer on the server" in text
    assert "Upload the file again" in text


def test_pages_with_real_data(client):
    token = upload(client, demo_bytes()).get_json()["token"]
    for path in PATHS[1:]:
        status, payload = route(client, path, f"?ds={token}&k=3&utm_campaign=x")
        assert status == 200
        content = payload["response"]["_pages_content"]["children"]
        assert _headings(content)[:1] == [HEADINGS[path][0]]
        assert "no longer on the server" not in _text(payload) and "No customer file" not in _text(payload)
        query = next(c["props"]["data"] for c in components(content)
                     if c.get("props", {}).get("id") == {"type": "page-query", "page": HEADINGS[path][1]})
        assert f"ds={token}" in query and "utm_campaign" not in query  # the data set open, the noise dropped
    _, clusters = route(client, "/clusters", f"?ds={token}&k=3")
    text = _text(clusters)
    assert text.count(f'"type": "{ids.Clusters.RENAME}"') == 3  # one name box per segment
    _, downloads = route(client, "/downloads", f"?ds={token}&k=3")
    assert "/download/clustered.csv?ds=" + token in _text(downloads)


def test_the_clusters_page_opens_its_scatter_on_features_that_keep_every_segment_apart(client):
    """Found from outside (a mobile game's players): the scatter opened on purchases against spend, the two
    strongest features, which drew both segments of non-payers, 94% of the players, on one point."""
    token = upload(client, players_csv(), "players.csv").get_json()["token"]
    _, clusters = route(client, "/clusters", f"?ds={token}&k=3")
    axes = {c["props"]["id"]: c["props"]["value"] for c in components(clusters)
            if c["props"].get("id") in (ids.Clusters.X, ids.Clusters.Y)}
    assert axes[ids.Clusters.X] in ("purchases", "total_spend_usd") and axes[ids.Clusters.Y] == "sessions", axes


@pytest.mark.parametrize("path, title, message_id", [("/clusters", "No segments to show yet", None),
                                                      ("/downloads", "No segments to download yet",
                                                       ids.Downloads.MESSAGE)])
def test_segments_that_cannot_be_made_say_why_and_lead_back_to_the_model(client, path, title, message_id):
    token = upload(client, demo_bytes()).get_json()["token"]
    _, payload = route(client, path, f"?ds={token}&mode=saved&model=gone")  # a model bundle that expired
    page = payload["response"]["_pages_content"]["children"]["props"]
    text = _text(page)
    assert title in text and "Upload the model bundle (.json) again" in text
    assert page.get("id") == message_id
    store, header, alert, back = page["children"]
    assert store["props"]["id"] == {"type": "page-query", "page": path[1:]}
    assert "segments-error" in alert["props"]["className"]
    assert back["props"]["children"] == "Back to the model"
    for query in (store["props"]["data"], back["props"]["href"]):  # the resolved state: features filled in
        assert f"ds={token}" in query and "mode=saved" in query and "feature=Age" in query
    assert back["props"]["href"].startswith("/model?")


def test_demo_link_opens_demo_data(client):
    _, payload = route(client, "/upload", "?demo=1")
    text = _text(payload)
    assert "demo_customers.csv" in text
    assert "500 rows" in text


def test_text_in_file_is_never_html(client):
    hostile = b'<script>alert(1)</script>,Age\n"<img src=x onerror=alert(1)>",30\nb,40\nc,50\n'
    token = upload(client, hostile, "<b>evil</b>.csv").get_json()["token"]
    _, payload = route(client, "/upload", f"?ds={token}")
    # Dash escapes strings; no component that renders raw HTML is used for user text.
    text = _text(payload)
    assert "dangerously_allow_html" not in text
    assert '"type": "Markdown"' not in text
    assert "<script>alert(1)</script>" in text  # present only as text children


def test_titles_and_link_previews_name_the_data_set(client):
    token = upload(client, demo_bytes(), "spring <campaign>.csv").get_json()["token"]
    page = client.get(f"/clusters?ds={token}&k=5&utm_source=chat").data.decode()
    assert "<title>spring &lt;campaign&gt;.csv · 5 segments · Clusters · Customer Segments</title>" in page
    assert 'og:title" content="spring &lt;campaign&gt;.csv · 5 segments · Clusters' in page
    assert 'og:description" content="spring &lt;campaign&gt;.csv · 5 segments: ' in page
    _, payload = route(client, "/downloads", f"?ds={token}&k=5")  # in-browser navigation sets document.title
    assert payload["response"]["_pages_store"]["data"]["title"].startswith("spring <campaign>.csv · 5 segments")
    assert "<title>Model · Customer Segments</title>" in client.get("/model").data.decode()
    assert "<title>Clusters · Customer Segments</title>" in client.get("/clusters?ds=" + "Q" * 32).data.decode()


def test_an_applied_saved_model_titles_the_page_with_its_own_number_of_segments(client, app):
    """A saved 7-segment model applied to a file: the title says 7 segments, not the link's default k (4)."""
    from dashboard import service
    from dashboard.state import ViewState

    token = upload(client, demo_bytes(), "march.csv").get_json()["token"]
    with app.server.test_request_context("/"):
        bundle = service.model_bundle(ViewState(ds=token, k=7), "march")
        model, info = service.store_bundle(bundle)
    assert info.k == 7
    page = client.get(f"/clusters?ds={token}&mode=saved&model={model}").data.decode()
    assert "<title>march.csv · 7 segments · Clusters · Customer Segments</title>" in page


def test_the_model_page_says_why_a_column_is_not_offered(client, request_context):
    """A bank export's own ``rfm_score`` (a profile column by its name, with 3,366 distinct values) was
    listed on the Model page as "(constant, not offered)"."""
    from dashboard import service
    from pages.model._features import feature_options

    rows = [f"{i},{20 + i % 50},{1000 + 37 * i % 900},{(i * 7919) % 1000 / 100:.2f},7" for i in range(1, 301)]
    token = upload(client, ("CustomerID,Age,Income,rfm_score,Branch\n" + "\n".join(rows) + "\n").encode()).get_json()["token"]
    labels = {option["value"]: option for option in feature_options(service.get_dataset(token))}
    assert "RFM score" in str(labels["rfm_score"]["label"]) and "constant" not in str(labels["rfm_score"]["label"])
    assert "ID-like, not offered" in str(labels["CustomerID"]["label"])
    assert "constant, not offered" in str(labels["Branch"]["label"])
    assert all(labels[name]["disabled"] for name in ("rfm_score", "CustomerID", "Branch"))


def test_the_model_page_ticks_the_recency_of_a_last_visit_once(client, request_context):
    """Found from outside (a Square customers export): 'Last Visit' is the recency, proposed and ticked; the Model
    page offers it once, with no label of a column's blanks (it is no column: KeyError before), and 'First Visit'
    unticked below it."""
    from dashboard import service
    from dashboard.state import ViewState
    from pages.model._features import feature_options
    from tests.fixtures import square_customers

    token = upload(client, square_customers().to_csv(index=False).encode(), "square.csv").get_json()["token"]
    dataset = service.get_dataset(token)
    values = [option["value"] for option in feature_options(dataset)]
    assert values[:4] == ["Transaction Count", "Total Spend", "Last Visit (days since)", "First Visit (days since)"]
    assert values.count("Last Visit (days since)") == 1
    assert service.resolve_state(ViewState(ds=token), dataset).features == (
        "Transaction Count", "Total Spend", "Last Visit (days since)")


@pytest.mark.parametrize("column,cell,said", [
    # a churn classifier's probability in a bank export was proposed as a feature
    ("churn_probability", lambda i: f"{(i * 7919) % 1000 / 1000:.3f}", "another model's output: not proposed"),
    # found from outside (a HubSpot export): a deal amount filled for one contact in ten
    ("Deal", lambda i: f"{(i * 37) % 500}" if i % 10 == 0 else "", "empty in 90% of rows: not proposed"),
])
def test_the_model_page_offers_a_column_not_proposed_without_ticking_it(client, request_context, column, cell, said):
    """A measured column that is not proposed is still offered, unticked, saying why, and can be chosen."""
    from dashboard import service
    from pages.model._features import feature_options

    rows = [f"{i},{20 + i % 50},{1000 + 37 * i % 900},{cell(i)}" for i in range(1, 301)]
    token = upload(client, (f"CustomerID,Age,Income,{column}\n" + "\n".join(rows) + "\n").encode()).get_json()["token"]
    dataset = service.get_dataset(token)
    labels = {option["value"]: option for option in feature_options(dataset)}
    assert dataset.report.default_features == ["Age", "Income"]
    assert said in str(labels[column]["label"])
    assert not labels[column].get("disabled")


def test_the_model_page_offers_a_map_position_without_ticking_it(client, request_context):
    """Found from outside (a Mailchimp audience): its latitude and longitude were ticked features."""
    from dashboard import service
    from pages.model._features import feature_options

    rows = [f"{i},{20 + i % 50},{1000 + 37 * i % 900},{30 + i % 17 / 3:.5f},{-120 + i % 41:.5f}" for i in range(1, 301)]
    body = "CustomerID,Age,Income,Latitude,Longitude\n" + "\n".join(rows) + "\n"
    token = upload(client, body.encode()).get_json()["token"]
    dataset = service.get_dataset(token)
    labels = {option["value"]: option for option in feature_options(dataset)}
    assert dataset.report.default_features == ["Age", "Income"]
    for name in ("Latitude", "Longitude"):
        assert "a map position: not proposed" in str(labels[name]["label"]) and not labels[name].get("disabled")


def test_the_upload_pages_tables_shorten_a_long_column_name_and_keep_it_whole_in_a_tooltip(client):
    """A bank export's 130-character column name filled the data check's first column, pushing the roles out
    of view; in both tables (the data check and the first rows) it is now shortened, whole in its tooltip."""
    from core.text import short_label

    long_name = "Naive_Bayes_Classifier_Attrition_Flag_Card_Category_Contacts_Count_12_mon_Dependent_count_" \
                "Education_Level_Months_Inactive_12_mon_1"
    rows = [f"{i},{20 + i % 50},{(i * 7919) % 1000 / 1000:.3f}" for i in range(1, 301)]
    token = upload(client, (f"CustomerID,Age,{long_name}\n" + "\n".join(rows) + "\n").encode()).get_json()["token"]
    _, payload = route(client, "/upload", f"?ds={token}")
    tables = [c for c in components(payload) if "segments-quality" in str(c["props"].get("className", ""))
              or "segments-preview" in str(c["props"].get("className", ""))]
    assert len(tables) == 2
    for table in tables:
        spans = [c["props"] for c in components(table) if c["type"] == "Span" and c["props"].get("title") == long_name]
        assert [span["children"] for span in spans] == [short_label(long_name)], table["props"]["className"]
        assert long_name not in [c["props"].get("children") for c in components(table)]


def test_a_saved_model_on_dates_applies_to_the_next_export(client, app):
    """Found from outside (a CRM export): a model saved with "Last Purchase Date (days since)" and "Date of Birth
    (age)" could not be applied to the next export ("'Date of Birth' is not a numeric column"); its Clusters page now
    opens on the model's segments, customer for customer as the fit."""
    from dashboard import service
    from dashboard.state import ViewState
    from tests.core.test_date_formats import _crm

    frame = _crm(rows=600)
    frame["Last Purchase Date"] = (np.datetime64("2024-11-30") - np.arange(600) % 300).astype(str)
    token = upload(client, frame.to_csv(index=False).encode(), "crm.csv").get_json()["token"]
    features = ("Date of Birth (age)", "Lifetime Spend", "Last Purchase Date (days since)")
    with app.server.test_request_context("/"):
        fitted = ViewState(ds=token, k=3, features=features)
        bundle = service.model_bundle(fitted, "crm")
        model, info = service.store_bundle(bundle)
        applied = service.get_segmentation(ViewState(ds=token, mode="saved", model=model))
        np.testing.assert_array_equal(applied.labels, service.get_segmentation(fitted).labels)
    page = client.get(f"/clusters?ds={token}&mode=saved&model={model}")
    assert page.status_code == 200 and "3 segments" in page.data.decode()
    with app.server.test_request_context("/"):  # the Model page's mapping shows the date columns that feed them
        from pages.model._apply import _mapping_rows

        rows = _mapping_rows(service.get_dataset(token), ViewState(ds=token, mode="saved", model=model), info)
        chosen = {row.children[1].children.id["feature"]: row.children[1].children.value for row in rows}
    assert chosen == {"Date of Birth (age)": "Date of Birth", "Lifetime Spend": "Lifetime Spend",
                      "Last Purchase Date (days since)": "Last Purchase Date"}


def test_a_link_from_before_ages_keeps_its_days_since_a_birth(client, app):
    """A link shared before dates of birth were offered as ages names "Date of Birth (days since)": it opens the
    segments it named, not the proposed features."""
    from dashboard import service
    from dashboard.state import ViewState
    from tests.core.test_date_formats import _crm

    token = upload(client, _crm(rows=400).to_csv(index=False).encode(), "crm.csv").get_json()["token"]
    features = ("Date of Birth (days since)", "Lifetime Spend")
    with app.server.test_request_context("/"):
        resolved = service.resolve_state(ViewState(ds=token, k=3, features=features), service.get_dataset(token))
        assert resolved.features == features
        seg = service.get_segmentation(ViewState(ds=token, k=3, features=features))
    assert seg.features == features
    from pages.model._features import feature_options

    options = [o["value"] for o in feature_options(service.get_dataset(token), resolved.features)]
    assert "Date of Birth (days since)" in options and "Date of Birth (age)" in options  # the Model page ticks it
    assert "Date of Birth (days since)" not in [o["value"] for o in feature_options(service.get_dataset(token))]
