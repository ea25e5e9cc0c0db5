"""core.persist: the shipped model, safe refusal of foreign pickles, JSON bundles; model application."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

import core.persist as persist
from core.errors import ModelError, ModelFeatureError, UnsafeModelError
from core.model import clusterer, scaler_of
from core.persist import (
    SavedModel,
    DEFAULT_MODEL_PATH,
    MODELS_DIR,
    ModelInfo,
    bundle_bytes,
    load_bundle,
    load_model_file,
    load_shipped_model,
)
from core.segmentation import resolve_mapping, segment_new, segment_with_model

INCOME, SPENDING = "Annual Income (k$)", "Spending Score (1-100)"


@pytest.fixture(scope="module")
def shipped():
    return load_shipped_model()


# --- the shipped model -----------------------------------------------------------------------------

def test_shipped_model_loads(shipped):
    pipeline, info = shipped
    assert DEFAULT_MODEL_PATH.parent == MODELS_DIR and DEFAULT_MODEL_PATH.name == "kmeans_model.pkl"
    assert info.features == [INCOME, SPENDING]
    assert info.k == 5
    assert info.sha256 == hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest()
    assert [type(step).__name__ for _, step in pipeline.steps] == ["StandardScaler", "SizeOrderedKMeans"]
    assert isinstance(shipped, SavedModel) and shipped.info is info and shipped.pipeline is pipeline
    assert clusterer(pipeline).cluster_centers_.shape == (5, 2)


def test_load_model_file_accepts_the_shipped_model(repo, monkeypatch):
    pipeline, info = load_model_file(DEFAULT_MODEL_PATH)
    assert info.features == [INCOME, SPENDING]
    monkeypatch.chdir(repo)
    _, info2 = load_model_file("models/kmeans_model.pkl")
    assert info2 == info


def test_shipped_model_applied_to_demo(shipped, demo):
    pipeline, info = shipped
    frame, truth = demo
    seg = segment_with_model(frame, SavedModel(pipeline, info))
    assert seg.source == "pretrained"
    assert seg.k == 5 and seg.scored.all()
    assert seg.model_features == (INCOME, SPENDING) and seg.features == (INCOME, SPENDING)
    X = frame[[INCOME, SPENDING]].astype(float).to_numpy()
    np.testing.assert_array_equal(seg.labels, pipeline.predict(X))
    assert adjusted_rand_score(truth, seg.labels) >= 0.9
    sizes = seg.sizes()
    assert sizes.sum() == len(frame) and (sizes > 0).all()
    assert seg.silhouette is not None and 0.5 < seg.silhouette <= 1


def test_shipped_model_is_reproducible_from_the_demo(shipped, demo):
    """The shipped model is what fitting k=5, seed 0 on income and spending gives (build script)."""
    pipeline, info = shipped
    frame, _ = demo
    seg = segment_new(frame, info.features, k=info.k, seed=info.seed)
    np.testing.assert_allclose(clusterer(seg.pipeline).cluster_centers_,
                               clusterer(pipeline).cluster_centers_, rtol=0, atol=1e-9)
    assert info.rows == len(frame)
    assert info.means[INCOME] == pytest.approx(frame[INCOME].astype(float).mean())


# --- applying a model: features and mapping --------------------------------------------------------

def test_file_lacking_a_feature(shipped, demo):
    pipeline, info = shipped
    frame = demo[0].drop(columns=[SPENDING])
    with pytest.raises(ModelFeatureError) as exc:
        segment_with_model(frame, SavedModel(pipeline, info))
    assert exc.value.missing == [SPENDING]
    assert str(exc.value).startswith(f"The model needs '{SPENDING}', which this file lacks.")


def test_file_lacking_both_features(shipped, demo):
    pipeline, info = shipped
    frame = demo[0].rename(columns={INCOME: "Income", SPENDING: "Score"})
    with pytest.raises(ModelFeatureError) as exc:
        segment_with_model(frame, SavedModel(pipeline, info))
    assert exc.value.missing == [INCOME, SPENDING]
    # the same names but for the unit are used as the model's features, and the notes say so
    seg = segment_with_model(demo[0].rename(columns={INCOME: "AnnualIncome", SPENDING: "SpendingScore"}),
                             SavedModel(pipeline, info))
    assert any("'AnnualIncome' is used as 'Annual Income (k$)'" in note for note in seg.notes)


def test_mapping_columns_onto_model_features(shipped, demo):
    pipeline, info = shipped
    frame = demo[0]
    expected = segment_with_model(frame, SavedModel(pipeline, info)).labels
    renamed = frame.rename(columns={INCOME: "AnnualIncome", SPENDING: "Score"})
    seg = segment_with_model(renamed, SavedModel(pipeline, info),
                             mapping={"AnnualIncome": INCOME, "Score": SPENDING})
    np.testing.assert_array_equal(seg.labels, expected)
    assert seg.features == ("AnnualIncome", "Score")
    assert seg.model_features == (INCOME, SPENDING)
    assert any("'AnnualIncome' is used as 'Annual Income (k$)'" in note for note in seg.notes)
    # one mapped, the other matched by exact name
    partly = frame.rename(columns={INCOME: "AnnualIncome"})
    seg2 = segment_with_model(partly, SavedModel(pipeline, info), mapping={"AnnualIncome": INCOME})
    np.testing.assert_array_equal(seg2.labels, expected)


def test_mapping_by_name_ignoring_case_spaces_and_punctuation():
    chosen = resolve_mapping(["annual_income_k$", "SPENDING SCORE 1-100", "Age"], [INCOME, SPENDING])
    assert chosen == {INCOME: "annual_income_k$", SPENDING: "SPENDING SCORE 1-100"}


def test_obvious_matches_ignore_a_unit_in_brackets():
    """Issue 12: "AnnualIncome" for "Annual Income (k$)" was not proposed."""
    from core.segmentation import propose_mapping

    columns = ["CustomerID", "AnnualIncome", "spending_score", "Age"]
    assert propose_mapping(columns, [INCOME, SPENDING]) == {INCOME: "AnnualIncome", SPENDING: "spending_score"}
    assert propose_mapping(["Income", "Score"], [INCOME, SPENDING]) == {}  # not the same name: not guessed
    # two columns with the bare name: the unit decides, or nothing is proposed
    assert propose_mapping(["Annual Income (k$)", "Annual Income ($)"], [INCOME]) == {INCOME: INCOME}
    assert propose_mapping(["Annual Income (EUR)", "Annual Income ($)"], [INCOME]) == {}


def test_mapping_wins_over_names():
    columns = [INCOME, SPENDING, "Other"]
    assert resolve_mapping(columns, [INCOME, SPENDING], {"Other": INCOME}) == {INCOME: "Other", SPENDING: SPENDING}


@pytest.mark.parametrize("columns,mapping,match", [
    (["AnnualIncome", SPENDING], {"Nope": INCOME}, "columns the file does not have: 'Nope'"),
    (["AnnualIncome", SPENDING], {"AnnualIncome": "Income"}, "features the model does not use: 'Income'"),
    (["A", "B"], {"A": INCOME, "B": INCOME}, "only one column"),
    ([INCOME, SPENDING], {INCOME: SPENDING}, "repeated: 'Annual Income \\(k\\$\\)'"),
])
def test_mapping_errors(columns, mapping, match):
    with pytest.raises(ModelFeatureError, match=match):
        resolve_mapping(columns, [INCOME, SPENDING], mapping)


def test_ambiguous_name_match_is_not_guessed():
    with pytest.raises(ModelFeatureError) as exc:
        resolve_mapping(["annual income k$", "Annual-Income (k$)!", SPENDING], ["annualincomek", SPENDING])
    assert exc.value.missing == ["annualincomek"]


def test_mapped_text_column_refused(shipped, demo):
    pipeline, info = shipped
    with pytest.raises(ModelFeatureError, match="cannot be applied.*'Gender' is not a numeric column"):
        segment_with_model(demo[0], SavedModel(pipeline, info), mapping={"Gender": INCOME})


def test_model_applied_with_gaps(shipped, demo):
    pipeline, info = shipped
    frame = demo[0].copy()
    frame.loc[[0, 5], SPENDING] = ["", "NA"]
    seg = segment_with_model(frame, SavedModel(pipeline, info))
    assert seg.scored.tolist()[:6] == [False, True, True, True, True, False]
    filled = segment_with_model(frame, SavedModel(pipeline, info), missing="median")
    assert filled.scored.all()


# --- refusing pickles that are not the project's own -----------------------------------------------

def test_malicious_payload_is_live(evil_factory, tmp_path):
    """Control: unpickling such a payload really creates its marker, so the refusals below mean something."""
    control = tmp_path / "control"
    pickle.loads(evil_factory(control))
    assert control.exists()


@pytest.mark.parametrize("name", ["evil.pkl", "evil.joblib", "evil.pickle", "evil.json", "evil.bin"])
def test_pickle_outside_models_refused_without_running(evil_pickle, tmp_path, name):
    payload, marker = evil_pickle
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(UnsafeModelError):
        load_model_file(path)
    assert not marker.exists()
    with pytest.raises(UnsafeModelError):
        load_shipped_model(path)
    with pytest.raises(UnsafeModelError):
        load_bundle(payload)
    assert not marker.exists()


def test_genuine_model_copied_outside_models_is_refused(tmp_path):
    copy = tmp_path / "kmeans_model.pkl"
    shutil.copy(DEFAULT_MODEL_PATH, copy)
    shutil.copy(DEFAULT_MODEL_PATH.with_suffix(".json"), tmp_path / "kmeans_model.json")
    with pytest.raises(UnsafeModelError, match="Refusing to open kmeans_model.pkl"):
        load_model_file(copy)


@pytest.fixture
def private_models(tmp_path, monkeypatch):
    """A copy of models/ in tmp_path, made the trusted folder."""
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(DEFAULT_MODEL_PATH, folder / "kmeans_model.pkl")
    shutil.copy(DEFAULT_MODEL_PATH.with_suffix(".json"), folder / "kmeans_model.json")
    monkeypatch.setattr(persist, "MODELS_DIR", folder)
    return folder


def test_untampered_copy_in_trusted_folder_loads(private_models):
    _, info = load_model_file(private_models / "kmeans_model.pkl")
    assert info.k == 5


def test_tampered_copy_refused(private_models, evil_pickle):
    payload, marker = evil_pickle
    path = private_models / "kmeans_model.pkl"
    path.write_bytes(payload)
    with pytest.raises(UnsafeModelError, match="does not match the digest"):
        load_model_file(path)
    assert not marker.exists()


def test_tampered_by_one_byte_refused(private_models):
    path = private_models / "kmeans_model.pkl"
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(UnsafeModelError):
        load_shipped_model(path)


def test_shipped_model_without_or_with_bad_description(private_models):
    meta = private_models / "kmeans_model.json"
    meta.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_shipped_model(private_models / "kmeans_model.pkl")
    meta.write_text(json.dumps({"k": 5}), encoding="utf-8")
    with pytest.raises(ModelError, match="incomplete or damaged"):
        load_shipped_model(private_models / "kmeans_model.pkl")
    meta.unlink()
    with pytest.raises(ModelError, match="missing"):
        load_shipped_model(private_models / "kmeans_model.pkl")


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model_file(tmp_path / "nothing.json")


# --- JSON bundles ----------------------------------------------------------------------------------

def test_bundle_round_trip_gives_identical_predictions(shipped, demo, tmp_path):
    pipeline, info = shipped
    raw = bundle_bytes(SavedModel(pipeline, info))
    assert raw.startswith(b"{") and b"\x80" not in raw
    rebuilt, info2 = load_bundle(raw)
    assert info2 == ModelInfo(**{**info.to_json(), "sha256": ""})
    X = demo[0][[INCOME, SPENDING]].astype(float).to_numpy()
    np.testing.assert_array_equal(rebuilt.predict(X), pipeline.predict(X))
    np.testing.assert_array_equal(scaler_of(rebuilt).transform(X),
                                  scaler_of(pipeline).transform(X))
    path = tmp_path / "model.json"
    path.write_bytes(raw)
    from_file, _ = load_model_file(path)
    np.testing.assert_array_equal(from_file.predict(X), pipeline.predict(X))
    assert bundle_bytes(SavedModel(rebuilt, info2)) == raw  # stable


def test_bundle_of_a_new_model(blobs):
    frame, _ = blobs([30, 20, 10], [(0, 0, 0), (5, 5, 0), (0, 5, 5)], seed=2)
    seg = segment_new(frame, ["f0", "f1", "f2"], k=3, seed=1)
    X = seg.matrix.X
    info = ModelInfo(features=["f0", "f1", "f2"], k=3, seed=1, sklearn_version="x", trained_on="blobs",
                     rows=len(X), **persist.training_statistics(X, ["f0", "f1", "f2"]))
    rebuilt, info2 = load_bundle(bundle_bytes(SavedModel(seg.pipeline, info)))
    np.testing.assert_array_equal(rebuilt.predict(X), seg.labels)
    applied = segment_with_model(frame, SavedModel(rebuilt, info2))
    np.testing.assert_array_equal(applied.labels, seg.labels)


def _damaged(shipped, change) -> bytes:
    pipeline, info = shipped
    data = json.loads(bundle_bytes(SavedModel(pipeline, info)))
    change(data)
    return json.dumps(data).encode()


@pytest.mark.parametrize("change,match", [
    (lambda d: d.update(format="something-else"), "not a Customer Segments model bundle"),
    (lambda d: d.pop("scaler"), "damaged"),
    (lambda d: d["info"].pop("features"), "incomplete or damaged"),
    (lambda d: d.update(centers=d["centers"][:4]), "inconsistent"),
    (lambda d: d["scaler"].update(mean=[1.0, 2.0, 3.0]), "inconsistent"),
    (lambda d: d["scaler"].update(scale=[0.0, 1.0]), "inconsistent"),
    (lambda d: d["centers"][0].__setitem__(0, float("nan")), "inconsistent"),
    (lambda d: d["scaler"].update(mean=[float("nan"), 1.0]), "inconsistent"),
    (lambda d: d["scaler"].update(scale=[float("inf"), 1.0]), "inconsistent"),
    (lambda d: d["scaler"].update(var=[float("nan"), 1.0]), "inconsistent"),
    (lambda d: d["scaler"].update(mean="abc"), "damaged"),
])
def test_damaged_bundles_refused(shipped, change, match):
    with pytest.raises(ModelError, match=match):
        load_bundle(_damaged(shipped, change))


@pytest.mark.parametrize("raw,error,match", [
    (b"not json at all", ModelError, "not a model bundle"),
    (b"\xff\xfe\x00garbage", ModelError, "not a model bundle"),
    (b"[1, 2, 3]", ModelError, "not a Customer Segments model bundle"),
    (b"PK\x03\x04zipped", UnsafeModelError, "pickle"),
    (b"{" + b" " * (persist.MAX_BUNDLE_BYTES + 1) + b"}", ModelError, "too large"),
])
def test_non_bundles_refused(raw, error, match):
    with pytest.raises(error, match=match):
        load_bundle(raw)


def test_a_model_on_dates_applies_to_the_next_export_even_with_its_date_column_renamed():
    """Found from outside (a CRM export's model saved with "Last Purchase Date (days since)" and "Date of Birth
    (age)", applied to the same file): "The model cannot be applied: 'Date of Birth' is not a numeric column". A
    feature derived from a date column is fed by the next export's date column of that name (or the column mapped to
    it), derived the same way."""
    from tests.core.test_date_formats import _crm

    frame = _crm(rows=900)
    frame["Last Purchase Date"] = (np.datetime64("2024-11-30") - np.arange(900) % 400).astype(str)
    features = ["Date of Birth (age)", "Lifetime Spend", "Last Purchase Date (days since)"]
    seg = segment_new(frame, features, 3, seed=0)
    model = load_bundle(bundle_bytes(seg.saved_model("crm.csv")))
    applied = segment_with_model(frame, model)
    np.testing.assert_array_equal(applied.labels, seg.labels)
    assert resolve_mapping(list(frame.columns), list(model.info.features)) == dict(zip(features, features))
    # the next export calls its columns otherwise: the user maps them, the derivations follow
    renamed = frame.rename(columns={"Date of Birth": "Birthday", "Last Purchase Date": "Last order"})
    applied = segment_with_model(renamed, model, {"Birthday": "Date of Birth (age)",
                                                  "Last order": "Last Purchase Date (days since)"})
    np.testing.assert_array_equal(applied.labels, seg.labels)
    assert "'Birthday (age)' is used as 'Date of Birth (age)'" in applied.notes[0]
