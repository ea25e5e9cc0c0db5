"""The Model page, ``/model``: page.py registers it and holds its layout; each private module is one part of the
page with its own callbacks: _state (the controls into the link), _features (transforms), _sweep (the k
sweep and the recommended k), _fit (training or applying, and what the result says), _apply (a saved
model's bundle and column mapping), _shared (what the parts share).

Dash finds page.py by walking pages/ (it skips files starting with ``_``, this one too), so nothing is
imported here: importing page.py a second time would register the page twice.
"""
