"""The figures' pure helpers: which customers a box or lasso holds, drawn or not."""

from __future__ import annotations

import numpy as np

from dashboard.figures import inside_selection


def _points(n: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.uniform(0, 100, n), rng.uniform(0, 100, n)


def test_a_box_holds_every_customer_inside_it_in_either_drawing_direction():
    xs, ys = _points()
    expected = (xs >= 20) & (xs <= 45) & (ys >= 60) & (ys <= 90)
    assert np.array_equal(inside_selection(xs, ys, {"range": {"x": [20, 45], "y": [60, 90]}}), expected)
    assert np.array_equal(inside_selection(xs, ys, {"range": {"x": [45, 20], "y": [90, 60]}}), expected)


def test_a_lasso_holds_the_customers_inside_its_outline():
    """An L-shaped lasso is the union of two rectangles; a customer is inside exactly when in one of them."""
    xs, ys = _points()
    lasso = {"x": [10, 10, 90, 90, 40, 40], "y": [95, 5, 5, 30, 30, 95]}
    expected = ((xs > 10) & (xs < 40) & (ys > 5) & (ys < 95)) | ((xs > 40) & (xs < 90) & (ys > 5) & (ys < 30))
    inside = inside_selection(xs, ys, {"lassoPoints": lasso})
    # customers exactly on the outline may go either way; none of the random ones are
    assert np.array_equal(inside, expected)
    assert 0.3 < inside.mean() < 0.5


def test_a_selection_without_a_shape_is_left_to_its_points():
    xs, ys = _points(10)
    assert inside_selection(xs, ys, {"points": []}) is None
    assert inside_selection(xs, ys, {"range": {"x": [1, "a"], "y": [0, 1]}}) is None
    assert inside_selection(xs, ys, {"lassoPoints": {"x": [1, 2], "y": [1, 2]}}) is None
    # crafted requests: no shape, never an error
    for crafted in ({"range": [1, 2]}, {"range": {"x": [1, None], "y": [0, 1]}}, {"range": {"x": [0, float("nan")],
                    "y": [0, 1]}}, {"lassoPoints": {"x": ["a", 1, 2], "y": [1, 2, 3]}},
                    {"lassoPoints": {"x": [1, 2, 3], "y": [1, 2]}}, {"lassoPoints": {"x": [0] * 10 ** 5,
                                                                                   "y": [0] * 10 ** 5}}):
        assert inside_selection(xs, ys, crafted) is None, crafted
