"""The pages show a description row's notes once (tests/core/test_description_row.py for the rest)."""

from __future__ import annotations

from dashboard import service
from dashboard.state import ViewState
from tests.core.test_description_row import _customers, _described
from tests.fixtures import upload


def test_the_pages_say_once_that_the_first_row_describes_the_columns(client) -> None:
    """The model and Clusters pages listed the same 13 "1 cell is not a number" notes as the command line."""
    token = upload(client, _described(_customers()).to_csv(index=False).encode()).get_json()["token"]
    state = ViewState(ds=token, features=("Age", "Income", "Visits"), k=3, seed=0)
    with client.application.test_request_context("/"):
        notes = service.segmentation_notes(state, service.get_segmentation(state))
    assert not any("1 cell is not a number" in note for note in notes), notes
    assert "the Upload page can leave it out of the table as well" in notes[0] and "'years'" in notes[0]
