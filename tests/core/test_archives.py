"""core.io.read_table reads a customer file inside a gzip archive (``.csv.gz``, as data warehouses export) or a zip
archive of one file, within a limit on what it unpacks to. Found from outside: both were refused ("a gzip archive,
not a CSV or Excel file"; "Unzip it first")."""

from __future__ import annotations

import gzip
import io
import zipfile

import pandas as pd
import pytest

from core.errors import ReadError
from core.io import read_table

CSV = "CustomerID;Age;Spend\n" + "".join(f"C{i};{20 + i % 40};{i * 1.5:.2f}\n".replace(".", ",")
                                         for i in range(200))


def _zip(files: dict[str, bytes], **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _expected() -> pd.DataFrame:
    return read_table(CSV.encode("cp1252")).frame


def test_a_gzipped_csv_is_read_as_the_csv_itself() -> None:
    table = read_table(gzip.compress(CSV.encode("cp1252")), "export.csv.gz")
    pd.testing.assert_frame_equal(table.frame, _expected())
    assert (table.separator, table.decimal) == (";", ",")


def test_a_gzip_of_several_members_is_read_whole() -> None:
    lines = CSV.encode().splitlines(keepends=True)
    raw = gzip.compress(b"".join(lines[:100])) + gzip.compress(b"".join(lines[100:]))
    assert read_table(raw).frame.shape[0] == 200


def test_a_zip_of_one_csv_is_read_and_the_file_named() -> None:
    raw = _zip({"exports/customers.csv": CSV.encode(), "__MACOSX/exports/._customers.csv": b"\x00\x05junk",
                "exports/": b""})
    table = read_table(raw, "export.zip")
    pd.testing.assert_frame_equal(table.frame, _expected())
    assert "Read 'customers.csv' from the zip archive." in table.warnings


def test_a_zip_of_one_workbook_is_read_as_the_workbook() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["CustomerID", "Age"])
    book.active.append(["A", 31])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(_zip({"book.xlsx": buffer.getvalue()}), "book.zip")
    assert table.file_format == "xlsx"
    assert table.frame.to_dict("list") == {"CustomerID": ["A"], "Age": ["31"]}


def test_a_zip_of_several_files_is_refused_naming_them() -> None:
    with pytest.raises(ReadError, match=r"zip archive of 2 files \('a.csv', 'b.csv'\)"):
        read_table(_zip({"a.csv": CSV.encode(), "b.csv": CSV.encode()}), "two.zip")


def test_an_empty_zip_and_an_archive_inside_one_are_refused() -> None:
    with pytest.raises(ReadError, match="no file in it"):
        read_table(_zip({"folder/": b""}), "empty.zip")
    with pytest.raises(ReadError, match="archive inside an archive"):
        read_table(gzip.compress(gzip.compress(CSV.encode())), "twice.csv.gz")
    with pytest.raises(ReadError, match="archive inside an archive"):
        read_table(_zip({"inner.zip": _zip({"c.csv": CSV.encode()})}), "nested.zip")


def test_what_an_archive_unpacks_to_is_held_to_the_limit_as_it_unpacks() -> None:
    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * 5_000_000)  # 20 MB from about 20 KB
    assert len(bomb) < 100_000
    with pytest.raises(ReadError, match=r"unpacks to more than 1.0 MB, the most this installation accepts"):
        read_table(bomb, "bomb.csv.gz", max_bytes=1024 * 1024)
    zipped = _zip({"big.csv": b"a,b\n" + b"1,2\n" * 5_000_000})
    with pytest.raises(ReadError, match="unpacks to more than 1.0 MB"):
        read_table(zipped, "big.zip", max_bytes=1024 * 1024)
    assert read_table(bomb, "bomb.csv.gz").frame.shape == (5_000_000, 2)  # no limit given: read whole


def test_a_damaged_or_cut_gzip_is_refused_clearly() -> None:
    raw = gzip.compress(CSV.encode())
    with pytest.raises(ReadError, match="incomplete gzip archive"):
        read_table(raw[: len(raw) // 2], "cut.csv.gz")
    with pytest.raises(ReadError, match="damaged gzip archive"):
        read_table(raw[:10] + b"\xff" * 50 + raw[60:], "damaged.csv.gz")


@pytest.mark.parametrize("name,stem", [("orders.csv.gz", "orders"), ("Orders.CSV.GZ", "Orders"), ("export.zip", "export"),
                                       ("kunden.2026.csv", "kunden.2026"), ("customers", "customers"),
                                       ("book.xlsx", "book")])
def test_the_stem_of_a_file_leaves_out_the_archives_extension(name: str, stem: str) -> None:
    from core.io import file_stem

    assert file_stem(name) == stem


def test_an_office_file_that_is_no_workbook_is_refused_by_name() -> None:
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    with pytest.raises(ReadError, match="an Office file but not an Excel workbook"):
        read_table(docx, "letter.docx")
