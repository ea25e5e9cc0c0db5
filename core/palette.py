"""The segment colours, one palette for the dashboard's charts and tables and the HTML report.

Cluster 1 (internal label 0) gets the first colour; beyond :data:`PALETTE`'s fifteen colours they repeat.
"""

from __future__ import annotations

__all__ = ["PALETTE", "segment_color"]

#: Segment colours in cluster order: plotly's ten category colours, then five darker ones (d3's category20b).
PALETTE: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                            "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#843c39", "#7b4173")


def segment_color(label: int) -> str:
    """The colour of internal cluster ``label`` (0 = Cluster 1), the same in every chart, table and report."""
    return PALETTE[int(label) % len(PALETTE)]
