"""The upload and download routes, their errors and the security headers."""

from __future__ import annotations

import io

import pandas as pd

from tests.fixtures import demo_bytes, upload


def test_upload_returns_a_long_random_token(client):
    first = upload(client, demo_bytes()).get_json()
    second = upload(client, demo_bytes()).get_json()
    assert first["rows"] == 500 and first["columns"] == 5
    assert first["token"] != second["token"]
    assert len(first["token"]) >= 32  # 24 random bytes, URL-safe base64: 192 bits


def test_unreadable_file_gets_specific_message(client):
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.csv")
    assert response.status_code == 400
    assert "PNG image" in response.get_json()["error"]


def test_oversized_file_is_refused_with_message(client):
    response = upload(client, b"a,b\n" + b"1,2\n" * 400_000, "big.csv")  # 1.6 MB > 1 MB limit of the test app
    assert response.status_code == 413
    assert "1 MB limit" in response.get_json()["error"]


def test_upload_without_file(client):
    response = client.post("/api/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "No file" in response.get_json()["error"]


def test_downloads_have_every_row_and_the_summary(client):
    content = b"id,Name,Age,Income\n1,=HYPERLINK(\"x\"),30,10\n2,b,,20\n3,c,50,30\n4,d,60,45\n5,e,22,50\n"
    token = upload(client, content).get_json()["token"]
    clustered = client.get(f"/download/clustered.csv?ds={token}&k=2")
    assert clustered.status_code == 200
    assert "attachment" in clustered.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(clustered.data), dtype=str, keep_default_na=False)
    assert list(frame.columns)[:6] == ["id", "Name", "Age", "Income", "cluster", "segment"]
    assert frame["id"].tolist() == ["1", "2", "3", "4", "5"]
    assert frame.loc[1, "cluster"] == ""  # left out (missing Age), not dropped
    assert frame.loc[0, "Name"].startswith("'=")  # formula escaped
    summary = pd.read_csv(io.BytesIO(client.get(f"/download/summary.csv?ds={token}&k=2").data))
    assert list(summary.columns)[:6] == ["cluster", "segment", "customers", "share", "Age", "Income"]
    assert summary["customers"].sum() == 4


def test_download_for_expired_token(client):
    response = client.get("/download/clustered.csv?ds=" + "B" * 32)
    assert response.status_code == 410
    assert b"no longer on the server" in response.data


def test_download_with_impossible_settings(client):
    token = upload(client, b"a,b\n1,2\n3,4\n").get_json()["token"]
    response = client.get(f"/download/clustered.csv?ds={token}&k=5")
    assert response.status_code == 400
    assert b"at least 5" in response.data


def test_security_headers_everywhere(client):
    for path in ["/", "/health", "/download/summary.csv"]:
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_cdn_in_page(client):
    html = client.get("/").data.decode()
    assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html


def test_campaign_exports_carry_names_and_escape_formulas(client):
    import zipfile

    content = (b"id,Name,Gender,Age,Spend\n" + b"1,=HYPERLINK(\"x\"),F,30,10\n2,b,M,,20\n" +
               b"".join(f"{i},n{i},{'F' if i % 2 else 'M'},{20 + (i * 7) % 50},{(i * 13) % 90}\n".encode()
                        for i in range(3, 60)))
    token = upload(client, content).get_json()["token"]
    query = f"?ds={token}&k=3&name=1%3ALoyal+regulars"
    workbook = client.get("/download/clustered.xlsx" + query)
    assert workbook.status_code == 200 and workbook.headers["Content-Type"].startswith("application/vnd.openxml")
    sheets = pd.read_excel(io.BytesIO(workbook.data), sheet_name=None, engine="calamine")
    customers = sheets["Customers"]
    assert len(customers) == 59 and customers.loc[0, "Name"].startswith("'=")
    assert "Loyal regulars" in set(customers["segment"].dropna())
    assert pd.api.types.is_numeric_dtype(customers["Spend"])  # numbers stay numbers in Excel
    assert list(sheets["Segments"]["segment"])[0] == "Loyal regulars"
    archive = zipfile.ZipFile(io.BytesIO(client.get("/download/segments.zip" + query).data))
    names = archive.namelist()
    assert names[0] == "01 Loyal regulars.csv" and names[-1] == "not segmented (missing values).csv"
    total = sum(len(pd.read_csv(archive.open(n))) for n in names)
    assert total == 59  # every customer in exactly one file
    summary = pd.read_excel(io.BytesIO(client.get("/download/summary.xlsx" + query).data), engine="calamine")
    assert "Age index" in summary.columns and "Gender: F" in summary.columns


def test_report_is_self_contained(client):
    # (no "/" in the name: a name's folders are left out, see test_upload_raw.py)
    token = upload(client, demo_bytes(), "<img src=x onerror=alert(1)>.csv").get_json()["token"]
    report = client.get(f"/download/report.html?ds={token}&k=5")
    assert report.status_code == 200
    html = report.data.decode()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "Average customers" in html or "segment" in html.lower()


def test_unknown_download(client):
    assert client.get("/download/secrets.txt").status_code == 404


def test_a_file_too_big_for_the_servers_memory_is_refused_before_reading(client, monkeypatch):
    import dashboard.routes as routes

    monkeypatch.setattr(routes, "_available_memory", lambda: 4 * 1024 ** 2)  # a server with 4 MB to spare
    response = upload(client, b"a,b\n" + b"1,2\n" * 50_000, "big.csv")  # 200 KB: needs about 4 MB
    assert response.status_code == 413
    assert "would need about" in response.get_json()["error"]
    assert "more than the 50% of the available" in response.get_json()["error"]  # the default share
    monkeypatch.setattr(routes, "_available_memory", lambda: None)  # unknown memory: no refusal
    assert upload(client, demo_bytes()).status_code == 200


def test_the_memory_refusal_uses_the_configured_share(tmp_path, monkeypatch):
    import dashboard.routes as routes
    from flask import Flask

    from dashboard.settings import Settings

    server = Flask("share")  # the upload is refused before anything reaches the cache
    routes.register(server, Settings.from_env(cache_dir=tmp_path, redis_url=None, upload_memory_share=0.25))
    monkeypatch.setattr(routes, "_available_memory", lambda: 100 * 1024 ** 2)  # 100 MB to spare
    big = b"a,b\n" + b"1,2\n" * 400_000  # 1.6 MB: needs about 32 MB, within half of 100 MB but not a quarter
    refused = upload(server.test_client(), big, "big.csv")
    assert refused.status_code == 413
    assert "more than the 25% of the available" in refused.get_json()["error"]
    assert "UPLOAD_MEMORY_SHARE" in refused.get_json()["error"]
    assert routes._too_big_for_memory(len(big), False, 0.5) is None


def test_an_upload_that_fits_in_memory_is_received_into_memory_not_spooled_to_disk(client, monkeypatch):
    import werkzeug.wrappers.request

    import dashboard.routes as routes

    spooled: list[int | None] = []
    real = werkzeug.wrappers.request.default_stream_factory
    monkeypatch.setattr(werkzeug.wrappers.request, "default_stream_factory",
                        lambda total_content_length, *args, **kwargs: spooled.append(total_content_length)
                        or real(total_content_length, *args, **kwargs))
    content = b"Age,Income\n" + b"".join(f"{20 + i % 50},{i % 997}.25\n".encode() for i in range(80_000))
    assert len(content) > 600 * 1024  # (werkzeug would write more than 500 KB to a temporary file)
    monkeypatch.setattr(routes, "_available_memory", lambda: 1024 ** 3)
    response = upload(client, content, "fits.csv")
    assert response.status_code == 200 and response.get_json()["rows"] == 80_000
    assert spooled == []
    monkeypatch.setattr(routes, "_available_memory", lambda: 4 * 1024 ** 2)  # too big now: spooled, refused
    assert upload(client, content, "big.csv").status_code == 413
    assert len(spooled) == 1 and spooled[0] > len(content)


def test_the_clustered_download_and_the_cli_write_the_same_confidence_columns(client, tmp_path):
    """The download wrote distance, margin and silhouette with 17 digits ("0.48733907218447474"), the command
    line with 4 ("0.4873"): the same customers, two different files. Both now write 4 decimals."""
    from core.cli import main

    source = tmp_path / "customers.csv"
    source.write_bytes(demo_bytes())
    token = upload(client, demo_bytes()).get_json()["token"]
    features = "Age,Annual Income (k$),Spending Score (1-100)"
    query = f"ds={token}&k=4&seed=0&f=" + "&f=".join(features.split(","))
    web = pd.read_csv(io.BytesIO(client.get(f"/download/clustered.csv?{query}").data), dtype=str,
                      keep_default_na=False, encoding="utf-8-sig")
    assert main(["fit", str(source), "--k", "4", "--features", features, "--out", str(tmp_path / "out.csv")],
                io.StringIO()) == 0
    cli = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("distance", "margin", "silhouette"):
        assert web[column].str.len().max() <= 7, web[column].head()  # e.g. 0.4873
        assert web[column].tolist() == cli[column].tolist()
    assert web["borderline"].tolist() == cli["borderline"].tolist()


def test_csv_downloads_come_in_the_uploaded_files_dialect(client):
    """Found from outside: a German export (semicolons, decimal commas) was downloaded comma-separated with
    decimal points, which German Excel opens as a single column. The CSVs now come back in the upload's own
    separator and decimal mark, with every cell of the file unchanged; the zip's files too."""
    import zipfile

    from core import read_table
    from tests.core.test_csv_dialect import german_export

    content = german_export().encode("cp1252")
    token = upload(client, content).get_json()["token"]
    query = f"?ds={token}&k=3&feature=Umsatz&feature=Bestellungen"
    clustered = read_table(client.get("/download/clustered.csv" + query).data, "c.csv")
    assert (clustered.separator, clustered.decimal) == (";", ",")
    original = read_table(content, "kunden.csv").frame
    pd.testing.assert_frame_equal(clustered.frame[original.columns], original)
    assert clustered.frame["distance"].str.contains(",").all()
    summary = read_table(client.get("/download/summary.csv" + query).data, "s.csv")
    assert (summary.separator, summary.decimal) == (";", ",")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/download/segments.zip" + query).data))
    first = archive.read(archive.namelist()[0])
    assert first.split(b"\n", 1)[0].startswith(b"\xef\xbb\xbfKundennummer;Ort;Umsatz;")
    # a comma file keeps commas
    assert client.get(f"/download/clustered.csv?ds={upload(client, demo_bytes()).get_json()['token']}&k=3").data \
        .split(b"\n", 1)[0].count(b",") > 3


def test_a_download_of_a_zipped_or_gzipped_upload_is_named_after_the_file_inside(client):
    """Found from outside: ``customers.csv.gz`` downloaded as ``customers.csv-segments.csv``."""
    import gzip

    content = b"id,Age,Income\n" + b"".join(b"%d,%d,%d\n" % (i, 20 + i % 40, 10 + i * 3 % 90) for i in range(40))
    for name in ("customers.csv.gz", "customers.CSV.GZ"):
        token = upload(client, gzip.compress(content), name).get_json()["token"]
        clustered = client.get(f"/download/clustered.csv?ds={token}&k=2")
        assert 'filename="customers-segments.csv"' in clustered.headers["Content-Disposition"], (
            clustered.headers["Content-Disposition"])
