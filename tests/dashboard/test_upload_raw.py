"""The upload route's raw path: the page's uploader (assets/upload.js) sends the file itself as the request body,
its name percent-encoded in ``X-File-Name``, so the server has no multipart form to scan (issue 15, goal 5). The
multipart form (``curl -F file=@...``) still works, and both give the same dataset."""

from __future__ import annotations

import io
import secrets
from typing import Any

import pytest

from dashboard import service
from tests.fixtures import demo_bytes, upload, upload_raw

#: A name as people give their exports: spaces, accents, a dash, CJK, an emoji.
UNICODE_NAME = "Kunden März 2026 – ünïcødé 顧客 📈.csv"


def _dataset(response: Any) -> service.Dataset:
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert set(answer) == {"token", "rows", "columns"}
    assert len(answer["token"]) >= 32
    return service.get_dataset(answer["token"])


def test_the_raw_body_gives_the_same_dataset_as_the_multipart_form(client: Any) -> None:
    content = demo_bytes()
    raw = upload_raw(client, content, UNICODE_NAME)
    form = upload(client, content, UNICODE_NAME)
    assert {k: v for k, v in raw.get_json().items() if k != "token"} == \
        {k: v for k, v in form.get_json().items() if k != "token"} == {"rows": 500, "columns": 5}
    from_raw, from_form = _dataset(raw), _dataset(form)
    assert from_raw.token != from_form.token
    assert from_raw.name == from_form.name == UNICODE_NAME
    assert from_raw.frame.equals(from_form.frame)
    assert repr(from_raw.report) == repr(from_form.report)
    assert (from_raw.table.encoding, from_raw.table.separator) == (from_form.table.encoding, from_form.table.separator)


def test_an_excel_workbook_comes_through_the_raw_body_too(client: Any) -> None:
    import pandas as pd

    book = io.BytesIO()
    pd.DataFrame({"Age": [20, 30, 40, 50], "Income": [10.5, 20.25, 30.0, 45.75]}).to_excel(book, index=False)
    dataset = _dataset(upload_raw(client, book.getvalue(), "q1 export.xlsx"))
    assert dataset.name == "q1 export.xlsx" and dataset.report.rows == 4
    assert dataset.frame["Income"].tolist() == _dataset(upload(client, book.getvalue(), "q1.xlsx")).frame["Income"].tolist()


@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/customers.csv", "customers.csv"),
    ("C:\\Users\\ann\\Desktop\\export 2026.csv", "export 2026.csv"),
    ("/tmp/x/<script>alert(1)</script>.csv", "script>.csv"),
])
def test_path_parts_are_left_out_of_the_name(client: Any, sent: str, kept: str) -> None:
    assert _dataset(upload_raw(client, b"a,b\n1,2\n3,4\n", sent)).name == kept


def test_the_multipart_form_leaves_path_parts_out_of_the_name_as_well(client: Any) -> None:
    assert _dataset(upload(client, b"a,b\n1,2\n3,4\n", "exports/march/customers.csv")).name == "customers.csv"


@pytest.mark.parametrize("case", ["empty body", "no name header", "empty name", "only a folder"])
def test_no_file_is_said_for_an_empty_body_or_a_missing_name(client: Any, case: str) -> None:
    content, name = {"empty body": (b"", "customers.csv"), "no name header": (b"a,b\n1,2\n", None),
                     "empty name": (b"a,b\n1,2\n", ""), "only a folder": (b"a,b\n1,2\n", "exports/")}[case]
    response = upload_raw(client, content, name)
    assert response.status_code == 400
    assert response.get_json()["error"] == "No file was received. Choose a CSV or Excel file and try again."


@pytest.mark.parametrize("header", ["%FF%FE.csv", "bad%2", "%E2%82.csv", "line%0Abreak.csv", "nul%00.csv"])
def test_a_name_that_is_not_percent_encoded_text_is_refused_with_the_reason(client: Any, header: str) -> None:
    response = client.post("/api/upload", data=b"a,b\n1,2\n", content_type="application/octet-stream",
                           headers={"X-File-Name": header})
    assert response.status_code == 400
    assert "X-File-Name" in response.get_json()["error"]
    assert "encodeURIComponent" in response.get_json()["error"]


def test_a_raw_body_over_the_limit_is_refused_with_the_limit(client: Any) -> None:
    big = b"a,b\n" + b"1,2\n" * 400_000  # 1.6 MB > the test app's 1 MB
    response = upload_raw(client, big, "big.csv")
    assert response.status_code == 413 and "1 MB limit" in response.get_json()["error"]
    # The content-length guard leaves 64 KB for a form's framing; a raw body has none: one byte over is refused.
    just_over = b"a,b\n" + b"1" * (1024 * 1024 - 3) + b"\n"
    assert len(just_over) == 1024 * 1024 + 2
    response = upload_raw(client, just_over, "just over.csv")
    assert response.status_code == 413 and "1 MB limit" in response.get_json()["error"]


class _CountingStream(io.BytesIO):
    """A request body that counts the bytes the server read from it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = super().readinto(buffer)
        self.taken += count
        return count


def test_a_raw_body_too_big_for_the_memory_is_refused_before_it_is_read(client: Any, monkeypatch: Any) -> None:
    import dashboard.routes as routes

    monkeypatch.setattr(routes, "_available_memory", lambda: 4 * 1024 ** 2)  # 4 MB to spare
    content = b"a,b\n" + b"1,2\n" * 50_000  # 200 KB: needs about 4 MB
    body = _CountingStream(content)
    response = client.post("/api/upload", input_stream=body, content_length=len(content),
                           content_type="application/octet-stream", headers={"X-File-Name": "big.csv"})
    assert response.status_code == 413 and "would need about" in response.get_json()["error"]
    assert body.taken == 0


def test_an_excel_workbook_is_sized_as_one_on_both_paths(client: Any, monkeypatch: Any) -> None:
    import dashboard.routes as routes

    content = b"PK\x03\x04" + b"\x00" * 100_000  # 100 KB: as a CSV 2 MB of memory, as a workbook 8 MB
    monkeypatch.setattr(routes, "_available_memory", lambda: 10 * 1024 ** 2)  # half of it: 5 MB
    for response in (upload_raw(client, content, "book.xlsx"), upload(client, content, "book.xlsx")):
        assert response.status_code == 413 and "would need about" in response.get_json()["error"]


def test_a_raw_body_sent_in_chunks_is_read_and_checked_too(client: Any) -> None:
    """``Transfer-Encoding: chunked`` (no length known before the end): gunicorn says the input ends
    (``wsgi.input_terminated``); the body is read, then checked as any other."""
    chunked = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}

    def send(content: bytes) -> Any:
        return client.post("/api/upload", data=content, content_type="application/octet-stream",
                           headers={"X-File-Name": "chunked.csv"}, environ_overrides=chunked)

    content = demo_bytes()
    assert repr(_dataset(send(content)).report) == repr(_dataset(upload(client, content)).report)
    for too_big in (b"a,b\n" + b"1,2\n" * 300_000,  # 1.2 MB: Werkzeug stops it at the body limit
                    b"a,b\n" + b"1" * (1024 * 1024 - 3) + b"\n"):  # within the room left for a form's framing
        refused = send(too_big)
        assert refused.status_code == 413 and "1 MB limit" in refused.get_json()["error"]
    assert send(b"").status_code == 400


def test_raw_uploads_count_towards_the_upload_limit(client: Any, app: Any, monkeypatch: Any) -> None:
    from dashboard.ratelimit import RateLimit

    monkeypatch.setitem(app.server.extensions, "segments_upload_rate",
                        RateLimit(f"uploads-{secrets.token_hex(4)}", 2, 3600))
    assert upload_raw(client, demo_bytes()).status_code == 200
    assert upload(client, demo_bytes()).status_code == 200
    refused = upload_raw(client, demo_bytes())
    assert refused.status_code == 429 and "Too many uploads" in refused.get_json()["error"]


def test_another_site_cannot_send_a_raw_upload(client: Any) -> None:
    """A raw upload has a type and a header no form can send: a page of another site must ask first (a CORS
    preflight), and the answer allows nothing, so the browser never sends it."""
    response = client.options("/api/upload", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-file-name"})
    assert not [h for h in response.headers.keys() if h.lower().startswith("access-control-")]
    # A simple request (a form of another site) cannot name the file, and its Origin is refused first.
    response = client.post("/api/upload", data=b"a,b\n1,2\n", content_type="text/plain",
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "this site's own pages" in response.get_json()["error"]
    response = client.post("/api/upload", data=b"a,b\n1,2\n", content_type="text/plain")
    assert response.status_code == 400 and "No file" in response.get_json()["error"]


def test_a_body_that_arrives_in_parts_is_read_whole() -> None:
    from dashboard.routes import _read_body

    class Trickle(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            return super().read(min(3, size if size is not None and size >= 0 else 3))

    content = b"a,b\n" + b"1,2\n" * 1000
    assert _read_body(Trickle(content), len(content)) == content
    assert _read_body(Trickle(content), len(content) + 1) is None  # the client stopped before the end


def test_an_upload_cut_short_says_so(client: Any) -> None:
    content = b"a,b\n1,2\n3,4\n"
    response = client.post("/api/upload", data=content, content_type="application/octet-stream",
                           headers={"X-File-Name": "cut.csv"}, environ_overrides={"CONTENT_LENGTH": "5000"})
    assert response.status_code == 400 and "interrupted" in response.get_json()["error"]


def test_a_workbook_whose_summary_sheet_comes_first_opens_on_its_customers(client: Any) -> None:
    """Found from outside: the upload read a report's summary sheet (2 rows) and never its customer sheet."""
    import pandas as pd

    book = io.BytesIO()
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"Report": ["Q3", "Generated 2024-10-01"]}).to_excel(writer, sheet_name="Summary", index=False)
        pd.DataFrame({"CustomerID": range(1, 61), "Age": [20 + i % 40 for i in range(60)],
                      "Spend": [10.5 + i for i in range(60)]}).to_excel(writer, sheet_name="Customers", index=False)
    dataset = _dataset(upload_raw(client, book.getvalue(), "report.xlsx"))
    assert dataset.report.rows == 60 and list(dataset.frame.columns) == ["CustomerID", "Age", "Spend"]
    assert any("'Customers' was read (the one with the most cells), not 'Summary'" in w for w in dataset.table.warnings)


def test_a_gzipped_export_gives_the_dataset_of_the_file_inside(client: Any) -> None:
    import gzip

    plain = _dataset(upload_raw(client, demo_bytes(), "customers.csv"))
    packed = _dataset(upload_raw(client, gzip.compress(demo_bytes()), "customers.csv.gz"))
    assert packed.table.frame.equals(plain.table.frame)
    assert packed.report.rows == plain.report.rows


def test_an_archive_unpacking_past_the_upload_limit_is_refused_with_it(client: Any) -> None:
    import gzip

    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * 400_000)  # 1.6 MB inside, ~5 KB sent: the test app takes 1 MB
    response = upload_raw(client, bomb, "bomb.csv.gz")
    assert response.status_code == 400
    assert "unpacks to more than 1.0 MB, the most this installation accepts" in response.get_json()["error"]


def workbook_of_three_sheets() -> bytes:
    """A report's workbook: a summary sheet first, this year's 400 customers, last year's 120 (with a column more)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Summary"
    for row in (["Customer report"], ["Generated", "2026-11-30"], ["Customers", 400]):
        book.active.append(row)
    this_year = book.create_sheet("Customers 2026")
    this_year.append(["CustomerID", "Age", "Spend"])
    for i in range(400):
        this_year.append([f"C{i:04d}", 20 + i % 50, round(10.5 + (i * 37) % 300, 2)])
    last_year = book.create_sheet("Customers 2025")
    last_year.append(["CustomerID", "Age", "Spend", "Visits"])
    for i in range(120):
        last_year.append([f"C{i:04d}", 25 + i % 40, round(20 + (i * 13) % 200, 2), i % 9])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_another_sheet_of_an_uploaded_workbook_is_read_as_a_new_dataset(client: Any, app: Any) -> None:
    """Found from outside: the dashboard could read only a workbook's largest sheet."""
    from pages import upload as upload_page
    from tests.fixtures import components, route

    first = _dataset(upload_raw(client, workbook_of_three_sheets(), "report.xlsx"))
    assert (first.table.sheet, first.report.rows) == ("Customers 2026", 400)
    status, layout = route(client, "/upload", f"?ds={first.token}")
    assert status == 200
    picker = [c for c in components(layout) if c["props"].get("id") == upload_page.ids.Upload.SHEET]
    assert len(picker) == 1 and picker[0]["props"]["options"] == ["Summary", "Customers 2026", "Customers 2025"]
    assert picker[0]["props"]["value"] == "Customers 2026"
    with app.server.test_request_context("/"):
        href, status_said = upload_page.read_sheet("Customers 2025", f"?ds={first.token}&missing=median")
    assert status_said is None and href.startswith("/upload?ds=") and "missing=median" in href
    second = service.get_dataset(href.split("ds=")[1].split("&")[0])
    assert (second.table.sheet, second.report.rows, second.report.columns) == ("Customers 2025", 120, 4)
    assert second.workbook == first.workbook  # any sheet can be read from either
    assert service.get_dataset(first.token).report.rows == 400  # the first reading keeps its own link
    with app.server.test_request_context("/"):
        unchanged = upload_page.read_sheet("Customers 2026", f"?ds={first.token}")
    assert unchanged[0] is upload_page.dash.no_update


def test_a_csv_or_a_one_sheet_workbook_has_no_sheet_choice(client: Any) -> None:
    from tests.fixtures import components, route

    plain = _dataset(upload_raw(client, demo_bytes(), "customers.csv"))
    assert plain.workbook is None
    status, layout = route(client, "/upload", f"?ds={plain.token}")
    assert not [c for c in components(layout) if c["props"].get("id") == "upload-sheet"]
    from core.errors import DataError

    with pytest.raises(DataError, match="no longer on the server"):
        service.read_sheet(plain, "Sheet1")


def test_the_first_rows_cut_long_texts_and_the_check_writes_counts_with_separators(client: Any) -> None:
    """Found from outside: an export's notes of a few thousand characters pushed every later column of the
    Upload page's first rows out of sight, and the data check read "distinct values 3000"."""
    from tests.fixtures import components, route

    notes = "called twice about the invoice, prefers email, " * 3
    content = "CustomerID,Notes,Age\n" + "".join(f"C{i:05d},\"{notes}\",{20 + i % 50}\n" for i in range(1_500))
    dataset = _dataset(upload_raw(client, content.encode(), "notes.csv"))
    status, layout = route(client, "/upload", f"?ds={dataset.token}")
    assert status == 200
    tips = [c["props"] for c in components(layout) if c["type"] == "Span" and c["props"].get("title") == notes]
    assert tips, "the long notes are not cut with a tooltip"
    shown = tips[0]["children"]
    assert len(shown) <= 32 and shown.endswith("\u2026") and shown.startswith("called twice about")
    texts = [c["props"].get("children") for c in components(layout) if c["type"] == "Td"]
    assert "1,500" in texts  # CustomerID's distinct values


def test_a_data_set_cached_by_the_previous_release_still_renders_and_saves(client: Any, request_context: None) -> None:
    """Tables and data sets pickled before they said their sheets (and kept their workbook) lack those attributes."""
    from core.io import table_from_parquet, table_to_parquet
    from dashboard.state import ViewState
    from pages import upload as upload_page

    dataset = _dataset(upload_raw(client, workbook_of_three_sheets(), "report.xlsx"))
    for name in ("sheets", "sheet"):
        object.__delattr__(dataset.table, name)
    object.__delattr__(dataset, "workbook")
    assert upload_page._sheet_picker(dataset) is None
    upload_page._dataset_panel(dataset, ViewState(ds=dataset.token))
    assert table_from_parquet(table_to_parquet(dataset.table)).sheets == ()


@pytest.mark.parametrize("name,sheets,rows,kind", [
    ("customers.xls", ["Customers", "Notes"], 200, "Excel 97-2003 workbook (.xls)"),
    ("customers.ods", ["Kunden", "Info"], 150, "OpenDocument spreadsheet (.ods)")])
def test_an_xls_or_ods_workbook_is_uploaded_and_its_sheets_offered(client: Any, name: str, sheets: list[str],
                                                                   rows: int, kind: str) -> None:
    """Found from outside: an .xls export (Excel 97-2003) was refused on the Upload page ("save it as .xlsx"), and
    LibreOffice's .ods was said to be "a zip archive of 5 files". Each is read, said as such, its other sheet
    offered."""
    from pathlib import Path

    from pages import upload as upload_page
    from tests.fixtures import components, route

    raw = (Path(__file__).resolve().parents[1] / "data" / name).read_bytes()
    dataset = _dataset(upload_raw(client, raw, name))
    assert (dataset.table.sheet, dataset.report.rows) == (sheets[0], rows) and dataset.workbook is not None
    status, layout = route(client, "/upload", f"?ds={dataset.token}")
    assert status == 200 and kind in str(layout)
    picker = [c for c in components(layout) if c["props"].get("id") == upload_page.ids.Upload.SHEET]
    assert len(picker) == 1 and picker[0]["props"]["options"] == sheets
