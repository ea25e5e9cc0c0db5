"""The Clusters page, ``/clusters``: page.py registers it and holds its layout; each private module is one part
of the page with its own callbacks: _profile (the profile table, drivers and distributions), _scatter,
_selection (box, lasso or segment picks that the profile and table follow), _stability (the resampling
job), _table (the paged, sortable customer table), _shared (what the parts share).

Dash finds page.py by walking pages/ (it skips files starting with ``_``, this one too), so nothing is
imported here: importing page.py a second time would register the page twice.
"""
