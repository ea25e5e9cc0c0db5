"""Server-side state, in four rooms with one job each; pages and routes use the names re-exported here.

* :mod:`.store`: the shared cache (a flask-caching extension) and its failures, the app's settings
  (``server.extensions["segments"]``), and what each request read already;
* :mod:`.recent`: each worker's memory of the entries it used last, and how big an entry is;
* :mod:`.datasets`: what users bring (uploaded tables, selections, model bundles) under unguessable tokens;
* :mod:`.results`: segmentations, confidence, stability and sweeps, kept under a :class:`ResultSpec` of
  exactly what was computed.

All clustering is done by :mod:`core`.
"""

from __future__ import annotations

from .datasets import (CUSTOMER_TABLE_FORMAT, DESCRIPTION_ROW_LEFT_OUT, SUMMARY_ROWS_LEFT_OUT, Dataset,
                       DatasetGone, ModelGone, applied_model,
                       forget_dataset, get_dataset, get_selection, new_token, put_selection, read_and_store,
                       read_sheet, store_bundle, store_customer_table, store_table, store_without_rows, uploaded_bundle)
from .recent import entry_bytes
from .results import (ResultSpec, get_confidence, get_segmentation, get_stability, get_sweep, has_segmentation,
                      model_bundle, report_for, resolve_mapping_for, resolve_state, resolve_transforms, result_spec,
                      segmentation_notes, settled_split, transforms_for, unknown_for, zero_in)
from .store import (DISK_FULL_MESSAGE, StoreUnavailable, cache, forget_local, init_app, pretrained_model, settings,
                    store_problem)

__all__ = ["DISK_FULL_MESSAGE", "store_problem", "cache", "init_app", "settings", "Dataset", "DatasetGone",
           "StoreUnavailable", "new_token", "store_table", "read_and_store", "get_dataset", "forget_dataset",
           "store_customer_table", "CUSTOMER_TABLE_FORMAT", "store_without_rows", "read_sheet", "DESCRIPTION_ROW_LEFT_OUT",
           "SUMMARY_ROWS_LEFT_OUT",
           "resolve_state", "resolve_transforms", "transforms_for", "unknown_for", "report_for", "zero_in", "resolve_mapping_for", "ResultSpec", "result_spec",
           "get_segmentation", "has_segmentation", "get_sweep", "settled_split", "get_confidence", "segmentation_notes", "put_selection",
           "get_selection",
           "get_stability", "pretrained_model", "applied_model", "store_bundle", "uploaded_bundle", "model_bundle",
           "ModelGone", "entry_bytes", "forget_local"]
