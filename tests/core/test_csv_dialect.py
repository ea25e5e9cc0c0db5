"""Outputs in the file's own dialect, found from outside: a German export (semicolons, ``321,97 €``, decimal
commas) came back from ``segments fit`` comma-separated with decimal points, which German Excel opens as a
single column. The clustered file and the summary are now written with the upload's separator, and the numbers
the product adds (distances, margins, means) with its decimal mark; every cell of the file itself is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import read_table
from core.export import COMMAS, CsvDialect


def german_export(rows: int = 300, seed: int = 4) -> str:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, rows)
    spend = np.exp(3 + 1.2 * group + rng.normal(0, 0.3, rows))
    lines = ["Kundennummer;Ort;Umsatz;Bestellungen"]
    for i in range(rows):
        amount = f"{spend[i]:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        lines.append(f"{i:06d};Köln; {amount} €;{int(2 + 5 * group[i] + rng.integers(0, 3))}")
    return "\r\n".join(lines) + "\r\n"


def test_segments_fit_writes_a_semicolon_file_back_in_its_own_dialect(cli, write, tmp_path):
    path = write("kunden.csv", german_export().encode("cp1252"))
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    status, _, err = cli("fit", path, "--k", "3", "--out", out, "--summary", summary, "--stability-runs", "2")
    assert (status, err) == (0, ""), err
    written = read_table(out)
    assert (written.separator, written.decimal) == (";", ",")
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Kundennummer;Ort;Umsatz;Bestellungen;cluster;segment;distance;")
    original = read_table(path).frame
    pd.testing.assert_frame_equal(written.frame[original.columns], original)  # every cell as it came
    distance = written.frame["distance"]
    assert distance.str.contains(",").all() and not distance.str.contains(r"\.").any()  # 0,8801
    summary_read = read_table(summary)
    assert (summary_read.separator, summary_read.decimal) == (";", ",")
    assert summary_read.frame["share"].str.contains(",").any()


def test_a_comma_file_and_a_workbook_are_written_with_commas_and_points():
    assert read_table(b"a,b\n1.5,2\n", "x.csv").dialect == COMMAS
    assert read_table(b"a;b\n1.5;2\n", "x.csv").dialect == CsvDialect(";", ".")
    assert read_table(b"a;b\n1,5;2\n", "x.csv").dialect == CsvDialect(";", ",")
    assert CsvDialect.of(None, ".") == COMMAS and CsvDialect.of(",", ",") == COMMAS


def test_segments_rfm_and_compare_write_a_german_export_in_its_own_dialect(cli, write, tmp_path):
    """Left in session 11 and found again from outside: `segments rfm` of a German order export (semicolons,
    decimal commas) wrote its customer table, and `segments compare` its counts, comma-separated with points."""
    lines = ["Kunde;Bestelldatum;Betrag"]
    for i in range(120):
        lines.append(f"K{i % 40:03d};{1 + i % 28:02d}.0{1 + i % 9}.2024;{10 + i},{i % 100:02d}")
    orders = write("bestellungen.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    customers = tmp_path / "kunden.csv"
    status, _, err = cli("rfm", orders, "--out", customers)
    assert (status, err) == (0, ""), err
    table = read_table(customers)
    assert (table.separator, table.decimal) == (";", ",")
    monetary = table.frame["monetary"]
    assert monetary.str.contains(",").any() and not monetary.str.contains(r"\.").any()
    expected = {f"K{c:03d}": sum(10 + i + (i % 100) / 100 for i in range(120) if i % 40 == c) for c in range(40)}
    read = dict(zip(table.frame["customer_id"], monetary.str.replace(",", ".").astype(float)))
    assert read == {k: round(v, 2) for k, v in expected.items()}

    out_a, out_b, moves = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "moves.csv"
    for out in (out_a, out_b):
        status, _, err = cli("fit", customers, "--k", "2", "--out", out, "--stability-runs", "0")
        assert status == 0, err
    status, _, err = cli("compare", out_a, out_b, "--id", "customer_id", "--out", moves)
    assert status == 0, err
    assert moves.read_text(encoding="utf-8-sig").splitlines()[0] == "from;from segment;to;to segment;customers"


def test_the_command_lines_csv_outputs_open_in_excel_as_utf8(cli, write, tmp_path):
    """Found from outside (a French customer export in cp1252, ``1 312,83 €``): ``segments fit`` wrote its file in
    UTF-8 without the byte-order mark the dashboard's downloads carry, and Excel on Windows opened it as the ANSI
    code page: "TÃ©lÃ©phone", "506,17 â‚¬", segment names "High income Â· Young". Every CSV the command line
    writes (the clustered file, the summary, the customer table of ``rfm``, the counts of ``compare``) now
    starts with it; the product reads it back as before."""
    path = write("clients.csv", german_export().replace("Ort", "Ville de résidence").encode("cp1252"))
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    status, _, err = cli("fit", path, "--k", "3", "--out", out, "--summary", summary, "--stability-runs", "0")
    assert (status, err) == (0, ""), err
    for written in (out, summary):
        assert written.read_bytes().startswith(b"\xef\xbb\xbf" + ("Kundennummer;Ville de résidence;"
                                                                  if written == out else "cluster;").encode("utf-8"))
    assert "Köln" in out.read_text(encoding="utf-8-sig") and "·" in summary.read_text(encoding="utf-8-sig")
    assert read_table(out).frame.columns[1] == "Ville de résidence"  # the product reads its own output back

    orders = write("commandes.csv", "client;date;montant\r\n" + "".join(
        f"C{i % 30:02d};{1 + i % 28:02d}/0{1 + i % 9}/2024;{10 + i},50 €\r\n" for i in range(90)))
    customers, moves = tmp_path / "clients_rfm.csv", tmp_path / "moves.csv"
    assert cli("rfm", orders, "--out", customers)[0] == 0
    assert customers.read_bytes().startswith(b"\xef\xbb\xbfcustomer_id;")
    assert cli("compare", out, out, "--id", "Kundennummer", "--out", moves)[0] == 0
    assert moves.read_bytes().startswith(b"\xef\xbb\xbffrom;from segment;")
