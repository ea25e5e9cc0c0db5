"""Settings the command line needs to build its options, in a module that imports nothing heavy
(``segments --help`` must not wait for numpy, pandas or scikit-learn). :mod:`core.prepare` and
:mod:`core.persist` re-export them under the same names.
"""

from __future__ import annotations

__all__ = ["MISSING_STRATEGIES", "DEFAULT_MISSING", "MAX_MODEL_K", "SWEEP_K_MIN", "SWEEP_K_MAX"]

#: What to do with missing values (see :mod:`core.prepare`).
MISSING_STRATEGIES: tuple[str, ...] = ("drop", "mean", "median", "error")
DEFAULT_MISSING = "drop"
#: The most segments a model bundle may have (the dashboard offers k up to 15; a bundle of k = 120,000
#: would keep a worker busy until it is killed).
MAX_MODEL_K = 100
#: The range of k the sweep compares by default (the dashboard's sweep, ``segments sweep``, ``fit --k auto``
#: and the report's elbow chart).
SWEEP_K_MIN, SWEEP_K_MAX = 2, 10
