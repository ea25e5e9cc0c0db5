"""The library page and snapshots in-process: save, apply the saved model to next month's export,
the migration view and the movers download (checked against an independent join; formulas escaped)."""

from __future__ import annotations

import importlib
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import ids, library, service, snapshots
from dashboard.state import ViewState
from tests.fixtures import demo_bytes, route, upload


@pytest.fixture(autouse=True, scope="module")
def _pages(app):
    global library_page, downloads_page
    library_page = importlib.import_module("pages.library")
    downloads_page = importlib.import_module("pages.downloads")


def components(tree: object) -> list[dict]:
    """Every component (a dict with "props") in a layout's JSON."""
    found: list[dict] = []
    if isinstance(tree, dict):
        if "props" in tree and "type" in tree:
            found.append(tree)
        for value in tree.values():
            found.extend(components(value))
    elif isinstance(tree, list):
        for value in tree:
            found.extend(components(value))
    return found


def next_month() -> bytes:
    """The demo customers a month later: 40 gone, 25 new (one named like a formula), spending changed."""
    frame = pd.read_csv(io.BytesIO(demo_bytes()), dtype=str)
    rng = np.random.default_rng(5)
    frame = frame.iloc[40:].reset_index(drop=True)
    spend = frame["Spending Score (1-100)"].astype(int).to_numpy().copy()
    shift = rng.random(len(frame)) < 0.3
    spend[shift] = rng.integers(1, 100, int(shift.sum()))
    frame["Spending Score (1-100)"] = spend.astype(str)
    fresh = pd.DataFrame({"CustomerID": [f"N{i}" for i in range(25)], "Gender": ["=HYPERLINK(\"x\")"] + ["Male"] * 24,
                          "Age": ["30"] * 25, "Annual Income (k$)": ["60"] * 25,
                          "Spending Score (1-100)": [str(v) for v in rng.integers(1, 100, 25)]})
    return pd.concat([frame, fresh], ignore_index=True).to_csv(index=False).encode()


def test_save_apply_and_see_who_moved(client, request_context):
    token = upload(client, demo_bytes(), "march.csv").get_json()["token"]
    query = ViewState(ds=token, k=4, seed=1, names=((1, "Loyal"),)).query()
    for name, bad_query, why in (("  ", query, "Give the segmentation a name"),
                                 ("X", ViewState(ds="Q" * 32).query(), "no longer on the server")):
        refused, still_enabled = downloads_page.save_segmentation(1, name, "", bad_query)
        assert why in json.dumps(refused.to_plotly_json(), default=str) and not still_enabled
    status, disabled = downloads_page.save_segmentation(1, "March", "first one", query)
    assert disabled  # saved once: a second click would save a copy
    saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    assert route(client, "/library")[0] == 200
    code, page = route(client, "/library", f"?saved={saved_id}")
    assert code == 200 and "March" in json.dumps(page) and "Apply to a new snapshot" in json.dumps(page)

    april = upload(client, next_month(), "april.csv").get_json()["token"]
    code, page = route(client, "/library", f"?saved={saved_id}&upload={april}")
    assert code == 200 and "Annual Income (k$)" in json.dumps(page)
    snapshot_id = snapshots.apply_snapshot(saved_id, april, {"Annual Income (k$)": "Annual Income (k$)",
                                                             "Spending Score (1-100)": "Spending Score (1-100)"})
    saved = library.get_saved(saved_id)
    assert [s.label for s in saved.snapshots] == ["march.csv", "april.csv"] and saved.snapshots[1].id == snapshot_id
    assert saved.names[0] == "Loyal"

    # the applied labels are the saved model's, customer by customer
    seg_old = service.get_segmentation(ViewState.from_search(query))
    old = pd.read_csv(io.BytesIO(demo_bytes()), dtype=str).assign(c=np.where(seg_old.scored, seg_old.labels + 1, 0))
    new_frame = pd.read_csv(io.BytesIO(next_month()), dtype=str, keep_default_na=False)
    pipeline = seg_old.pipeline
    X = new_frame[list(seg_old.features)].astype(float).to_numpy()
    new = new_frame.assign(c=pipeline.predict(X) + 1)
    joined = old[["CustomerID", "c"]].merge(new[["CustomerID", "c"]], on="CustomerID", how="outer",
                                           suffixes=("_old", "_new"))
    joined = joined.fillna(0).astype({"c_old": int, "c_new": int})
    expected = {(str(f) if f else "", str(t) if t else "", int(n))
                for (f, t), n in joined.groupby(["c_old", "c_new"]).size().items()}
    result = snapshots.migration_between(saved_id)
    assert result.id_column == "CustomerID"
    assert {(f, t, int(n)) for f, t, n in result.moves.counts().itertuples(index=False)} == expected

    # the movers link says how many it holds, one customer as one (found from outside: "these 1 customers")
    for (came, went), count in joined.groupby(["c_old", "c_new"]).size().items():
        old_key, new_key = str(came) if came else "new", str(went) if went else "gone"
        text, _ = library_page.update_movers(old_key, new_key, None, None, None, None, {"saved": saved_id})
        assert text == ("Download this customer (CSV)" if count == 1 else f"Download these {count:,} customers (CSV)")
    view = json.dumps(library_page.migration_view(saved_id, None, None, None).to_plotly_json(), default=str)
    assert "Sankey" in view or "sankey" in view
    assert "new / not scored" in view and "gone / not scored" in view

    # movers: the new customers now in the largest segment; their rows, formulas escaped
    ids_new = set(joined.loc[(joined["c_old"] == 0) & (joined["c_new"] == 1), "CustomerID"])
    response = client.get(library_page.movers_href(saved_id, saved.snapshots[0].id, snapshot_id, "CustomerID",
                                                   "new", "1"))
    assert response.status_code == 200
    rows = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)
    assert set(rows["CustomerID"]) == ids_new
    assert (rows["from segment"] == "(new)").all()
    if "N0" in ids_new:
        assert rows.loc[rows["CustomerID"] == "N0", "Gender"].iloc[0].startswith("'=")
    gone = client.get(library_page.movers_href(saved_id, saved.snapshots[0].id, snapshot_id, "CustomerID", "2",
                                               "gone"))
    gone_rows = pd.read_csv(io.BytesIO(gone.data), dtype=str, keep_default_na=False)
    assert set(gone_rows["CustomerID"]) == set(joined.loc[(joined["c_old"] == 2) & (joined["c_new"] == 0),
                                                          "CustomerID"])
    # a month whose incomes are in another unit: applied all the same, with the out-of-range warning kept
    cents = pd.read_csv(io.BytesIO(next_month()), dtype=str, keep_default_na=False)
    cents["Annual Income (k$)"] = (cents["Annual Income (k$)"].astype(int) * 1000).astype(str)
    may = upload(client, cents.to_csv(index=False).encode(), "may.csv").get_json()["token"]
    snapshots.apply_snapshot(saved_id, may, {f: f for f in seg_old.features})
    third = library.get_saved(saved_id).snapshots[2]
    assert "Annual Income (k$)" in third.warning
    code, page = route(client, "/library", f"?saved={saved_id}")
    assert code == 200 and third.warning[:40] in json.dumps(page, ensure_ascii=False)
    # a file without a feature the model needs: the message names it, and nothing is kept
    lacking = upload(client, cents.drop(columns=["Age"]).to_csv(index=False).encode(), "june.csv").get_json()["token"]
    with pytest.raises(library.SegmentsError, match="Age"):
        snapshots.apply_snapshot(saved_id, lacking, {})
    assert len(library.get_saved(saved_id).snapshots) == 3
    # ... the same file with Age called "Alter": the page offers the mapping, and applying with it works
    renamed = cents.rename(columns={"Age": "Alter"}).to_csv(index=False).encode()
    alter = upload(client, renamed, "june.csv").get_json()["token"]
    code, page = route(client, "/library", f"?saved={saved_id}&upload={alter}")
    dropdowns = {c["props"]["id"]["feature"]: c["props"].get("value") for c in components(page)
                 if isinstance(c["props"].get("id"), dict) and c["props"]["id"].get("type") == ids.Library.MAP}
    assert dropdowns == {"Age": None, "Annual Income (k$)": "Annual Income (k$)",
                         "Spending Score (1-100)": "Spending Score (1-100)"}, dropdowns
    snapshots.apply_snapshot(saved_id, alter, {"Age": "Alter", "Annual Income (k$)": "Annual Income (k$)",
                                               "Spending Score (1-100)": "Spending Score (1-100)"})
    assert library.get_saved(saved_id).snapshots[3].mapping["Age"] == "Alter"

    snapshots.delete_saved(saved_id)
    assert client.get(library_page.movers_href(saved_id, 1, 2, "CustomerID", "1", "2")).status_code == 404


def test_a_saved_link_outlives_the_cache_even_with_an_uploaded_model(client, request_context):
    """A segmentation made by applying an uploaded model bundle: after the cache forgot both the data and
    the bundle, its link still shows the same segments; once deleted, the link says the data is gone."""
    from core import bundle_bytes

    token = upload(client, demo_bytes(), "march.csv").get_json()["token"]
    trained = service.get_segmentation(ViewState(ds=token, k=3, seed=2))
    raw = bundle_bytes(trained.saved_model("march.csv"))
    model_token, _ = service.store_bundle(raw)
    state = ViewState(ds=token, mode="saved", model=model_token)
    labels = service.get_segmentation(state).labels.copy()
    saved_id = snapshots.save_current(state, "with an uploaded model")
    unsaved = upload(client, demo_bytes(), "other.csv").get_json()["token"]

    service.cache.clear()
    service.forget_local()
    with pytest.raises(service.DatasetGone):  # an unsaved upload is gone with the cache...
        service.get_dataset(unsaved)
    assert np.array_equal(service.get_segmentation(state).labels, labels)  # ...a saved one is not

    snapshots.delete_saved(saved_id)
    service.forget_local()
    with pytest.raises(service.DatasetGone):
        service.get_dataset(token)


@pytest.mark.parametrize("search", ["?saved=%3Cscript%3Ealert(1)%3C/script%3E", "?saved=x&first=abc&second=-1&id=a&id=b",
                                    "?saved=x&upload=not-a-token", "?utm_source=mail", "?saved="])
def test_odd_library_links_are_pages_not_errors(client, search):
    code, page = route(client, "/library", search)
    assert code == 200
    text = json.dumps(page)
    assert "Saved segmentations" in text or "Not in the library" in text


def test_the_movers_of_a_semicolon_export_come_back_with_semicolons(client, request_context):
    """As the other downloads: a German export's movers came back comma-separated (one column in German Excel)."""
    def semicolons(data: bytes) -> bytes:
        return pd.read_csv(io.BytesIO(data), dtype=str).to_csv(index=False, sep=";").encode()

    token = upload(client, semicolons(demo_bytes()), "maerz.csv").get_json()["token"]
    status, _ = downloads_page.save_segmentation(1, "März", "", ViewState(ds=token, k=4, seed=1).query())
    saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    april = upload(client, semicolons(next_month()), "april.csv").get_json()["token"]
    second = snapshots.apply_snapshot(saved_id, april, {"Annual Income (k$)": "Annual Income (k$)",
                                                        "Spending Score (1-100)": "Spending Score (1-100)"})
    first = library.get_saved(saved_id).snapshots[0].id
    for old, new in (("new", "1"), ("2", "gone")):
        response = client.get(library_page.movers_href(saved_id, first, second, "CustomerID", old, new))
        assert response.status_code == 200
        header = response.data.split(b"\n", 1)[0]
        assert header == "\ufefffrom segment;to segment;CustomerID;Gender;Age;Annual Income (k$);" \
                         "Spending Score (1-100)".encode(), header


def test_a_month_whose_ids_lost_their_zeros_is_flagged_and_matched_when_asked(client, request_context):
    """Found from outside: the next month's export had been opened and saved in a spreadsheet, which dropped the
    ids' leading zeros; who moved said everyone was gone and new, without a word."""
    def padded(data: bytes, width: int) -> bytes:
        frame = pd.read_csv(io.BytesIO(data), dtype=str)
        digits = frame["CustomerID"].str.fullmatch(r"\d+")
        frame.loc[digits, "CustomerID"] = frame.loc[digits, "CustomerID"].str.zfill(width)
        return frame.to_csv(index=False).encode()

    token = upload(client, padded(demo_bytes(), 8), "march.csv").get_json()["token"]
    status, _ = downloads_page.save_segmentation(1, "March", "", ViewState(ds=token, k=4, seed=1).query())
    saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    april = upload(client, next_month(), "april.csv").get_json()["token"]  # ids as a spreadsheet writes them
    second = snapshots.apply_snapshot(saved_id, april, {"Annual Income (k$)": "Annual Income (k$)",
                                                        "Spending Score (1-100)": "Spending Score (1-100)"})
    first = library.get_saved(saved_id).snapshots[0].id

    exact = json.dumps(library_page.migration_view(saved_id, None, None, None).to_plotly_json(), default=str)
    assert ids.Library.ID_WARNING in exact and "Only 0 of the" in exact and "leading zeros" in exact
    assert "'00000041' in march.csv is '41' in april.csv" in exact, exact[:2000]

    result = snapshots.migration_between(saved_id, loose=True)
    assert snapshots.migration_between(saved_id).moves.moved() == 0 and result.warning is None
    # the counts of the same months whose ids kept their form, matched exactly
    plain = upload(client, demo_bytes(), "march.csv").get_json()["token"]
    status, _ = downloads_page.save_segmentation(1, "Plain", "", ViewState(ds=plain, k=4, seed=1).query())
    plain_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    snapshots.apply_snapshot(plain_id, april, {"Annual Income (k$)": "Annual Income (k$)",
                                               "Spending Score (1-100)": "Spending Score (1-100)"})
    expected = snapshots.migration_between(plain_id).moves.counts()
    assert result.moves.counts().equals(expected) and result.moves.moved() > 0
    loose = json.dumps(library_page.migration_view(saved_id, None, None, None, True).to_plotly_json(), default=str)
    assert ids.Library.ID_WARNING not in loose and "(ignoring leading zeros" in loose
    # the choice is kept in the address bar (the page's query Store), so a shared link shows the same view
    view, query, _ = library_page.update_migration(first, second, "CustomerID", ["loose"], {"saved": saved_id})
    assert query == f"?saved={saved_id}&first={first}&second={second}&id=CustomerID&loose=1"
    code, page = route(client, "/library", query)
    stores = [c["props"] for c in components(page) if c["props"].get("id") == ids.page_query("library")]
    assert code == 200 and stores and stores[0]["data"] == query
    switch = next(c["props"] for c in components(page) if c["props"].get("id") == ids.Library.LOOSE_IDS)
    assert switch["value"] == ["loose"] and "(ignoring leading zeros" in json.dumps(page)

    # the movers download keeps the loose match, and gives the rows as the files wrote them
    stayed_in_1 = result.moves.movers("1", "1")
    response = client.get(library_page.movers_href(saved_id, first, second, "CustomerID", "1", "1", loose=True))
    rows = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)
    assert response.status_code == 200 and len(rows) == len(stayed_in_1) > 0
    assert set(rows["CustomerID"]) == set(stayed_in_1)  # the new snapshot's ids, as written there
    gone = client.get(library_page.movers_href(saved_id, first, second, "CustomerID", "1", "gone", loose=True))
    gone_rows = pd.read_csv(io.BytesIO(gone.data), dtype=str, keep_default_na=False)
    assert len(gone_rows) and gone_rows["CustomerID"].str.startswith("000000").all()  # the old snapshot's, as written


def test_a_month_whose_id_column_was_renamed_is_matched_by_its_ids(client, request_context):
    """Found from outside: the next month's export, a colleague's in German, named 'CustomerID' 'Kunden-Nr'; who
    moved said the snapshots had no column in common to match customers on. The column of the later snapshot that
    holds the earlier one's ids is taken for it, said in the id picker and the summary, and the movers' rows come
    from it."""
    def renamed(data: bytes) -> bytes:
        return pd.read_csv(io.BytesIO(data), dtype=str).rename(columns={"CustomerID": "Kunden-Nr"}) \
            .to_csv(index=False).encode()

    mapping = {"Annual Income (k$)": "Annual Income (k$)", "Spending Score (1-100)": "Spending Score (1-100)"}
    results = {}
    for name, april_bytes in (("Plain", next_month()), ("Renamed", renamed(next_month()))):
        token = upload(client, demo_bytes(), "march.csv").get_json()["token"]
        status, _ = downloads_page.save_segmentation(1, name, "", ViewState(ds=token, k=4, seed=1).query())
        saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
        april = upload(client, april_bytes, "april.csv").get_json()["token"]
        snapshots.apply_snapshot(saved_id, april, mapping)
        results[name] = (saved_id, snapshots.migration_between(saved_id))
    saved_id, result = results["Renamed"]
    assert (result.id_column, result.new_id_column) == ("CustomerID", "Kunden-Nr")
    assert result.moves.counts().equals(results["Plain"][1].moves.counts()) and result.moves.moved() > 0
    code, page = route(client, "/library", f"?saved={saved_id}")
    picker = next(c["props"] for c in components(page) if c["props"].get("id") == ids.Library.ID_COLUMN)
    assert code == 200 and picker["value"] == "CustomerID"
    assert picker["options"][0] == {"label": "CustomerID (Kunden-Nr in april.csv)", "value": "CustomerID"}
    assert "matched on \u201cCustomerID\u201d (\u201cKunden-Nr\u201d in april.csv)" in json.dumps(page, ensure_ascii=False)
    shot = library.get_saved(saved_id).snapshots
    response = client.get(library_page.movers_href(saved_id, shot[0].id, shot[1].id, "CustomerID", "new", "1"))
    assert response.status_code == 200
    movers = pd.read_csv(io.BytesIO(response.data), dtype=str, encoding="utf-8-sig")
    assert list(movers.columns[:3]) == ["from segment", "to segment", "Kunden-Nr"] and len(movers) > 0
    assert movers["Kunden-Nr"].str.startswith("N").all()  # the new customers, from the later snapshot's rows
    # the picker follows the snapshots chosen: a third month, renamed, beside two that share the name
    plain_id = results["Plain"][0]
    may = snapshots.apply_snapshot(plain_id, upload(client, renamed(next_month()), "may.csv").get_json()["token"],
                                   mapping)
    march, april = (s.id for s in library.get_saved(plain_id).snapshots[:2])
    for first, second, label in ((april, may, "CustomerID (Kunden-Nr in may.csv)"), (march, april, "CustomerID")):
        _, _, options = library_page.update_migration(first, second, "CustomerID", [], {"saved": plain_id})
        assert options[0] == {"label": label, "value": "CustomerID"}


@pytest.mark.parametrize("window", [None, 12])
def test_next_months_order_lines_are_built_into_customers_and_segmented(client, request_context, window):
    """Found from outside: a segmentation of customers built from order lines, saved, then next month's order
    export dropped on it: the page asked which of the order file's columns were recency_days, frequency and
    monetary (a quantity or a unit price could be chosen, and was applied as if it were). The order lines are built
    into their customer table as the saved one was (the same window of months; as of the day after the last order),
    and the saved model applied to it; the snapshot is that table."""
    import core.rfm
    from core import segment_with_model
    from core.persist import load_bundle

    from tests.core.orders import a_month_later, make_orders

    march, _ = make_orders(240, seed=12)
    orders = service.get_dataset(upload(client, march.to_csv(index=False).encode(), "march.csv").get_json()["token"])
    customers = service.store_customer_table(orders, core.rfm.recognise_columns(orders.frame), None, window)
    state = ViewState(ds=customers.token, k=3, seed=1)
    status, _ = downloads_page.save_segmentation(1, "RFM", "", state.query())
    saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    saved = library.get_saved(saved_id)
    assert core.rfm.built_from_orders(saved.settings["model_features"])
    assert core.rfm.window_of(saved.settings["model_features"]) == window

    april_bytes = a_month_later(march).to_csv(index=False).encode()  # their customers bought again
    april = upload(client, april_bytes, "april.csv").get_json()["token"]
    panel = library_page._apply_panel(saved, april).to_plotly_json()
    said = json.dumps(panel, default=str)
    assert "april.csv holds order lines" in said and ids.Library.MAP not in said
    assert ("the orders of the last 12 months" if window else "every order") in said

    snapshot = snapshots.apply_snapshot(saved_id, april, {})
    saved = library.get_saved(saved_id)
    shot = saved.snapshots[-1]
    assert shot.id == snapshot and shot.label == "april-customers.csv"
    # the labels are those of the saved model on april's customer table, built independently
    built = core.rfm.build_customers(service.get_dataset(april).frame, window_months=window)
    expected = segment_with_model(built.to_text_frame(), load_bundle(saved.bundle), None, "drop", ".")
    assert np.array_equal(library.snapshot_labels(saved_id, snapshot), snapshots.shown_labels(expected))
    moves = snapshots.migration_between(saved_id).moves
    assert moves.customers == len(built.table) and moves.moved() > 0
    # found from outside: the all-time totals' warning spoke of a "pre-trained model" and said nothing of the window
    # of months that answers it
    if window is None:
        assert shot.warning.startswith("The saved model probably does not fit these customers")
        assert shot.warning.endswith("The model's 'frequency' counts every order, so it grows from one export to the "
                                     "next: a customer table built over a window of months (the order card's, or "
                                     "segments rfm --window) keeps the months comparable.")
    assert "pre-trained" not in shot.warning and (window is None) == ("every order, so" in shot.warning)


def test_next_months_order_lines_are_built_with_the_order_cards_choices(client, request_context):
    """Found from outside: a customer table built on the order card from a shop's net amounts ("Net", not the "Total"
    its name found) and its euro orders (most lines are in dollars), saved; next month's export dropped on it was
    built from "Total" and the dollar lines, so the saved model segmented other customers, counted otherwise. The
    card's choices are kept with the model and next month's lines built by them; the panel says so."""
    import core.rfm
    from core import segment_with_model
    from core.persist import load_bundle

    from tests.core.orders import a_month_later, net_and_gross_orders

    march = net_and_gross_orders()
    chosen = core.rfm.OrderColumns("CustomerID", "InvoiceDate", "Net", order="InvoiceNo", currency="Currency")
    orders = service.get_dataset(upload(client, march.to_csv(index=False).encode(), "march.csv").get_json()["token"])
    customers = service.store_customer_table(orders, chosen, "2024-07-10", 12, "EUR")
    status, _ = downloads_page.save_segmentation(1, "Euro RFM", "", ViewState(ds=customers.token, k=3, seed=1).query())
    saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    saved = library.get_saved(saved_id)
    assert load_bundle(saved.bundle).info.orders["columns"]["amount"] == "Net"

    april_frame = a_month_later(march)
    april = upload(client, april_frame.to_csv(index=False).encode(), "april.csv").get_json()["token"]
    said = json.dumps(library_page._apply_panel(saved, april).to_plotly_json(), default=str)
    assert "the columns the saved table was built from: customer: 'CustomerID'" in said and "amount: 'Net';" in said
    assert "counting the orders of the last 12 months in EUR" in said and "counted as of 2024-07-10" in said

    snapshot = snapshots.apply_snapshot(saved_id, april, {})
    built = core.rfm.build_customers(service.get_dataset(april).frame, chosen, window_months=12, currency="EUR")
    expected = segment_with_model(built.to_text_frame(), load_bundle(saved.bundle), None, "drop", ".")
    assert np.array_equal(library.snapshot_labels(saved_id, snapshot), snapshots.shown_labels(expected))
    assert snapshots.migration_between(saved_id).moves.customers == len(built.table)


def test_a_customer_scored_in_neither_snapshot_is_counted_once(client, request_context):
    """Found from outside (the bank churners file's description row, left out of both models): the summary said "1
    new (or not scored before)" and "1 gone (or not scored now)" of one customer, in both files and scored in
    neither. It is counted once, as such."""
    frame = pd.read_csv(io.BytesIO(demo_bytes()), dtype=str)
    frame.loc[0, "Age"] = ""  # left out of the model in both months (missing values dropped)
    raw = frame.to_csv(index=False).encode()
    token = upload(client, raw, "march.csv").get_json()["token"]
    status, _ = downloads_page.save_segmentation(1, "Blank", "", ViewState(ds=token, k=4, seed=1).query())
    saved_id = re.search(r"/library\?saved=([A-Za-z0-9_-]+)", json.dumps(status.to_plotly_json(), default=str))[1]
    features = library.get_saved(saved_id).settings["model_features"]
    snapshots.apply_snapshot(saved_id, upload(client, raw, "april.csv").get_json()["token"], {f: f for f in features})
    view = json.dumps(library_page.migration_view(saved_id, None, None, None).to_plotly_json(), default=str)
    assert (f"{len(frame):,} customers matched on \\u201cCustomerID\\u201d: {len(frame) - 1:,} stayed, 0 moved to "
            "another segment, 0 new (or not scored before), 0 gone (or not scored now), 1 scored in neither.") in view


def test_the_model_page_says_a_file_of_order_lines_is_no_customer_table(client, request_context):
    """Found from outside: a file of order lines opened on the Model page (the Upload page's offer passed by, or a link
    shared) had its lines' amounts proposed as features and its lines segmented as customers, with nothing said. The
    page says so, with a link back to the offer; a customer table built from the lines has no such alert."""
    import core.rfm

    from tests.core.orders import make_orders

    orders, kinds = make_orders(120, seed=3)
    token = upload(client, orders.to_csv(index=False).encode(), "orders.csv").get_json()["token"]
    code, page = route(client, "/model", f"?ds={token}")
    alert = next(c["props"] for c in components(page) if "segments-order-lines-alert" in str(c["props"].get("className")))
    said = json.dumps(alert, ensure_ascii=False)
    assert code == 200 and (f"orders.csv holds order lines, one per purchase: {len(orders):,} lines of {len(kinds):,} "
                            "customers ('CustomerID'), so segments of its rows would group purchases") in said
    link = next(c["props"] for c in components(alert) if c["props"].get("href"))
    assert link["href"] == f"/upload?ds={token}" and link["children"] == "Build the customer table"
    built = service.store_customer_table(service.get_dataset(token), core.rfm.recognise_columns(orders), None)
    code, page = route(client, "/model", f"?ds={built.token}")
    assert code == 200 and "segments-order-lines-alert" not in json.dumps(page)
