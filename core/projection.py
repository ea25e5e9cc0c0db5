"""A 2-D view of a segmentation on more than two features: PCA of the standardised features.

The projection only draws the segmentation: the labels and centroids are the model's own, projected
with the same linear map, never re-clustered in 2-D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from .model import scaled_centers
from .segmentation import Segmentation

__all__ = ["Projection", "project_2d"]


@dataclass(frozen=True)
class Projection:
    """Customers and centroids in the plane of the first two principal components.

    Attributes
    ----------
    points : numpy.ndarray
        ``(used rows, 2)``, in the order of :attr:`Segmentation.matrix.X`.
    centers : numpy.ndarray
        ``(k, 2)``: the model's centroids under the same projection.
    explained : tuple[float, float]
        Share of the standardised variance each component explains.
    """

    points: np.ndarray
    centers: np.ndarray
    explained: tuple[float, float]


def project_2d(segmentation: Segmentation, seed: int = 0) -> Projection:
    """Project the used rows and the centroids onto two principal components."""
    scaled = segmentation.scaled_used()
    components = min(2, scaled.shape[1])
    pca = PCA(n_components=components, random_state=seed).fit(scaled)
    points = pca.transform(scaled)
    centers = pca.transform(scaled_centers(segmentation.pipeline))
    if components == 1:
        points = np.column_stack([points, np.zeros(len(points))])
        centers = np.column_stack([centers, np.zeros(len(centers))])
    ratio = list(pca.explained_variance_ratio_) + [0.0]
    return Projection(points, centers, (float(ratio[0]), float(ratio[1])))
