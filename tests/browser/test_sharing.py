"""A copied link is the whole view: another user, in a fresh browser profile, sees the same segments."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from dashboard import ids

from .flow import (DEMO_FEATURES, MODEL_INCOME, MODEL_SPENDING, choose, download, expect_clusters, expect_fit,
                   open_demo, query, set_k, set_seed, wait_for_query)

pytestmark = pytest.mark.browser


def test_copied_link_shows_the_same_clusters_in_another_browser(page: Page,
                                                                 new_context: Callable[..., BrowserContext]) -> None:
    # The first user trains k=3 with seed 11 and puts Age across (the scatter opened on the strongest two).
    open_demo(page)
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "New model with k=5")  # the recommendation for the demo, proposed
    set_k(page, 3)
    expect_fit(page, "New model with k=3, seed 0")
    set_seed(page, 11)
    wait_for_query(page, k="3", seed="11")
    expect_fit(page, "New model with k=3, seed 11")
    page.click(f"#{ids.Model.NEXT}")
    first_rows = expect_clusters(page, 3, DEMO_FEATURES)
    wait_for_query(page, x=MODEL_SPENDING, y="Age")  # the two features that set the segments furthest apart
    choose(page, f"#{ids.Clusters.X}", "Age")
    wait_for_query(page, x="Age", y=MODEL_SPENDING)  # Age was up: the axes swap
    link = page.url  # what the address bar holds is the link the user copies
    page.click(f"#{ids.Clusters.NEXT}")
    _, first_clustered = download(page, f"#{ids.Downloads.CLUSTERED}")
    _, first_summary = download(page, f"#{ids.Downloads.SUMMARY}")

    # Another user (a fresh browser profile, no cookies, no storage) opens it from a newsletter.
    other = new_context().new_page()
    other.goto(link + "&utm_source=newsletter")
    second_rows = expect_clusters(other, 3, DEMO_FEATURES)
    assert second_rows == first_rows
    expect(other.locator(f"#{ids.Clusters.X}")).to_contain_text("Age")
    expect(other.locator(f"#{ids.Clusters.Y}")).to_contain_text(MODEL_SPENDING)
    expect(other.locator(f"#{ids.Clusters.SCATTER} .ytitle")).to_have_text(MODEL_SPENDING)
    for name in ("ds", "feature", "k", "seed", "x", "y"):
        assert query(other)[name] == query(page)[name], name
    other.click(f"#{ids.Clusters.NEXT}")
    _, second_clustered = download(other, f"#{ids.Downloads.CLUSTERED}")
    _, second_summary = download(other, f"#{ids.Downloads.SUMMARY}")
    assert second_clustered == first_clustered
    assert second_summary == first_summary
    assert MODEL_INCOME in second_summary.decode("utf-8")
