"""Segment insight: which k to use, what to call the segments, what sets them apart and how far to trust them.

Everything here works on plain arrays and core's own objects; nothing imports Dash or Flask. One module
per idea; every public name is importable from ``core.insight`` itself:

* ``choosing_k``: :func:`recommend_k` turns a k sweep into one recommended k with a reason in words.
* ``naming``: :func:`name_segments` / :func:`segment_names` name segments from how their centroids differ
  from the average customer ("High income · Low spending").
* ``profiling``: :func:`profile` describes every segment (size, feature means and indices, the make-up of
  text columns such as Gender) and ranks the features by how strongly they separate the segments.
* ``stability_check``: :func:`stability` re-fits the model on resampled customers and says whether the
  segments hold.
* ``customer_confidence``: :func:`confidence` says, per customer, how clearly they belong to their segment.
* ``range_check``: :func:`out_of_range` warns when a pre-trained model is applied to customers unlike its
  training data.
* ``comparison``: :func:`compare_labels` cross-tabulates two segmentations of the same customers.

The modules import :mod:`core.segmentation` for the type checker only: it imports ``naming`` to name a
segmentation when it builds one, so no import here may run the other way.

Rules and thresholds
--------------------
**Recommended k** (:func:`recommend_k`). Four measures each vote for one k in ``k_min .. k_max``: the
elbow of the WCSS curve, the highest silhouette, the highest Calinski-Harabasz index and the lowest
Davies-Bouldin index. They vote among the k of the first of these tiers that is not empty:

1. **stable and useful**: the sweep's stability (:func:`core.selection.sweep_k`, re-fits on resampled
   customers) is at least :data:`STABLE_SWEEP` (0.75), the smallest segment holds at least
   ``useful_share`` (:data:`USEFUL_SHARE`, 5%) and no segment more than :data:`DOMINANT_SHARE` (70%);
2. stable, no segment under ``tiny_share`` (:data:`TINY_SHARE`, 2%) and none over :data:`DOMINANT_SHARE`;
3. stable, and no segment under ``tiny_share``;
4. no segment under ``tiny_share``;
5. every k.

So a k the stability check would call unstable is never recommended while a stable one exists, and a
split that puts 85% of the customers in one segment loses to one a marketer can act on. The elbow votes
for the kept k closest to it (smaller k on a tie), but the reason always quotes the elbow the chart
marks. The k with the most votes wins; a tie goes to the tied k with the highest silhouette (then the
smaller k). When every measure chose another k, the middle of their choices wins (of two in the middle,
the better silhouette): each measure leans to one end of the range, the silhouette to few segments and
Calinski-Harabasz to many. Warnings: a cluster under ``tiny_share`` at the recommended k or at k-1 / k+1; fewer than
:data:`MIN_CUSTOMERS_PER_SEGMENT` customers per segment on average; a silhouette at the recommended k
under :data:`WEAK_SILHOUETTE` (no strong natural groups); no stable k at all. The reason is one sentence
on the vote and what was set aside, then one on the chosen k's stability and segment sizes.

**The model on every customer** (:func:`settle_split`). The sweep's segment sizes come from its sample; the
segment sizes the recommendation's tier asked (:attr:`Recommendation.least_share`, :attr:`Recommendation.most_share`)
are held to the model fitted on every customer at that k (:func:`check_split`). When it breaks them while the
sweep's fit kept them (the data splits two ways at that k), k is recommended again with its sizes on every
customer in place of the sample's, and that next recommendation is fitted and checked, at most
:data:`MAX_SPLIT_FITS` more times: ``fit --k auto`` fits the first that holds; a k the user chose is kept, with a
warning naming the one that holds. Nothing more is fitted when the first model holds.

**Segment names** (:func:`name_segments`). Feature names are shortened by :func:`short_feature_name`
(generic words and time rates dropped, verbs and abbreviations turned into the nouns people write:
"Spent" reads "spending", never "spent"; "Returns per year" reads "returns", "Revenue per visit" keeps
its "per"). A segment is named after its (up to :data:`MAX_NAME_FEATURES`) most
distinctive features, those whose mean lies at least :data:`HIGH_Z` (0.5) overall standard deviations
from the overall mean (after the feature's transform, if the model has one), strongest first: ranked
by how far the segment's index (mean / overall mean * 100, as the profile shows it) is from 100, in
either direction, so word order is the same rule for every segment. A name holds at most
:data:`MAX_NAME_CHARS` (40) characters (the weaker trait is left out rather than the name cut), so it
is stored whole in bundles and links: "High"/"Low" from 0.5 SD, "Very high"/"Very low" from :data:`VERY_HIGH_Z`
(1.5) SD; age reads "Older"/"Younger" ("Much older"/"Much younger"), a joining year ("Member since")
"Newer"/"Longer-standing", the days since a date "Recent last order"/"Long-ago last order" (a birth date's
like age), a year of birth "Younger"/"Older". Without such a feature the
segment is :data:`AVERAGE_NAME`. Segments that would share a name get their next most distinctive
features added until the names differ; any still equal are numbered "(1)", "(2)" in cluster order.

**Borderline customers** (:func:`confidence`): the second-nearest centre is less than
:data:`BORDERLINE_MARGIN` (25%) of the distance to the own centre farther away, or the customer's
silhouette is below :data:`BORDERLINE_SILHOUETTE` (0.1). The silhouette is exact up to
:data:`EXACT_SILHOUETTE_MAX_ROWS` scored customers; beyond, the simplified silhouette
``(b - a) / max(a, b)`` with ``a`` the distance to the own centre and ``b`` to the nearest other one.

**Stability** (:func:`stability`): the verdict thresholds are :data:`STABILITY_LEVELS`; each re-fit
trains on a bootstrap sample of at most :data:`STABILITY_MAX_ROWS` customers.

**Model fit** (:func:`out_of_range`): a warning when, for any feature, more than
:data:`OUTSIDE_SHARE_WARN` (10%) of the customers lie outside the training range, or the mean has
moved more than :data:`SHIFT_SD_WARN` (1) training standard deviation.
"""

from __future__ import annotations

from .choosing_k import (DOMINANT_SHARE, MIN_CUSTOMERS_PER_SEGMENT, STABLE_SWEEP, TINY_SHARE, USEFUL_SHARE,
                         WEAK_SILHOUETTE, Recommendation, recommend_k)
from .comparison import Comparison, compare_labels
from .customer_confidence import (BORDERLINE_MARGIN, BORDERLINE_SILHOUETTE, EXACT_SILHOUETTE_MAX_ROWS,
                                  confidence, for_export)
from .naming import (AVERAGE_NAME, GENERIC_WORDS, HIGH_Z, MAX_NAME_CHARS, MAX_NAME_FEATURES, VERY_HIGH_Z,
                     WORD_FORMS, automatic_names, name_segments, segment_indices, segment_names, segment_z_scores,
                     short_feature_name)
from .profiling import (SCATTER_APART, TOP_TEXT_VALUES, Profile, profile, scatter_features, summary_profile,
                        summary_table)
from .split_check import MAX_SPLIT_FITS, Settled, SplitCheck, check_split, settle_split, split_may_differ
from .range_check import OUTSIDE_SHARE_WARN, SHIFT_SD_WARN, RangeCheck, out_of_range
from .stability_check import (SEGMENT_UNSTABLE, STABILITY_COMPARE_ROWS, STABILITY_LEVELS, STABILITY_MAX_ROWS,
                              Refits, Stability, refit, stability, stability_verdict)

__all__ = [
    # choosing k
    "Recommendation",
    "recommend_k",
    "TINY_SHARE",
    "USEFUL_SHARE",
    "DOMINANT_SHARE",
    "STABLE_SWEEP",
    "MIN_CUSTOMERS_PER_SEGMENT",
    "WEAK_SILHOUETTE",
    # the model on every customer against the sweep's sample
    "SplitCheck",
    "Settled",
    "check_split",
    "settle_split",
    "split_may_differ",
    "MAX_SPLIT_FITS",
    # names
    "short_feature_name",
    "name_segments",
    "automatic_names",
    "segment_names",
    "segment_z_scores",
    "segment_indices",
    "GENERIC_WORDS",
    "WORD_FORMS",
    "MAX_NAME_CHARS",
    "HIGH_Z",
    "VERY_HIGH_Z",
    "MAX_NAME_FEATURES",
    "AVERAGE_NAME",
    # profile
    "Profile",
    "profile",
    "summary_profile",
    "summary_table",
    "scatter_features",
    "TOP_TEXT_VALUES",
    "SCATTER_APART",
    # stability
    "Stability",
    "stability",
    "stability_verdict",
    "Refits",
    "refit",
    "STABILITY_MAX_ROWS",
    "STABILITY_COMPARE_ROWS",
    "STABILITY_LEVELS",
    "SEGMENT_UNSTABLE",
    # confidence
    "confidence",
    "for_export",
    "EXACT_SILHOUETTE_MAX_ROWS",
    "BORDERLINE_MARGIN",
    "BORDERLINE_SILHOUETTE",
    # pre-trained model fit
    "RangeCheck",
    "out_of_range",
    "OUTSIDE_SHARE_WARN",
    "SHIFT_SD_WARN",
    # comparing segmentations
    "Comparison",
    "compare_labels",
]
