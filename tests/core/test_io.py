"""core.io.read_table: encodings, separators, decimal marks, quoting, xlsx, and clear errors."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.errors import ReadError, SegmentsError
from core.io import read_table
from core.quality import check_quality, parse_numeric


def cells(table) -> dict[str, list[str]]:
    return table.frame.to_dict("list")


def assert_all_text(frame: pd.DataFrame) -> None:
    for column in frame.columns:
        assert all(type(v) is str for v in frame[column].tolist()), column


# --- encodings -------------------------------------------------------------------------------------

def test_utf8_without_bom():
    t = read_table("Name,City\nZoë,Zürich\nÅsa,Malmö\n".encode("utf-8"))
    assert t.encoding == "utf-8"
    assert t.separator == ","
    assert t.file_format == "csv"
    assert list(t.frame.columns) == ["Name", "City"]
    assert cells(t) == {"Name": ["Zoë", "Åsa"], "City": ["Zürich", "Malmö"]}


def test_utf8_with_bom_does_not_leak_into_first_header():
    t = read_table("\ufeffCustomerID,Age\n1,30\n2,40\n".encode("utf-8"))
    assert t.encoding == "utf-8-sig"
    assert list(t.frame.columns) == ["CustomerID", "Age"]
    assert cells(t)["CustomerID"] == ["1", "2"]


def test_cp1252_euro_and_accents():
    raw = "Produit;Prix;Ville\nCafé;5 €;Orléans\nThé;€3;Nîmes\n".encode("cp1252")
    assert b"\x80" in raw and b"\xe9" in raw
    t = read_table(raw)
    assert t.encoding == "cp1252"
    assert t.separator == ";"
    assert cells(t) == {"Produit": ["Café", "Thé"], "Prix": ["5 €", "€3"], "Ville": ["Orléans", "Nîmes"]}


@pytest.mark.parametrize("undefined", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_latin1_when_cp1252_leaves_a_byte_undefined(undefined):
    raw = b"Name|Code\nJos\xe9|A" + undefined + b"\nRen\xe9e|B\n"
    t = read_table(raw)
    assert t.encoding == "latin-1"
    assert t.separator == "|"
    assert cells(t) == {"Name": ["José", "Renée"], "Code": ["A" + undefined.decode("latin-1"), "B"]}


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    text = "Name,Age\nZoë,30\nRenée,41\n"
    raw = text.encode("utf-16") if codec == "utf-16" else (
        ("\ufeff" + text).encode(codec))
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    t = read_table(raw)
    assert t.encoding == "UTF-16"
    assert cells(t) == {"Name": ["Zoë", "Renée"], "Age": ["30", "41"]}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    """Found from outside: a UTF-16 export without its byte-order mark (a script's output, some databases') was
    refused ("Save it as CSV in UTF-8"); its text is read as a marked one is."""
    t = read_table("Name,Age\nZoë,30\nRenée,41\n".encode(codec), "people.csv")
    assert t.encoding == "UTF-16"
    assert cells(t) == {"Name": ["Zoë", "Renée"], "Age": ["30", "41"]}


def test_lines_each_one_quoted_cell_are_read_as_the_table_inside():
    """Found from outside: a CSV opened in a spreadsheet as one column (its separator not the spreadsheet's) and saved
    again wraps every line in quotes ("CustomerID,Age,Income"): the file was one column, 'ID-like', nothing to
    segment. When the header and nine lines in ten hold the same separators inside their one cell, the table inside
    is read, and said; a one-column file whose cells hold commas (addresses) stays as it is."""
    rows = ['"CustomerID,Age,Income,Name"'] + [f'"{i},{20 + i % 50},{30 + i % 90},""Smith, J{i}"""' for i in range(40)]
    t = read_table(("\r\n".join(rows) + "\r\n").encode("utf-8"), "wrapped.csv")
    assert list(t.frame.columns) == ["CustomerID", "Age", "Income", "Name"] and len(t.frame) == 40
    assert t.frame.iloc[3].tolist() == ["3", "23", "33", "Smith, J3"]
    assert any("Every line of the file was one quoted cell" in w for w in t.warnings), t.warnings
    semicolons = read_table(("\n".join(r.replace(",", ";") for r in rows[:10]) + "\n").encode(), "s.csv")
    assert list(semicolons.frame.columns) == ["CustomerID", "Age", "Income", "Name"]
    addresses = read_table(('Address\n"1 Main St, Springfield"\n"2 High St, Leeds"\n"3 Rue X, Paris"\n').encode(),
                           "a.csv")
    assert list(addresses.frame.columns) == ["Address"] and len(addresses.frame) == 3


# --- separators ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sep,name", [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_separator_detected(sep, name):
    rows = [["CustomerID", "Age", "Income", "Segment"]] + [[str(i), str(20 + i), f"{i}000", "A b"]
                                                            for i in range(1, 8)]
    raw = "\n".join(sep.join(r) for r in rows).encode() + b"\n"
    t = read_table(raw)
    assert t.separator == sep
    assert t.separator_name == name
    assert list(t.frame.columns) == rows[0]
    assert t.frame.shape == (7, 4)
    assert cells(t)["Income"][0] == "1000"


def test_the_last_line_of_a_short_file_counts_for_the_separator():
    """Found by the round-trip property test: a two-line file without a final line break had its last line
    set aside (as if the sample had cut it short), and the header alone, 'cluster;"a,b"', split as well on the
    comma: the file was read as two comma-separated columns, 'cluster;"a' and 'b"'."""
    t = read_table(b'cluster;"a,b"\n0;0', "short.csv")
    assert t.separator == ";"
    assert list(t.frame.columns) == ["cluster", "a,b"]
    assert cells(t)["a,b"] == ["0"]
    # every line splits into two fields at the comma as well: the quotes tell which separator the file uses
    t = read_table(b'cluster;"a,b"\n0;"1,234"\n', "quoted.csv")
    assert t.separator == ";" and cells(t)["a,b"] == ["1,234"]


def test_tab_separated_values_containing_commas():
    raw = b"Name\tIncome\n" + b"".join(b"Smith, John\t1,234\n" for _ in range(10))
    t = read_table(raw)
    assert t.separator == "\t"
    assert cells(t)["Income"] == ["1,234"] * 10


def test_crlf_line_endings_and_no_trailing_newline():
    t = read_table(b"a;b\r\n1;2\r\n3;4")
    assert t.separator == ";"
    assert cells(t) == {"a": ["1", "3"], "b": ["2", "4"]}


# --- decimal marks ---------------------------------------------------------------------------------

def test_decimal_comma_with_semicolons():
    raw = b"Name;Score;Spend\nAnn;3,5;1.234,50\nBob;4,25;-7,5\nCy;10,0;2,0\n"
    t = read_table(raw)
    assert t.separator == ";"
    assert t.decimal == ","
    # the cells are still exactly as written...
    assert cells(t)["Score"] == ["3,5", "4,25", "10,0"]
    # ...and parse with the detected decimal mark
    numbers, invalid = parse_numeric(t.frame["Score"], t.decimal)
    np.testing.assert_array_equal(numbers, [3.5, 4.25, 10.0])
    assert not invalid.any()
    spend, invalid = parse_numeric(t.frame["Spend"], t.decimal)
    np.testing.assert_array_equal(spend, [1234.5, -7.5, 2.0])
    assert not invalid.any()
    report = check_quality(t.frame, t.decimal)
    assert report.column("Score").kind == "numeric"
    assert report.decimal == ","


def test_decimal_point_with_semicolons_and_with_commas():
    assert read_table(b"a;b\n3.5;1\n4.5;2\n").decimal == "."
    assert read_table(b"a,b\n3.5,1\n4.5,2\n").decimal == "."
    # a comma-separated file cannot use decimal commas
    assert read_table(b'a,b\n"3,5",1\n"4,5",2\n').decimal == "."


# --- quoting and exact text ------------------------------------------------------------------------

def test_a_quote_escaped_inside_a_quoted_header_does_not_hide_the_separator():
    """Found by the round-trip property test (session 18): the header 'say "hi"' quoted with its quotes doubled,
    beside "a,b", in a semicolon file whose lines split into two fields at the comma too. Left-over quotes counted for neither
    separator (a quoted field may hold a quote), so the comma won the tie; the separator that reads the quotes
    as quoting, strictly, and leaves the fewest of them in the fields, wins it now."""
    t = read_table(b'"say ""hi""";"a,b"\n0;"1,234"\n', "quotes.csv")
    assert t.separator == ";" and list(t.frame.columns) == ['say "hi"', "a,b"]
    assert cells(t)["a,b"] == ["1,234"]
    t = read_table(b'"Name";"Note"\n"Smith, J.";"said ""ok"", twice"\n"Lee";"x,y"\n', "notes.csv")
    assert t.separator == ";" and cells(t)["Note"] == ['said "ok", twice', "x,y"]


def test_quoted_fields_with_separators_newlines_and_quotes():
    raw = (b'id,name,note,amount\n'
           b'1,"Smith, John","line one\nline two",3\n'
           b'2,"Say ""hi""","a;b|c\tsemi",4\n'
           b'3,plain,"crlf\r\ninside",5\n')
    t = read_table(raw)
    assert t.separator == ","
    assert t.frame.shape == (3, 4)
    assert cells(t)["name"] == ["Smith, John", 'Say "hi"', "plain"]
    assert cells(t)["note"][0] == "line one\nline two"
    assert cells(t)["note"][1] == "a;b|c\tsemi"
    assert cells(t)["amount"] == ["3", "4", "5"]


def test_quoted_semicolon_file_with_multiline_fields():
    body = "".join(f'{i};"first line\nsecond; line";{i},5\n' for i in range(30))
    t = read_table(("id;note;value\n" + body).encode())
    assert t.separator == ";"
    assert t.decimal == ","
    assert t.frame.shape == (30, 3)
    assert cells(t)["note"][0] == "first line\nsecond; line"


def test_every_cell_comes_back_exactly_as_written():
    raw = ('ID,Age,Income,Note,Flag,Blank\n'
           '007, 81 ,"1,234",=SUM(A1),NA,\n'
           '0008,-0,$5,  spaced  ,null,\n'
           '9,1e3,3.50,"",-,  \n').encode()
    t = read_table(raw)
    assert_all_text(t.frame)
    assert cells(t) == {
        "ID": ["007", "0008", "9"],
        "Age": [" 81 ", "-0", "1e3"],
        "Income": ["1,234", "$5", "3.50"],
        "Note": ["=SUM(A1)", "  spaced  ", ""],
        "Flag": ["NA", "null", "-"],
        "Blank": ["", "", "  "],
    }


def test_header_names_are_stripped():
    t = read_table(b" Age , Income\n1,2\n")
    assert list(t.frame.columns) == ["Age", "Income"]


def test_short_rows_are_padded_with_empty_text():
    t = read_table(b"a,b,c\n1,2,3\n4\n")
    assert cells(t) == {"a": ["1", "4"], "b": ["2", ""], "c": ["3", ""]}


def test_unnamed_columns_named_or_dropped_with_warnings():
    t = read_table(b"a,,c,\n1,x,3,\n4,y,6,\n")
    assert list(t.frame.columns) == ["a", "Column 2", "c"]
    assert cells(t)["Column 2"] == ["x", "y"]
    assert any("Column 2" in w for w in t.warnings)
    assert any("Column 4" in w and "ignored" in w for w in t.warnings)


# --- xlsx ------------------------------------------------------------------------------------------

def _xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_xlsx_read_as_text():
    raw = _xlsx_bytes({"Customers": [
        ["CustomerID", "Age", "Income", "Joined", "Note"],
        ["007", 81, 3.5, dt.datetime(2024, 1, 5), None],
        ["008", 42, 12.25, dt.datetime(2023, 12, 31, 14, 30), "vip"],
    ]})
    t = read_table(raw, "customers.xlsx")
    assert t.file_format == "xlsx"
    assert t.encoding is None and t.separator is None and t.separator_name is None
    assert t.decimal == "."
    assert t.warnings == []
    assert_all_text(t.frame)
    assert cells(t) == {
        "CustomerID": ["007", "008"],
        "Age": ["81", "42"],
        "Income": ["3.5", "12.25"],
        "Joined": ["2024-01-05", "2023-12-31 14:30:00"],
        "Note": ["", "vip"],
    }


def test_xlsx_pandas_written_and_only_first_sheet_read():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"A": [1, 2], "B": ["x", "y"]}).to_excel(writer, sheet_name="first", index=False)
        pd.DataFrame({"Z": [9]}).to_excel(writer, sheet_name="second", index=False)
    t = read_table(buffer.getvalue())
    assert cells(t) == {"A": ["1", "2"], "B": ["x", "y"]}
    assert len(t.warnings) == 1 and "2 sheets" in t.warnings[0] and "'first'" in t.warnings[0]


def test_xlsx_header_without_rows():
    with pytest.raises(ReadError, match="no data rows"):
        read_table(_xlsx_bytes({"S": [["a", "b"]]}))


def test_xlsx_empty_sheet():
    with pytest.raises(ReadError, match="empty"):
        read_table(_xlsx_bytes({"S": []}))


# --- sources ---------------------------------------------------------------------------------------

def test_read_from_path_str_and_file_object(write):
    path = write("c.csv", "a,b\n1,2\n")
    expected = {"a": ["1"], "b": ["2"]}
    assert cells(read_table(path)) == expected
    assert cells(read_table(str(path))) == expected
    with open(path, "rb") as handle:
        assert cells(read_table(handle)) == expected


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(ReadError, match="no file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(ReadError, match="folder"):
        read_table(tmp_path)


def test_limits():
    raw = b"a,b,c\n" + b"1,2,3\n" * 5
    assert read_table(raw, max_rows=5, max_columns=3).frame.shape == (5, 3)
    with pytest.raises(ReadError, match="5 rows"):
        read_table(raw, max_rows=4)
    with pytest.raises(ReadError, match="3 columns"):
        read_table(raw, max_columns=2)


# --- errors ----------------------------------------------------------------------------------------

def _zip_bytes(files: dict[str, bytes] | None = None) -> bytes:
    """A zip archive of ``files`` (default: two CSV files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in (files or {"data.csv": b"a,b\n1,2\n", "more.csv": b"a,b\n3,4\n"}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "empty"),
    "whitespace only": (b"  \r\n\n\t\n", "empty"),
    "header without rows": (b"CustomerID,Age,Income\n", "header row but no data rows"),
    "header without rows or newline": (b"CustomerID;Age", "header row but no data rows"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG image"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    "pdf": (b"%PDF-1.7\n1 0 obj\n", "PDF"),
    "gzip": (b"\x1f\x8b\x08\x00" + bytes(20), "gzip"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(20), "xls"),
    "nul bytes": (b"a,b\n1,\x002\n3,4\n", "binary data"),
    "utf-16 without bom, damaged": ("a,b\n1,2\n".encode("utf-16-le")[:-1] + b"\x00\xd8", "UTF-16"),
    "pickle": (pickle.dumps({"a": [1, 2, 3]}, protocol=4), "pickle"),
    "pickle protocol 2": (pickle.dumps([1, 2], protocol=2), "pickle"),
    "zip of two files": (_zip_bytes(), "zip archive of 2 files"),
    # an Excel binary workbook: it was said to be "an Office file but not an Excel workbook (a Word or PowerPoint
    # file?)"
    "excel binary workbook": (_zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01",
                                          "xl/worksheets/sheet1.bin": b"\x81\x01"}), "Excel binary workbook (.xlsb)"),
    # found from outside: an Apple Numbers document (a zip of .iwa files) was "a zip archive of 14 files"
    "apple numbers": (_zip_bytes({"Index/Document.iwa": b"\x00\x01", "Index/Metadata.iwa": b"\x00",
                                  "Metadata/Properties.plist": b"bplist00"}), "Apple Numbers document"),
    "damaged xlsx": (b"PK\x03\x04" + b"garbage" * 20, "damaged"),
    "json array": (b'[{"a": 1, "b": 2}, {"a": 3, "b": 4}]\n', "JSON"),
    "json object": (b'  {"rows": [[1, 2]]}', "JSON"),
    "html": (b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>", "web page"),
    "html lowercase tag": (b"\n<html><head></head></html>", "web page"),
    "xml": (b'<?xml version="1.0"?><rows><row a="1"/></rows>', "web page"),
    "sqlite": (b"SQLite format 3\x00" + bytes(100), "SQLite"),
    "unclosed quote": (b'a,b\n1,"2\n3,4\n', "never closed"),
    "too many fields": (b"a,b\n1,2\n3,4,5\n", "line 3 has 3 values"),
}


@pytest.mark.parametrize("raw,expected", list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_clear_read_errors(raw, expected):
    with pytest.raises(ReadError) as info:
        read_table(raw, "upload.csv")
    message = str(info.value)
    assert expected.lower() in message.lower()
    assert "\n" not in message
    assert isinstance(info.value, SegmentsError)


def test_an_html_table_under_an_excel_name_is_said_to_be_one():
    """Found from outside: a web report's "Excel" export, an HTML table in a file named report.xls, was said to be a
    web page, with "export the data as CSV" only; Excel opens such a file, and saving it from there is the way."""
    page = b"<html><body><table><tr><th>CustomerID</th><th>Spend</th></tr><tr><td>1</td><td>10</td></tr></table>"
    with pytest.raises(ReadError, match=r"'report.xls' is a web page \(an HTML table\) with an Excel file's name, as "
                                        r"some reporting tools export, not a workbook. Open it in Excel and save it "
                                        r"as .xlsx or CSV"):
        read_table(page, "report.xls")
    with pytest.raises(ReadError, match=r"is a web page \(HTML/XML\), not a CSV file"):
        read_table(page, "report.csv")


def test_error_names_the_file():
    with pytest.raises(ReadError, match="'my file.csv' is empty"):
        read_table(b"", "my file.csv")
    with pytest.raises(ReadError, match="^The file is empty"):
        read_table(b"")


@pytest.mark.parametrize("raw,names,said", [
    (b"Age,Income,Age\n1,2,3\n", ["Age", "Income", "Age (2)"], ["2 columns are called 'Age'"]),
    # names are compared after stripping spaces
    (b"Age,Income, Age \n1,2,3\n", ["Age", "Income", "Age (2)"], ["2 columns are called 'Age'"]),
    (b"Age;Age;x;x;Income;x\n1;2;3;4;5;6\n", ["Age", "Age (2)", "x", "x (2)", "Income", "x (3)"],
     ["2 columns are called 'Age'", "3 columns are called 'x'; the later ones are called 'x (2)' and 'x (3)'"]),
    # a number no other column has
    (b"Email,Email (2),Email\n1,2,3\n", ["Email", "Email (2)", "Email (3)"],
     ["2 columns are called 'Email'; the later one is called 'Email (3)'"]),
])
def test_repeated_column_names_are_numbered_and_said(raw, names, said):
    """Found from outside: a CRM export naming two columns 'Email' (the contact's and the account's) was refused
    whole ("Column names must be unique"). Each repeat is numbered now, every cell kept."""
    table = read_table(raw)
    assert list(table.frame.columns) == names
    assert table.frame.iloc[0].tolist() == [str(v) for v in range(1, len(names) + 1)]
    for words in said:
        assert any(w.startswith(words) for w in table.warnings), table.warnings
    assert len(table.warnings) == len(said)


def test_duplicate_column_names_in_xlsx():
    table = read_table(_xlsx_bytes({"S": [["Spend", "Spend"], [1, 2]]}))
    assert list(table.frame.columns) == ["Spend", "Spend (2)"]
    assert table.warnings == ["2 columns are called 'Spend'; the later one is called 'Spend (2)' here (their cells "
                              "are kept as they are)."]


#: An old-style Excel workbook (.xls): 200 customers on a sheet "Customers" (a date column among them) and a sheet
#: "Notes" (tests/data/make_customers_xls.py made it).
XLS = Path(__file__).resolve().parents[1] / "data" / "customers.xls"
#: An OpenDocument spreadsheet (.ods, LibreOffice's): 150 customers on a sheet "Kunden" and a sheet "Info"
#: (tests/data/make_customers_ods.py made it).
ODS = XLS.with_name("customers.ods")


def test_an_old_style_excel_workbook_is_read():
    """Found from outside: an .xls export (Excel 97-2003, as older ERP, banking and accounting systems still write)
    was refused ("save it as .xlsx"). It is read as an .xlsx is: the sheet with the most cells, the others named,
    numbers as typed, dates as dates; in a zip too; another sheet when asked."""
    raw = XLS.read_bytes()
    table = read_table(raw, "customers.xls")
    assert (table.file_format, table.workbook_kind) == ("xls", "Excel 97-2003 workbook (.xls)")
    assert table.sheets == ("Customers", "Notes") and table.sheet == "Customers"
    assert table.warnings == ["The workbook has 2 sheets; 'Customers' was read (the one with the most cells), not "
                              "'Notes'."]
    frame = table.frame
    assert list(frame.columns) == ["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)",
                                   "Joined"]
    assert len(frame) == 200 and frame["CustomerID"].tolist() == [str(i) for i in range(1, 201)]
    assert frame.iloc[0].tolist() == ["1", "Male", "54", "123", "98", "2020-05-09"]
    report = check_quality(frame, table.decimal, table.numbers)
    assert report.default_features == ["Age", "Annual Income (k$)", "Spending Score (1-100)"]
    assert report.column("Joined").kind == "date"
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("export/customers.xls", raw)
    assert read_table(zipped.getvalue(), "customers.zip").frame.equals(frame)
    with pytest.raises(ReadError, match="header row but no data rows"):  # the other sheet, read when asked: one line
        read_table(raw, "customers.xls", sheet="Notes")
    with pytest.raises(ReadError, match="has no sheet named 'Kunden'; its sheets are 'Customers', 'Notes'"):
        read_table(raw, "customers.xls", sheet="Kunden")
    # its size is checked before its cells are built
    with pytest.raises(ReadError, match=r"declares a table of 201 rows by 6 columns, more than the 1,000 cells"):
        read_table(raw, "customers.xls", max_cells=1_000)
    # an old-style Office file that is no workbook, or a damaged one, is refused saying what to do
    with pytest.raises(ReadError, match=r"old-style Office file \(.xls, .doc, .ppt\) that could not be read as an "
                                        r"Excel workbook.*Save the customer table as .xlsx or CSV"):
        read_table(raw[:4096], "customers.xls")


def test_an_opendocument_spreadsheet_is_read():
    """Found from outside: LibreOffice's .ods (a zip of XML, as an .xlsx) was said to be "a zip archive of 5 files
    ('mimetype', 'styles.xml', ...). Upload one file". It is read as a workbook: its largest sheet, the other named;
    in a zip too; its size checked against the limits before its cells are built."""
    raw = ODS.read_bytes()
    table = read_table(raw, "customers.ods")
    assert (table.file_format, table.workbook_kind) == ("ods", "OpenDocument spreadsheet (.ods)")
    assert table.sheets == ("Kunden", "Info") and table.sheet == "Kunden"
    assert table.warnings == ["The workbook has 2 sheets; 'Kunden' was read (the one with the most cells), not 'Info'."]
    assert list(table.frame.columns) == ["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"]
    assert len(table.frame) == 150 and table.frame["CustomerID"].tolist() == [str(i) for i in range(1, 151)]
    assert check_quality(table.frame, table.decimal, table.numbers).default_features == [
        "Age", "Annual Income (k$)", "Spending Score (1-100)"]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("customers.ods", raw)
    assert read_table(zipped.getvalue(), "customers.zip").frame.equals(table.frame)
    with pytest.raises(ReadError, match=r"declares a table of 151 rows by 5 columns, more than the 500 cells"):
        read_table(raw, "customers.ods", max_cells=500)


def test_a_table_pickled_before_its_newer_fields_existed_reads_back_with_their_defaults():
    """A server cache's entry from an earlier release (Redis keeps it across a deploy) holds a table pickled before
    `sheets`, `sheet` and `recipe` existed: it reads back with their defaults, and `dataclasses.replace` (leaving
    rows out of a cached data set) works on it instead of raising AttributeError."""
    import dataclasses

    from core.io import TableRead, recipe_of

    table = read_table(b"CustomerID,Age\n1,30\n2,40\n", "old.csv")
    old = pickle.loads(pickle.dumps(table))
    for name in ("sheets", "sheet", "recipe"):
        del old.__dict__[name]  # as an entry pickled by the earlier release holds it
    again = pickle.loads(pickle.dumps(old))
    assert (again.sheets, again.sheet, again.recipe, recipe_of(again)) == ((), None, {}, {})
    shorter = dataclasses.replace(again, frame=again.frame.iloc[:1])
    assert isinstance(shorter, TableRead) and len(shorter.frame) == 1 and shorter.recipe == {}
