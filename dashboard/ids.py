"""Component ids, spelled once. One class per page; values are prefixed with the page's name."""

from __future__ import annotations

__all__ = ["Shell", "Upload", "Model", "Clusters", "Downloads", "Orders", "RfmGroups", "Library", "page_query",
           "retry_reason", "term", "leave_out_rows"]


def page_query(page: str) -> dict[str, str]:
    """The id of a page's query Store: the page's full view state as a query string.

    Every page has one; the shell reads whichever is on screen (pattern matching) to keep the address
    bar and the navigation links in step with the view.
    """
    return {"type": "page-query", "page": page}


def term(key: str) -> str:
    """The id of a technical term's plain word (dashboard.terms.term), unique on its page by ``key``."""
    return f"term-{key}"


def leave_out_rows(rows: str) -> dict[str, str]:
    """The id of the Upload page's button that leaves rows out of the table: ``rows`` is ``"description"`` (a first
    row describing the columns), ``"summary"`` (totals rows at the end) or ``"net_returns"`` (customers of a table
    built from orders who returned as much as they bought)."""
    return {"type": "upload-leave-out", "rows": rows}


def retry_reason(watch: str) -> dict[str, str]:
    """The id of the sentence saying why a background job did not finish, in the retry alert ``watch``."""
    return {"type": "retry-reason", "watch": watch}


class Shell:
    PAGES_LOCATION = "_pages_location"  # Dash Pages' own dcc.Location (named by Dash, not by us)
    BRAND = "shell-brand"
    NAV = "shell-nav"
    NAV_TOGGLER = "shell-nav-toggler"  # the menu button that unfolds the links on a phone
    NAV_COLLAPSE = "shell-nav-collapse"  # what it unfolds
    NAV_LINK = "shell-nav-link"  # pattern-matching type: {"type": NAV_LINK, "path": "/model"}
    REDIRECT = "shell-redirect"
    URL_SYNC = "shell-url-sync"
    SHARE = "shell-share"
    CHART_EXPORT = "chart-export"  # pattern-matching type: {"type": CHART_EXPORT, "graph": <graph id>, "format": ...}
    EXPORT_SINK = "shell-export-sink"
    LIBRARY = "shell-library"
    SIGN_OUT = "shell-sign-out"  # the navbar's sign-out form (only when DASHBOARD_PASSWORD is set)


class Upload:
    DROPZONE = "upload-dropzone"
    BROWSE = "upload-browse"
    PROGRESS = "upload-progress"
    STATUS = "upload-status"
    DEMO = "upload-demo-button"
    RESULT = "upload-result"
    MISSING = "upload-missing-choice"
    CODES = "upload-codes-choice"
    ZERO = "upload-zero-choice"  # the numeric columns whose blanks count as 0
    ZERO_PROPOSED = "upload-zero-proposed"  # ticks every column the data check proposes
    LEFT_OUT = "upload-left-out"  # how many customers have a gap in the proposed features
    NEXT = "upload-next"
    LEAVE_OUT_STATUS = "upload-leave-out-status"  # what went wrong leaving rows out (buttons: leave_out_rows)
    SHEET = "upload-sheet"  # the workbook's sheet read (a workbook of several sheets)
    SHEET_STATUS = "upload-sheet-status"  # why another sheet could not be read


class Model:
    FEATURES = "model-features"
    MODE = "model-mode"
    K = "model-k"
    SEED = "model-seed"
    NEW_PANEL = "model-new-panel"
    APPLY_PANEL = "model-apply-panel"
    BUNDLE_UPLOAD = "model-bundle-upload"
    BUNDLE_TOKEN = "model-bundle-token"
    BUNDLE_STATUS = "model-bundle-status"
    MAP = "model-map"  # pattern-matching type: {"type": MAP, "feature": <model feature>}
    TRANSFORMS = "model-transforms"
    TRANSFORM = "model-transform"  # pattern-matching type: {"type": TRANSFORM, "feature": <feature>}
    K_TABLE = "model-k-table"
    SWEEP_GRAPHS = "model-sweep-graphs"
    SWEEP_PROGRESS = "model-sweep-progress"
    SWEEP_CANCEL = "model-sweep-cancel"
    SWEEP_STATUS = "model-sweep-status"
    SWEEP_DONE = "model-sweep-done"
    SWEEP_WATCH = "model-sweep-watch"
    SWEEP_RETRY = "model-sweep-retry"
    SWEEP_RETRIED = "model-sweep-retried"
    FIT_RESULT = "model-fit-result"
    FIT_PROGRESS = "model-fit-progress"
    FIT_CANCEL = "model-fit-cancel"
    FIT_STATUS = "model-fit-status"
    FIT_DONE = "model-fit-done"
    FIT_WATCH = "model-fit-watch"
    FIT_RETRY = "model-fit-retry"
    USE_K = "model-use-k"
    SPLIT_WARNING = "model-split-warning"
    USE_SPLIT_K = "model-use-split-k"  # pattern-matching type: {"type": USE_SPLIT_K, "k": <the k that holds>}
    SWEEP_KEY = "model-sweep-key"
    SWEEP_BEST = "model-sweep-best"
    NEXT = "model-next"
    TRAIN = "model-train"
    TRAIN_HINT = "model-train-hint"
    K_CHOSEN = "model-k-chosen"
    K_NOTE = "model-k-note"
    FEATURES_PANEL = "model-features-panel"
    FEATURES_NOTE = "model-features-note"
    SWEEP_CARD = "model-sweep-card"
    ELBOW_GRAPH = "model-elbow-graph"
    SILHOUETTE_GRAPH = "model-silhouette-graph"
    CALINSKI_GRAPH = "model-calinski-graph"
    DAVIES_GRAPH = "model-davies-graph"


class Clusters:
    RENAME = "clusters-rename"  # pattern-matching type: {"type": RENAME, "cluster": <internal label>}
    RENAME_STATUS = "clusters-rename-status"
    PROFILE = "clusters-profile"
    DRIVERS = "clusters-drivers"
    STABILITY = "clusters-stability"
    STABILITY_KEY = "clusters-stability-key"
    STABILITY_STATUS = "clusters-stability-status"
    STABILITY_PROGRESS = "clusters-stability-progress"
    STABILITY_CANCEL = "clusters-stability-cancel"
    SELECTION = "clusters-selection"
    SELECTION_INFO = "clusters-selection-info"
    SELECT_SEGMENT = "clusters-select-segment"  # pattern-matching type: {"type": ..., "cluster": <label>}
    CLEAR_SELECTION = "clusters-clear-selection"
    GRID_BOX = "clusters-grid-box"
    NEXT = "clusters-next"
    X = "clusters-x"
    Y = "clusters-y"
    SCATTER = "clusters-scatter"
    SCATTER_NOTE = "clusters-scatter-note"
    HISTOGRAMS = "clusters-histograms"
    MORE_HISTOGRAMS = "clusters-more-histograms"
    EVERY_HISTOGRAM = "clusters-every-histogram"
    SHOWN_VIEW = "clusters-shown-view"
    SUMMARY = "clusters-summary"
    GRID = "clusters-grid"
    GRID_STATUS = "clusters-grid-status"
    MESSAGE = "clusters-message"
    SELECTION_BOX = "clusters-selection-box"
    SELECTION_DOWNLOAD = "clusters-selection-download"
    HISTOGRAM = "clusters-histogram"  # one per feature: histogram(position)

    @staticmethod
    def histogram(position: int) -> str:
        """The id of the distribution chart of the ``position``-th feature."""
        return f"{Clusters.HISTOGRAM}-{position}"


class Downloads:
    CLUSTERED = "downloads-clustered"
    CLUSTERED_XLSX = "downloads-clustered-xlsx"
    SUMMARY = "downloads-summary"
    SUMMARY_XLSX = "downloads-summary-xlsx"
    ZIP = "downloads-zip"
    REPORT = "downloads-report"
    MODEL = "downloads-model"
    MESSAGE = "downloads-message"
    SAVE_NAME = "downloads-save-name"
    SAVE_NOTE = "downloads-save-note"
    SAVE = "downloads-save"
    SAVE_STATUS = "downloads-save-status"


class Orders:
    """The upload page's offer to build a customer table from an order file (pages/_orders.py)."""

    PANEL = "orders-panel"
    ROLE = "orders-role"  # pattern-matching type: {"type": ROLE, "role": "customer" | "date" | ...}
    AS_OF = "orders-as-of"
    WINDOW = "orders-window"  # count orders and spending over every order, or the last months only
    CURRENCY = "orders-currency"  # the currency counted when the lines are in several
    CURRENCY_ROW = "orders-currency-row"  # its label and note, shown only when there are several
    BUILD = "orders-build"
    STATUS = "orders-status"


class RfmGroups:
    """The Clusters page's cross-table of RFM groups by segment (dashboard/rfm_groups.py)."""

    CARD = "rfm-groups-card"
    TABLE = "rfm-groups-table"


class Library:
    LIST = "library-list"
    STATUS = "library-status"
    RENAME_INPUT = "library-rename-input"  # pattern-matching type: {"type": ..., "saved": <saved id>}
    RENAME = "library-rename"  # pattern-matching type: {"type": ..., "saved": <saved id>}
    DELETE = "library-delete"  # pattern-matching type: {"type": ..., "saved": <saved id>}
    OPEN = "library-open"  # pattern-matching type: {"type": ..., "saved": <saved id>}
    DETAIL = "library-detail"
    SNAPSHOTS = "library-snapshots"
    DROPZONE = "library-dropzone"
    PROGRESS = "library-progress"
    UPLOAD_STATUS = "library-upload-status"
    MAP = "library-map"  # pattern-matching type: {"type": MAP, "feature": <model feature>}
    APPLY = "library-apply"
    APPLY_STATUS = "library-apply-status"
    FIRST = "library-first"
    SECOND = "library-second"
    ID_COLUMN = "library-id-column"
    LOOSE_IDS = "library-loose-ids"
    ID_WARNING = "library-id-warning"
    MIGRATION = "library-migration"
    MATRIX = "library-matrix"
    SANKEY = "library-sankey"
    TREND = "library-trend"
    MOVERS_FROM = "library-movers-from"
    MOVERS_TO = "library-movers-to"
    MOVERS = "library-movers"
